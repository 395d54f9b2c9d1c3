"""``optuna._imports`` once trimtab serves ``import optuna``.

optuna-integration wraps its optional imports in ``with try_import() as _imports:`` and calls
``_imports.check()`` when the feature is used; this module offers the same two helpers.
"""

from __future__ import annotations

import importlib
import types
from types import TracebackType
from typing import Any


class DeferredImportError:
    """Holds back an ImportError raised inside ``with`` until ``check()`` is called."""

    def __init__(self) -> None:
        self._error: ImportError | SyntaxError | None = None

    def __enter__(self) -> DeferredImportError:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        if isinstance(exc_value, (ImportError, SyntaxError)):
            self._error = exc_value
            return True
        return False

    def is_successful(self) -> bool:
        """Return whether every import inside the ``with`` block succeeded."""
        return self._error is None

    def check(self) -> None:
        """Raise the held-back ImportError, naming the missing package.

        Raises:
            ImportError: an import inside the ``with`` block failed.
        """
        if self._error is None:
            return
        missing = getattr(self._error, "name", None) or "a package"
        raise ImportError(
            f"This feature needs {missing!r}, which could not be imported: {self._error}. "
            "Install it to use this feature."
        ) from self._error


def try_import() -> DeferredImportError:
    """Return a context manager that defers ImportError to ``check()``."""
    return DeferredImportError()


class _LazyImport(types.ModuleType):
    """A module placeholder that imports ``name`` on first attribute access."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self._name = name

    def __getattr__(self, item: str) -> Any:
        module = importlib.import_module(self._name)
        self.__dict__.update(module.__dict__)
        return getattr(module, item)


__all__ = ["try_import"]

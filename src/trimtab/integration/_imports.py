"""Import a third-party library on first use, with an error that names the extra to install."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any


def import_or_explain(module: str, extra: str, feature: str) -> ModuleType:
    """Import ``module`` or raise an ImportError telling how to install it.

    Args:
        module: The dotted module name to import (``"mlflow"``, ``"lightning.pytorch"``).
        extra: The trimtab extra that installs it (``pip install "trimtab[extra]"``).
        feature: What needs the module, for the message (``"MLflowCallback"``).

    Returns:
        The imported module.

    Raises:
        ImportError: The module cannot be imported; the message names the extra.
    """
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise ImportError(
            f"{feature} needs the {module.split('.')[0]!r} package, which could not be "
            f'imported ({err}). Install it with: pip install "trimtab[{extra}]"'
        ) from err


def lazy_class_getattr(
    module_globals: dict[str, Any], name: str, define: Callable[[], type]
) -> Callable[[str], Any]:
    """Return a module ``__getattr__`` that defines class ``name`` on first access.

    For callbacks whose base class belongs to the third-party library (``keras.callbacks.
    Callback``, XGBoost's ``TrainingCallback``): the library is imported, and the class
    defined, only when the class is first named.

    Args:
        module_globals: The module's ``globals()``; the class is cached there.
        name: The class name.
        define: Imports the library and returns the class.

    Returns:
        A function to assign to the module's ``__getattr__``.
    """

    def __getattr__(attribute: str) -> Any:
        if attribute != name:
            raise AttributeError(
                f"module {module_globals['__name__']!r} has no attribute {attribute!r}"
            )
        cls = define()
        # Named as a module-level class, so pickle and repr find it where users import it.
        cls.__module__ = module_globals["__name__"]
        cls.__qualname__ = name
        module_globals[name] = cls
        return cls

    return __getattr__

"""``optuna._deprecated`` once trimtab serves ``import optuna``.

The decorators optuna-integration puts on its deprecated names: the decorated class or
function works unchanged and warns with a ``FutureWarning`` naming the versions.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from trimtab._warnings import warn

F = TypeVar("F", bound=Callable[..., Any])
C = TypeVar("C", bound=type)


# Filled with ``name``, ``d_ver`` (deprecated in) and ``r_ver`` (removed in), as in Optuna.
_DEPRECATION_WARNING_TEMPLATE = (
    "{name} has been deprecated in v{d_ver}. It will be removed in v{r_ver}."
)


def _message(name: str, deprecated: str, removed: str, text: str | None) -> str:
    message = _DEPRECATION_WARNING_TEMPLATE.format(name=name, d_ver=deprecated, r_ver=removed)
    return f"{message} {text}" if text else message


def deprecated_func(
    deprecated_version: str, removed_version: str, name: str | None = None, text: str | None = None
) -> Callable[[F], F]:
    """Mark a function deprecated: it warns on each call."""

    def decorator(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            label = name or func.__qualname__
            warn(_message(label, deprecated_version, removed_version, text), FutureWarning)
            return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def deprecated_class(
    deprecated_version: str, removed_version: str, name: str | None = None, text: str | None = None
) -> Callable[[C], C]:
    """Mark a class deprecated: it warns when instantiated."""

    def decorator(cls: C) -> C:
        original_init = cls.__init__  # type: ignore[misc]

        @functools.wraps(original_init)
        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            label = name or cls.__name__
            warn(_message(label, deprecated_version, removed_version, text), FutureWarning)
            original_init(self, *args, **kwargs)

        cls.__init__ = __init__  # type: ignore[misc]
        return cls

    return decorator


__all__ = ["deprecated_class", "deprecated_func"]

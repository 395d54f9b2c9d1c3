"""``optuna._experimental`` once trimtab serves ``import optuna``.

The decorators optuna-integration puts on its experimental callbacks: the decorated class or
function works unchanged and warns with trimtab's ``ExperimentalWarning`` when used.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from trimtab._warnings import warn_experimental

F = TypeVar("F", bound=Callable[..., Any])
C = TypeVar("C", bound=type)


def warn_experimental_argument(option_name: str) -> None:
    """Warn that the argument ``option_name`` is experimental."""
    warn_experimental(f"Argument ``{option_name}``", "unknown")


def experimental_func(version: str, name: str | None = None) -> Callable[[F], F]:
    """Mark a function experimental since ``version``: it warns on each call."""

    def decorator(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            warn_experimental(name or func.__qualname__, version)
            return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def experimental_class(version: str, name: str | None = None) -> Callable[[C], C]:
    """Mark a class experimental since ``version``: it warns when instantiated."""

    def decorator(cls: C) -> C:
        original_init = cls.__init__  # type: ignore[misc]

        @functools.wraps(original_init)
        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            warn_experimental(name or cls.__name__, version)
            original_init(self, *args, **kwargs)

        cls.__init__ = __init__  # type: ignore[misc]
        return cls

    return decorator


__all__ = ["experimental_class", "experimental_func", "warn_experimental_argument"]

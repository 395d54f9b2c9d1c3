"""Serialising the objective for evaluators (cloudpickle, so lambdas and closures travel)."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import Any


def _describe(func: Any) -> str:
    name = getattr(func, "__qualname__", None) or type(func).__name__
    module = getattr(func, "__module__", None)
    return f"{module}.{name}" if module else str(name)


def ship(func: Callable[..., Any]) -> bytes:
    """Return ``func`` serialised for an evaluator.

    Raises:
        TypeError: ``func`` is not callable or cannot be serialised (the message names it and
            what in it could not be sent).
    """
    if not callable(func):
        raise TypeError(f"The objective must be callable, got {func!r}.")
    try:
        import cloudpickle

        dumps: Callable[[Any], bytes] = cloudpickle.dumps
    except ImportError:  # plain pickle ships module-level functions; cloudpickle ships the rest
        dumps = pickle.dumps
    try:
        payload = dumps(func)
        pickle.loads(payload)
    except Exception as err:
        hint = "" if dumps is not pickle.dumps else ' (pip install "trimtab[process]" ships more)'
        raise TypeError(
            f"The objective {_describe(func)} cannot be sent to the evaluators: {err!r}{hint}. "
            "Objectives must be serialisable; create unpicklable resources (open files, locks, "
            "connections) inside the objective instead of capturing them."
        ) from err
    return bytes(payload)

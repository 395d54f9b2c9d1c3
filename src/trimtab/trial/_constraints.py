"""Constraint values kept in a trial's system attributes (Optuna's key convention)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from trimtab import _warnings

CONSTRAINTS_KEY = "constraints"
_PREFIX = CONSTRAINTS_KEY + ":"


def constraints_from_system_attrs(system_attrs: Mapping[str, Any]) -> dict[str, float]:
    """Read constraints stored as ``constraints:<name>`` keys or the older ``constraints`` list."""
    result: dict[str, float] = {}
    legacy = system_attrs.get(CONSTRAINTS_KEY)
    if legacy is not None:
        for index, value in enumerate(legacy):
            result[str(index)] = value
    for key, value in system_attrs.items():
        if key.startswith(_PREFIX):
            result[key[len(_PREFIX) :]] = value
    return result


def constraint_key(key: str, value: float) -> str:
    """Validate a constraint and return the system-attribute key it is stored under."""
    if not isinstance(key, str):
        raise TypeError(f"A constraint name must be a str, got {key!r}.")
    try:
        number = float(value)
    except (TypeError, ValueError) as err:
        raise TypeError(f"Constraint {key!r} must be a number, got {value!r}.") from err
    if math.isnan(number):
        raise ValueError(f"Attempted to set a constraint for {key!r}, but NaN is not allowed.")
    return _PREFIX + key


def new_constraint(system_attrs: Mapping[str, Any], key: str, value: float) -> str | None:
    """Validate a constraint; return its attribute key, or None (with a warning) if already set."""
    stored_key = constraint_key(key, value)
    if stored_key in system_attrs:
        _warnings.warn(f"The constraint value is ignored because `{key=}` is already set.")
        return None
    return stored_key


def is_feasible(system_attrs: Mapping[str, Any]) -> bool:
    """Return True when every constraint is at most zero (no constraints: feasible)."""
    return all(v <= 0.0 for v in constraints_from_system_attrs(system_attrs).values())

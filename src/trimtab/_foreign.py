"""Recognise Optuna's own objects without importing Optuna.

With the real Optuna installed next to trimtab, code written for Optuna (optuna-integration's
callbacks) compares trimtab's enums with Optuna's (``study.direction !=
optuna.study.StudyDirection.MAXIMIZE``). trimtab's enums compare equal to the Optuna member of
the same name, so such code takes the branch it would take under Optuna.
"""

from __future__ import annotations

from typing import Any


def optuna_member_name(obj: Any, enum_name: str) -> str | None:
    """Return the member name if ``obj`` is a member of Optuna's enum ``enum_name``, else None."""
    kind = type(obj)
    if kind.__name__ != enum_name or kind.__module__.split(".")[0] != "optuna":
        return None
    name = getattr(obj, "name", None)
    return name if isinstance(name, str) else None

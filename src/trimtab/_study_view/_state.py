"""The record format of versioned sampler/pruner state (stored as system attributes).

A consumer that must remember something across trials, processes or a resumed study
(CMA-ES's mean and covariance, a GA's parents, QMC's seed) stores it under its own
namespace: the system attribute ``"<namespace>:state"`` holds ``{"version": v, "state": ...}``.
A reader that finds another version gets None and starts afresh instead of misreading it.
Values must be JSON-serialisable. The views write these records; this module only names and
unwraps them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def state_key(namespace: str) -> str:
    """The system-attribute key of ``namespace``'s state record.

    Raises:
        ValueError: ``namespace`` is empty or contains ``':'``.
    """
    if not namespace or ":" in namespace:
        raise ValueError(
            f"A state namespace must be a non-empty name without ':', got {namespace!r}."
        )
    return f"{namespace}:state"


def state_record(version: int, state: Any) -> dict[str, Any]:
    """The stored form of ``state`` tagged with ``version``."""
    return {"version": version, "state": state}


def unwrap_state(record: Any, version: int) -> Any:
    """The state inside ``record`` if it carries ``version``, else None."""
    if isinstance(record, dict) and record.get("version") == version:
        return record.get("state")
    return None


def load_trial_state(system_attrs: Mapping[str, Any], namespace: str, version: int) -> Any:
    """Return the state under ``namespace`` with ``version`` from a trial's system attrs."""
    return unwrap_state(system_attrs.get(state_key(namespace)), version)

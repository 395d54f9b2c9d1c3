"""The one place where samplers persist state of their own: versioned study/trial attributes.

A sampler that must remember something across trials, processes or a resumed study (CMA-ES's
mean and covariance, a grid's bookkeeping, a GA's generation) stores it here under its own
namespace, e.g. ``save_study_state(study, "cmaes", 1, {...})``. The record is stored as the
system attribute ``"<namespace>:state"`` with the value ``{"version": v, "state": ...}``; a
reader that finds another version gets None and starts afresh instead of misreading it.
Values must be JSON-serialisable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trimtab.study import Study


def _key(namespace: str) -> str:
    if not namespace or ":" in namespace:
        raise ValueError(
            f"A state namespace must be a non-empty name without ':', got {namespace!r}."
        )
    return f"{namespace}:state"


def _unwrap(record: Any, version: int) -> Any:
    if isinstance(record, dict) and record.get("version") == version:
        return record.get("state")
    return None


def save_study_state(study: Study, namespace: str, version: int, state: Any) -> None:
    """Store ``state`` for the whole study under ``namespace``, tagged with ``version``."""
    study._storage.set_study_system_attr(
        study._study_id, _key(namespace), {"version": version, "state": state}
    )


def load_study_state(study: Study, namespace: str, version: int) -> Any:
    """Return the study state saved under ``namespace`` with ``version``, or None."""
    attrs = study._storage.get_study_system_attrs(study._study_id)
    return _unwrap(attrs.get(_key(namespace)), version)


def save_trial_state(study: Study, trial_id: int, namespace: str, version: int, state: Any) -> None:
    """Store ``state`` on one (unfinished) trial under ``namespace``, tagged with ``version``."""
    study._storage.set_trial_system_attr(
        trial_id, _key(namespace), {"version": version, "state": state}
    )


def load_trial_state(system_attrs: dict[str, Any], namespace: str, version: int) -> Any:
    """Return the trial state under ``namespace`` with ``version`` from a trial's system attrs."""
    return _unwrap(system_attrs.get(_key(namespace)), version)


def save_trial_attr(study: Study, trial_id: int, key: str, value: Any) -> None:
    """Store a trial system attribute under a key shared with Optuna's ecosystem.

    Only for keys whose meaning other tools read (``grid_id``, ``search_space``,
    ``nsga2:generation``, …), so that studies stay interchangeable with Optuna and readable by
    dashboards; everything else goes through ``save_trial_state``.
    """
    study._storage.set_trial_system_attr(trial_id, key, value)

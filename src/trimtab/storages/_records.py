"""Trial records the storages share: thawed copies, and the table of this process's running
trials that the RDB storage and the gRPC client keep up to date with their own writes.

Only the worker running a trial writes to it (the storage contract), so a storage that
created or claimed a trial knows what the database or server holds and can answer
``get_trial`` for it without a round trip.
"""

from __future__ import annotations

import copy
import json
import threading
from typing import Any

from trimtab.distributions import BaseDistribution
from trimtab.trial._frozen import FrozenTrial


def thaw_trial(trial: FrozenTrial) -> FrozenTrial:
    """Return a copy of ``trial`` whose dicts may be changed without touching the original."""
    clone = copy.copy(trial)
    clone._params = dict(trial._params)
    clone._distributions = dict(trial._distributions)
    clone._user_attrs = dict(trial._user_attrs)
    clone._system_attrs = dict(trial._system_attrs)
    clone.intermediate_values = dict(trial.intermediate_values)
    clone._values = list(trial._values) if trial._values is not None else None
    return clone


class RunningTrials:
    """Running trials owned by this process, by trial id, updated with its own writes.

    Subclasses decide when a trial enters (created, claimed, first read) and leaves the table.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[int, FrozenTrial] = {}

    def running(self, trial_id: int) -> FrozenTrial | None:
        """A copy of an owned running trial, or None."""
        with self._lock:
            trial = self._running.get(trial_id)
            return thaw_trial(trial) if trial is not None else None

    def param(self, trial_id: int, name: str, internal: float, dist: BaseDistribution) -> None:
        """Apply a ``set_trial_param`` this process made."""
        with self._lock:
            trial = self._running.get(trial_id)
            if trial is not None:
                trial._params[name] = dist.to_external_repr(internal)
                trial._distributions[name] = dist

    def intermediate(self, trial_id: int, step: int, value: float) -> None:
        """Apply a ``set_trial_intermediate_value`` this process made."""
        with self._lock:
            trial = self._running.get(trial_id)
            if trial is not None:
                trial.intermediate_values[step] = value

    def attr(self, trial_id: int, system: bool, key: str, value: Any) -> None:
        """Apply a user or system attribute this process set (JSON-normalised, as stored)."""
        with self._lock:
            trial = self._running.get(trial_id)
            if trial is not None:
                target = trial._system_attrs if system else trial._user_attrs
                target[key] = json.loads(json.dumps(value))

"""The running trials this client created, kept up to date with its own writes.

Only the worker running a trial writes to it (the storage contract), so after one read the
client knows what the server holds and answers ``get_trial`` for it without a round trip.
A trial leaves this table when the client finishes it (the server sets its end time).
"""

from __future__ import annotations

import json
import threading
from typing import Any

from trimtab.distributions import BaseDistribution
from trimtab.storages._in_memory import _thaw
from trimtab.trial import FrozenTrial


class OwnedTrials:
    """Running trials created by this client, by trial id."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._created: set[int] = set()
        self._running: dict[int, FrozenTrial] = {}

    def created(self, trial_id: int) -> None:
        """Note a trial this client created; its first read fills the record."""
        with self._lock:
            self._created.add(trial_id)

    def read(self, trial: FrozenTrial) -> None:
        """Keep the first read of a trial this client created, while it runs."""
        with self._lock:
            if trial._trial_id in self._created and not trial.state.is_finished():
                self._created.discard(trial._trial_id)
                self._running[trial._trial_id] = _thaw(trial)

    def get(self, trial_id: int) -> FrozenTrial | None:
        with self._lock:
            trial = self._running.get(trial_id)
            return _thaw(trial) if trial is not None else None

    def param(self, trial_id: int, name: str, internal: float, dist: BaseDistribution) -> None:
        with self._lock:
            trial = self._running.get(trial_id)
            if trial is not None:
                trial._params[name] = dist.to_external_repr(internal)
                trial._distributions[name] = dist

    def intermediate(self, trial_id: int, step: int, value: float) -> None:
        with self._lock:
            trial = self._running.get(trial_id)
            if trial is not None:
                trial.intermediate_values[step] = value

    def attr(self, trial_id: int, system: bool, key: str, value: Any) -> None:
        with self._lock:
            trial = self._running.get(trial_id)
            if trial is not None:
                target = trial._system_attrs if system else trial._user_attrs
                target[key] = json.loads(json.dumps(value))

    def forget(self, trial_id: int) -> None:
        """Drop a trial whose state changed (the server's record is the one to read now)."""
        with self._lock:
            self._created.discard(trial_id)
            self._running.pop(trial_id, None)

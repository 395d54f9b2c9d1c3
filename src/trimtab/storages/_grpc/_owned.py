"""The running trials this client created, kept up to date with its own writes.

Only the worker running a trial writes to it (the storage contract), so after one read the
client knows what the server holds and answers ``get_trial`` for it without a round trip.
A trial leaves this table when the client finishes it (the server sets its end time).
"""

from __future__ import annotations

from trimtab.storages._records import RunningTrials, thaw_trial
from trimtab.trial._frozen import FrozenTrial


class OwnedTrials(RunningTrials):
    """Running trials created by this client, by trial id."""

    def __init__(self) -> None:
        super().__init__()
        self._created: set[int] = set()

    def created(self, trial_id: int) -> None:
        """Note a trial this client created; its first read fills the record."""
        with self._lock:
            self._created.add(trial_id)

    def read(self, trial: FrozenTrial) -> None:
        """Keep the first read of a trial this client created, while it runs."""
        with self._lock:
            if trial._trial_id in self._created and not trial.state.is_finished():
                self._created.discard(trial._trial_id)
                self._running[trial._trial_id] = thaw_trial(trial)

    def get(self, trial_id: int) -> FrozenTrial | None:
        """A copy of an owned running trial, or None."""
        return self.running(trial_id)

    def forget(self, trial_id: int) -> None:
        """Drop a trial whose state changed (the server's record is the one to read now)."""
        with self._lock:
            self._created.discard(trial_id)
            self._running.pop(trial_id, None)

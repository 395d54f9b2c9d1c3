"""The trials this process is running, kept in memory as it writes them.

Only the worker that moved a trial to RUNNING writes to it (the storage contract), so its
record here is what the database holds: reading it back costs no query. Values are stored
exactly as a database round trip returns them (JSON-normalised attrs, whole-second datetimes
on MySQL). A trial leaves this table when it finishes; the last few finished ones stay
readable until the study cache has them.
"""

from __future__ import annotations

import collections
import datetime

from trimtab.storages._rdb._trials import from_db_datetime
from trimtab.storages._records import RunningTrials, thaw_trial
from trimtab.trial._frozen import FrozenTrial
from trimtab.trial._state import TrialState

_RECENT = 64


class OwnedTrials(RunningTrials):
    """Running trials of this process (by trial id) and a few just finished."""

    def __init__(self) -> None:
        super().__init__()
        self._study_ids: dict[int, int] = {}
        self._finished: collections.OrderedDict[int, FrozenTrial] = collections.OrderedDict()

    def started(self, trial_id: int, number: int, start: datetime.datetime, study_id: int) -> None:
        """Record a RUNNING trial this process created (``start`` as written, naive UTC)."""
        trial = FrozenTrial(
            number=number,
            state=TrialState.RUNNING,
            value=None,
            datetime_start=from_db_datetime(start),
            datetime_complete=None,
            params={},
            distributions={},
            user_attrs={},
            system_attrs={},
            intermediate_values={},
            trial_id=trial_id,
        )
        with self._lock:
            self._running[trial_id] = trial
            self._study_ids[trial_id] = study_id

    def study_of(self, trial_id: int) -> int | None:
        """The study of an owned running trial, or None."""
        with self._lock:
            return self._study_ids.get(trial_id) if trial_id in self._running else None

    def claimed(self, trial: FrozenTrial) -> None:
        """Record a WAITING trial this process moved to RUNNING (as read after the claim)."""
        with self._lock:
            self._running[trial._trial_id] = thaw_trial(trial)

    def ids(self) -> set[int]:
        """The ids of the trials ``get`` knows (a snapshot)."""
        with self._lock:
            return {*self._running, *self._finished}

    def get(self, trial_id: int) -> FrozenTrial | None:
        """A copy of an owned running trial, a just-finished trial, or None."""
        with self._lock:
            trial = self._running.get(trial_id)
            if trial is not None:
                return thaw_trial(trial)
            return self._finished.get(trial_id)

    def finished(
        self,
        trial_id: int,
        state: TrialState,
        values: list[float] | None,
        complete: datetime.datetime | None,
    ) -> None:
        """Move an owned trial to the just-finished list (or forget it for non-final states)."""
        with self._lock:
            trial = self._running.pop(trial_id, None)
            self._study_ids.pop(trial_id, None)
            if trial is None or not state.is_finished():
                return
            trial.state = state
            if values:
                trial._values = values
            trial.datetime_complete = from_db_datetime(complete)
            self._finished[trial_id] = trial
            while len(self._finished) > _RECENT:
                self._finished.popitem(last=False)

    def forget(self, trial_id: int) -> None:
        """Drop a trial someone else finished (e.g. failed as stale)."""
        with self._lock:
            self._running.pop(trial_id, None)
            self._study_ids.pop(trial_id, None)

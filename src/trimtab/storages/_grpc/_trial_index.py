"""The server's incremental trial cache: answers ``GetTrials`` with only what was asked for.

``GetTrials(study, included_trial_ids, trial_id_greater_than)`` asks for every trial with a
larger id plus the listed (the client's unfinished) ones. The index keeps, per study, the
encoded message of each trial and the sorted trial ids, and follows the storage through its
cursor read (``get_trials_since``), so a request costs the trials it returns — not a pass
over the whole study as a plain ``get_all_trials`` would.

Running trials change without a cursor entry (a new parameter is no state change). Those
created through this server are written through it too (only the worker running a trial
writes to it), so ``served`` keeps them current from the writes the server passes on; only
unfinished trials created elsewhere are read from the storage again.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable
from typing import Any

from trimtab.storages._base import BaseStorage
from trimtab.storages._grpc._convert import trial_to_proto
from trimtab.storages._grpc._owned import OwnedTrials
from trimtab.trial._frozen import FrozenTrial
from trimtab.trial._state import TrialState

_UNFINISHED_STATES = (TrialState.RUNNING, TrialState.WAITING)


class _StudyIndex:
    def __init__(self) -> None:
        self.cursor = 0
        self.ids: list[int] = []  # sorted
        self.finished: dict[int, Any] = {}  # trial id -> encoded message, final
        self.unfinished: set[int] = set()


class TrialIndex:
    """Per-study encoded trials, kept in step with a storage."""

    def __init__(self, storage: BaseStorage) -> None:
        self._storage = storage
        self._studies: dict[int, _StudyIndex] = {}
        self._lock = threading.Lock()
        #: Running trials created through this server, kept current by the servicer's writes.
        self.served = OwnedTrials()

    def forget(self, study_id: int) -> None:
        """Drop a deleted study."""
        with self._lock:
            self._studies.pop(study_id, None)

    def select(
        self, study_id: int, trial_id_greater_than: int, included_trial_ids: Iterable[int]
    ) -> list[Any]:
        """Return the encoded trials a ``GetTrials`` request asks for, in trial-id order.

        Raises:
            KeyError: the study does not exist.
        """
        with self._lock:
            index = self._studies.setdefault(study_id, _StudyIndex())
            changed, index.cursor = self._storage.get_trials_since(study_id, index.cursor)
            for trial in changed:
                self._record(index, trial)
            start = bisect.bisect_right(index.ids, trial_id_greater_than)
            extra = {
                i
                for i in included_trial_ids
                if i <= trial_id_greater_than and (i in index.finished or i in index.unfinished)
            }
            wanted = sorted(extra) + index.ids[start:]
            fresh = [i for i in wanted if i not in index.finished]
        # Unfinished trials change without a new cursor entry: read those few afresh.
        latest = self._read_afresh(study_id, fresh)
        with self._lock:
            for trial in latest.values():
                if trial.state.is_finished():
                    self._record(index, trial)
        return [index.finished[i] if i not in latest else trial_to_proto(latest[i]) for i in wanted]

    def _read_afresh(self, study_id: int, trial_ids: list[int]) -> dict[int, FrozenTrial]:
        """The current records of ``trial_ids`` (unfinished when last seen).

        Trials running through this server come from ``served``. Of the others, several are
        read in one pass over the study's unfinished trials (a database storage reads them all
        in a handful of queries instead of a handful per trial); one that has finished
        meanwhile is read on its own.
        """
        known = {}
        for i in trial_ids:
            trial = self.served.get(i)
            if trial is not None:
                known[i] = trial
        trial_ids = [i for i in trial_ids if i not in known]
        if len(trial_ids) <= 1:
            return known | {i: self._storage.get_trial(i) for i in trial_ids}
        unfinished = {
            trial._trial_id: trial
            for trial in self._storage.get_all_trials(
                study_id, deepcopy=False, states=_UNFINISHED_STATES
            )
        }
        return known | {i: unfinished.get(i) or self._storage.get_trial(i) for i in trial_ids}

    def _record(self, index: _StudyIndex, trial: FrozenTrial) -> None:
        trial_id = trial._trial_id
        if trial_id not in index.finished and trial_id not in index.unfinished:
            bisect.insort(index.ids, trial_id)
        if trial.state.is_finished():
            index.unfinished.discard(trial_id)
            index.finished[trial_id] = trial_to_proto(trial)
        else:
            index.unfinished.add(trial_id)

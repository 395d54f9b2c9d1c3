"""The server's incremental trial cache: answers ``GetTrials`` with only what was asked for.

``GetTrials(study, included_trial_ids, trial_id_greater_than)`` asks for every trial with a
larger id plus the listed (the client's unfinished) ones. The index keeps, per study, the
encoded message of each trial and the sorted trial ids, and follows the storage through its
cursor read (``get_trials_since``), so a request costs the trials it returns — not a pass
over the whole study as a plain ``get_all_trials`` would.

Running trials change without a cursor entry (a new parameter is no state change). Those
created through this server are written through it too (only the worker running a trial
writes to it), so ``served`` keeps them current from the writes the server passes on, and
their encoded messages are kept until the next write to them (every read of every worker
sends the other workers' running trials); only unfinished trials created elsewhere are read
from the storage again.
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
        self._writes: dict[int, int] = {}  # served trial id -> writes to it so far
        self._encoded: dict[int, tuple[int, Any]] = {}  # served trial id -> (writes, message)

    def started(self, trial_id: int) -> None:
        """Note a trial created through this server, after ``served`` read it."""
        with self._lock:
            self._writes[trial_id] = 0

    def wrote(self, trial_id: int) -> None:
        """Note a write to a trial, after ``served`` took it in: its message is re-encoded."""
        with self._lock:
            if trial_id in self._writes:
                self._writes[trial_id] += 1

    def finished(self, trial_id: int) -> None:
        """Drop what is kept of a served trial whose state is being set."""
        with self._lock:
            self._writes.pop(trial_id, None)
            self._encoded.pop(trial_id, None)

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
        encoded = self._encode_served(fresh)
        latest = self._read_afresh(study_id, [i for i in fresh if i not in encoded])
        with self._lock:
            for trial in latest.values():
                if trial.state.is_finished():
                    self._record(index, trial)
        for i, trial in latest.items():
            encoded[i] = trial_to_proto(trial)
        return [encoded[i] if i in encoded else index.finished[i] for i in wanted]

    def _encode_served(self, trial_ids: list[int]) -> dict[int, Any]:
        """The messages of those of ``trial_ids`` running through this server."""
        found = {}
        for i in trial_ids:
            with self._lock:
                writes = self._writes.get(i)  # read before the trial: a write between the
                kept = self._encoded.get(i)  # two leaves the message to re-encode next time
            if writes is None:
                continue
            if kept is not None and kept[0] == writes:
                found[i] = kept[1]
                continue
            trial = self.served.get(i)
            if trial is not None:
                found[i] = message = trial_to_proto(trial)
                with self._lock:
                    if i in self._writes:  # not finished meanwhile
                        self._encoded[i] = (writes, message)
        return found

    def _read_afresh(self, study_id: int, trial_ids: list[int]) -> dict[int, FrozenTrial]:
        """The current records of ``trial_ids`` (unfinished when last seen).

        These are not running through this server. Several are read in one pass over the
        study's unfinished trials (a database storage reads them all in a handful of queries
        instead of a handful per trial); one that has finished meanwhile is read on its own.
        """
        if len(trial_ids) <= 1:
            return {i: self._storage.get_trial(i) for i in trial_ids}
        unfinished = {
            trial._trial_id: trial
            for trial in self._storage.get_all_trials(
                study_id, deepcopy=False, states=_UNFINISHED_STATES
            )
        }
        return {i: unfinished.get(i) or self._storage.get_trial(i) for i in trial_ids}

    def _record(self, index: _StudyIndex, trial: FrozenTrial) -> None:
        trial_id = trial._trial_id
        if trial_id not in index.finished and trial_id not in index.unfinished:
            bisect.insort(index.ids, trial_id)
        if trial.state.is_finished():
            index.unfinished.discard(trial_id)
            index.finished[trial_id] = trial_to_proto(trial)
        else:
            index.unfinished.add(trial_id)

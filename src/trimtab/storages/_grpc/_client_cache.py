"""The client's trial cache, filled by ``GetTrials`` with only what changed.

A study's finished trials are fetched once; each read asks the server for trials newer than
the newest finished one this client knows, plus its unfinished ones (Optuna's request). A
log of changed trial numbers backs ``get_trials_since``, so trimtab's samplers read
incrementally through the proxy too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from trimtab.storages._grpc._convert import trial_from_proto
from trimtab.trial._frozen import FrozenTrial

#: ``fetch(study_id, included_trial_ids, trial_id_greater_than)`` -> encoded trials.
Fetch = Callable[[int, list[int], int], Any]


class _StudyTrials:
    def __init__(self) -> None:
        self.by_number: dict[int, FrozenTrial] = {}
        self.ordered: list[FrozenTrial] = []  # by number
        self.unfinished: dict[int, int] = {}  # trial id -> number
        self.messages: dict[int, Any] = {}  # trial id -> the message of an unfinished trial
        self.last_finished_id = -1
        self.changes: list[int] = []  # trial numbers, in the order they changed


class ClientTrialCache:
    """Trials of each study this client has read."""

    def __init__(self, fetch: Fetch) -> None:
        self._fetch = fetch
        self._studies: dict[int, _StudyTrials] = {}
        self._finished: dict[int, FrozenTrial] = {}  # by trial id
        self._lock = threading.Lock()

    def forget(self, study_id: int) -> None:
        with self._lock:
            study = self._studies.pop(study_id, None)
            for trial in study.by_number.values() if study is not None else ():
                self._finished.pop(trial._trial_id, None)

    def finished_trial(self, trial_id: int) -> FrozenTrial | None:
        """A finished trial already in the cache (finished trials never change)."""
        with self._lock:
            return self._finished.get(trial_id)

    def sync(self, study_id: int, fetch: bool = True) -> tuple[list[FrozenTrial], list[int]]:
        """Fetch what changed; return the study's trials by number and its change log.

        With ``fetch=False``, what the last fetch brought (nothing fetched now).

        Raises:
            KeyError: the study does not exist (its cache is dropped).
        """
        with self._lock:
            study = self._refresh(study_id, fetch)
            return list(study.ordered), study.changes

    def sync_unfinished(self, study_id: int, fetch: bool = True) -> list[FrozenTrial]:
        """Fetch what changed; return only the unfinished trials, by number (no O(n) pass)."""
        with self._lock:
            study = self._refresh(study_id, fetch)
            return [study.by_number[n] for n in sorted(study.unfinished.values())]

    def _refresh(self, study_id: int, fetch: bool) -> _StudyTrials:
        study = self._studies.get(study_id)
        if study is not None and not fetch:
            return study
        study = self._studies.setdefault(study_id, _StudyTrials())
        try:
            encoded = self._fetch(study_id, sorted(study.unfinished), study.last_finished_id)
        except KeyError:
            self._studies.pop(study_id, None)
            raise
        messages = study.messages
        for message in encoded:
            # Other workers' running trials come with every read: decode only those that
            # changed (comparing two messages costs well under a microsecond).
            if messages.get(message.trial_id) != message:
                self._add(study, trial_from_proto(message), message)
        return study

    def _add(self, study: _StudyTrials, trial: FrozenTrial, message: Any) -> None:
        previous = study.by_number.get(trial.number)
        study.by_number[trial.number] = trial
        if previous is None or previous.state != trial.state:
            study.changes.append(trial.number)
        ordered = study.ordered
        if trial.number < len(ordered) and ordered[trial.number].number == trial.number:
            ordered[trial.number] = trial
        elif trial.number == len(ordered) and previous is None:
            ordered.append(trial)
        else:  # numbers arrived out of order: rebuild
            study.ordered = [study.by_number[n] for n in sorted(study.by_number)]
        if trial.state.is_finished():
            self._finished[trial._trial_id] = trial
            study.unfinished.pop(trial._trial_id, None)
            study.messages.pop(trial._trial_id, None)
            study.last_finished_id = max(study.last_finished_id, trial._trial_id)
        else:
            study.unfinished[trial._trial_id] = trial.number
            study.messages[trial._trial_id] = message

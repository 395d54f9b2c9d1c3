"""``InMemoryStorage``: a thread-safe storage in this process's memory."""

from __future__ import annotations

import copy
import datetime
import math
import threading
import uuid
from collections.abc import Container, Sequence
from typing import Any

from trimtab import logging
from trimtab._study_records import FrozenStudy, StudyDirection
from trimtab.distributions import BaseDistribution, check_distribution_compatibility
from trimtab.exceptions import DuplicatedStudyError, UpdateFinishedTrialError
from trimtab.storages._base import (
    DEFAULT_STUDY_NAME_PREFIX,
    BaseStorage,
    check_json_serializable,
)
from trimtab.storages._records import thaw_trial
from trimtab.trial._frozen import FrozenTrial
from trimtab.trial._state import TrialState

_UNFINISHED = (TrialState.RUNNING, TrialState.WAITING)
_FINISHED = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)
_logger = logging.get_logger(__name__)


def _check_unfinished(trial: FrozenTrial) -> None:
    if trial.state.is_finished():
        raise UpdateFinishedTrialError(
            f"Trial#{trial.number} has already finished and can not be updated."
        )


class _StudyRecord:
    def __init__(self, study_id: int, name: str, directions: list[StudyDirection]) -> None:
        self.study_id = study_id
        self.name = name
        self.directions = directions
        self.user_attrs: dict[str, Any] = {}
        self.system_attrs: dict[str, Any] = {}
        self.trials: list[FrozenTrial] = []
        self.param_distributions: dict[str, BaseDistribution] = {}
        self.unfinished: dict[int, None] = {}
        self.changes: list[int] = []  # trial numbers, one entry per creation or state change
        self.best: FrozenTrial | None = None
        self.shared_distributions: dict[str, BaseDistribution] = {}


class InMemoryStorage(BaseStorage):
    """Keeps studies in this process; fast, thread-safe, gone when the process ends.

    Running trials are changed in place under the lock and copied when read; finished trials
    are handed out as they are, since they never change again.

    Example:
        >>> import trimtab
        >>> storage = trimtab.storages.InMemoryStorage()
        >>> study = trimtab.create_study(storage=storage, study_name="in-memory")
        >>> trimtab.get_all_study_names(storage)
        ['in-memory']
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._studies: dict[int, _StudyRecord] = {}
        self._names: dict[str, int] = {}
        self._trial_index: dict[int, tuple[_StudyRecord, int]] = {}
        self._next_study_id = 0
        self._next_trial_id = 0

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    # Studies.

    def create_new_study(
        self, directions: Sequence[StudyDirection], study_name: str | None = None
    ) -> int:
        with self._lock:
            study_id = self._next_study_id
            if study_name is None:
                study_name = DEFAULT_STUDY_NAME_PREFIX + str(uuid.uuid4())
            if study_name in self._names:
                raise DuplicatedStudyError(
                    f"Another study with name '{study_name}' already exists. Please specify a "
                    "different name, or reuse the existing one by setting `load_if_exists` "
                    "(for Python API) or `--skip-if-exists` flag (for CLI)."
                )
            self._next_study_id += 1
            self._studies[study_id] = _StudyRecord(study_id, study_name, list(directions))
            self._names[study_name] = study_id
        _logger.info(f"A new study created in memory with name: {study_name}")
        return study_id

    def _study(self, study_id: int) -> _StudyRecord:
        try:
            return self._studies[study_id]
        except KeyError:
            raise KeyError(f"No study with study_id {study_id} exists.") from None

    def delete_study(self, study_id: int) -> None:
        with self._lock:
            record = self._study(study_id)
            for trial in record.trials:
                del self._trial_index[trial._trial_id]
            del self._names[record.name]
            del self._studies[study_id]

    def rename_study(self, study_id: int, study_name: str) -> None:
        """Give a study a new name; its id, trials and attributes stay as they are.

        Raises:
            KeyError: no study has ``study_id``.
            DuplicatedStudyError: another study has ``study_name``.
        """
        with self._lock:
            record = self._study(study_id)
            if self._names.get(study_name, study_id) != study_id:
                raise DuplicatedStudyError(f"Another study with name '{study_name}' exists.")
            del self._names[record.name]
            record.name = study_name
            self._names[study_name] = study_id

    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        check_json_serializable(value, f"Study user attribute {key!r}")
        with self._lock:
            self._study(study_id).user_attrs[key] = value

    def set_study_system_attr(self, study_id: int, key: str, value: Any) -> None:
        check_json_serializable(value, f"Study system attribute {key!r}")
        with self._lock:
            self._study(study_id).system_attrs[key] = value

    def get_study_id_from_name(self, study_name: str) -> int:
        with self._lock:
            if study_name not in self._names:
                raise KeyError(f"No such study {study_name}.")
            return self._names[study_name]

    def get_study_name_from_id(self, study_id: int) -> str:
        with self._lock:
            return self._study(study_id).name

    def get_study_directions(self, study_id: int) -> list[StudyDirection]:
        with self._lock:
            return list(self._study(study_id).directions)

    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]:
        with self._lock:
            return dict(self._study(study_id).user_attrs)

    def get_study_system_attrs(self, study_id: int) -> dict[str, Any]:
        with self._lock:
            return dict(self._study(study_id).system_attrs)

    def get_all_studies(self) -> list[FrozenStudy]:
        with self._lock:
            return [
                FrozenStudy(
                    study_name=r.name,
                    direction=None,
                    directions=list(r.directions),
                    user_attrs=dict(r.user_attrs),
                    system_attrs=dict(r.system_attrs),
                    study_id=r.study_id,
                )
                for r in self._studies.values()
            ]

    # Trials.

    def create_new_trial(self, study_id: int, template_trial: FrozenTrial | None = None) -> int:
        with self._lock:
            record = self._study(study_id)
            trial_id = self._next_trial_id
            number = len(record.trials)
            if template_trial is None:
                trial = FrozenTrial(
                    number=number,
                    state=TrialState.RUNNING,
                    value=None,
                    datetime_start=datetime.datetime.now(),
                    datetime_complete=None,
                    params={},
                    distributions={},
                    user_attrs={},
                    system_attrs={},
                    intermediate_values={},
                    trial_id=trial_id,
                )
            else:
                check_json_serializable(template_trial.user_attrs, "Trial user attributes")
                check_json_serializable(template_trial.system_attrs, "Trial system attributes")
                for name, dist in template_trial.distributions.items():
                    self._check_distribution(record, name, dist)
                trial = thaw_trial(template_trial)
                trial._number = number
                trial._trial_id = trial_id
            self._next_trial_id += 1
            for name, dist in trial.distributions.items():
                record.param_distributions.setdefault(name, dist)
            record.trials.append(trial)
            self._trial_index[trial_id] = (record, number)
            record.changes.append(number)
            if trial.state in _UNFINISHED:
                record.unfinished[number] = None
            else:
                self._update_best(record, trial)
            return trial_id

    def _check_distribution(
        self, record: _StudyRecord, name: str, distribution: BaseDistribution
    ) -> None:
        known = record.param_distributions.get(name)
        if known is not None:
            check_distribution_compatibility(known, distribution)

    def _running(self, trial_id: int) -> tuple[_StudyRecord, FrozenTrial]:
        try:
            record, number = self._trial_index[trial_id]
        except KeyError:
            raise KeyError(f"No trial with trial_id {trial_id} exists.") from None
        trial = record.trials[number]
        _check_unfinished(trial)
        return record, trial

    def set_trial_param(
        self,
        trial_id: int,
        param_name: str,
        param_value_internal: float,
        distribution: BaseDistribution,
    ) -> None:
        with self._lock:
            record, trial = self._running(trial_id)
            known = record.param_distributions.get(param_name)
            if known is None:
                record.param_distributions[param_name] = distribution
            elif known is not distribution:
                if known == distribution:
                    distribution = known  # share one instance: most trials repeat the space
                else:
                    check_distribution_compatibility(known, distribution)
            if param_name in trial._distributions:
                check_distribution_compatibility(trial._distributions[param_name], distribution)
            trial._params[param_name] = distribution.to_external_repr(param_value_internal)
            trial._distributions[param_name] = distribution

    def get_trial_id_from_study_id_trial_number(self, study_id: int, trial_number: int) -> int:
        with self._lock:
            trials = self._study(study_id).trials
            if not 0 <= trial_number < len(trials):
                raise KeyError(
                    f"No trial with trial number {trial_number} exists in study with "
                    f"study_id {study_id}."
                )
            return trials[trial_number]._trial_id

    def get_trial_number_from_id(self, trial_id: int) -> int:
        with self._lock:
            return self._locate(trial_id)[1]

    def _locate(self, trial_id: int) -> tuple[_StudyRecord, int]:
        try:
            return self._trial_index[trial_id]
        except KeyError:
            raise KeyError(f"No trial with trial_id {trial_id} exists.") from None

    def set_trial_state_values(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None = None
    ) -> bool:
        with self._lock:
            record, number = self._locate(trial_id)
            trial = record.trials[number]
            if state == TrialState.RUNNING and trial.state != TrialState.WAITING:
                return False
            _check_unfinished(trial)
            trial.state = state
            if values is not None:
                trial._values = [float(v) for v in values]
            if state == TrialState.RUNNING:
                trial._datetime_start = datetime.datetime.now()
            if state.is_finished():
                trial.datetime_complete = datetime.datetime.now()
                self._share_distributions(record, trial)
                record.unfinished.pop(number, None)
                self._update_best(record, trial)
            record.changes.append(number)
            return True

    @staticmethod
    def _share_distributions(record: _StudyRecord, trial: FrozenTrial) -> None:
        """Let finished trials with the same search space share one distributions dict.

        Finished trials never change, and most trials of a study repeat the same space, so
        this halves the memory of a large study.
        """
        if trial._distributions == record.shared_distributions:
            trial._distributions = record.shared_distributions
        else:
            record.shared_distributions = trial._distributions

    def _update_best(self, record: _StudyRecord, trial: FrozenTrial) -> None:
        if trial.state != TrialState.COMPLETE or len(record.directions) != 1:
            return
        value = trial._values[0] if trial._values else math.nan
        if math.isnan(value):
            return
        best = record.best
        if best is None:
            record.best = trial
            return
        best_value = best._values[0]  # type: ignore[index]
        better = (
            value > best_value
            if record.directions[0] == StudyDirection.MAXIMIZE
            else (value < best_value)
        )
        if better or (value == best_value and trial.number < best.number):
            record.best = trial

    def set_trial_intermediate_value(
        self, trial_id: int, step: int, intermediate_value: float
    ) -> None:
        with self._lock:
            _, trial = self._running(trial_id)
            trial.intermediate_values[step] = intermediate_value

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        check_json_serializable(value, f"Trial user attribute {key!r}")
        with self._lock:
            _, trial = self._running(trial_id)
            trial._user_attrs[key] = value

    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        check_json_serializable(value, f"Trial system attribute {key!r}")
        with self._lock:
            _, trial = self._running(trial_id)
            trial._system_attrs[key] = value

    def get_trial(self, trial_id: int) -> FrozenTrial:
        with self._lock:
            record, number = self._locate(trial_id)
            return self._snapshot(record.trials[number])

    def get_trial_system_attrs(self, trial_id: int) -> dict[str, Any]:
        with self._lock:
            record, number = self._locate(trial_id)
            return dict(record.trials[number]._system_attrs)

    @staticmethod
    def _snapshot(trial: FrozenTrial) -> FrozenTrial:
        return thaw_trial(trial) if trial.state in _UNFINISHED else trial

    def get_all_trials(
        self,
        study_id: int,
        deepcopy: bool = True,
        states: Container[TrialState] | None = None,
    ) -> list[FrozenTrial]:
        with self._lock:
            record = self._study(study_id)
            if states is not None and not any(s in states for s in _FINISHED):
                trials = [record.trials[n] for n in sorted(record.unfinished)]
                result = [thaw_trial(t) for t in trials if t.state in states]
            else:
                snapshot = self._snapshot
                result = [snapshot(t) for t in record.trials if states is None or t.state in states]
        return copy.deepcopy(result) if deepcopy else result

    def get_trials_since(self, study_id: int, cursor: int) -> tuple[list[FrozenTrial], int]:
        with self._lock:
            record = self._study(study_id)
            numbers = sorted(set(record.changes[cursor:]))
            return [self._snapshot(record.trials[n]) for n in numbers], len(record.changes)

    def get_n_trials(
        self, study_id: int, state: tuple[TrialState, ...] | TrialState | None = None
    ) -> int:
        with self._lock:
            record = self._study(study_id)
            if state is None:
                return len(record.trials)
            states = (state,) if isinstance(state, TrialState) else state
            return sum(1 for t in record.trials if t.state in states)

    def get_best_trial(self, study_id: int) -> FrozenTrial:
        with self._lock:
            record = self._study(study_id)
            if len(record.directions) > 1:
                raise RuntimeError(
                    "Best trial can be obtained only for single-objective optimization."
                )
            if record.best is None:
                raise ValueError("No trials are completed yet.")
            return record.best

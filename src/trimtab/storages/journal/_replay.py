"""Replaying Optuna's journal log (one JSON operation per record) into studies and trials.

Every reader applies the same log in the same order, so all agree: an operation that is
invalid when its turn comes (a write to a finished trial, a second claim of a WAITING trial)
is ignored, and raised only in the worker that wrote it. Trial ids are the order of
``CREATE_TRIAL`` records over the whole log; study ids the order of ``CREATE_STUDY`` records.
"""

from __future__ import annotations

import datetime
import enum
import math
import threading
from collections.abc import Iterable
from typing import Any

from trimtab._study_records import FrozenStudy, StudyDirection
from trimtab.distributions import (
    BaseDistribution,
    check_distribution_compatibility,
    decode_stored_param,
)
from trimtab.exceptions import DuplicatedStudyError, UpdateFinishedTrialError
from trimtab.trial._frozen import FrozenTrial
from trimtab.trial._state import TrialState

NOT_FOUND_MSG = "Record does not exist."


class JournalOperation(enum.IntEnum):
    """The ``op_code`` of a journal record."""

    CREATE_STUDY = 0
    DELETE_STUDY = 1
    SET_STUDY_USER_ATTR = 2
    SET_STUDY_SYSTEM_ATTR = 3
    CREATE_TRIAL = 4
    SET_TRIAL_PARAM = 5
    SET_TRIAL_STATE_VALUES = 6
    SET_TRIAL_INTERMEDIATE_VALUE = 7
    SET_TRIAL_USER_ATTR = 8
    SET_TRIAL_SYSTEM_ATTR = 9
    DISCARD_TRIALS = 10


def parse_datetime(text: str | None) -> datetime.datetime | None:
    """An ISO datetime from the log as naive local time (what FrozenTrial holds)."""
    if text is None:
        return None
    return datetime.datetime.fromisoformat(text).astimezone().replace(tzinfo=None)


def format_datetime(value: datetime.datetime) -> str:
    """A datetime (naive local or aware) in the log's form: aware UTC, microseconds."""
    return value.astimezone(datetime.timezone.utc).isoformat(timespec="microseconds")


class StudyState:
    """A study as replayed so far."""

    def __init__(self, study_id: int, name: str, directions: list[StudyDirection]) -> None:
        self.study_id = study_id
        self.name = name
        self.directions = directions
        self.user_attrs: dict[str, Any] = {}
        self.system_attrs: dict[str, Any] = {}
        self.trial_ids: list[int] = []
        self.unfinished: dict[int, None] = {}  # trial ids
        self.param_distributions: dict[str, BaseDistribution] = {}
        self.changes: list[int] = []  # trial numbers, one per creation or state change
        self.best: FrozenTrial | None = None

    def frozen(self) -> FrozenStudy:
        return FrozenStudy(
            study_name=self.name,
            direction=None,
            directions=list(self.directions),
            user_attrs=dict(self.user_attrs),
            system_attrs=dict(self.system_attrs),
            study_id=self.study_id,
        )

    def update_best(self, trial: FrozenTrial) -> None:
        if trial.state != TrialState.COMPLETE or len(self.directions) != 1 or not trial._values:
            return
        value = trial._values[0]
        if math.isnan(value):
            return
        best = self.best
        if best is None:
            self.best = trial
            return
        best_value = best._values[0]  # type: ignore[index]
        if self.directions[0] == StudyDirection.MAXIMIZE:
            better = value > best_value
        else:
            better = value < best_value
        if better or (value == best_value and trial.number < best.number):
            self.best = trial


class ReplayResult:
    """Studies and trials after applying the first ``log_number_read`` records.

    Unfinished trials are changed in place and must be copied before being handed out;
    finished ones never change again.
    """

    def __init__(self, worker_id_prefix: str) -> None:
        self.log_number_read = 0
        self.worker_id_prefix = worker_id_prefix
        self.studies: dict[int, StudyState] = {}
        self.names: dict[str, int] = {}
        self.next_study_id = 0
        self.trials: list[FrozenTrial] = []
        self.trial_study: list[int] = []
        self.owned_trial_ids: dict[str, int] = {}
        self.last_created_trial_id = -1

    @property
    def worker_id(self) -> str:
        return self.worker_id_prefix + str(threading.get_ident())

    @property
    def owned_trial_id(self) -> int | None:
        return self.owned_trial_ids.get(self.worker_id)

    def apply_logs(self, logs: Iterable[dict[str, Any]]) -> None:
        """Apply records; re-raise (after applying all) the first error of this worker's own."""
        error: Exception | None = None
        for log in logs:
            self.log_number_read += 1
            try:
                self._apply(log)
            except (KeyError, ValueError, UpdateFinishedTrialError, DuplicatedStudyError) as err:
                if log.get("worker_id") == self.worker_id and error is None:
                    error = err
        if error is not None:
            raise error

    def _apply(self, log: dict[str, Any]) -> None:
        op = log["op_code"]
        handler = _HANDLERS.get(op)
        if handler is not None:
            handler(self, log)
        elif op != JournalOperation.DISCARD_TRIALS:
            raise ValueError(f"Unknown journal op_code {op!r}.")

    def study(self, study_id: int) -> StudyState:
        state = self.studies.get(study_id)
        if state is None:
            raise KeyError(f"No study with study_id {study_id} exists.")
        return state

    def _updatable(self, trial_id: int) -> FrozenTrial:
        if not 0 <= trial_id < len(self.trials) or self.trial_study[trial_id] not in self.studies:
            raise KeyError(f"No trial with trial_id {trial_id} exists.")
        trial = self.trials[trial_id]
        if trial.state.is_finished():
            raise UpdateFinishedTrialError(
                f"Trial#{trial.number} has already finished and can not be updated."
            )
        return trial

    def _create_study(self, log: dict[str, Any]) -> None:
        name = log["study_name"]
        if name in self.names:
            raise DuplicatedStudyError(
                f"Another study with name '{name}' already exists. Please specify a different "
                "name, or reuse the existing one by setting `load_if_exists` (for Python API) "
                "or `--skip-if-exists` flag (for CLI)."
            )
        study_id = self.next_study_id
        self.next_study_id += 1
        directions = [StudyDirection(d) for d in log["directions"]]
        self.studies[study_id] = StudyState(study_id, name, directions)
        self.names[name] = study_id

    def _delete_study(self, log: dict[str, Any]) -> None:
        state = self.study(log["study_id"])
        del self.studies[state.study_id]
        del self.names[state.name]

    def _set_study_user_attr(self, log: dict[str, Any]) -> None:
        self.study(log["study_id"]).user_attrs.update(log["user_attr"])

    def _set_study_system_attr(self, log: dict[str, Any]) -> None:
        self.study(log["study_id"]).system_attrs.update(log["system_attr"])

    def _create_trial(self, log: dict[str, Any]) -> None:
        state = self.study(log["study_id"])
        trial_id = len(self.trials)
        distributions: dict[str, BaseDistribution] = {}
        params: dict[str, Any] = {}
        stored_params = log.get("params", {})
        for name, text in log.get("distributions", {}).items():
            decoded = decode_stored_param(trial_id, name, text, stored_params.get(name))
            if decoded is not None:
                distributions[name], params[name] = decoded
        trial = FrozenTrial(
            number=len(state.trial_ids),
            state=TrialState(log.get("state", TrialState.RUNNING)),
            value=None,
            values=_values(log),
            datetime_start=parse_datetime(log["datetime_start"]),
            datetime_complete=parse_datetime(log.get("datetime_complete")),
            params=params,
            distributions=distributions,
            user_attrs=dict(log.get("user_attrs", {})),
            system_attrs=dict(log.get("system_attrs", {})),
            intermediate_values={int(k): v for k, v in log.get("intermediate_values", {}).items()},
            trial_id=trial_id,
        )
        self.trials.append(trial)
        self.trial_study.append(state.study_id)
        state.trial_ids.append(trial_id)
        state.changes.append(trial.number)
        for name, dist in distributions.items():
            state.param_distributions.setdefault(name, dist)
        if trial.state in (TrialState.RUNNING, TrialState.WAITING):
            state.unfinished[trial_id] = None
        else:
            state.update_best(trial)
        if log.get("worker_id") == self.worker_id:
            self.last_created_trial_id = trial_id
            if trial.state == TrialState.RUNNING:
                self.owned_trial_ids[self.worker_id] = trial_id

    def _set_trial_param(self, log: dict[str, Any]) -> None:
        trial = self._updatable(log["trial_id"])
        state = self.studies[self.trial_study[trial._trial_id]]
        name = log["param_name"]
        decoded = decode_stored_param(
            trial._trial_id, name, log["distribution"], log["param_value_internal"]
        )
        if decoded is None:
            return
        dist, value = decoded
        known = state.param_distributions.get(name)
        if known is not None:
            check_distribution_compatibility(known, dist)
        else:
            state.param_distributions[name] = dist
        trial._params[name] = value
        trial._distributions[name] = dist

    def _set_trial_state_values(self, log: dict[str, Any]) -> None:
        trial = self._updatable(log["trial_id"])
        new_state = TrialState(log["state"])
        if new_state == TrialState.RUNNING and trial.state == TrialState.RUNNING:
            return  # another worker claimed this WAITING trial first
        study = self.studies[self.trial_study[trial._trial_id]]
        if new_state == TrialState.RUNNING:
            trial._datetime_start = parse_datetime(log["datetime_start"])
            if log.get("worker_id") == self.worker_id:
                self.owned_trial_ids[self.worker_id] = trial._trial_id
        if new_state.is_finished():
            trial.datetime_complete = parse_datetime(log["datetime_complete"])
        trial.state = new_state
        if log.get("values") is not None:
            trial._values = [float(v) for v in log["values"]]
        study.changes.append(trial.number)
        if new_state.is_finished():
            study.unfinished.pop(trial._trial_id, None)
            study.update_best(trial)

    def _set_trial_intermediate_value(self, log: dict[str, Any]) -> None:
        trial = self._updatable(log["trial_id"])
        trial.intermediate_values[int(log["step"])] = log["intermediate_value"]

    def _set_trial_user_attr(self, log: dict[str, Any]) -> None:
        self._updatable(log["trial_id"])._user_attrs.update(log["user_attr"])

    def _set_trial_system_attr(self, log: dict[str, Any]) -> None:
        self._updatable(log["trial_id"])._system_attrs.update(log["system_attr"])


def _values(log: dict[str, Any]) -> list[float] | None:
    if log.get("values") is not None:
        return [float(v) for v in log["values"]]
    if log.get("value") is not None:
        return [float(log["value"])]
    return None


_HANDLERS = {
    JournalOperation.CREATE_STUDY: ReplayResult._create_study,
    JournalOperation.DELETE_STUDY: ReplayResult._delete_study,
    JournalOperation.SET_STUDY_USER_ATTR: ReplayResult._set_study_user_attr,
    JournalOperation.SET_STUDY_SYSTEM_ATTR: ReplayResult._set_study_system_attr,
    JournalOperation.CREATE_TRIAL: ReplayResult._create_trial,
    JournalOperation.SET_TRIAL_PARAM: ReplayResult._set_trial_param,
    JournalOperation.SET_TRIAL_STATE_VALUES: ReplayResult._set_trial_state_values,
    JournalOperation.SET_TRIAL_INTERMEDIATE_VALUE: ReplayResult._set_trial_intermediate_value,
    JournalOperation.SET_TRIAL_USER_ATTR: ReplayResult._set_trial_user_attr,
    JournalOperation.SET_TRIAL_SYSTEM_ATTR: ReplayResult._set_trial_system_attr,
}

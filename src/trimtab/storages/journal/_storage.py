"""``JournalStorage``: a storage that is an append-only log of operations (Optuna's format)."""

from __future__ import annotations

import copy
import datetime
import io
import pickle
import threading
import time
import uuid
from collections.abc import Container, Sequence
from typing import Any

from trimtab import logging
from trimtab._study_records import FrozenStudy, StudyDirection
from trimtab.distributions import (
    BaseDistribution,
    check_distribution_compatibility,
    distribution_to_json,
)
from trimtab.exceptions import UpdateFinishedTrialError
from trimtab.storages._base import DEFAULT_STUDY_NAME_PREFIX, BaseStorage, check_json_serializable
from trimtab.storages._heartbeat import BaseHeartbeat, StaleTrialCallback
from trimtab.storages._records import thaw_trial
from trimtab.storages.journal._base import BaseJournalBackend, BaseJournalSnapshot
from trimtab.storages.journal._replay import JournalOperation, ReplayResult, format_datetime
from trimtab.trial._frozen import FrozenTrial
from trimtab.trial._state import TrialState

_logger = logging.get_logger(__name__)
_UNFINISHED = (TrialState.RUNNING, TrialState.WAITING)
# Heartbeats are trial system attributes, so Optuna can still read the log.
HEARTBEAT_KEY = "trimtab:heartbeat"
# A backend that keeps snapshots gets one every this many trials (faster start-up).
SNAPSHOT_INTERVAL = 100


def _now() -> str:
    return format_datetime(datetime.datetime.now(datetime.timezone.utc))


class _SnapshotUnpickler(pickle.Unpickler):
    """Loads only trimtab's own replay state (never arbitrary or Optuna classes)."""

    _ALLOWED_PREFIXES = ("trimtab.", "builtins", "datetime", "collections", "copyreg")

    def find_class(self, module: str, name: str) -> Any:
        if not module.startswith(self._ALLOWED_PREFIXES):
            raise pickle.UnpicklingError(f"Refusing to load {module}.{name} from a snapshot.")
        return super().find_class(module, name)


class JournalStorage(BaseStorage, BaseHeartbeat):
    """A storage that appends each operation to a journal (a file or Redis) and replays it.

    The log is Optuna's journal format, so Optuna reads trimtab's journals and the other way
    round. Each worker reads only the part of the log it has not seen. Unlike Optuna, heartbeats
    are supported here too: a running trial's heartbeat is its ``trimtab:heartbeat`` system
    attribute (a UNIX time).

    Args:
        log_storage: the backend, e.g. ``JournalFileBackend("journal.log")`` or
            ``JournalRedisBackend("redis://localhost:6379")``.
        heartbeat_interval: seconds between heartbeats of a running trial (None: off).
        grace_period: seconds without a heartbeat after which a running trial is stale
            (default: twice the interval).
        heartbeat_stale_trial_callback: called with ``(study, trial)`` for each stale trial
            that is failed, e.g. ``RetryHeartbeatStaleTrialCallback()``.

    Example:
        >>> import tempfile, os, trimtab
        >>> from trimtab.storages.journal import JournalFileBackend, JournalStorage
        >>> path = os.path.join(tempfile.mkdtemp(), "study.log")
        >>> storage = JournalStorage(JournalFileBackend(path))
        >>> study = trimtab.create_study(storage=storage, study_name="journaled")
        >>> trimtab.get_all_study_names(path)  # the same file, opened from its path
        ['journaled']
    """

    def __init__(
        self,
        log_storage: BaseJournalBackend,
        *,
        heartbeat_interval: int | None = None,
        grace_period: int | None = None,
        heartbeat_stale_trial_callback: StaleTrialCallback | None = None,
    ) -> None:
        if heartbeat_interval is not None and heartbeat_interval <= 0:
            raise ValueError("The value of `heartbeat_interval` should be a positive integer.")
        if grace_period is not None and grace_period <= 0:
            raise ValueError("The value of `grace_period` should be a positive integer.")
        self._backend = log_storage
        self.heartbeat_interval = heartbeat_interval
        self.grace_period = grace_period
        self.heartbeat_stale_trial_callback = heartbeat_stale_trial_callback
        self._start()

    def _start(self) -> None:
        self._worker_id_prefix = str(uuid.uuid4()) + "-"
        self._thread_lock = threading.RLock()
        self._replay_result = ReplayResult(self._worker_id_prefix)
        with self._thread_lock:
            if isinstance(self._backend, BaseJournalSnapshot):
                snapshot = self._backend.load_snapshot()
                if snapshot is not None:
                    self.restore_replay_result(snapshot)
            self._sync_with_backend()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        for key in ("_worker_id_prefix", "_replay_result", "_thread_lock"):
            del state[key]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._start()

    def restore_replay_result(self, snapshot: bytes) -> None:
        """Start from a snapshot of trimtab's replay state instead of the log's beginning."""
        try:
            result = _SnapshotUnpickler(io.BytesIO(snapshot)).load()
        except Exception:  # a foreign or damaged snapshot: replay the log instead
            _logger.warning("Failed to restore `JournalStorageReplayResult`.")
            return
        if not isinstance(result, ReplayResult):
            _logger.warning("The restored object is not `JournalStorageReplayResult`.")
            return
        result.worker_id_prefix = self._worker_id_prefix
        result.owned_trial_ids = {}
        result.last_created_trial_id = -1
        self._replay_result = result

    def _write_log(self, op_code: int, extra_fields: dict[str, Any]) -> None:
        worker_id = self._replay_result.worker_id
        self._backend.append_logs([{"op_code": op_code, "worker_id": worker_id, **extra_fields}])

    def _sync_with_backend(self) -> None:
        logs = self._backend.read_logs(self._replay_result.log_number_read)
        self._replay_result.apply_logs(logs)

    def _write_and_sync(self, op_code: int, fields: dict[str, Any]) -> None:
        with self._thread_lock:
            self._write_log(op_code, fields)
            self._sync_with_backend()

    # Studies.

    def create_new_study(
        self, directions: Sequence[StudyDirection], study_name: str | None = None
    ) -> int:
        # Like Optuna, only None asks for a generated name: "" is a name like any other.
        name = (
            study_name if study_name is not None else DEFAULT_STUDY_NAME_PREFIX + str(uuid.uuid4())
        )
        with self._thread_lock:
            fields = {"study_name": name, "directions": [int(d) for d in directions]}
            self._write_and_sync(JournalOperation.CREATE_STUDY, fields)
            study_id = self._replay_result.names[name]
        _logger.info(f"A new study created in Journal with name: {name}")
        return study_id

    def delete_study(self, study_id: int) -> None:
        with self._thread_lock:
            self._sync_with_backend()
            self._replay_result.study(study_id)
            self._write_and_sync(JournalOperation.DELETE_STUDY, {"study_id": study_id})

    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        check_json_serializable(value, f"Study user attribute {key!r}")
        fields = {"study_id": study_id, "user_attr": {key: value}}
        self._write_and_sync(JournalOperation.SET_STUDY_USER_ATTR, fields)

    def set_study_system_attr(self, study_id: int, key: str, value: Any) -> None:
        check_json_serializable(value, f"Study system attribute {key!r}")
        fields = {"study_id": study_id, "system_attr": {key: value}}
        self._write_and_sync(JournalOperation.SET_STUDY_SYSTEM_ATTR, fields)

    def _synced(self) -> ReplayResult:
        self._sync_with_backend()
        return self._replay_result

    def get_study_id_from_name(self, study_name: str) -> int:
        with self._thread_lock:
            study_id = self._synced().names.get(study_name)
        if study_id is None:
            raise KeyError(f"No such study {study_name}.")
        return study_id

    def get_study_name_from_id(self, study_id: int) -> str:
        with self._thread_lock:
            return self._synced().study(study_id).name

    def get_study_directions(self, study_id: int) -> list[StudyDirection]:
        with self._thread_lock:
            return list(self._synced().study(study_id).directions)

    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]:
        with self._thread_lock:
            return copy.deepcopy(self._synced().study(study_id).user_attrs)

    def get_study_system_attrs(self, study_id: int) -> dict[str, Any]:
        with self._thread_lock:
            return copy.deepcopy(self._synced().study(study_id).system_attrs)

    def get_all_studies(self) -> list[FrozenStudy]:
        with self._thread_lock:
            studies = self._synced().studies.values()
            return copy.deepcopy([state.frozen() for state in studies])

    # Trials.

    def create_new_trial(self, study_id: int, template_trial: FrozenTrial | None = None) -> int:
        fields: dict[str, Any] = {"study_id": study_id, "datetime_start": _now()}
        if template_trial is not None:
            fields.update(self._template_fields(study_id, template_trial))
        elif self.heartbeat_interval is not None:
            # The first heartbeat is part of the trial's record: a worker killed before its
            # heartbeat thread starts still leaves a trial that goes stale.
            fields["system_attrs"] = {HEARTBEAT_KEY: time.time()}
        with self._thread_lock:
            self._write_and_sync(JournalOperation.CREATE_TRIAL, fields)
            trial_id = self._replay_result.last_created_trial_id
            if (
                isinstance(self._backend, BaseJournalSnapshot)
                and trial_id > 0
                and trial_id % SNAPSHOT_INTERVAL == 0
            ):
                self._backend.save_snapshot(pickle.dumps(self._replay_result))
            return trial_id

    def _template_fields(self, study_id: int, trial: FrozenTrial) -> dict[str, Any]:
        with self._thread_lock:
            known = self._synced().study(study_id).param_distributions
            for name, dist in trial.distributions.items():
                if name in known:
                    check_distribution_compatibility(known[name], dist)
        values = trial.values
        fields: dict[str, Any] = {"state": int(trial.state)}
        if values is not None and len(values) > 1:
            fields.update(value=None, values=list(values))
        else:
            fields.update(value=trial.value, values=None)
        start = trial.datetime_start
        fields["datetime_start"] = format_datetime(start) if start is not None else None
        if trial.datetime_complete is not None:
            fields["datetime_complete"] = format_datetime(trial.datetime_complete)
        fields["distributions"] = {
            k: distribution_to_json(d) for k, d in trial.distributions.items()
        }
        fields["params"] = {
            k: trial.distributions[k].to_internal_repr(v) for k, v in trial.params.items()
        }
        fields["user_attrs"] = trial.user_attrs
        # A copy (e.g. a retry of a stale trial) must not inherit the old trial's heartbeat.
        fields["system_attrs"] = {k: v for k, v in trial.system_attrs.items() if k != HEARTBEAT_KEY}
        fields["intermediate_values"] = trial.intermediate_values
        return fields

    def set_trial_param(
        self,
        trial_id: int,
        param_name: str,
        param_value_internal: float,
        distribution: BaseDistribution,
    ) -> None:
        with self._thread_lock:
            replay = self._replay_result
            replay._updatable(trial_id)
            known = replay.studies[replay.trial_study[trial_id]].param_distributions
            if param_name in known:
                check_distribution_compatibility(known[param_name], distribution)
            fields = {
                "trial_id": trial_id,
                "param_name": param_name,
                "param_value_internal": param_value_internal,
                "distribution": distribution_to_json(distribution),
            }
            self._write_and_sync(JournalOperation.SET_TRIAL_PARAM, fields)

    def get_trial_id_from_study_id_trial_number(self, study_id: int, trial_number: int) -> int:
        with self._thread_lock:
            trial_ids = self._synced().study(study_id).trial_ids
        if not 0 <= trial_number < len(trial_ids):
            raise KeyError(
                f"No trial with trial number {trial_number} exists in study with study_id "
                f"{study_id}."
            )
        return trial_ids[trial_number]

    def set_trial_state_values(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None = None
    ) -> bool:
        fields: dict[str, Any] = {
            "trial_id": trial_id,
            "state": int(state),
            "values": [float(v) for v in values] if values is not None else None,
        }
        if state == TrialState.RUNNING:
            fields["datetime_start"] = _now()
        elif state.is_finished():
            fields["datetime_complete"] = _now()
        with self._thread_lock:
            replay = self._synced()
            if state == TrialState.RUNNING:
                if not 0 <= trial_id < len(replay.trials):
                    raise KeyError(f"No trial with trial_id {trial_id} exists.")
                if replay.trials[trial_id].state != TrialState.WAITING:
                    return False  # another worker took it
                if self.heartbeat_interval is not None:
                    # Beat before the claim, so the trial is never RUNNING without a beat.
                    self.record_heartbeat(trial_id)
            else:
                replay._updatable(trial_id)
            try:
                self._write_and_sync(JournalOperation.SET_TRIAL_STATE_VALUES, fields)
            except UpdateFinishedTrialError:
                if state != TrialState.RUNNING:
                    raise
                return False  # another worker took it and finished it before our record
            return state != TrialState.RUNNING or trial_id == replay.owned_trial_id

    def set_trial_intermediate_value(
        self, trial_id: int, step: int, intermediate_value: float
    ) -> None:
        fields = {"trial_id": trial_id, "step": step, "intermediate_value": intermediate_value}
        self._write_and_sync(JournalOperation.SET_TRIAL_INTERMEDIATE_VALUE, fields)

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        check_json_serializable(value, f"Trial user attribute {key!r}")
        fields = {"trial_id": trial_id, "user_attr": {key: value}}
        self._write_and_sync(JournalOperation.SET_TRIAL_USER_ATTR, fields)

    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        check_json_serializable(value, f"Trial system attribute {key!r}")
        fields = {"trial_id": trial_id, "system_attr": {key: value}}
        self._write_and_sync(JournalOperation.SET_TRIAL_SYSTEM_ATTR, fields)

    def get_trial(self, trial_id: int) -> FrozenTrial:
        with self._thread_lock:
            replay = self._synced()
            if not 0 <= trial_id < len(replay.trials):
                raise KeyError(f"No trial with trial_id {trial_id} exists.")
            trial = replay.trials[trial_id]
            return thaw_trial(trial) if trial.state in _UNFINISHED else trial

    def get_all_trials(
        self,
        study_id: int,
        deepcopy: bool = True,
        states: Container[TrialState] | None = None,
    ) -> list[FrozenTrial]:
        with self._thread_lock:
            replay = self._synced()
            study = replay.study(study_id)
            if states is not None and all(s not in states for s in TrialState if s.is_finished()):
                ids: Any = study.unfinished
            else:
                ids = study.trial_ids
            trials = [replay.trials[i] for i in ids]
            result = [
                thaw_trial(t) if t.state in _UNFINISHED else t
                for t in trials
                if states is None or t.state in states
            ]
        return copy.deepcopy(result) if deepcopy else result

    def get_trials_since(self, study_id: int, cursor: int) -> tuple[list[FrozenTrial], int]:
        with self._thread_lock:
            replay = self._synced()
            study = replay.study(study_id)
            numbers = sorted(set(study.changes[cursor:]))
            trials = [replay.trials[study.trial_ids[n]] for n in numbers]
            result = [thaw_trial(t) if t.state in _UNFINISHED else t for t in trials]
            return result, len(study.changes)

    def get_n_trials(
        self, study_id: int, state: tuple[TrialState, ...] | TrialState | None = None
    ) -> int:
        with self._thread_lock:
            replay = self._synced()
            study = replay.study(study_id)
            if state is None:
                return len(study.trial_ids)
            states = (state,) if isinstance(state, TrialState) else state
            return sum(1 for i in study.trial_ids if replay.trials[i].state in states)

    def get_best_trial(self, study_id: int) -> FrozenTrial:
        with self._thread_lock:
            study = self._synced().study(study_id)
        if len(study.directions) > 1:
            raise RuntimeError("Best trial can be obtained only for single-objective optimization.")
        if study.best is None:
            raise ValueError("No trials are completed yet.")
        return study.best

    # Heartbeats.

    def record_heartbeat(self, trial_id: int) -> None:
        """Record that ``trial_id`` is alive now."""
        self.set_trial_system_attr(trial_id, HEARTBEAT_KEY, time.time())

    def _get_stale_trial_ids(self, study_id: int) -> list[int]:
        if self.heartbeat_interval is None:
            return []
        grace = self.grace_period if self.grace_period is not None else 2 * self.heartbeat_interval
        now = time.time()
        stale = []
        for trial in self.get_all_trials(study_id, deepcopy=False, states=(TrialState.RUNNING,)):
            beat = trial.system_attrs.get(HEARTBEAT_KEY)
            if isinstance(beat, (int, float)) and now - beat > grace:
                stale.append(trial._trial_id)
        return stale

    def get_heartbeat_interval(self) -> int | None:
        """Seconds between heartbeats, or None when heartbeats are off."""
        return self.heartbeat_interval

    def get_heartbeat_stale_trial_callback(self) -> StaleTrialCallback | None:
        """The callback run for each trial failed as stale, if any."""
        return self.heartbeat_stale_trial_callback

"""Trial writes of ``RDBStorage``: each one a single short transaction."""

from __future__ import annotations

import abc
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from trimtab.distributions import (
    BaseDistribution,
    check_distribution_compatibility,
    distribution_to_json,
)
from trimtab.exceptions import StudyDeletedError, UpdateFinishedTrialError
from trimtab.storages._in_memory import check_json_serializable
from trimtab.storages._rdb import _schema as s
from trimtab.storages._rdb import _statements as st
from trimtab.storages._rdb._owned import OwnedTrials
from trimtab.storages._rdb._trials import stored_value, to_db_datetime
from trimtab.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from collections.abc import Sequence

    from trimtab.storages._rdb._engine import EngineHandle

_UNFINISHED_NAMES = ("RUNNING", "WAITING")
T = TypeVar("T")


def upsert(conn: Connection, table: Any, keys: dict[str, Any], values: dict[str, Any]) -> None:
    """Insert the row with ``keys``, or update its ``values`` if it exists (one statement)."""
    statement = st.upsert(conn.dialect.name, table, tuple(keys), tuple(values))
    if statement is None:
        st.update_then_insert(conn, table, {**keys, **values}, tuple(keys))
    else:
        conn.execute(statement, {**keys, **values})


def guarded_upsert(
    conn: Connection, trial_id: int, table: Any, keys: dict[str, Any], values: dict[str, Any]
) -> None:
    """Write a row of an unfinished trial in one statement; raise if the trial is finished."""
    statement = st.guarded_upsert(conn.dialect.name, table, tuple(keys), tuple(values))
    if statement is None:
        _updatable_study_id(conn, trial_id)
        upsert(conn, table, keys, values)
        return
    params = {f"p_{name}": value for name, value in {**keys, **values}.items()}
    if conn.execute(statement, {"guard_tid": trial_id, **params}).rowcount == 0:
        _updatable_study_id(conn, trial_id)  # raises; otherwise the row was already equal


def _updatable_study_id(conn: Connection, trial_id: int) -> int:
    """Return the study of an unfinished trial; raise for an unknown or finished one."""
    row = conn.execute(st.TRIAL_ROW, {"tid": trial_id}).first()
    if row is None:
        raise KeyError(f"No trial with trial_id {trial_id} exists.")
    if row[2] not in _UNFINISHED_NAMES:
        raise UpdateFinishedTrialError(
            f"Trial#{row[1]} has already finished and can not be updated."
        )
    return int(row[0])


def _study_id_of(conn: Connection, trial_id: int) -> int:
    row = conn.execute(st.TRIAL_ROW, {"tid": trial_id}).first()
    if row is None:
        raise KeyError(f"No trial with trial_id {trial_id} exists.")
    return int(row[0])


def _study_distribution(conn: Connection, study_id: int, name: str) -> BaseDistribution | None:
    from trimtab.distributions import json_to_distribution

    p, t = s.trial_params, s.trials
    text = conn.execute(
        select(p.c.distribution_json)
        .join(t, t.c.trial_id == p.c.trial_id)
        .where((t.c.study_id == study_id) & (p.c.param_name == name))
        .limit(1)
    ).scalar()
    try:
        return json_to_distribution(text) if text is not None else None
    except ValueError:
        return None  # an unreadable record (skipped when loading) constrains nothing


class TrialWriter(abc.ABC):
    """The trial-writing half of ``RDBStorage``."""

    _handle: EngineHandle
    _owned: OwnedTrials
    heartbeat_interval: int | None

    @abc.abstractmethod
    def get_trial(self, trial_id: int) -> FrozenTrial:
        """Return a trial (implemented by the storage)."""

    def _guarded_write(
        self, trial_id: int, write: Callable[[Connection], T], single: bool = False
    ) -> T:
        """Run a write to a trial; forget the trial as owned if someone else finished it.

        ``single``: the write is one statement, run without a surrounding transaction.
        """
        try:
            return (self._handle.write_one if single else self._handle.write)(write)
        except UpdateFinishedTrialError:
            self._owned.forget(trial_id)
            raise
        except (KeyError, IntegrityError) as err:
            # A trial this process runs vanished (or a row of it lost its trial to a foreign
            # key): its study was deleted by another process.
            owned = self._owned.get(trial_id)
            if owned is None or self._trial_exists(trial_id):
                raise
            name = self._seen_study_name(self._owned.study_of(trial_id))
            study = f"Study {name!r}" if name is not None else "The study of this trial"
            raise StudyDeletedError(
                f"{study} was deleted while trial {owned.number} was running in this "
                "process; the trial cannot be written any more."
            ) from err

    def _trial_exists(self, trial_id: int) -> bool:
        return self._handle.read(
            lambda conn: conn.execute(st.TRIAL_ROW, {"tid": trial_id}).first() is not None
        )

    @abc.abstractmethod
    def _seen_study_name(self, study_id: int | None) -> str | None:
        """The name of a study this process has created or loaded, else None."""

    @abc.abstractmethod
    def _known_distribution(self, study_id: int, name: str) -> BaseDistribution | None:
        """The distribution the study already uses for ``name``, if cached."""

    @abc.abstractmethod
    def _remember_distribution(self, study_id: int, name: str, dist: BaseDistribution) -> None:
        """Cache the distribution the study uses for ``name``."""

    def _check_param(
        self, conn: Connection, study_id: int, name: str, dist: BaseDistribution
    ) -> None:
        known = self._known_distribution(study_id, name)
        if known is None:
            known = _study_distribution(conn, study_id, name)
        if known is not None:
            check_distribution_compatibility(known, dist)

    def create_new_trial(self, study_id: int, template_trial: FrozenTrial | None = None) -> int:
        def write(conn: Connection) -> tuple[int, int]:
            # Locking the study row serialises trial creation per study: dense numbers.
            if conn.execute(st.LOCK_STUDY, {"sid": study_id}).first() is None:
                raise self._missing_study_error(study_id)
            number = conn.execute(st.COUNT_TRIALS, {"sid": study_id}).scalar()
            if template_trial is None:
                row = {"state": "RUNNING", "datetime_start": now, "datetime_complete": None}
            else:
                for name, dist in template_trial.distributions.items():
                    self._check_param(conn, study_id, name, dist)
                row = {
                    "state": template_trial.state.name,
                    "datetime_start": to_db_datetime(template_trial.datetime_start),
                    "datetime_complete": to_db_datetime(template_trial.datetime_complete),
                }
            result = conn.execute(st.INSERT_TRIAL, {"study_id": study_id, "number": number, **row})
            trial_id = int(result.inserted_primary_key[0])  # type: ignore[index]
            if template_trial is not None:
                _insert_template_children(conn, trial_id, template_trial)
            elif self.heartbeat_interval is not None:
                # The first heartbeat commits with the trial: a worker killed before its
                # heartbeat thread starts still leaves a trial that goes stale.
                conn.execute(st.INSERT_HEARTBEAT, {"tid": trial_id})
            return trial_id, int(number or 0)

        now = self._handle.now()
        trial_id, number = self._handle.write(write)
        if template_trial is None:
            self._owned.started(trial_id, number, now, study_id)
        return trial_id

    def _missing_study_error(self, study_id: int) -> KeyError:
        """KeyError for an unknown study; StudyDeletedError for one this process had seen."""
        name = self._seen_study_name(study_id)
        if name is not None:
            return StudyDeletedError(f"Study {name!r} was deleted; no trial can be added to it.")
        return KeyError(f"No study with study_id {study_id} exists.")

    def set_trial_param(
        self,
        trial_id: int,
        param_name: str,
        param_value_internal: float,
        distribution: BaseDistribution,
    ) -> None:
        text = distribution_to_json(distribution)

        known_study = self._owned.study_of(trial_id)

        def write(conn: Connection) -> int:
            study_id = known_study
            if study_id is None:
                study_id = _updatable_study_id(conn, trial_id)
            self._check_param(conn, study_id, param_name, distribution)
            guarded_upsert(
                conn,
                trial_id,
                s.trial_params,
                {"trial_id": trial_id, "param_name": param_name},
                {"param_value": float(param_value_internal), "distribution_json": text},
            )
            return study_id

        single = known_study is not None and self._known_distribution(known_study, param_name)
        study_id = self._guarded_write(trial_id, write, single=bool(single))
        self._remember_distribution(study_id, param_name, distribution)
        self._owned.param(trial_id, param_name, float(param_value_internal), distribution)

    def set_trial_state_values(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None = None
    ) -> bool:
        stored = [stored_value(float(v), nan_allowed=False) for v in values or ()]

        if state == TrialState.RUNNING:
            statement = st.CLAIM_WAITING
        elif state.is_finished():
            statement = st.FINISH_TRIAL
        else:
            statement = st.SET_TRIAL_STATE

        def write(conn: Connection) -> bool:
            params: dict[str, Any] = {"tid": trial_id, "new_state": state.name}
            if statement is not st.SET_TRIAL_STATE:
                params["dt"] = now
            if conn.execute(statement, params).rowcount == 0:
                if state == TrialState.RUNNING:
                    _study_id_of(conn, trial_id)  # raises KeyError for an unknown trial
                    return False  # no longer WAITING: another worker took it
                _updatable_study_id(conn, trial_id)  # raises for unknown/finished trials
            elif state == TrialState.RUNNING and self.heartbeat_interval is not None:
                # A claimed (enqueued or retried) trial starts beating as it turns RUNNING.
                heartbeat = {"trial_id": trial_id, "heartbeat": func.current_timestamp()}
                st.update_then_insert(conn, s.trial_heartbeats, heartbeat, ("trial_id",))
            for objective, (value, value_type) in enumerate(stored):
                upsert(
                    conn,
                    s.trial_values,
                    {"trial_id": trial_id, "objective": objective},
                    {"value": value, "value_type": value_type},
                )
            return True

        now = self._handle.now()
        changed = self._guarded_write(trial_id, write)
        if changed and state == TrialState.RUNNING:
            self._owned.claimed(self.get_trial(trial_id))
        elif changed:
            restored = [float(v) for v in values] if values is not None else None
            self._owned.finished(trial_id, state, restored, now if state.is_finished() else None)
        return changed

    def set_trial_intermediate_value(
        self, trial_id: int, step: int, intermediate_value: float
    ) -> None:
        value, value_type = stored_value(float(intermediate_value), nan_allowed=True)

        def write(conn: Connection) -> None:
            guarded_upsert(
                conn,
                trial_id,
                s.trial_intermediate_values,
                {"trial_id": trial_id, "step": int(step)},
                {"intermediate_value": value, "intermediate_value_type": value_type},
            )

        self._guarded_write(trial_id, write, single=True)
        self._owned.intermediate(trial_id, int(step), float(intermediate_value))

    def _set_trial_attr(self, table: Any, trial_id: int, key: str, value: Any) -> None:
        text = json.dumps(value)

        def write(conn: Connection) -> None:
            row_key = {"trial_id": trial_id, "key": key}
            guarded_upsert(conn, trial_id, table, row_key, {"value_json": text})

        self._guarded_write(trial_id, write, single=True)
        self._owned.attr(trial_id, table is s.trial_system_attributes, key, value)

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        check_json_serializable(value, f"Trial user attribute {key!r}")
        self._set_trial_attr(s.trial_user_attributes, trial_id, key, value)

    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        check_json_serializable(value, f"Trial system attribute {key!r}")
        self._set_trial_attr(s.trial_system_attributes, trial_id, key, value)


def _insert_template_children(conn: Connection, trial_id: int, trial: FrozenTrial) -> None:
    rows: list[tuple[Any, list[dict[str, Any]]]] = [
        (
            s.trial_params,
            [
                {
                    "trial_id": trial_id,
                    "param_name": name,
                    "param_value": float(dist.to_internal_repr(trial.params[name])),
                    "distribution_json": distribution_to_json(dist),
                }
                for name, dist in trial.distributions.items()
            ],
        ),
        (
            s.trial_values,
            [
                dict(
                    zip(("value", "value_type"), stored_value(float(v), nan_allowed=False)),
                    trial_id=trial_id,
                    objective=i,
                )
                for i, v in enumerate(trial.values or ())
            ],
        ),
        (
            s.trial_intermediate_values,
            [
                dict(
                    zip(
                        ("intermediate_value", "intermediate_value_type"),
                        stored_value(float(v), nan_allowed=True),
                    ),
                    trial_id=trial_id,
                    step=int(step),
                )
                for step, v in trial.intermediate_values.items()
            ],
        ),
        (
            s.trial_user_attributes,
            [
                {"trial_id": trial_id, "key": k, "value_json": json.dumps(v)}
                for k, v in trial.user_attrs.items()
            ],
        ),
        (
            s.trial_system_attributes,
            [
                {"trial_id": trial_id, "key": k, "value_json": json.dumps(v)}
                for k, v in trial.system_attrs.items()
            ],
        ),
    ]
    for table, table_rows in rows:
        if table_rows:
            conn.execute(insert(table), table_rows)

"""Trial writes of ``RDBStorage``: each one a single short transaction."""

from __future__ import annotations

import abc
import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from trimtab.distributions import (
    BaseDistribution,
    FloatDistribution,
    check_distribution_compatibility,
    distribution_to_json,
)
from trimtab.exceptions import StorageInternalError, StudyDeletedError, UpdateFinishedTrialError
from trimtab.storages._base import check_json_serializable
from trimtab.storages._rdb import _schema as s
from trimtab.storages._rdb import _statements as st
from trimtab.storages._rdb._owned import OwnedTrials
from trimtab.storages._rdb._trials import stored_value, to_db_datetime
from trimtab.trial._frozen import FrozenTrial
from trimtab.trial._state import TrialState

if TYPE_CHECKING:
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
    _counted: dict[int, tuple[int, int]]
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

        def write_listed(conn: Connection) -> tuple[int, int]:
            after, base = self._counted.get(study_id, (0, 0))
            params = {"sid": study_id, "start": now, "after": after, "base": base}
            row = conn.exec_driver_sql(st.PG_CREATE_RUNNING_TRIAL, params).first()
            if row is None:
                raise self._missing_study_error(study_id)
            return int(row[0]), int(row[1])

        now = self._handle.now()
        if (
            template_trial is None
            and self.heartbeat_interval is None
            and self._handle.statement_lists
        ):
            trial_id, number = self._handle.write_one(write_listed)
            self._counted[study_id] = (trial_id, number + 1)
        else:
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

    def create_new_trials(self, study_id: int, template_trials: Sequence[FrozenTrial]) -> list[int]:
        """Add copies of ``template_trials`` in one transaction; return their trial ids.

        One ``executemany`` per table, whatever the number of trials: all or none are added.
        """
        if not template_trials:
            return []
        first = batch_distributions(template_trials)
        children = ChildRows()
        for trial in template_trials:
            children.add(trial)
        rows = [_template_row(study_id, 0, t) for t in template_trials]

        def write(conn: Connection) -> list[int]:
            if conn.execute(st.LOCK_STUDY, {"sid": study_id}).first() is None:
                raise self._missing_study_error(study_id)
            for name, dist in first.items():
                self._check_param(conn, study_id, name, dist)
            base = int(conn.execute(st.COUNT_TRIALS, {"sid": study_id}).scalar() or 0)
            for i, row in enumerate(rows):
                row["number"] = base + i
            conn.execute(st.INSERT_TRIAL, rows)
            found = conn.execute(st.NEW_TRIAL_IDS, {"sid": study_id, "base": base}).scalars()
            ids = [int(i) for i in found]
            if len(ids) != len(template_trials):
                raise StorageInternalError(
                    f"Expected {len(template_trials)} new trials, found {len(ids)}."
                )
            children.insert(conn, ids)
            return ids

        ids = self._handle.write(write)
        for name, dist in first.items():
            self._remember_distribution(study_id, name, dist)
        return ids

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

        def write_listed(conn: Connection) -> bool:
            params: dict[str, Any] = {"tid": trial_id, "new_state": state.name, "dt": now}
            for i, (value, value_type) in enumerate(stored):
                params[f"v{i}"], params[f"t{i}"] = value, value_type
            finished = conn.exec_driver_sql(st.pg_finish_trial(len(stored)), params).scalar()
            if not finished:
                _updatable_study_id(conn, trial_id)  # raises for unknown/finished trials
            return True

        now = self._handle.now()
        if statement is st.FINISH_TRIAL and self._handle.statement_lists:
            changed = self._guarded_write(trial_id, write_listed, single=True)
        else:
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
    children = ChildRows()
    children.add(trial)
    children.insert(conn, [trial_id])


_CHILD_COLUMNS: dict[Any, tuple[str, ...]] = {
    s.trial_params: ("param_name", "param_value", "distribution_json"),
    s.trial_values: ("objective", "value", "value_type"),
    s.trial_intermediate_values: ("step", "intermediate_value", "intermediate_value_type"),
    s.trial_user_attributes: ("key", "value_json"),
    s.trial_system_attributes: ("key", "value_json"),
}
_raw_inserts: dict[tuple[str, str], str] = {}


class ChildRows:
    """The child-table rows (params, values, attrs, ...) of trials written from templates.

    Rows are gathered for a whole batch before its transaction, each led by the position of
    its trial in the batch, and inserted with one ``executemany`` per table once the trial
    ids are known. Each distinct distribution object is serialised to JSON once.
    """

    def __init__(self) -> None:
        self._rows: dict[Any, list[tuple[Any, ...]]] = {table: [] for table in _CHILD_COLUMNS}
        self._n = 0
        self._texts: dict[int, tuple[BaseDistribution, str, bool]] = {}

    def _dist_entry(self, dist: BaseDistribution) -> tuple[BaseDistribution, str, bool]:
        found = self._texts.get(id(dist))
        if found is None or found[0] is not dist:
            is_float = type(dist) is FloatDistribution
            found = self._texts[id(dist)] = (dist, distribution_to_json(dist), is_float)
        return found

    def add(self, trial: FrozenTrial) -> None:
        """Gather the rows of the next trial of the batch."""
        position, self._n = self._n, self._n + 1
        rows, params = self._rows, trial.params
        param_rows = rows[s.trial_params]
        for name, dist in trial.distributions.items():
            _, text, is_float = self._dist_entry(dist)
            value = params[name]
            if not (is_float and type(value) is float and value == value):
                value = float(dist.to_internal_repr(value))
            param_rows.append((position, name, value, text))
        value_rows = rows[s.trial_values]
        for objective, v in enumerate(trial.values or ()):
            value_rows.append((position, objective, *stored_value(float(v), nan_allowed=False)))
        step_rows = rows[s.trial_intermediate_values]
        for step, v in trial.intermediate_values.items():
            step_rows.append((position, int(step), *stored_value(float(v), nan_allowed=True)))
        for table, attrs in (
            (s.trial_user_attributes, trial.user_attrs),
            (s.trial_system_attributes, trial.system_attrs),
        ):
            attr_rows = rows[table]
            for key, v in attrs.items():
                attr_rows.append((position, key, json.dumps(v)))

    def insert(self, conn: Connection, trial_ids: list[int]) -> None:
        """Insert every gathered row, the trial at position ``i`` stored as ``trial_ids[i]``.

        SQLite gets the driver's own ``executemany`` (no per-row work in SQLAlchemy); the
        servers get SQLAlchemy's batched multi-row inserts.
        """
        sqlite = conn.dialect.name == "sqlite"
        for table, rows in self._rows.items():
            if not rows:
                continue
            bound = [(trial_ids[row[0]], *row[1:]) for row in rows]
            if sqlite:
                conn.exec_driver_sql(_raw_insert(conn, table), bound)
            else:
                keys = ("trial_id", *_CHILD_COLUMNS[table])
                conn.execute(insert(table), [dict(zip(keys, row)) for row in bound])


def _raw_insert(conn: Connection, table: Any) -> str:
    """``INSERT INTO table (trial_id, ...) VALUES (?, ...)`` in the dialect's own SQL."""
    key = (conn.dialect.name, table.name)
    sql = _raw_inserts.get(key)
    if sql is None:
        columns = ("trial_id", *_CHILD_COLUMNS[table])
        compiled = insert(table).compile(dialect=conn.dialect, column_keys=list(columns))
        if compiled.positiontup != list(columns):  # the driver binds by position
            raise RuntimeError(f"Unexpected parameter order in {compiled}.")
        sql = _raw_inserts[key] = str(compiled)
    return sql


def _template_row(study_id: int, number: int, trial: FrozenTrial) -> dict[str, Any]:
    return {
        "study_id": study_id,
        "number": number,
        "state": trial.state.name,
        "datetime_start": to_db_datetime(trial.datetime_start),
        "datetime_complete": to_db_datetime(trial.datetime_complete),
    }


def batch_distributions(trials: Sequence[FrozenTrial]) -> dict[str, BaseDistribution]:
    """The first distribution of each parameter in ``trials``, checked against the others.

    Raises:
        ValueError: two trials use incompatible distributions for one parameter.
    """
    first: dict[str, BaseDistribution] = {}
    checked: set[tuple[str, int]] = set()
    for trial in trials:
        for name, dist in trial.distributions.items():
            if (name, id(dist)) in checked:
                continue
            checked.add((name, id(dist)))
            known = first.setdefault(name, dist)
            if known is not dist:
                check_distribution_compatibility(known, dist)
    return first

"""Trial writes of ``RDBStorage``: each one a single short transaction."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.engine import Connection

from trimtab.distributions import (
    BaseDistribution,
    check_distribution_compatibility,
    distribution_to_json,
)
from trimtab.exceptions import UpdateFinishedTrialError
from trimtab.storages._in_memory import check_json_serializable
from trimtab.storages._rdb import _schema as s
from trimtab.storages._rdb._trials import stored_value, to_db_datetime, utc_now
from trimtab.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from collections.abc import Sequence

    from trimtab.storages._rdb._engine import EngineHandle

_UNFINISHED_NAMES = ("RUNNING", "WAITING")


def upsert(conn: Connection, table: Any, keys: dict[str, Any], values: dict[str, Any]) -> None:
    """Update the row with ``keys`` or insert it (callers hold the owning row's lock)."""
    condition = and_(*(table.c[column] == value for column, value in keys.items()))
    if conn.execute(update(table).where(condition).values(**values)).rowcount == 0:
        conn.execute(insert(table).values(**keys, **values))


def _updatable_study_id(conn: Connection, trial_id: int) -> int:
    """Return the study of an unfinished trial; raise for an unknown or finished one."""
    t = s.trials
    row = conn.execute(
        select(t.c.study_id, t.c.number, t.c.state).where(t.c.trial_id == trial_id)
    ).first()
    if row is None:
        raise KeyError(f"No trial with trial_id {trial_id} exists.")
    if row[2] not in _UNFINISHED_NAMES:
        raise UpdateFinishedTrialError(
            f"Trial#{row[1]} has already finished and can not be updated."
        )
    return int(row[0])


def _study_id_of(conn: Connection, trial_id: int) -> int:
    study_id = conn.execute(
        select(s.trials.c.study_id).where(s.trials.c.trial_id == trial_id)
    ).scalar()
    if study_id is None:
        raise KeyError(f"No trial with trial_id {trial_id} exists.")
    return int(study_id)


def _study_distribution(conn: Connection, study_id: int, name: str) -> BaseDistribution | None:
    from trimtab.distributions import json_to_distribution

    p, t = s.trial_params, s.trials
    text = conn.execute(
        select(p.c.distribution_json)
        .join(t, t.c.trial_id == p.c.trial_id)
        .where((t.c.study_id == study_id) & (p.c.param_name == name))
        .limit(1)
    ).scalar()
    return json_to_distribution(text) if text is not None else None


class TrialWriter:
    """The trial-writing half of ``RDBStorage``."""

    _handle: EngineHandle

    def _known_distribution(self, study_id: int, name: str) -> BaseDistribution | None:
        raise NotImplementedError

    def _remember_distribution(self, study_id: int, name: str, dist: BaseDistribution) -> None:
        raise NotImplementedError

    def _check_param(
        self, conn: Connection, study_id: int, name: str, dist: BaseDistribution
    ) -> None:
        known = self._known_distribution(study_id, name)
        if known is None:
            known = _study_distribution(conn, study_id, name)
        if known is not None:
            check_distribution_compatibility(known, dist)

    def create_new_trial(self, study_id: int, template_trial: FrozenTrial | None = None) -> int:
        t = s.trials

        def write(conn: Connection) -> int:
            # Locking the study row serialises trial creation per study: dense numbers.
            query = select(s.studies.c.study_id).where(s.studies.c.study_id == study_id)
            if conn.execute(query.with_for_update()).first() is None:
                raise KeyError(f"No study with study_id {study_id} exists.")
            number = conn.execute(
                select(func.count()).select_from(t).where(t.c.study_id == study_id)
            ).scalar()
            if template_trial is None:
                row = {"state": "RUNNING", "datetime_start": utc_now()}
            else:
                for name, dist in template_trial.distributions.items():
                    self._check_param(conn, study_id, name, dist)
                row = {
                    "state": template_trial.state.name,
                    "datetime_start": to_db_datetime(template_trial.datetime_start),
                    "datetime_complete": to_db_datetime(template_trial.datetime_complete),
                }
            result = conn.execute(insert(t).values(study_id=study_id, number=number, **row))
            trial_id = int(result.inserted_primary_key[0])  # type: ignore[index]
            if template_trial is not None:
                _insert_template_children(conn, trial_id, template_trial)
            return trial_id

        return self._handle.write(write)

    def set_trial_param(
        self,
        trial_id: int,
        param_name: str,
        param_value_internal: float,
        distribution: BaseDistribution,
    ) -> None:
        text = distribution_to_json(distribution)

        def write(conn: Connection) -> int:
            study_id = _updatable_study_id(conn, trial_id)
            self._check_param(conn, study_id, param_name, distribution)
            upsert(
                conn,
                s.trial_params,
                {"trial_id": trial_id, "param_name": param_name},
                {"param_value": float(param_value_internal), "distribution_json": text},
            )
            return study_id

        study_id = self._handle.write(write)
        self._remember_distribution(study_id, param_name, distribution)

    def set_trial_state_values(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None = None
    ) -> bool:
        t = s.trials
        stored = [stored_value(float(v), nan_allowed=False) for v in values or ()]

        def write(conn: Connection) -> bool:
            changes: dict[str, Any] = {"state": state.name}
            if state == TrialState.RUNNING:
                changes["datetime_start"] = utc_now()
                allowed: tuple[str, ...] = ("WAITING",)
            else:
                allowed = _UNFINISHED_NAMES
            if state.is_finished():
                changes["datetime_complete"] = utc_now()
            result = conn.execute(
                update(t)
                .where((t.c.trial_id == trial_id) & t.c.state.in_(allowed))
                .values(**changes)
            )
            if result.rowcount == 0:
                if state == TrialState.RUNNING:
                    _study_id_of(conn, trial_id)  # raises KeyError for an unknown trial
                    return False  # no longer WAITING: another worker took it
                _updatable_study_id(conn, trial_id)  # raises for unknown/finished trials
            for objective, (value, value_type) in enumerate(stored):
                upsert(
                    conn,
                    s.trial_values,
                    {"trial_id": trial_id, "objective": objective},
                    {"value": value, "value_type": value_type},
                )
            return True

        return self._handle.write(write)

    def set_trial_intermediate_value(
        self, trial_id: int, step: int, intermediate_value: float
    ) -> None:
        value, value_type = stored_value(float(intermediate_value), nan_allowed=True)

        def write(conn: Connection) -> None:
            _updatable_study_id(conn, trial_id)
            upsert(
                conn,
                s.trial_intermediate_values,
                {"trial_id": trial_id, "step": int(step)},
                {"intermediate_value": value, "intermediate_value_type": value_type},
            )

        self._handle.write(write)

    def _set_trial_attr(self, table: Any, trial_id: int, key: str, value: Any) -> None:
        text = json.dumps(value)

        def write(conn: Connection) -> None:
            _updatable_study_id(conn, trial_id)
            upsert(conn, table, {"trial_id": trial_id, "key": key}, {"value_json": text})

        self._handle.write(write)

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

"""Reading trials: rows to ``FrozenTrial`` in bulk, and the per-process cache of a study.

Finished trials never change, so the cache keeps them and each sync reads only the trials
created since the last one plus those that were unfinished then: a handful of rows per trial,
however large the study.
"""

from __future__ import annotations

import datetime
import json
import math
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.engine import Connection

from trimtab._study_records import StudyDirection
from trimtab.distributions import BaseDistribution, json_to_distribution
from trimtab.storages._rdb import _schema
from trimtab.trial import FrozenTrial, TrialState

_UTC = datetime.timezone.utc
_IN_LIST_LIMIT = 500

_VALUE_OF_TYPE = {"INF_POS": math.inf, "INF_NEG": -math.inf, "NAN": math.nan}


def utc_now() -> datetime.datetime:
    """The current time as naive UTC, the form datetimes take in the database."""
    return datetime.datetime.now(_UTC).replace(tzinfo=None)


def to_db_datetime(value: datetime.datetime | None) -> datetime.datetime | None:
    """A (naive local or aware) datetime as naive UTC."""
    if value is None:
        return None
    return value.astimezone(_UTC).replace(tzinfo=None)


def from_db_datetime(value: datetime.datetime | None) -> datetime.datetime | None:
    """A naive UTC datetime from the database as naive local time (what FrozenTrial holds)."""
    if value is None:
        return None
    return value.replace(tzinfo=_UTC).astimezone().replace(tzinfo=None)


def stored_value(value: float, nan_allowed: bool) -> tuple[float | None, str]:
    """Split a float into the (value, type) columns Optuna uses for ±inf and NaN."""
    if math.isnan(value):
        if not nan_allowed:
            raise ValueError("NaN cannot be stored as an objective value.")
        return None, "NAN"
    if math.isinf(value):
        return None, "INF_POS" if value > 0 else "INF_NEG"
    return value, "FINITE"


def _restored_value(value: float | None, value_type: str) -> float:
    if value_type == "FINITE":
        return float(value)  # type: ignore[arg-type]
    return _VALUE_OF_TYPE[value_type]


class DistributionCache:
    """Parses each distinct distribution JSON text once; distributions are immutable."""

    def __init__(self) -> None:
        self._parsed: dict[str, BaseDistribution] = {}

    def get(self, text: str) -> BaseDistribution:
        dist = self._parsed.get(text)
        if dist is None:
            dist = json_to_distribution(text)
            self._parsed[text] = dist
        return dist


def _children(
    conn: Connection, table: Any, columns: Iterable[Any], where: ColumnElement[bool]
) -> list[Any]:
    primary_key = next(iter(table.primary_key.columns))
    query = select(table.c.trial_id, *columns).where(where).order_by(primary_key)
    return list(conn.execute(query))


def load_trials(
    conn: Connection,
    trial_where: ColumnElement[bool],
    child_where: Any,
    dists: DistributionCache,
) -> list[FrozenTrial]:
    """Build the trials matching ``trial_where``; ``child_where(table)`` selects their rows."""
    t = _schema.trials
    rows = list(
        conn.execute(
            select(t.c.trial_id, t.c.number, t.c.state, t.c.datetime_start, t.c.datetime_complete)
            .where(trial_where)
            .order_by(t.c.trial_id)
        )
    )
    if not rows:
        return []
    ids = {row[0] for row in rows}
    params: dict[int, dict[str, Any]] = {i: {} for i in ids}
    distributions: dict[int, dict[str, BaseDistribution]] = {i: {} for i in ids}
    p = _schema.trial_params
    for trial_id, name, value, text in _children(
        conn, p, (p.c.param_name, p.c.param_value, p.c.distribution_json), child_where(p)
    ):
        if trial_id in ids:
            dist = dists.get(text)
            distributions[trial_id][name] = dist
            params[trial_id][name] = dist.to_external_repr(value)
    values: dict[int, dict[int, float]] = {}
    v = _schema.trial_values
    for trial_id, objective, value, value_type in _children(
        conn, v, (v.c.objective, v.c.value, v.c.value_type), child_where(v)
    ):
        values.setdefault(trial_id, {})[objective] = _restored_value(value, value_type)
    intermediate: dict[int, dict[int, float]] = {i: {} for i in ids}
    iv = _schema.trial_intermediate_values
    for trial_id, step, value, value_type in _children(
        conn,
        iv,
        (iv.c.step, iv.c.intermediate_value, iv.c.intermediate_value_type),
        child_where(iv),
    ):
        if trial_id in ids:
            intermediate[trial_id][step] = _restored_value(value, value_type)
    user_attrs = _attrs(conn, _schema.trial_user_attributes, child_where, ids)
    system_attrs = _attrs(conn, _schema.trial_system_attributes, child_where, ids)
    result = []
    for trial_id, number, state, start, complete in rows:
        objective_values = values.get(trial_id)
        result.append(
            FrozenTrial(
                number=number,
                state=TrialState[state],
                value=None,
                values=[objective_values[k] for k in sorted(objective_values)]
                if objective_values
                else None,
                datetime_start=from_db_datetime(start),
                datetime_complete=from_db_datetime(complete),
                params=params[trial_id],
                distributions=distributions[trial_id],
                user_attrs=user_attrs[trial_id],
                system_attrs=system_attrs[trial_id],
                intermediate_values=intermediate[trial_id],
                trial_id=trial_id,
            )
        )
    return result


def _attrs(
    conn: Connection, table: Any, child_where: Any, ids: set[int]
) -> dict[int, dict[str, Any]]:
    attrs: dict[int, dict[str, Any]] = {i: {} for i in ids}
    for trial_id, key, text in _children(
        conn, table, (table.c.key, table.c.value_json), child_where(table)
    ):
        if trial_id in ids:
            attrs[trial_id][key] = json.loads(text)
    return attrs


def ids_condition(column: Any, ids: list[int]) -> ColumnElement[bool]:
    """``column IN ids``, split into chunks the drivers accept."""
    if not ids:
        return false()
    chunks = [ids[i : i + _IN_LIST_LIMIT] for i in range(0, len(ids), _IN_LIST_LIMIT)]
    return or_(*(column.in_(chunk) for chunk in chunks))


class StudyCache:
    """What this process knows of one study: finished trials, unfinished ids, a change log."""

    def __init__(self, directions: list[StudyDirection]) -> None:
        self.directions = directions
        self.trials: list[FrozenTrial] = []
        self.by_id: dict[int, FrozenTrial] = {}
        self.last_trial_id = -1
        self.unfinished: dict[int, int] = {}  # trial_id -> number
        self.changes: list[int] = []  # numbers, one per creation or state change seen
        self.param_distributions: dict[str, BaseDistribution] = {}
        self.best: FrozenTrial | None = None

    def sync_condition(self, study_id: int) -> tuple[ColumnElement[bool], Any]:
        """Conditions selecting new and unfinished trials, and their child rows."""
        t = _schema.trials
        unfinished = sorted(self.unfinished)
        new_trials = (t.c.study_id == study_id) & (t.c.trial_id > self.last_trial_id)
        trial_where = or_(new_trials, ids_condition(t.c.trial_id, unfinished))
        new_ids = select(t.c.trial_id).where(new_trials)

        def child_where(table: Any) -> ColumnElement[bool]:
            return or_(table.c.trial_id.in_(new_ids), ids_condition(table.c.trial_id, unfinished))

        return trial_where, child_where

    def apply(self, loaded: list[FrozenTrial]) -> None:
        """Merge freshly read trials (new ones, and current versions of unfinished ones)."""
        for trial in loaded:
            trial_id = trial._trial_id
            old = self.by_id.get(trial_id)
            if old is None or old.state != trial.state:
                self.changes.append(trial.number)
            self.by_id[trial_id] = trial
            if trial.number == len(self.trials):
                self.trials.append(trial)
            elif trial.number < len(self.trials):
                self.trials[trial.number] = trial
            else:
                self.trials.append(trial)
                self.trials.sort(key=lambda t: t.number)
            self.last_trial_id = max(self.last_trial_id, trial_id)
            for name, dist in trial._distributions.items():
                self.param_distributions.setdefault(name, dist)
            if trial.state in (TrialState.RUNNING, TrialState.WAITING):
                self.unfinished[trial_id] = trial.number
            else:
                self.unfinished.pop(trial_id, None)
                self._update_best(trial)

    def _update_best(self, trial: FrozenTrial) -> None:
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

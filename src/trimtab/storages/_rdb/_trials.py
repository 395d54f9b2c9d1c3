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
from trimtab.distributions import BaseDistribution, decode_stored_param, json_to_distribution
from trimtab.storages._rdb import _schema
from trimtab.storages._rdb import _statements as st
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


def load_trials(
    conn: Connection,
    trial_statement: Any,
    child_statements: tuple[Any, ...],
    params: dict[str, Any],
    dists: DistributionCache,
) -> list[FrozenTrial]:
    """Build the trials ``trial_statement`` selects; ``child_statements`` select their rows.

    The child statements select, in order, params, values, intermediate values, user attrs
    and system attrs (each row led by its ``trial_id``).
    """
    rows = list(conn.execute(trial_statement, params))
    if not rows:
        return []
    ids = {row[0] for row in rows}
    params_of: dict[int, dict[str, Any]] = {i: {} for i in ids}
    dists_of: dict[int, dict[str, BaseDistribution]] = {i: {} for i in ids}
    p_rows, v_rows, i_rows, u_rows, s_rows = (
        conn.execute(statement, params) for statement in child_statements
    )
    for trial_id, name, value, text in p_rows:
        if trial_id in ids:
            decoded = decode_stored_param(trial_id, name, text, value, dists.get)
            if decoded is not None:
                dists_of[trial_id][name], params_of[trial_id][name] = decoded
    values: dict[int, dict[int, float]] = {}
    for trial_id, objective, value, value_type in v_rows:
        values.setdefault(trial_id, {})[objective] = _restored_value(value, value_type)
    intermediate: dict[int, dict[int, float]] = {i: {} for i in ids}
    for trial_id, step, value, value_type in i_rows:
        if trial_id in ids:
            intermediate[trial_id][step] = _restored_value(value, value_type)
    user_attrs = _attrs(u_rows, ids)
    system_attrs = _attrs(s_rows, ids)
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
                params=params_of[trial_id],
                distributions=dists_of[trial_id],
                user_attrs=user_attrs[trial_id],
                system_attrs=system_attrs[trial_id],
                intermediate_values=intermediate[trial_id],
                trial_id=trial_id,
            )
        )
    return result


def _attrs(rows: Iterable[Any], ids: set[int]) -> dict[int, dict[str, Any]]:
    attrs: dict[int, dict[str, Any]] = {i: {} for i in ids}
    for trial_id, key, text in rows:
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

    def sync_statements(self, study_id: int) -> tuple[Any, tuple[Any, ...], dict[str, Any]]:
        """Statements (and parameters) selecting new and unfinished trials and their rows."""
        unfinished = sorted(self.unfinished)
        params = {"sid": study_id, "last": self.last_trial_id, "ids": unfinished}
        if len(unfinished) <= st.MAX_BOUND_IDS:
            return st.SYNC_TRIALS, st.SYNC_CHILDREN, params
        t = _schema.trials
        new_trials = (t.c.study_id == study_id) & (t.c.trial_id > self.last_trial_id)
        new_ids = select(t.c.trial_id).where(new_trials)
        trial_statement = (
            select(*st.SYNC_TRIALS.selected_columns)
            .where(or_(new_trials, ids_condition(t.c.trial_id, unfinished)))
            .order_by(t.c.trial_id)
        )
        children = tuple(
            st.child_select(
                table,
                or_(table.c.trial_id.in_(new_ids), ids_condition(table.c.trial_id, unfinished)),
            )
            for table in st.CHILD_TABLES
        )
        return trial_statement, children, {}

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

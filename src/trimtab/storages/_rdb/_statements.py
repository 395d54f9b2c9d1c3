"""Statements of the hot path, built once: SQLAlchemy then only binds values and runs them.

Building a Core statement costs more than running it on a local database, so every statement
used per trial is constructed here at import time (with bound parameters, expanding ``IN``
lists) or once per dialect (upserts).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Enum,
    and_,
    bindparam,
    cast,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)

from trimtab.storages._rdb import _schema as s

t = s.trials
UNFINISHED_NAMES = ("RUNNING", "WAITING")

TRIAL_ROW = select(t.c.study_id, t.c.number, t.c.state).where(t.c.trial_id == bindparam("tid"))
LOCK_STUDY = (
    select(s.studies.c.study_id).where(s.studies.c.study_id == bindparam("sid")).with_for_update()
)
COUNT_TRIALS = select(func.count()).select_from(t).where(t.c.study_id == bindparam("sid"))
INSERT_TRIAL = insert(t)
# PostgreSQL with psycopg2 only: lock the study, then count its trials and insert the new one
# (a second statement, so its snapshot sees every trial committed before the lock was granted).
# One round trip, one transaction; no row when the study does not exist. The count is
# ``base`` plus the trials after trial id ``after``: every trial is inserted under the study
# lock (Optuna's writers take it too) and never deleted alone, so the study's trials up to a
# trial id seen committed never change; counting only the newer ones reads a few index
# entries instead of the whole study's rows. (``study_id + 0`` keeps the planner off the
# study index, which it prefers while its statistics lag behind a bulk insert; then it
# read the whole study's index entries.)
PG_CREATE_RUNNING_TRIAL = (
    "SELECT study_id FROM studies WHERE study_id = %(sid)s FOR UPDATE; "
    "INSERT INTO trials (number, study_id, state, datetime_start, datetime_complete) "
    "SELECT (SELECT %(base)s + count(*) FROM trials WHERE trial_id > %(after)s "
    "AND study_id + 0 = %(sid)s), study_id, 'RUNNING', %(start)s, NULL FROM studies "
    "WHERE study_id = %(sid)s RETURNING trial_id, number"
)
INSERT_HEARTBEAT = insert(s.trial_heartbeats).values(
    trial_id=bindparam("tid"), heartbeat=func.current_timestamp()
)
NEW_TRIAL_IDS = (
    select(t.c.trial_id)
    .where((t.c.study_id == bindparam("sid")) & (t.c.number >= bindparam("base")))
    .order_by(t.c.number)
)
IDS_IN_STATES = select(t.c.trial_id).where(
    (t.c.study_id == bindparam("sid")) & t.c.state.in_(bindparam("states", expanding=True))
)
# Trials in ``states`` among those created after ``last`` and the listed (unfinished) ones.
NEW_OR_LISTED_IN_STATES = select(t.c.trial_id).where(
    t.c.state.in_(bindparam("states", expanding=True))
    & or_(
        (t.c.study_id == bindparam("sid")) & (t.c.trial_id > bindparam("last")),
        t.c.trial_id.in_(bindparam("ids", expanding=True)),
    )
)
CLAIM_WAITING = (
    update(t)
    .where((t.c.trial_id == bindparam("tid")) & (t.c.state == "WAITING"))
    .values(state=bindparam("new_state"), datetime_start=bindparam("dt"))
)


def pg_finish_trial(n_values: int) -> str:
    """PostgreSQL with psycopg2 only: finish a trial and upsert its values in one statement.

    Returns one row, the number of trials finished (0: the trial was not unfinished, and no
    value was written). Parameters: ``tid``, ``new_state``, ``dt``, ``v{i}`` and ``t{i}``.
    """
    parts = [
        "WITH u AS (UPDATE trials SET state = %(new_state)s, datetime_complete = %(dt)s "
        "WHERE trial_id = %(tid)s AND state IN ('RUNNING', 'WAITING') RETURNING trial_id)"
    ]
    for i in range(n_values):
        parts.append(
            f", v{i} AS (INSERT INTO trial_values (trial_id, objective, value, value_type) "
            f"SELECT trial_id, {i}, %(v{i})s, %(t{i})s FROM u "
            "ON CONFLICT (trial_id, objective) DO UPDATE "
            "SET value = EXCLUDED.value, value_type = EXCLUDED.value_type)"
        )
    parts.append(" SELECT count(*) FROM u")
    return "".join(parts)


FINISH_TRIAL = (
    update(t)
    .where((t.c.trial_id == bindparam("tid")) & t.c.state.in_(UNFINISHED_NAMES))
    .values(state=bindparam("new_state"), datetime_complete=bindparam("dt"))
)
SET_TRIAL_STATE = (
    update(t)
    .where((t.c.trial_id == bindparam("tid")) & t.c.state.in_(UNFINISHED_NAMES))
    .values(state=bindparam("new_state"))
)

_TRIAL_COLUMNS = (t.c.trial_id, t.c.number, t.c.state, t.c.datetime_start, t.c.datetime_complete)
_CHILD_COLUMNS: dict[str, tuple[str, ...]] = {
    "trial_params": ("param_name", "param_value", "distribution_json"),
    "trial_values": ("objective", "value", "value_type"),
    "trial_intermediate_values": ("step", "intermediate_value", "intermediate_value_type"),
    "trial_user_attributes": ("key", "value_json"),
    "trial_system_attributes": ("key", "value_json"),
}
CHILD_TABLES = tuple(s.metadata.tables[name] for name in _CHILD_COLUMNS)


def child_select(table: Any, where: ColumnElement[bool]) -> Any:
    """The rows of ``table`` that ``where`` selects, grouped by trial, in write order in each.

    Ordering by ``(trial_id, primary key)`` lets a database walk its ``(trial_id, ...)``
    unique index and sort only each trial's few rows (SQLite: "temp b-tree for right part of
    order by"), where ordering by the primary key alone sorted every row of the study
    before returning the first.
    """
    columns = [table.c[name] for name in _CHILD_COLUMNS[table.name]]
    primary_key = next(iter(table.primary_key.columns))
    return select(table.c.trial_id, *columns).where(where).order_by(table.c.trial_id, primary_key)


_ids: Any = bindparam("ids", expanding=True)

# One trial by id.
ONE_TRIAL = select(*_TRIAL_COLUMNS).where(t.c.trial_id == bindparam("tid"))
ONE_TRIAL_CHILDREN = tuple(
    child_select(table, table.c.trial_id == bindparam("tid")) for table in CHILD_TABLES
)
# A study's trials created after ``last`` plus the listed (unfinished) ones.
SYNC_TRIALS = (
    select(*_TRIAL_COLUMNS)
    .where(
        or_(
            (t.c.study_id == bindparam("sid")) & (t.c.trial_id > bindparam("last")),
            t.c.trial_id.in_(_ids),
        )
    )
    .order_by(t.c.trial_id)
)
# One ``IN (subquery)`` rather than an ``OR`` of two: SQLite then reads the child index in
# trial order instead of merging two index walks into an unordered set.
_new_or_listed_ids = select(t.c.trial_id).where(
    ((t.c.study_id == bindparam("sid")) & (t.c.trial_id > bindparam("last")))
    | t.c.trial_id.in_(_ids)
)
SYNC_CHILDREN = tuple(
    child_select(table, table.c.trial_id.in_(_new_or_listed_ids)) for table in CHILD_TABLES
)
# The rows of the listed trials only (those ``get_trials_since`` found new or changed).
LISTED_CHILDREN = tuple(child_select(table, table.c.trial_id.in_(_ids)) for table in CHILD_TABLES)
# The largest ``ids`` list bound at once (SQLite's historical limit on variables is 999).
MAX_BOUND_IDS = 900

_upserts: dict[tuple[str, str], Any] = {}


def upsert(dialect: str, table: Any, keys: tuple[str, ...], values: tuple[str, ...]) -> Any:
    """An insert-or-update of ``table`` on its unique ``keys`` for ``dialect`` (cached).

    Execute it with a dict holding every key and value column.
    """
    cached = _upserts.get((dialect, table.name))
    if cached is not None:
        return cached
    statement: Any
    if dialect in ("mysql", "mariadb"):
        from sqlalchemy.dialects.mysql import insert as mysql_insert

        base: Any = mysql_insert(table)
        statement = base.on_duplicate_key_update({name: base.inserted[name] for name in values})
        _upserts[(dialect, table.name)] = statement
        return statement
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        base = sqlite_insert(table)
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        base = postgresql_insert(table)
    else:
        return None
    statement = base.on_conflict_do_update(
        index_elements=[table.c[k] for k in keys],
        set_={name: base.excluded[name] for name in values},
    )
    _upserts[(dialect, table.name)] = statement
    return statement


_guarded: dict[tuple[str, str], Any] = {}


def guarded_upsert(dialect: str, table: Any, keys: tuple[str, ...], values: tuple[str, ...]) -> Any:
    """Like ``upsert``, but writes nothing unless trial ``guard_tid`` is unfinished.

    One statement (``INSERT ... SELECT ... WHERE EXISTS ... ON CONFLICT``) checks the trial
    and writes the row. Bind ``guard_tid`` and ``p_<column>`` for every column; a row count
    of 0 means the trial is unknown or finished (or, on MySQL, the row was already equal).
    """
    cached = _guarded.get((dialect, table.name))
    if cached is not None:
        return cached
    columns = keys + values

    def bound(name: str) -> Any:
        param: Any = bindparam(f"p_{name}")
        if dialect == "postgresql" and isinstance(table.c[name].type, Enum):
            return cast(param, table.c[name].type)  # an untyped literal is not an enum
        return param

    source = select(*(bound(name) for name in columns)).where(
        exists().where((t.c.trial_id == bindparam("guard_tid")) & t.c.state.in_(UNFINISHED_NAMES))
    )
    statement: Any
    if dialect in ("mysql", "mariadb"):
        from sqlalchemy.dialects.mysql import insert as mysql_insert

        base: Any = mysql_insert(table).from_select(list(columns), source)
        statement = base.on_duplicate_key_update({name: base.inserted[name] for name in values})
    elif dialect in ("sqlite", "postgresql"):
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        else:
            from sqlalchemy.dialects.postgresql import insert as dialect_insert  # type: ignore[assignment]
        base = dialect_insert(table).from_select(list(columns), source)
        statement = base.on_conflict_do_update(
            index_elements=[table.c[k] for k in keys],
            set_={name: base.excluded[name] for name in values},
        )
    else:
        return None
    _guarded[(dialect, table.name)] = statement
    return statement


def update_then_insert(conn: Any, table: Any, row: dict[str, Any], keys: tuple[str, ...]) -> None:
    """A portable upsert for dialects without one (two statements)."""
    condition = and_(*(table.c[k] == row[k] for k in keys))
    changes = {k: v for k, v in row.items() if k not in keys}
    if conn.execute(update(table).where(condition).values(**changes)).rowcount == 0:
        conn.execute(insert(table).values(**row))

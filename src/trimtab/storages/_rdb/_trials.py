"""Reading trials: rows to ``FrozenTrial`` in bulk, and the per-process cache of a study.

Finished trials never change, so the cache keeps them and each sync reads only the trials
created since the last one plus those that were unfinished then: a handful of rows per trial,
however large the study.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import json
import math
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.engine import Connection

from trimtab._study_records import StudyDirection
from trimtab.distributions import (
    BaseDistribution,
    FloatDistribution,
    decode_stored_param,
    json_to_distribution,
)
from trimtab.storages._rdb import _schema
from trimtab.storages._rdb import _statements as st
from trimtab.trial._frozen import FrozenTrial
from trimtab.trial._state import TrialState

_UTC = datetime.timezone.utc
_IN_LIST_LIMIT = 500

_VALUE_OF_TYPE = {"INF_POS": math.inf, "INF_NEG": -math.inf, "NAN": math.nan}


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


class LocalTimes:
    """``from_db_datetime`` for many values, with the UTC offset looked up once per hour.

    The offset found at both ends of an hour holds for the whole hour (an hour never holds
    two time-zone changes); an hour with a change is converted value by value.
    """

    def __init__(self) -> None:
        self._low = self._high = datetime.datetime.min
        self._offset: datetime.timedelta | None = None

    def convert(self, value: datetime.datetime | None) -> datetime.datetime | None:
        if value is None:
            return None
        if not self._low <= value < self._high:
            self._find_offset(value)
        if self._offset is None:
            return from_db_datetime(value)
        return value + self._offset

    def _find_offset(self, value: datetime.datetime) -> None:
        low = value.replace(minute=0, second=0, microsecond=0)
        last = low + _HOUR - _MICROSECOND
        first_offset = from_db_datetime(low) - low  # type: ignore[operator]
        last_offset = from_db_datetime(last) - last  # type: ignore[operator]
        self._low, self._high = low, low + _HOUR
        self._offset = first_offset if first_offset == last_offset else None


_HOUR = datetime.timedelta(hours=1)
_MICROSECOND = datetime.timedelta(microseconds=1)


def stored_value(value: float, nan_allowed: bool) -> tuple[float | None, str]:
    """Split a float into the (value, type) columns Optuna uses for ±inf and NaN."""
    if math.isnan(value):
        if not nan_allowed:
            raise ValueError("NaN cannot be stored as an objective value.")
        return None, "NAN"
    if math.isinf(value):
        return None, "INF_POS" if value > 0 else "INF_NEG"
    return value, "FINITE"


class DistributionCache:
    """Parses each distinct distribution JSON text once; distributions are immutable."""

    def __init__(self) -> None:
        self._parsed: dict[str, BaseDistribution] = {}

    def get(self, text: str) -> BaseDistribution:
        """The distribution stored as ``text`` (the one place stored distributions are decoded)."""
        dist = self._parsed.get(text)
        if dist is None:
            dist = json_to_distribution(text)
            self._parsed[text] = dist
        return dist


_UNFINISHED_NAMES = ("RUNNING", "WAITING")
_STATE_OF = {state.name: state for state in TrialState}  # faster than ``TrialState[name]``
_CHUNK = 10_000  # rows fetched at once: whole tables of a large study would not fit memory


def load_trials(
    conn: Connection,
    trial_statement: Any,
    child_statements: tuple[Any, ...],
    params: dict[str, Any],
    dists: DistributionCache,
) -> list[FrozenTrial]:
    """Build the trials ``trial_statement`` selects; ``child_statements`` select their rows.

    The child statements select, in order, params, values, intermediate values, user attrs
    and system attrs (each row led by its ``trial_id``). Rows arrive as plain tuples in
    chunks; each distinct distribution text and key string is decoded once, and finished
    trials with the same parameters and distributions share one (read-only) distributions
    dict.
    """
    with gc_paused():
        return _load_trials(conn, trial_statement, child_statements, params, dists)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a bulk read allocates millions of objects.

    The records hold no cycles, yet each allocation burst would trigger full collections
    that walk every object read so far (about half the time of a large first read).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load_trials(
    conn: Connection,
    trial_statement: Any,
    child_statements: tuple[Any, ...],
    params: dict[str, Any],
    dists: DistributionCache,
) -> list[FrozenTrial]:
    rows = trial_rows(conn, trial_statement, params)
    return build_trials(conn, rows, child_statements, params, dists)


def trial_rows(conn: Connection, statement: Any, params: dict[str, Any]) -> Sequence[Any]:
    """The rows of a statement selecting ``_TRIAL_COLUMNS``, as tuples.

    On SQLite the driver's own rows are read and the two dates (stored as ISO text) parsed
    by ``datetime.fromisoformat``, which is several times faster than SQLAlchemy's parser
    (the fallback for any text it does not accept).
    """
    result = conn.execute(statement, params)
    if result.dialect.name != "sqlite":
        return result.all()
    try:
        raw = result.cursor.fetchall()
    finally:
        result.close()
    if not raw:
        return raw
    parse = _SqliteDates(result.dialect)
    return [(i, n, s, parse(start), parse(end)) for i, n, s, start, end in raw]


class _SqliteDates:
    """Parses the date texts SQLAlchemy's SQLite ``DateTime`` type stores."""

    def __init__(self, dialect: Any) -> None:
        self._fallback = _schema.trials.c.datetime_start.type.result_processor(dialect, None)

    def __call__(self, text: Any) -> datetime.datetime | None:
        if text is None:
            return None
        try:
            return datetime.datetime.fromisoformat(text)
        except (TypeError, ValueError):
            return self._fallback(text)  # type: ignore[misc]


def _chunks(result: Any) -> Iterator[Sequence[Any]]:
    """The rows of a child-table ``result`` in chunks of ``_CHUNK``.

    On SQLite the driver's own cursor is read: its rows are plain tuples of int, float and
    str that need no conversion (child tables hold no dates), and skipping SQLAlchemy's
    row objects saves about a third of the time of a large read. Other drivers go through
    SQLAlchemy, whose result processors some column types need there.
    """
    if result.dialect.name != "sqlite":
        yield from result.partitions(_CHUNK)
        return
    cursor = result.cursor
    try:
        while chunk := cursor.fetchmany(_CHUNK):
            yield chunk
    finally:
        result.close()


def build_trials(
    conn: Connection,
    rows: Sequence[Any],
    child_statements: tuple[Any, ...],
    params: dict[str, Any],
    dists: DistributionCache,
) -> list[FrozenTrial]:
    """The trials of ``rows`` (already read trial rows), completed by ``child_statements``."""
    if not rows:
        return []
    ids = [row[0] for row in rows]
    # Each table is read when its rows are consumed (drivers that buffer a whole result
    # then hold one table at a time), all in the caller's one read transaction.
    p_rows, v_rows, i_rows, u_rows, s_rows = child_statements
    keys: dict[str, str] = {}
    finished = {row[0] for row in rows if row[2] not in _UNFINISHED_NAMES}
    spaces = _SearchSpaces()
    params_of, dists_of = _params(conn.execute(p_rows, params), ids, finished, spaces, dists, keys)
    wanted = set(ids)
    values = _values(conn.execute(v_rows, params), wanted)
    intermediate = _numbers(conn.execute(i_rows, params), ids)
    user_attrs = _attrs(conn.execute(u_rows, params), wanted, keys)
    system_attrs = _attrs(conn.execute(s_rows, params), wanted, keys)
    # Finished trials without attrs share one empty dict, as they share distributions: a
    # record handed out uncopied is read-only, and most trials of a large study have none.
    no_attrs: dict[str, Any] = {}
    local = LocalTimes()
    result = []
    for trial_id, number, state_name, start, complete in rows:
        state = _STATE_OF[state_name]
        distributions = dists_of[trial_id]
        if trial_id in finished:
            distributions = spaces.share(distributions)
            user = user_attrs.get(trial_id, no_attrs)
            system = system_attrs.get(trial_id, no_attrs)
        else:
            user, system = user_attrs.get(trial_id, {}), system_attrs.get(trial_id, {})
        trial = FrozenTrial(
            number,
            state,
            None,
            local.convert(start),
            local.convert(complete),
            params_of[trial_id],
            distributions,
            user,
            system,
            intermediate[trial_id],
            trial_id,
        )
        trial._values = values.get(trial_id)  # read in objective order: no copy needed
        result.append(trial)
    return result


class _SearchSpaces:
    """One distributions dict per search space, shared by the finished trials that use it."""

    def __init__(self) -> None:
        self._by_signature: dict[Any, dict[str, BaseDistribution]] = {}
        self._shared: set[int] = set()

    def share(self, dists: dict[str, BaseDistribution]) -> dict[str, BaseDistribution]:
        if id(dists) in self._shared:
            return dists
        signature = (tuple(dists), tuple(map(id, dists.values())))
        found = self._by_signature.setdefault(signature, dists)
        self._shared.add(id(found))
        return found

    def is_shared(self, dists: dict[str, BaseDistribution]) -> bool:
        return id(dists) in self._shared


def _decoded_distribution(text: str, dists: DistributionCache) -> tuple[BaseDistribution, bool]:
    """The distribution ``text`` names and whether it is a float one (a float's stored value
    needs no conversion); an unreadable text reads as "not a float", for the checked path."""
    try:
        dist = dists.get(text)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError):
        return FloatDistribution(0.0, 1.0), False
    return dist, type(dist) is FloatDistribution


def _params(
    result: Any,
    ids: list[int],
    finished: set[int],
    spaces: _SearchSpaces,
    dists: DistributionCache,
    keys: dict[str, str],
) -> tuple[dict[int, dict[str, Any]], dict[int, dict[str, BaseDistribution]]]:
    """Params and distributions per trial; a finished trial's dict is shared once complete.

    A trial's rows mostly come together: its distributions dict is swapped for the shared
    one of its search space as soon as the next trial's rows start (and copied back should
    a later row of it turn up), so a large read never holds a dict per trial.
    """
    params_of: dict[int, dict[str, Any]] = {i: {} for i in ids}
    dists_of: dict[int, dict[str, BaseDistribution]] = {i: {} for i in ids}
    decoded: dict[str, tuple[BaseDistribution, bool]] = {}  # text -> (dist, is a float)
    current: int | None = None
    trial_params: dict[str, Any] | None = None
    trial_dists: dict[str, BaseDistribution] = {}
    for chunk in _chunks(result):
        for trial_id, name, value, text in chunk:
            if trial_id != current:
                if current in finished:
                    dists_of[current] = spaces.share(trial_dists)
                current, trial_params = trial_id, params_of.get(trial_id)
                if trial_params is None:
                    continue
                trial_dists = dists_of[trial_id]
                if spaces.is_shared(trial_dists):
                    trial_dists = dists_of[trial_id] = dict(trial_dists)
            if trial_params is None:
                continue
            entry = decoded.get(text)
            if entry is None:
                entry = decoded[text] = _decoded_distribution(text, dists)
            dist, is_float = entry
            name = keys.setdefault(name, name)
            if is_float and value is not None:  # a float's stored value is its external one
                trial_dists[name] = dist
                trial_params[name] = value
                continue
            # Anything else goes through the one checked decoder, which skips (and warns
            # about) a damaged record instead of refusing the whole study.
            found = decode_stored_param(trial_id, name, text, value, dists.get)
            if found is not None:
                trial_dists[name], trial_params[name] = found
    if current in finished and trial_params is not None:
        dists_of[current] = spaces.share(trial_dists)  # type: ignore[index]
    return params_of, dists_of


def _values(result: Any, ids: set[int]) -> dict[int, list[float]]:
    """Objective values per trial (trials without any left out), in objective order."""
    found: dict[int, list[float]] = {}
    out_of_order: dict[int, list[tuple[int, float]]] = {}
    for chunk in _chunks(result):
        for trial_id, objective, value, value_type in chunk:
            if trial_id not in ids:
                continue
            number = float(value) if value_type == "FINITE" else _VALUE_OF_TYPE[value_type]
            values = found.get(trial_id)
            if values is None and objective == 0:
                found[trial_id] = [number]  # sized exactly: one list per trial is kept
                continue
            if values is None:
                values = found[trial_id] = []
            if objective == len(values) and trial_id not in out_of_order:
                values.append(number)
            else:
                out_of_order.setdefault(trial_id, list(enumerate(values))).append(
                    (objective, number)
                )
    for trial_id, pairs in out_of_order.items():
        found[trial_id] = [number for _, number in sorted(pairs)]
    return found


def _numbers(result: Any, ids: list[int]) -> dict[int, dict[int, float]]:
    """Values or intermediate values: ``{trial_id: {objective or step: value}}``."""
    found: dict[int, dict[int, float]] = {i: {} for i in ids}
    for chunk in _chunks(result):
        for trial_id, key, value, value_type in chunk:
            numbers = found.get(trial_id)
            if numbers is not None:
                finite = value_type == "FINITE"
                numbers[key] = float(value) if finite else _VALUE_OF_TYPE[value_type]
    return found


def _attrs(result: Any, ids: set[int], keys: dict[str, str]) -> dict[int, dict[str, Any]]:
    """User or system attrs of the trials in ``ids`` that have any."""
    attrs: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(result):
        for trial_id, key, text in chunk:
            if trial_id in ids:
                found = attrs.get(trial_id)
                if found is None:
                    found = attrs[trial_id] = {}
                found[keys.setdefault(key, key)] = json.loads(text)
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
        wanted = or_(new_trials, ids_condition(t.c.trial_id, unfinished))
        trial_statement = (
            select(*st.SYNC_TRIALS.selected_columns).where(wanted).order_by(t.c.trial_id)
        )
        wanted_ids = select(t.c.trial_id).where(wanted)
        children = tuple(
            st.child_select(table, table.c.trial_id.in_(wanted_ids)) for table in st.CHILD_TABLES
        )
        return trial_statement, children, {}

    def changed_rows(self, rows: Sequence[Any]) -> list[Any]:
        """The trial rows (from ``sync_statements``) of trials that are new or changed state."""
        by_id = self.by_id
        changed = []
        for row in rows:
            old = by_id.get(row[0])
            if old is None or old.state.name != row[2]:
                changed.append(row)
        return changed

    def apply(self, loaded: list[FrozenTrial]) -> None:
        """Merge freshly read trials (new ones, and current versions of unfinished ones)."""
        trials, by_id, unfinished = self.trials, self.by_id, self.unfinished
        known_dists = self.param_distributions
        seen_dists = None
        for trial in loaded:
            trial_id, number, state = trial._trial_id, trial._number, trial.state
            old = by_id.get(trial_id)
            if old is None or old.state is not state:  # states read are TrialState members
                self.changes.append(number)
            by_id[trial_id] = trial
            if number == len(trials):
                trials.append(trial)
            elif number < len(trials):
                trials[number] = trial
            else:
                trials.append(trial)
                trials.sort(key=lambda t: t.number)
            if trial_id > self.last_trial_id:
                self.last_trial_id = trial_id
            if trial._distributions is not seen_dists:  # finished trials share these dicts
                seen_dists = trial._distributions
                for name, dist in seen_dists.items():
                    known_dists.setdefault(name, dist)
            if state is TrialState.RUNNING or state is TrialState.WAITING:
                unfinished[trial_id] = number
            else:
                unfinished.pop(trial_id, None)
                self._update_best(trial)

    def _update_best(self, trial: FrozenTrial) -> None:
        if trial.state is not TrialState.COMPLETE or len(self.directions) != 1 or not trial._values:
            return
        value = trial._values[0]
        if math.isnan(value):
            return
        best = self.best
        if best is None:
            self.best = trial
            return
        best_value = best._values[0]  # type: ignore[index]
        if self.directions[0] is StudyDirection.MAXIMIZE:
            better = value > best_value
        else:
            better = value < best_value
        if better or (value == best_value and trial.number < best.number):
            self.best = trial

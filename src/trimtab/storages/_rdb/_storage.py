"""``RDBStorage``: studies in SQLite, PostgreSQL or MySQL, in Optuna's schema."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Container, Sequence
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from trimtab import logging
from trimtab._study_records import FrozenStudy, StudyDirection
from trimtab.distributions import (
    BaseDistribution,
)
from trimtab.exceptions import DuplicatedStudyError
from trimtab.storages._base import DEFAULT_STUDY_NAME_PREFIX, BaseStorage, check_json_serializable
from trimtab.storages._heartbeat import BaseHeartbeat, StaleTrialCallback
from trimtab.storages._rdb import _schema as s
from trimtab.storages._rdb import _statements as st
from trimtab.storages._rdb._engine import EngineHandle, fill_url_template
from trimtab.storages._rdb._heartbeats import HeartbeatMixin
from trimtab.storages._rdb._owned import OwnedTrials
from trimtab.storages._rdb._trials import (
    DistributionCache,
    StudyCache,
    build_trials,
    gc_paused,
    load_trials,
    trial_rows,
)
from trimtab.storages._rdb._version import VersionManager
from trimtab.storages._rdb._writes import TrialWriter, upsert
from trimtab.storages._records import thaw_trial
from trimtab.trial._frozen import FrozenTrial, copy_trials
from trimtab.trial._state import TrialState

_logger = logging.get_logger(__name__)
_UNFINISHED = frozenset((TrialState.RUNNING, TrialState.WAITING))
_FINISHED = frozenset(s for s in TrialState if s.is_finished())


class RDBStorage(HeartbeatMixin, TrialWriter, BaseStorage, BaseHeartbeat):
    """Studies in a relational database (SQLite, PostgreSQL, MySQL) in Optuna's schema.

    A database written by Optuna 5.0 opens here and the other way round. Many processes and
    machines may share one database; trial numbers stay dense and an enqueued trial runs once.
    Each process caches finished trials and re-reads only new and unfinished ones.

    Durability: SQLite runs in WAL mode with ``synchronous=NORMAL`` and PostgreSQL sessions
    with ``synchronous_commit=off``, so a commit does not wait for a disk flush. A crash of
    the machine or database server may lose the last fraction of a second of writes; it never
    corrupts the database or leaves it inconsistent. For PostgreSQL, pass
    ``engine_kwargs={"connect_args": {"options": "-c synchronous_commit=on"}}`` to wait.

    Args:
        url: an SQLAlchemy URL (``sqlite:///study.db``, ``postgresql://user:pw@host/db``,
            ``mysql+pymysql://user:pw@host/db``).
        engine_kwargs: extra arguments for ``sqlalchemy.create_engine``.
        skip_compatibility_check: do not compare the schema revision with trimtab's.
        heartbeat_interval: seconds between heartbeats of a running trial (None: off).
        grace_period: seconds without a heartbeat after which a running trial is stale
            (default: twice the interval).
        heartbeat_stale_trial_callback: called with ``(study, trial)`` for each stale trial
            that is failed, e.g. ``RetryHeartbeatStaleTrialCallback()``.
        failed_trial_callback: deprecated name of ``heartbeat_stale_trial_callback``.
        skip_table_creation: do not create missing tables.

    Raises:
        ValueError: a bad URL or argument.
        RuntimeError: the database uses another schema revision (the message names both and
            the upgrade command).
        StorageInternalError: the database cannot be reached or written.

    Example:
        >>> import trimtab
        >>> storage = trimtab.storages.RDBStorage("sqlite:///:memory:")
        >>> study = trimtab.create_study(storage=storage, study_name="on-sqlite")
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
        >>> len(trimtab.load_study(study_name="on-sqlite", storage=storage).trials)
        2
    """

    def __init__(
        self,
        url: str,
        engine_kwargs: dict[str, Any] | None = None,
        skip_compatibility_check: bool = False,
        *,
        heartbeat_interval: int | None = None,
        grace_period: int | None = None,
        heartbeat_stale_trial_callback: StaleTrialCallback | None = None,
        failed_trial_callback: StaleTrialCallback | None = None,
        skip_table_creation: bool = False,
    ) -> None:
        if not isinstance(url, str):
            raise TypeError(f"`url` must be a string, got {type(url).__name__}.")
        self._init_heartbeat(
            heartbeat_interval, grace_period, heartbeat_stale_trial_callback, failed_trial_callback
        )
        self.engine_kwargs = dict(engine_kwargs or {})
        self.url = fill_url_template(url, s.SCHEMA_VERSION)
        self.skip_compatibility_check = skip_compatibility_check
        self.skip_table_creation = skip_table_creation
        self._open()

    def _open(self) -> None:
        self._handle = EngineHandle(self.url, self.engine_kwargs)
        self.engine = self._handle.engine
        self._lock = threading.RLock()
        self._caches: dict[int, StudyCache] = {}
        self._dists = DistributionCache()
        self._owned = OwnedTrials()
        self._counted: dict[int, tuple[int, int]] = {}  # study -> (a trial id, trials up to it)
        self._study_names: dict[int, str] = {}  # studies seen, to name one deleted later
        self._version_manager = VersionManager(self._handle)
        try:
            self._version_manager.initialize(create_tables=not self.skip_table_creation)
        except SQLAlchemyError as err:
            raise self._handle.connection_error(err) from err
        except Exception as err:
            if "readonly" in str(err) or "Could not open" in str(err):
                raise self._handle.connection_error(err) from err
            raise
        if not self.skip_compatibility_check:
            self._version_manager.check()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        for key in (
            "_handle",
            "engine",
            "_lock",
            "_caches",
            "_dists",
            "_owned",
            "_study_names",
            "_version_manager",
        ):
            state.pop(key, None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._open()

    # Versions.

    def upgrade(self) -> None:
        """Migrate the database schema to the revision this trimtab uses."""
        self._version_manager.upgrade()

    def get_current_version(self) -> str:
        """The schema revision of the database."""
        return self._version_manager.get_current_version()

    def get_head_version(self) -> str:
        """The schema revision this trimtab uses."""
        return s.HEAD_VERSION

    def get_all_versions(self) -> list[str]:
        """Every known schema revision, newest first."""
        return list(s.ALL_VERSIONS)

    def remove_session(self) -> None:
        """Kept for Optuna compatibility; connections are pooled per engine."""

    # Studies.

    def create_new_study(
        self, directions: Sequence[StudyDirection], study_name: str | None = None
    ) -> int:
        # Like Optuna, only None asks for a generated name: "" is a name like any other.
        name = (
            study_name if study_name is not None else DEFAULT_STUDY_NAME_PREFIX + str(uuid.uuid4())
        )
        if len(name) > s.MAX_INDEXED_STRING_LENGTH:
            raise ValueError(
                f"The study name is {len(name)} characters long; at most "
                f"{s.MAX_INDEXED_STRING_LENGTH} are allowed."
            )
        directions = [StudyDirection(d) for d in directions]

        def write(conn: Connection) -> int:
            result = conn.execute(insert(s.studies).values(study_name=name))
            study_id = result.inserted_primary_key[0]  # type: ignore[index]
            conn.execute(
                insert(s.study_directions),
                [
                    {"study_id": study_id, "objective": i, "direction": d.name}
                    for i, d in enumerate(directions)
                ],
            )
            return int(study_id)

        try:
            study_id = self._handle.write(write)
        except IntegrityError:
            raise DuplicatedStudyError(
                f"Another study with name '{name}' already exists. Please specify a different "
                "name, or reuse the existing one by setting `load_if_exists` (for Python API) "
                "or `--skip-if-exists` flag (for CLI)."
            ) from None
        self._study_names[study_id] = name
        _logger.info(f"A new study created in RDB with name: {name}")
        return study_id

    def delete_study(self, study_id: int) -> None:
        def write(conn: Connection) -> None:
            # Lock the study row (no new trial starts) and its trial rows: a worker's write of
            # a param, value or heartbeat (whose foreign-key check shares the trial row) waits,
            # then finds the trial gone, instead of slipping in between the deletes below.
            self._check_study(conn, study_id, for_update=True)
            trial_ids = select(s.trials.c.trial_id).where(s.trials.c.study_id == study_id)
            conn.execute(trial_ids.with_for_update()).all()
            for table in s.TRIAL_CHILD_TABLES:
                conn.execute(delete(table).where(table.c.trial_id.in_(trial_ids)))
            conn.execute(delete(s.trials).where(s.trials.c.study_id == study_id))
            for table in (s.study_directions, s.study_user_attributes, s.study_system_attributes):
                conn.execute(delete(table).where(table.c.study_id == study_id))
            conn.execute(delete(s.studies).where(s.studies.c.study_id == study_id))

        self._handle.write(write)
        with self._lock:
            self._caches.pop(study_id, None)
        self._counted.pop(study_id, None)

    def rename_study(self, study_id: int, study_name: str) -> None:
        """Give a study a new name in one ``UPDATE``; its id, trials and attributes stay, so
        workers that run it carry on.

        Raises:
            KeyError: no study has ``study_id``.
            ValueError: the name is longer than the column holds.
            DuplicatedStudyError: another study has ``study_name``.
        """
        if len(study_name) > s.MAX_INDEXED_STRING_LENGTH:
            raise ValueError(f"A study name has at most {s.MAX_INDEXED_STRING_LENGTH} characters.")

        def write(conn: Connection) -> None:
            self._check_study(conn, study_id, for_update=True)
            query = update(s.studies).where(s.studies.c.study_id == study_id)
            conn.execute(query.values(study_name=study_name))

        try:
            self._handle.write(write)
        except IntegrityError:
            raise DuplicatedStudyError(f"Another study with name '{study_name}' exists.") from None
        self._study_names[study_id] = study_name

    def _seen_study_name(self, study_id: int | None) -> str | None:
        return self._study_names.get(study_id) if study_id is not None else None

    @staticmethod
    def _check_study(conn: Connection, study_id: int, for_update: bool = False) -> None:
        query = select(s.studies.c.study_id).where(s.studies.c.study_id == study_id)
        if for_update:
            query = query.with_for_update()
        if conn.execute(query).first() is None:
            raise KeyError(f"No study with study_id {study_id} exists.")

    def _set_study_attr(self, table: Any, study_id: int, key: str, value: Any) -> None:
        text = json.dumps(value)

        def write(conn: Connection) -> None:
            self._check_study(conn, study_id)
            upsert(conn, table, {"study_id": study_id, "key": key}, {"value_json": text})

        self._handle.write(write)

    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        check_json_serializable(value, f"Study user attribute {key!r}")
        self._set_study_attr(s.study_user_attributes, study_id, key, value)

    def set_study_system_attr(self, study_id: int, key: str, value: Any) -> None:
        check_json_serializable(value, f"Study system attribute {key!r}")
        self._set_study_attr(s.study_system_attributes, study_id, key, value)

    def get_study_id_from_name(self, study_name: str) -> int:
        def read(conn: Connection) -> int | None:
            query = select(s.studies.c.study_id).where(s.studies.c.study_name == study_name)
            return conn.execute(query).scalar()

        study_id = self._handle.read(read)
        if study_id is None:
            raise KeyError(f"No such study {study_name}.")
        self._study_names[int(study_id)] = study_name
        return int(study_id)

    def get_study_name_from_id(self, study_id: int) -> str:
        def read(conn: Connection) -> str | None:
            query = select(s.studies.c.study_name).where(s.studies.c.study_id == study_id)
            return conn.execute(query).scalar()

        name = self._handle.read(read)
        if name is None:
            raise KeyError(f"No study with study_id {study_id} exists.")
        return str(name)

    def get_study_directions(self, study_id: int) -> list[StudyDirection]:
        return list(self._cache(study_id).directions)

    def _read_directions(self, study_id: int) -> list[StudyDirection]:
        def read(conn: Connection) -> list[Any]:
            d = s.study_directions
            query = select(d.c.direction).where(d.c.study_id == study_id).order_by(d.c.objective)
            return list(conn.execute(query).scalars())

        names = self._handle.read(read)
        if not names:
            raise KeyError(f"No study with study_id {study_id} exists.")
        return [StudyDirection[n] for n in names]

    def _get_study_attrs(self, table: Any, study_id: int) -> dict[str, Any]:
        # One statement: the study's row (none: no such study), joined with its attributes.
        studies = s.studies
        query = (
            select(studies.c.study_id, table.c.key, table.c.value_json)
            .select_from(studies.outerjoin(table, table.c.study_id == studies.c.study_id))
            .where(studies.c.study_id == study_id)
        )

        def read(conn: Connection) -> dict[str, Any]:
            rows = conn.execute(query).all()
            if not rows:
                raise KeyError(f"No study with study_id {study_id} exists.")
            return {k: json.loads(v) for _, k, v in rows if k is not None}

        return self._handle.read_one(read)

    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]:
        return self._get_study_attrs(s.study_user_attributes, study_id)

    def get_study_system_attrs(self, study_id: int) -> dict[str, Any]:
        return self._get_study_attrs(s.study_system_attributes, study_id)

    def get_all_studies(self) -> list[FrozenStudy]:
        def read(conn: Connection) -> list[FrozenStudy]:
            query = select(s.studies.c.study_id, s.studies.c.study_name)
            names = {int(i): str(n) for i, n in conn.execute(query)}
            directions: dict[int, list[tuple[int, str]]] = {i: [] for i in names}
            d = s.study_directions
            for study_id, objective, direction in conn.execute(
                select(d.c.study_id, d.c.objective, d.c.direction)
            ):
                directions.setdefault(study_id, []).append((objective, direction))
            attrs = []
            for table in (s.study_user_attributes, s.study_system_attributes):
                found: dict[int, dict[str, Any]] = {i: {} for i in names}
                for study_id, key, text in conn.execute(
                    select(table.c.study_id, table.c.key, table.c.value_json)
                ):
                    found.setdefault(study_id, {})[key] = json.loads(text)
                attrs.append(found)
            return [
                FrozenStudy(
                    study_name=name,
                    direction=None,
                    directions=[StudyDirection[x] for _, x in sorted(directions[study_id])],
                    user_attrs=attrs[0][study_id],
                    system_attrs=attrs[1][study_id],
                    study_id=study_id,
                )
                for study_id, name in sorted(names.items())
            ]

        return self._handle.read(read)

    # Reading trials.

    def _cache(self, study_id: int) -> StudyCache:
        with self._lock:
            cache = self._caches.get(study_id)
        if cache is None:
            cache = StudyCache(self._read_directions(study_id))
            with self._lock:
                cache = self._caches.setdefault(study_id, cache)
        return cache

    def _sync(self, study_id: int) -> StudyCache:
        cache = self._cache(study_id)
        with self._lock:
            statement, children, params = cache.sync_statements(study_id)
            loaded = self._handle.read(
                lambda conn: load_trials(conn, statement, children, params, self._dists)
            )
            cache.apply(loaded)
        return cache

    def get_trial(self, trial_id: int) -> FrozenTrial:
        owned = self._owned.get(trial_id)
        if owned is not None:
            return owned
        with self._lock:
            for cache in self._caches.values():
                trial = cache.by_id.get(trial_id)
                if trial is not None and trial.state not in _UNFINISHED:
                    return trial
        loaded = self._handle.read(
            lambda conn: load_trials(
                conn, st.ONE_TRIAL, st.ONE_TRIAL_CHILDREN, {"tid": trial_id}, self._dists
            )
        )
        if not loaded:
            raise KeyError(f"No trial with trial_id {trial_id} exists.")
        return loaded[0]

    def get_all_trials(
        self,
        study_id: int,
        deepcopy: bool = True,
        states: Container[TrialState] | None = None,
    ) -> list[FrozenTrial]:
        # The members wanted (``states`` may hold Optuna's): cached records hold members, so
        # a set finds them by hash and identity, without ``TrialState.__eq__`` per trial.
        wanted = frozenset(s for s in TrialState if states is None or s in states)
        unfinished_only = wanted.isdisjoint(_FINISHED)
        if unfinished_only and not self._any_in_states(study_id, wanted):
            return []
        cache = self._sync(study_id)
        with self._lock:
            if unfinished_only:
                numbers = sorted(cache.unfinished.values())
                found = [cache.trials[n] for n in numbers if cache.trials[n].state in wanted]
            elif len(wanted) == len(TrialState):
                found = list(cache.trials)
            else:
                found = [t for t in cache.trials if t.state in wanted]
        result = [thaw_trial(t) if t.state in _UNFINISHED else t for t in found]
        if not deepcopy:
            return result
        with gc_paused():  # copies of a large study are millions of new objects, no cycles
            return copy_trials(result)

    def _any_in_states(self, study_id: int, states: Container[TrialState]) -> bool:
        """One cheap query: does the study have a trial in one of the (unfinished) states?

        Only trials created since the last sync or unfinished then can be unfinished now
        (finished is final), so the query reads those rows, not the whole study.
        """
        cache = self._cache(study_id)  # raises KeyError for an unknown study
        names = [state.name for state in TrialState if state in states]
        with self._lock:
            last, unfinished = cache.last_trial_id, sorted(cache.unfinished)
        statement: Any = st.IDS_IN_STATES
        params: dict[str, Any] = {"sid": study_id, "states": names}
        if len(unfinished) <= st.MAX_BOUND_IDS:
            statement = st.NEW_OR_LISTED_IN_STATES
            params.update(last=last, ids=unfinished)
        found = self._handle.read_one(lambda conn: conn.execute(statement, params).first())
        return found is not None

    def _sync_changes(self, study_id: int) -> StudyCache:
        """Bring in new trials and those whose state changed, nothing else.

        One query reads the trial rows of new and unfinished trials; only if some are new or
        changed state are their params, values and attributes read (five more queries, for
        those trials alone), except trials this process wrote, whose records it holds.
        Unfinished trials whose state did not change keep their cached record, as
        ``get_trials_since`` allows; ``get_all_trials`` still reads them afresh.
        """
        cache = self._cache(study_id)
        dists = self._dists

        def read(conn: Connection) -> list[FrozenTrial]:
            rows = trial_rows(conn, statement, params)
            changed = cache.changed_rows(rows)
            if not changed:
                return []
            own, others = self._own_records(changed)
            if not others:
                return own
            if len(others) == len(rows):  # e.g. the first read: select by the same condition
                return build_trials(conn, rows, children, params, dists)
            if len(others) > st.MAX_BOUND_IDS:
                # Too many to list (e.g. a first read while this process runs a trial): the
                # rows of all trials ``statement`` selected, those of the rest skipped.
                built = build_trials(conn, others, children, params, dists)
            else:
                ids = [row[0] for row in others]
                built = build_trials(conn, others, st.LISTED_CHILDREN, {"ids": ids}, dists)
            return sorted(own + built, key=lambda trial: trial.number) if own else built

        with self._lock:
            statement, children, params = cache.sync_statements(study_id)
            cache.apply(self._handle.read(read))
        return cache

    def _own_records(self, rows: list[Any]) -> tuple[list[FrozenTrial], list[Any]]:
        """Split trial rows into the records this process holds (same state) and the rest."""
        own, others = [], []
        held = self._owned.ids()
        for row in rows:
            trial = self._owned.get(row[0]) if row[0] in held else None
            if trial is not None and trial.state.name == row[2]:
                own.append(trial)
            else:
                others.append(row)
        return own, others

    def get_trials_since(self, study_id: int, cursor: int) -> tuple[list[FrozenTrial], int]:
        cache = self._sync_changes(study_id)
        with self._lock:
            numbers = sorted(set(cache.changes[cursor:]))
            trials = [cache.trials[n] for n in numbers]
            end = len(cache.changes)
        return [thaw_trial(t) if t.state in _UNFINISHED else t for t in trials], end

    def get_n_trials(
        self, study_id: int, state: tuple[TrialState, ...] | TrialState | None = None
    ) -> int:
        cache = self._sync(study_id)
        with self._lock:
            if state is None:
                return len(cache.trials)
            states = (state,) if isinstance(state, TrialState) else state
            return sum(1 for t in cache.trials if t.state in states)

    def get_best_trial(self, study_id: int) -> FrozenTrial:
        # Only finished trials count, and those never change: new ones and state changes do.
        cache = self._sync_changes(study_id)
        if len(cache.directions) > 1:
            raise RuntimeError("Best trial can be obtained only for single-objective optimization.")
        if cache.best is None:
            raise ValueError("No trials are completed yet.")
        return cache.best

    def get_trial_id_from_study_id_trial_number(self, study_id: int, trial_number: int) -> int:
        t = s.trials

        def read(conn: Connection) -> int | None:
            query = select(t.c.trial_id).where(
                (t.c.study_id == study_id) & (t.c.number == trial_number)
            )
            return conn.execute(query).scalar()

        trial_id = self._handle.read(read)
        if trial_id is None:
            raise KeyError(
                f"No trial with trial number {trial_number} exists in study with study_id "
                f"{study_id}."
            )
        return int(trial_id)

    def get_trial_number_from_id(self, trial_id: int) -> int:
        return self._trial_row(trial_id)[1]

    def _trial_row(self, trial_id: int) -> tuple[int, int, str]:
        t = s.trials

        def read(conn: Connection) -> Any:
            query = select(t.c.study_id, t.c.number, t.c.state).where(t.c.trial_id == trial_id)
            return conn.execute(query).first()

        row = self._handle.read(read)
        if row is None:
            raise KeyError(f"No trial with trial_id {trial_id} exists.")
        return int(row[0]), int(row[1]), str(row[2])

    def _known_distribution(self, study_id: int, name: str) -> BaseDistribution | None:
        with self._lock:
            cache = self._caches.get(study_id)
            return cache.param_distributions.get(name) if cache is not None else None

    def _remember_distribution(self, study_id: int, name: str, dist: BaseDistribution) -> None:
        with self._lock:
            cache = self._caches.get(study_id)
            if cache is not None:
                cache.param_distributions.setdefault(name, dist)


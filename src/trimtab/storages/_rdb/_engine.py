"""Engines and transactions: URL checks, SQLite WAL set-up, retries, clear connection errors."""

from __future__ import annotations

import contextlib
import datetime
import random
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import sqlalchemy
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    IntegrityError,
    NoSuchModuleError,
    OperationalError,
)

from trimtab.exceptions import StorageInternalError
from trimtab.storages._rdb._diagnose import (
    driver_missing_message,
    server_problem,
    sqlite_problem,
)

T = TypeVar("T")

_MAX_ATTEMPTS = 12
_SQLITE_BUSY_TIMEOUT_S = 60.0
# Schema work (creating tables, stamping versions, migrating) runs under a lock every process
# opening the database takes: a PostgreSQL advisory lock (per database; the key spells
# "trimtab:" in ASCII), a MySQL named lock (per server, so its name carries the database), and
# SQLite's write lock. The retry re-reads the schema should a process without that lock
# (an Optuna worker, say) create a table at the same moment.
_PG_SCHEMA_LOCK_KEY = 0x7472696D74616221
_MYSQL_SCHEMA_LOCK = "CONCAT('trimtab-schema:', MD5(DATABASE()))"
_SCHEMA_LOCK_TIMEOUT_S = 300
_SCHEMA_ATTEMPTS = 5
_POOL_SIZE = 15  # connections per process at most: SQLAlchemy's default 5 + 10 overflow
_DRIVER_EXTRAS = {
    "postgresql": "postgresql",
    "mysql": "mysql",
    "mariadb": "mysql",
}


def _describe(url: str) -> str:
    """Return ``url`` with any password hidden, for error messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def fill_url_template(url: str, schema_version: int) -> str:
    """Expand the ``{SCHEMA_VERSION}`` placeholder Optuna allows in storage URLs."""
    return url.replace("{SCHEMA_VERSION}", str(schema_version))


_SERVER_BACKENDS = ("postgresql", "mysql", "mariadb")


class EngineHandle:
    """An engine plus the transaction discipline its dialect needs.

    SQLite runs in WAL mode with a busy timeout; writes take the write lock up front
    (``BEGIN IMMEDIATE``) so two writers never deadlock upgrading a read lock, and a
    ``database is locked`` error is retried. PostgreSQL and MySQL run at READ COMMITTED so a
    statement sees rows committed by others after a row lock was granted; deadlocks and
    serialization failures are retried.
    """

    def __init__(self, url: str, engine_kwargs: dict[str, Any]) -> None:
        self.url = url
        self.engine_kwargs = engine_kwargs
        try:
            parsed = make_url(url)
        except ArgumentError as err:
            raise ValueError(
                f"Invalid storage URL {url!r}: expected an SQLAlchemy URL such as "
                "'sqlite:///study.db', 'postgresql://user:password@host/db' or "
                "'mysql+pymysql://user:password@host/db'."
            ) from err
        parsed = _with_available_driver(parsed)
        self._parsed = parsed
        url = parsed.render_as_string(hide_password=False)
        self.backend = parsed.get_backend_name()
        self.is_sqlite = self.backend == "sqlite"
        self._memory = self.is_sqlite and parsed.database in (None, "", ":memory:")
        # An in-memory SQLite database lives in one connection, shared under a lock.
        self.lock: threading.RLock | None = threading.RLock() if self._memory else None
        kwargs = dict(engine_kwargs)
        self.engine: Engine
        self._autocommit: Engine
        #: Whether ``write_one`` may run a statement list as one transaction (PostgreSQL).
        self.statement_lists = False
        if self.backend in _SERVER_BACKENDS:
            # The pool's connections stay in autocommit mode, which reads and single statements
            # (most calls) use as they are; only a transaction switches its connection to the
            # transaction level and back (each switch costs round trips).
            transaction_level = kwargs.pop("isolation_level", "READ COMMITTED")
            self._autocommit = self._create_engine(url, parsed, kwargs)
            # psycopg2 sends a statement list in one round trip; PostgreSQL runs it as one
            # transaction, each statement with a fresh READ COMMITTED snapshot.
            self.statement_lists = (
                self.backend == "postgresql"
                and parsed.get_driver_name() == "psycopg2"
                and transaction_level == "READ COMMITTED"
            )
            self.engine = self._autocommit.execution_options(isolation_level=transaction_level)
        else:
            self.engine = self._create_engine(url, parsed, kwargs)
            self._autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")

    def _create_engine(self, url: str, parsed: Any, kwargs: dict[str, Any]) -> Engine:
        if self.is_sqlite:
            connect_args = dict(kwargs.pop("connect_args", {}))
            connect_args.setdefault("timeout", _SQLITE_BUSY_TIMEOUT_S)
            if self._memory:
                connect_args.setdefault("check_same_thread", False)
                kwargs.setdefault("poolclass", sqlalchemy.pool.StaticPool)
            kwargs["connect_args"] = connect_args
            kwargs.setdefault("isolation_level", "AUTOCOMMIT")
        elif self.backend in _SERVER_BACKENDS:
            kwargs["isolation_level"] = "AUTOCOMMIT"
            # Every transaction ends in COMMIT or ROLLBACK itself, and a connection the server
            # dropped is retried (see _is_transient): no round trip on checkout or check-in.
            kwargs.setdefault("pool_reset_on_return", None)
            if not {"poolclass", "pool", "pool_size", "max_overflow"} & kwargs.keys():
                # SQLAlchemy's default (5 kept + 10 overflow) closes each connection beyond the
                # fifth when it is returned, so a process with more than five threads in the
                # database (a gRPC proxy server) opens a new server session per call or so:
                # ~10 ms of database CPU each. The same 15 at most, all kept once opened.
                kwargs["pool_size"] = _POOL_SIZE
                kwargs["max_overflow"] = 0
        if self.backend == "postgresql" and parsed.get_driver_name() in ("psycopg2", "psycopg"):
            # Like SQLite's synchronous=NORMAL: a commit does not wait for the WAL flush. A
            # server crash may lose the last fraction of a second of writes, never consistency.
            # Pass connect_args={"options": "-c synchronous_commit=on"} to wait for each flush.
            connect_args = dict(kwargs.pop("connect_args", {}))
            connect_args.setdefault("options", "-c synchronous_commit=off")
            kwargs["connect_args"] = connect_args
        try:
            engine = sqlalchemy.create_engine(url, **kwargs)
        except NoSuchModuleError as err:
            raise ValueError(
                f"Unknown storage URL scheme {parsed.drivername!r} in {_describe(url)!r}. "
                "Use 'sqlite:///path.db', 'postgresql://...', 'postgresql+psycopg2://...', "
                "'postgresql+psycopg://...' or 'mysql+pymysql://...'; for a journal file or "
                "Redis, pass trimtab.storages.JournalStorage(...) as the storage."
            ) from err
        except ImportError as err:
            extra = _DRIVER_EXTRAS.get(self.backend, self.backend)
            raise ImportError(driver_missing_message(parsed.drivername, extra, err)) from err
        if self.is_sqlite:
            event.listen(engine, "connect", _configure_sqlite_connection)
        return engine

    def now(self) -> datetime.datetime:
        """The current time as naive UTC, at the precision the database keeps."""
        value = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        if self.backend in ("mysql", "mariadb"):  # DATETIME columns hold whole seconds
            value = value.replace(microsecond=0)
        return value

    def dispose(self) -> None:
        self.engine.dispose()

    def connection_error(self, err: Exception) -> StorageInternalError:
        """Wrap a driver error raised while opening the storage in a readable message."""
        detail = str(getattr(err, "orig", err)).strip().splitlines()[0:1]
        text = detail[0] if detail else type(err).__name__
        if self.is_sqlite and ("readonly" in text or "read-only" in text):
            return StorageInternalError(
                f"Cannot write to the SQLite database {_describe(self.url)!r}: {text}. The "
                "file (or its directory, which must hold the -wal and -shm files) is "
                "read-only; copy it somewhere writable or fix the permissions."
            )
        orig = getattr(err, "orig", err)
        if self.is_sqlite:
            cause = sqlite_problem(self._parsed.database, text)
        else:
            cause = server_problem(self._parsed, self.backend, orig, text)
        if cause is not None:
            return StorageInternalError(
                f"Could not open the storage {_describe(self.url)!r}: {cause}. The driver "
                f"said: {text}"
            )
        if self.is_sqlite:
            return StorageInternalError(
                f"Could not open the SQLite database {_describe(self.url)!r}: {text}. Check "
                "the path, and that its directory exists and this user may write there."
            )
        return StorageInternalError(
            f"Could not open the storage {_describe(self.url)!r}: {text}. Check that the "
            "server is running and reachable, and that the user, password and database name "
            "are right."
        )

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        if self.lock is None:
            yield
        else:
            with self.lock:
                yield

    def write(self, fn: Callable[[Connection], T]) -> T:
        """Run ``fn`` in one write transaction, retrying on lock timeouts and deadlocks."""
        return self._retrying(fn, "BEGIN IMMEDIATE")

    def write_one(self, fn: Callable[[Connection], T]) -> T:
        """Run ``fn``, whose writes are one statement, without a transaction around it.

        The statement is atomic by itself; skipping BEGIN/COMMIT saves a round trip.
        """
        return self._retrying(fn, None)

    def read_one(self, fn: Callable[[Connection], T]) -> T:
        """Run ``fn``, whose reads are one statement, without a transaction around it."""
        return self._retrying(fn, None)

    def read(self, fn: Callable[[Connection], T]) -> T:
        """Run ``fn`` in one read transaction (a consistent snapshot)."""
        return self._retrying(fn, "BEGIN")

    def write_schema(self, fn: Callable[[Connection], T]) -> T:
        """Run ``fn`` (DDL and bookkeeping rows) holding the database's schema lock.

        Any number of processes may open a new database at once: they take turns, and each
        finds what the ones before it created. A conflict with a process that does not take
        the lock (``already exists``, a duplicate key) is retried, re-reading the schema.
        """
        for attempt in range(1, _SCHEMA_ATTEMPTS + 1):
            try:
                with self._locked():
                    return self._run_with_schema_lock(fn)
            except (OperationalError, DBAPIError) as err:
                retry = _is_transient(err) or _is_schema_conflict(err)
                if attempt == _SCHEMA_ATTEMPTS or not retry:
                    raise
                time.sleep(0.05 * attempt * random.random())
        raise AssertionError("unreachable")

    def _run_with_schema_lock(self, fn: Callable[[Connection], T]) -> T:
        if self.backend == "postgresql":
            with self.engine.begin() as conn:  # PostgreSQL's DDL is transactional
                conn.execute(
                    sqlalchemy.text("SELECT pg_advisory_xact_lock(:key)"),
                    {"key": _PG_SCHEMA_LOCK_KEY},
                )
                return fn(conn)
        if self.backend in ("mysql", "mariadb"):
            # MySQL commits DDL at once: hold a named lock on the connection instead.
            with self._autocommit.connect() as conn:
                got = conn.exec_driver_sql(
                    f"SELECT GET_LOCK({_MYSQL_SCHEMA_LOCK}, {_SCHEMA_LOCK_TIMEOUT_S})"
                ).scalar()
                if got != 1:
                    raise StorageInternalError(
                        f"Timed out after {_SCHEMA_LOCK_TIMEOUT_S} s waiting for another "
                        f"process to finish setting up the tables of {_describe(self.url)!r}."
                    )
                try:
                    return fn(conn)
                finally:
                    conn.exec_driver_sql(f"SELECT RELEASE_LOCK({_MYSQL_SCHEMA_LOCK})")
        return self._run(fn, "BEGIN IMMEDIATE")

    def _retrying(self, fn: Callable[[Connection], T], sqlite_begin: str | None) -> T:
        for attempt in range(1, _MAX_ATTEMPTS + 1):
            try:
                with self._locked():
                    return self._run(fn, sqlite_begin)
            except IntegrityError:
                raise
            except (OperationalError, DBAPIError) as err:
                if attempt == _MAX_ATTEMPTS or not _is_transient(err):
                    raise _wrap(err, self.url) from err
                time.sleep(min(0.005 * 2**attempt, 1.0) * random.random())
        raise AssertionError("unreachable")

    def _run(self, fn: Callable[[Connection], T], sqlite_begin: str | None) -> T:
        if not self.is_sqlite:
            # At READ COMMITTED a transaction gives reads no common snapshot anyway, so reads
            # and single statements run without one (no BEGIN/COMMIT round trips).
            if sqlite_begin != "BEGIN IMMEDIATE":
                with self._autocommit.connect() as conn:
                    return fn(conn)
            with self.engine.begin() as conn:
                return fn(conn)
        with self.engine.connect() as conn:
            if sqlite_begin is None:  # the engine runs SQLite in autocommit mode
                return fn(conn)
            conn.exec_driver_sql(sqlite_begin)
            try:
                result = fn(conn)
            except BaseException:
                # A Ctrl-C inside a statement makes SQLAlchemy invalidate the connection, which
                # drops the transaction with it; a ROLLBACK there would replace the original error.
                if not conn.invalidated:
                    with contextlib.suppress(Exception):
                        conn.exec_driver_sql("ROLLBACK")
                raise
            conn.exec_driver_sql("COMMIT")
            return result


def _with_available_driver(parsed: Any) -> Any:
    """Pick psycopg2 for a bare ``postgresql://`` URL when psycopg (v3) is not installed.

    SQLAlchemy 2.1 maps the bare scheme to psycopg 3; many installations (and Optuna's
    documentation) have only psycopg2.
    """
    if parsed.drivername != "postgresql":
        return parsed
    import importlib.util

    if importlib.util.find_spec("psycopg") is None and importlib.util.find_spec("psycopg2"):
        return parsed.set(drivername="postgresql+psycopg2")
    return parsed


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        # WAL + NORMAL never corrupts the database; it skips an fsync per commit.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(_SQLITE_BUSY_TIMEOUT_S * 1000)}")
    finally:
        cursor.close()


def _is_transient(err: Exception) -> bool:
    """Return True for errors a retry can fix: lock timeouts, deadlocks, dropped connections."""
    if isinstance(err, DBAPIError) and err.connection_invalidated:
        return True
    text = str(getattr(err, "orig", err)).lower()
    code = getattr(getattr(err, "orig", None), "pgcode", None)
    if code in ("40001", "40P01", "55P03"):
        return True
    args = getattr(getattr(err, "orig", None), "args", ())
    if args and args[0] in (1205, 1213, 2006, 2013):  # MySQL lock wait, deadlock, gone away
        return True
    return "database is locked" in text or "database is busy" in text or "deadlock" in text


def _is_schema_conflict(err: Exception) -> bool:
    """Return True for a table, type or row another process created a moment earlier."""
    orig = getattr(err, "orig", None)
    if getattr(orig, "pgcode", None) in ("23505", "42P07", "42710"):
        return True
    args = getattr(orig, "args", ())
    if args and args[0] in (1050, 1061, 1062):  # MySQL table / index / entry exists
        return True
    return "already exists" in str(orig if orig is not None else err).lower()


def _wrap(err: Exception, url: str) -> StorageInternalError:
    detail = str(getattr(err, "orig", err)).strip()
    where = _describe(url)
    if "readonly" in detail or "read-only" in detail:
        return StorageInternalError(
            f"Cannot write to the database {where!r}: {detail}. The SQLite file (or its "
            "directory, which must hold the -wal and -shm files) is read-only or was opened "
            "with mode=ro."
        )
    if _is_disk_full(err, detail):
        return StorageInternalError(
            f"Cannot write to the database {where!r}: the disk holding it is full ({detail}). "
            "Free some space; what was being written was not stored."
        )
    return StorageInternalError(f"A database error occurred in {where!r}: {detail}")


def _is_disk_full(err: Exception, detail: str) -> bool:
    """SQLite's SQLITE_FULL, PostgreSQL's disk_full (53100), MySQL's 'table is full' (1114)."""
    orig = getattr(err, "orig", None)
    args = getattr(orig, "args", ())
    return (
        "disk is full" in detail
        or "No space left on device" in detail
        or getattr(orig, "pgcode", None) == "53100"
        or bool(args and args[0] in (1114, 1021))
    )

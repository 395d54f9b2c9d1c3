"""Real database servers for the storage tests: one database per session, Redis clients.

A missing server skips its tests locally and fails them in CI (``CI=true``).
"""

from __future__ import annotations

import os
import uuid
from typing import Any

import pytest
from storage_backends import REDIS_URL

PG_ADMIN_URL = os.environ.get("TRIMTAB_TEST_PG", "postgresql+psycopg2://postgres@127.0.0.1:5432")
MYSQL_ADMIN_URL = os.environ.get("TRIMTAB_TEST_MYSQL", "mysql+pymysql://root@127.0.0.1:3306")


def server_missing(what: str, err: Exception) -> None:
    """Skip locally, fail in CI, when a server the test needs is not reachable."""
    message = f"{what} is not reachable: {err}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


class _ServerDatabase:
    """A database created for this session on a server, emptied between storages."""

    def __init__(self, admin_url: str, admin_db: str) -> None:
        import sqlalchemy

        self.name = f"trimtab_test_{uuid.uuid4().hex[:10]}"
        self._admin = sqlalchemy.create_engine(
            f"{admin_url}/{admin_db}", isolation_level="AUTOCOMMIT"
        )
        with self._admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {self.name}")
        self.url = f"{admin_url}/{self.name}"
        self._engine = sqlalchemy.create_engine(self.url, isolation_level="AUTOCOMMIT")

    def empty(self) -> None:
        import sqlalchemy

        from trimtab.storages._rdb._schema import metadata

        existing = set(sqlalchemy.inspect(self._engine).get_table_names())
        tables = [t.name for t in metadata.sorted_tables if t.name in existing]
        if not tables:
            return
        with self._engine.connect() as conn:
            if self._engine.dialect.name == "postgresql":
                conn.exec_driver_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
            else:
                conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS=0")
                for name in tables:
                    conn.exec_driver_sql(f"TRUNCATE TABLE {name}")
                conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS=1")

    def drop(self) -> None:
        self._engine.dispose()
        with self._admin.connect() as conn:
            if self._admin.dialect.name == "postgresql":
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
            else:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {self.name}")
        self._admin.dispose()


_databases: dict[str, _ServerDatabase | Exception] = {}


def server_database(kind: str) -> _ServerDatabase:
    """The session's database on the PostgreSQL or MariaDB server (created on first use)."""
    if kind not in _databases:
        try:
            if kind == "postgresql":
                _databases[kind] = _ServerDatabase(PG_ADMIN_URL, "postgres")
            else:
                _databases[kind] = _ServerDatabase(MYSQL_ADMIN_URL, "test")
        except Exception as err:  # noqa: BLE001 - any connection problem means "no server"
            _databases[kind] = err
    found = _databases[kind]
    if isinstance(found, Exception):
        server_missing(kind, found)
        raise AssertionError("unreachable")
    return found


def redis_client() -> Any:
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        client.ping()
        return client
    except Exception as err:  # noqa: BLE001
        server_missing("Redis", err)


def storage_url(kind: str, tmp_path: Any) -> str:
    """A URL/path naming a fresh, empty storage of ``kind``."""
    if kind == "sqlite":
        return f"sqlite:///{tmp_path}/{uuid.uuid4().hex}.db"
    if kind in ("postgresql", "mysql"):
        database = server_database(kind)
        database.empty()
        return database.url
    if kind == "journal_file":
        return str(tmp_path / f"{uuid.uuid4().hex}.log")
    if kind == "journal_redis":
        redis_client()
        return f"trimtab-test-{uuid.uuid4().hex}"
    raise ValueError(kind)

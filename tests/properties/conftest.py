"""Backends for the property tests: in-memory plus every persistent backend of tests/storages.

Reuses the storage tests' server helpers (a database per session on PostgreSQL and MariaDB,
a key prefix per storage on Redis); a missing server skips locally and fails in CI.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "storages"))

from storage_backends import BACKENDS, open_storage  # noqa: E402
from storage_servers import (  # noqa: E402
    _databases,
    _ServerDatabase,
    redis_client,
    server_database,
)

from trimtab.storages import BaseStorage, InMemoryStorage  # noqa: E402

PROPERTY_BACKENDS = ["memory", *BACKENDS]


@pytest.fixture(scope="session", autouse=True)
def _drop_server_databases() -> Iterator[None]:
    yield
    for found in _databases.values():
        if isinstance(found, _ServerDatabase):
            found.drop()


@pytest.fixture(params=PROPERTY_BACKENDS)
def backend(request: Any) -> str:
    return str(request.param)


class Backend:
    """One fresh, empty storage of a kind, and a way to open it again from scratch."""

    def __init__(self, kind: str, tmp_path: Path) -> None:
        self.kind = kind
        self._memory: InMemoryStorage | None = None
        self._opened: list[BaseStorage] = []
        if kind == "memory":
            self._memory = InMemoryStorage()
            self.location = ""
        elif kind == "sqlite":
            self.location = f"sqlite:///{tmp_path}/{uuid.uuid4().hex}.db"
        elif kind in ("postgresql", "mysql"):
            database = server_database(kind)
            database.empty()
            self.location = database.url
        elif kind == "journal_file":
            self.location = str(tmp_path / f"{uuid.uuid4().hex}.log")
        else:
            redis_client()
            self.location = f"trimtab-test-{uuid.uuid4().hex}"
        self.storage = self.fresh()

    def fresh(self) -> BaseStorage:
        """A new storage object on the same data (in-memory: the one storage there is)."""
        if self._memory is not None:
            return self._memory
        storage = open_storage(self.kind, self.location)
        self._opened.append(storage)
        return storage

    def release(self, keep_first: bool = True) -> None:
        """Close every storage opened by ``fresh`` (but the first when ``keep_first``)."""
        keep = self._opened[:1] if keep_first else []
        for storage in self._opened[len(keep) :]:
            engine = getattr(storage, "engine", None)
            if engine is not None:
                engine.dispose()
        self._opened = keep

    def close(self) -> None:
        self.release(keep_first=False)
        if self.kind == "journal_redis":
            client = redis_client()
            keys = list(client.scan_iter(match=f"{self.location}:*"))
            if keys:
                client.delete(*keys)


@pytest.fixture()
def make_backend(backend: str, tmp_path: Path) -> Iterator[Callable[[], Backend]]:
    made: list[Backend] = []

    def make() -> Backend:
        found = Backend(backend, tmp_path)
        made.append(found)
        return found

    yield make
    for found in made:
        found.close()

"""Fresh storages of every kind for the property tests, and the examples-tried counter.

Reuses the storage tests' helpers (a database per session on PostgreSQL and MariaDB, a key
prefix per storage on Redis); a missing server skips locally and fails in CI.
"""

from __future__ import annotations

import sys
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "storages"))

from storage_backends import BACKENDS, open_storage  # noqa: E402
from storage_servers import redis_client, server_database  # noqa: E402

from trimtab.storages import BaseStorage, InMemoryStorage  # noqa: E402

PROPERTY_BACKENDS = ["memory", *BACKENDS]
TRIED: Counter[tuple[str, str]] = Counter()
"""Examples hypothesis tried, by (category, backend)."""


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

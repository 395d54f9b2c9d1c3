"""Opening each persistent backend by (kind, location); no pytest import (workers use it)."""

from __future__ import annotations

import os
from typing import Any

from trimtab.storages import BaseStorage

REDIS_URL = os.environ.get("TRIMTAB_TEST_REDIS", "redis://127.0.0.1:6379/0")
BACKENDS = ["sqlite", "postgresql", "mysql", "journal_file", "journal_redis"]
RDB_BACKENDS = ["sqlite", "postgresql", "mysql"]


def open_storage(kind: str, location: str, **kwargs: Any) -> BaseStorage:
    """Open the storage at ``location`` (a URL, a journal path or a Redis key prefix)."""
    if kind in RDB_BACKENDS:
        from trimtab.storages import RDBStorage

        return RDBStorage(location, **kwargs)
    from trimtab.storages.journal import JournalFileBackend, JournalRedisBackend, JournalStorage

    if kind == "journal_file":
        return JournalStorage(JournalFileBackend(location), **kwargs)
    return JournalStorage(JournalRedisBackend(REDIS_URL, prefix=location), **kwargs)

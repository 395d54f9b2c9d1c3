"""Storages: where studies and trials are recorded.

``RDBStorage`` (SQLAlchemy) loads on first use, so ``import trimtab`` stays light.
"""

from typing import Any

from trimtab.storages._base import BaseStorage
from trimtab.storages._factory import get_storage
from trimtab.storages._heartbeat import fail_stale_trials
from trimtab.storages._in_memory import InMemoryStorage
from trimtab.storages._retry import RetryFailedTrialCallback, RetryHeartbeatStaleTrialCallback
from trimtab.storages.journal._base import BaseJournalLogStorage
from trimtab.storages.journal._file import DeprecatedJournalFileOpenLock as JournalFileOpenLock
from trimtab.storages.journal._file import (
    DeprecatedJournalFileSymlinkLock as JournalFileSymlinkLock,
)
from trimtab.storages.journal._file import JournalFileStorage
from trimtab.storages.journal._redis import JournalRedisStorage
from trimtab.storages.journal._storage import JournalStorage


def __getattr__(name: str) -> Any:
    if name == "RDBStorage":
        from trimtab.storages._rdb import RDBStorage

        return RDBStorage
    raise AttributeError(f"module 'trimtab.storages' has no attribute {name!r}")


__all__ = [
    "BaseJournalLogStorage",
    "BaseStorage",
    "InMemoryStorage",
    "JournalFileOpenLock",
    "JournalFileStorage",
    "JournalFileSymlinkLock",
    "JournalRedisStorage",
    "JournalStorage",
    "RDBStorage",
    "RetryFailedTrialCallback",
    "RetryHeartbeatStaleTrialCallback",
    "fail_stale_trials",
    "get_storage",
]

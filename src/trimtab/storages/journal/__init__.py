"""Journal storage: an append-only log of operations, on a file or in Redis (Optuna's format)."""

from trimtab.storages.journal._base import BaseJournalBackend, BaseJournalSnapshot
from trimtab.storages.journal._file import (
    BaseJournalFileLock,
    JournalFileBackend,
    JournalFileOpenLock,
    JournalFileSymlinkLock,
)
from trimtab.storages.journal._redis import JournalRedisBackend
from trimtab.storages.journal._storage import JournalStorage

__all__ = [
    "BaseJournalBackend",
    "BaseJournalFileLock",
    "BaseJournalSnapshot",
    "JournalFileBackend",
    "JournalFileOpenLock",
    "JournalFileSymlinkLock",
    "JournalRedisBackend",
    "JournalStorage",
]

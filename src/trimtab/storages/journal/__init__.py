"""Journal storage: an append-only log of operations, on a file or in Redis (Optuna's format)."""

from trimtab.storages.journal._base import (
    BaseJournalBackend,
    BaseJournalSnapshot,
    JournalCorruptedError,
)
from trimtab.storages.journal._file import (
    BaseJournalFileLock,
    JournalFileBackend,
    JournalFileOpenLock,
    JournalFileSymlinkLock,
)
from trimtab.storages.journal._redis import JournalRedisBackend
from trimtab.storages.journal._repair import (
    JournalRepairReport,
    repair_journal_file,
    repair_journal_redis,
)
from trimtab.storages.journal._storage import JournalStorage

__all__ = [
    "BaseJournalBackend",
    "BaseJournalFileLock",
    "BaseJournalSnapshot",
    "JournalCorruptedError",
    "JournalFileBackend",
    "JournalFileOpenLock",
    "JournalFileSymlinkLock",
    "JournalRedisBackend",
    "JournalRepairReport",
    "JournalStorage",
    "repair_journal_file",
    "repair_journal_redis",
]

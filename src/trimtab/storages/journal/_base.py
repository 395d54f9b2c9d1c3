"""Journal backends: where the log lives."""

from __future__ import annotations

import abc
import json
from collections.abc import Iterable
from typing import Any

from trimtab import _warnings
from trimtab.exceptions import StorageInternalError

REPAIR_COMMAND = "trimtab storage repair-journal"


class JournalCorruptedError(StorageInternalError):
    """A record before the end of a journal cannot be read, so the journal cannot be replayed.

    Skipping it would renumber every later trial (trial ids are the order of the records), so
    loading stops instead. ``trimtab storage repair-journal`` copies the readable records
    before it to a new journal.

    Attributes:
        location: the journal file or Redis key holding the damaged record.
        record_number: 1-based number of the damaged record (the line, for a file).
    """

    def __init__(self, location: str, record_number: int, detail: str) -> None:
        super().__init__(detail)
        self.location = location
        self.record_number = record_number


def parse_record(raw: bytes | str) -> dict[str, Any] | None:
    """The journal record stored as ``raw`` JSON, or None when it is not a record."""
    try:
        record = json.loads(raw)
    except ValueError:
        return None
    return record if isinstance(record, dict) and "op_code" in record else None


class BaseJournalBackend(abc.ABC):
    """An append-only, process-safe list of log records (JSON-serialisable dicts).

    ``append_logs`` must be atomic with respect to other writers; ``read_logs(n)`` returns
    the records from number ``n`` (0-based) on, in the same order for every reader, and raises
    ``JournalCorruptedError`` rather than skip a record it cannot read.
    """

    @abc.abstractmethod
    def read_logs(self, log_number_from: int) -> Iterable[dict[str, Any]]:
        """Return the records numbered ``log_number_from`` and later."""

    @abc.abstractmethod
    def append_logs(self, logs: list[dict[str, Any]]) -> None:
        """Append ``logs`` atomically, in order."""


class BaseJournalSnapshot(abc.ABC):
    """A backend that can also keep a snapshot of the replayed state (faster start-up)."""

    @abc.abstractmethod
    def save_snapshot(self, snapshot: bytes) -> None:
        """Store ``snapshot``, replacing the previous one."""

    @abc.abstractmethod
    def load_snapshot(self) -> bytes | None:
        """Return the stored snapshot, or None."""


class BaseJournalLogStorage(BaseJournalBackend):
    """Deprecated name of ``BaseJournalBackend`` (since 4.0.0)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _warnings.warn_deprecated(
            "BaseJournalLogStorage", "4.0.0", "6.0.0", "trimtab.storages.journal.BaseJournalBackend"
        )

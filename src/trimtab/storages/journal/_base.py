"""Journal backends: where the log lives."""

from __future__ import annotations

import abc
from collections.abc import Iterable
from typing import Any

from trimtab import _warnings


class BaseJournalBackend(abc.ABC):
    """An append-only, process-safe list of log records (JSON-serialisable dicts).

    ``append_logs`` must be atomic with respect to other writers; ``read_logs(n)`` returns
    the records from number ``n`` (0-based) on, in the same order for every reader.
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

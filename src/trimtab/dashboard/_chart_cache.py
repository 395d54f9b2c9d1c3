"""A bounded cache of encoded chart answers: least recently used first out, sized in bytes.

Keys are built by the chart handler from *validated* arguments only (study, chart kind,
objective index, parameter names, ...), never from the raw query string, so junk query
parameters cannot create entries. Each entry remembers the study cursor it was computed at;
an entry for an older cursor is replaced, not added next to it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

DEFAULT_MAX_BYTES = 64 * 1024 * 1024


class ChartCache:
    """Thread-safe LRU map ``key -> (cursor, encoded answer)`` holding at most ``max_bytes``."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        if max_bytes < 0:
            raise ValueError(f"max_bytes must be >= 0, got {max_bytes}.")
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, tuple[int, bytes]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable, cursor: int) -> bytes | None:
        """Return the answer stored for ``key`` at ``cursor`` (None when absent or stale)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != cursor:
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key: Hashable, cursor: int, content: bytes) -> None:
        """Store an answer, evicting the least recently used ones to stay within the bound.

        An answer larger than the whole bound is not stored.
        """
        with self._lock:
            self._discard(key)
            if len(content) > self.max_bytes:
                return
            self._entries[key] = (cursor, content)
            self._bytes += len(content)
            while self._bytes > self.max_bytes:
                oldest = next(iter(self._entries))
                self._discard(oldest)

    def drop_study(self, study_id: int) -> None:
        """Forget every answer of a study (keys start with its id)."""
        with self._lock:
            for key in [k for k in self._entries if isinstance(k, tuple) and k[0] == study_id]:
                self._discard(key)

    def _discard(self, key: Hashable) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= len(entry[1])

    @property
    def n_bytes(self) -> int:
        """The bytes held now."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

"""``JournalRedisBackend``: the journal in Redis (one key per record, Optuna's layout)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from trimtab import _warnings
from trimtab.storages.journal._base import (
    REPAIR_COMMAND,
    BaseJournalBackend,
    BaseJournalSnapshot,
    JournalCorruptedError,
    parse_record,
)

_APPEND_SCRIPT = (
    "local i = redis.call('incr', string.format('%s:log_number', ARGV[1])) "
    "redis.call('set', string.format('%s:log:%d', ARGV[1], i), ARGV[2])"
)
_BATCH = 1000
_FIRST_WINDOW = 8


def _import_redis() -> Any:
    try:
        import redis
    except ImportError as err:
        raise ImportError(
            'JournalRedisBackend needs the redis package: pip install "trimtab[redis]"'
        ) from err
    return redis


class JournalRedisBackend(BaseJournalBackend, BaseJournalSnapshot):
    """The journal in Redis: ``<prefix>:log_number`` and ``<prefix>:log:<n>`` keys.

    Args:
        url: a Redis URL, e.g. ``redis://localhost:6379/0``.
        use_cluster: set for Redis Cluster (appends are then not atomic scripts).
        prefix: prefix of every key, so several journals can share one server.
    """

    def __init__(self, url: str, use_cluster: bool = False, prefix: str = "") -> None:
        _warnings.warn_experimental("JournalRedisBackend", "3.1.0")
        self._url = url
        self._use_cluster = use_cluster
        self._prefix = prefix
        self._counter_ready = False
        self._redis = _import_redis().Redis.from_url(url)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_redis"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._counter_ready = False
        self._redis = _import_redis().Redis.from_url(self._url)

    def _log_key(self, log_number: int) -> str:
        return f"{self._prefix}:log:{log_number}"

    def read_logs(self, log_number_from: int) -> Iterator[dict[str, Any]]:
        """Yield the records numbered ``log_number_from`` and later.

        Reads windows of keys with MGET until a key is missing: one round trip when little is
        new. A missing key ends the read, so a record numbered but not yet written (possible
        only with ``use_cluster``) is read next time, in order.
        """
        number = log_number_from
        window = _FIRST_WINDOW
        while True:
            records = self._redis.mget([self._log_key(n) for n in range(number, number + window)])
            for raw in records:
                if raw is None:
                    return
                record = parse_record(raw)
                if record is None:
                    raise self._damaged(number, raw)
                yield record
                number += 1
            window = min(window * 4, _BATCH)

    def _damaged(self, number: int, raw: bytes) -> JournalCorruptedError:
        key = self._log_key(number)
        return JournalCorruptedError(
            key,
            number + 1,
            f"The Redis journal at {self._url} is damaged: key {key!r} holds {raw[:80]!r}, "
            "which is not a journal record. The records after it cannot be replayed without "
            "renumbering trials, so the journal is not loaded. Copy the readable records "
            f"before it to a new prefix with `{REPAIR_COMMAND} {self._url} "
            f"--redis-prefix {self._prefix!r} --output NEW_PREFIX` and use that prefix.",
        )

    def append_logs(self, logs: list[dict[str, Any]]) -> None:
        """Append records; each gets the next number atomically."""
        if not self._counter_ready:
            self._redis.setnx(f"{self._prefix}:log_number", -1)
            self._counter_ready = True
        for log in logs:
            text = json.dumps(log)
            if self._use_cluster:
                number = self._redis.incr(f"{self._prefix}:log_number", 1)
                self._redis.set(self._log_key(number), text)
            else:
                self._redis.eval(_APPEND_SCRIPT, 0, self._prefix, text)

    def save_snapshot(self, snapshot: bytes) -> None:
        """Store a snapshot of trimtab's replay state (a key Optuna does not read)."""
        self._redis.set(f"{self._prefix}:trimtab_snapshot", snapshot)

    def load_snapshot(self) -> bytes | None:
        """Return trimtab's stored snapshot, or None."""
        return self._redis.get(f"{self._prefix}:trimtab_snapshot")


class JournalRedisStorage(JournalRedisBackend):
    """Deprecated name of ``trimtab.storages.journal.JournalRedisBackend`` (since 4.0.0)."""

    def __init__(self, url: str, use_cluster: bool = False, prefix: str = "") -> None:
        _warnings.warn_deprecated(
            "JournalRedisStorage", "4.0.0", "6.0.0", "trimtab.storages.journal.JournalRedisBackend"
        )
        super().__init__(url, use_cluster, prefix)

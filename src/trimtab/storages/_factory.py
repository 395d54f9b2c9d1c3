"""``get_storage``: turn ``None``, a URL or a storage object into a storage."""

from __future__ import annotations

from trimtab.storages._base import BaseStorage
from trimtab.storages._in_memory import InMemoryStorage


def get_storage(storage: None | str | BaseStorage) -> BaseStorage:
    """Return an ``InMemoryStorage`` for None, an RDB storage for a URL, or ``storage`` itself.

    Raises:
        ValueError: the URL names a backend that cannot be opened from a URL string
            (``redis://`` needs ``JournalStorage(JournalRedisBackend(url))``).
    """
    if storage is None:
        return InMemoryStorage()
    if isinstance(storage, str):
        if storage.startswith("redis"):
            raise ValueError(
                "RedisStorage is removed. Use "
                "trimtab.storages.JournalStorage(trimtab.storages.journal.JournalRedisBackend"
                f"({storage!r})) instead."
            )
        from trimtab.storages._rdb import open_rdb_storage

        return open_rdb_storage(storage)
    if isinstance(storage, BaseStorage):
        return storage
    raise TypeError(
        f"`storage` must be None, a URL string or a BaseStorage, got {type(storage).__name__}."
    )

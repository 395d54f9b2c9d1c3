"""``optuna.storages._cached_storage`` once trimtab serves ``import optuna``.

Optuna wraps RDB storages in a ``_CachedStorage``; optuna-integration's Lightning callback
tests ``isinstance(storage, _CachedStorage)`` to allow distributed (DDP) training. trimtab
caches inside its storages instead, so no trimtab storage is a ``_CachedStorage``: that check
is False, as it is in Optuna for a storage without the wrapper.
"""

from __future__ import annotations

from trimtab.storages import BaseStorage


class _CachedStorage(BaseStorage):
    """Optuna's RDB cache wrapper, which trimtab does not use (never instantiated)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        raise TypeError("trimtab has no _CachedStorage: its RDB storage caches by itself.")


__all__: list[str] = []

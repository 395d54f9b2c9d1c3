"""Optuna's module path ``optuna.storages._rdb.storage`` (re-export)."""

from trimtab.storages._rdb._storage import RDBStorage

__all__ = ["RDBStorage"]

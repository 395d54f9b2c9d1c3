"""The RDB storage (SQLite, PostgreSQL, MySQL) in Optuna's schema."""

from trimtab.storages._rdb._storage import RDBStorage


def open_rdb_storage(url: str) -> RDBStorage:
    """Open the storage a URL string given to ``create_study``/``load_study`` names."""
    return RDBStorage(url)


__all__ = ["RDBStorage", "open_rdb_storage"]

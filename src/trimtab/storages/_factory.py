"""Turning a storage string into a storage: the one rule the library, the CLI and the dashboard
share.

A *storage location* is read as follows (:func:`open_storage`):

1. ``storage_class`` given (the CLI's ``--storage-class``): that backend, whatever the string.
2. ``redis://``, ``rediss://`` or ``unix://``: a journal on Redis
   (``JournalStorage(JournalRedisBackend(url))``).
3. Any other ``scheme://...``: a SQLAlchemy URL (``RDBStorage(url)``): ``sqlite:///study.db``,
   ``postgresql+psycopg2://...``, ``mysql+pymysql://...``.
4. An existing file: a journal file (``JournalStorage(JournalFileBackend(path))``); a SQLite
   database file is refused with a hint to write ``sqlite:///path``.
5. A path ending in ``.log`` or ``.jsonl``: a new journal file (unless ``create=False``).
6. Anything else is an error that names the string.

The command line takes the location from ``--storage`` (before or after the sub-command,
for ``trimtab dashboard`` also as its positional argument), else from the ``TRIMTAB_STORAGE``
environment variable, else from ``OPTUNA_STORAGE`` (:func:`storage_location`).
"""

from __future__ import annotations

import os
from typing import Any

from trimtab.storages._base import BaseStorage
from trimtab.storages._in_memory import InMemoryStorage

STORAGE_ENVIRONMENT_VARIABLES = ("TRIMTAB_STORAGE", "OPTUNA_STORAGE")
STORAGE_CLASSES = (
    "RDBStorage",
    "JournalFileBackend",
    "JournalRedisBackend",
    "JournalFileStorage",
    "JournalRedisStorage",
)
_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
_JOURNAL_SUFFIXES = (".log", ".jsonl")
_SQLITE_MAGIC = b"SQLite format 3\x00"


def get_storage(storage: None | str | BaseStorage) -> BaseStorage:
    """Return the storage that ``create_study``/``load_study``'s ``storage`` argument names.

    Args:
        storage: ``None`` for a new :class:`~trimtab.storages.InMemoryStorage`, a storage
            location string (see :func:`open_storage`), or a storage, returned as is.

    Returns:
        The storage.

    Raises:
        TypeError: ``storage`` is of another type.
        ValueError: the string is neither a URL nor a journal file.

    Example:
        >>> import trimtab
        >>> type(trimtab.storages.get_storage(None)).__name__
        'InMemoryStorage'
    """
    if storage is None:
        return InMemoryStorage()
    if isinstance(storage, str):
        return open_storage(storage)
    if isinstance(storage, BaseStorage):
        return storage
    raise TypeError(
        f"`storage` must be None, a URL string or a BaseStorage, got {type(storage).__name__}."
    )


def open_storage(
    location: str, storage_class: str | None = None, *, create: bool = True, **options: Any
) -> BaseStorage:
    """Open the storage a location string names, by the rule of this module's docstring.

    Args:
        location: A SQLAlchemy URL, a Redis URL or a journal file path.
        storage_class: Force a backend: ``"RDBStorage"``, ``"JournalFileBackend"`` or
            ``"JournalRedisBackend"`` (Optuna's ``JournalFileStorage``/``JournalRedisStorage``
            are accepted too).
        create: Whether a missing ``*.log``/``*.jsonl`` journal file may be created (the
            dashboard, which only shows what exists, passes False).
        options: Keyword arguments of the storage's constructor (``heartbeat_interval``,
            ``grace_period``, ``heartbeat_stale_trial_callback``, ...).

    Returns:
        The opened storage.

    Raises:
        ValueError: ``location`` is empty, neither a URL nor a journal file, a SQLite file
            given as a path, or ``storage_class`` is unknown.
    """
    if not isinstance(location, str) or not location:
        raise ValueError(f"The storage location must be a non-empty string, got {location!r}.")
    kind = storage_class or _kind_of(location, create)
    if kind == "RDBStorage":
        from trimtab.storages._rdb import RDBStorage

        return RDBStorage(location, **options)
    from trimtab.storages.journal import JournalFileBackend, JournalRedisBackend, JournalStorage

    if kind in ("JournalRedisBackend", "JournalRedisStorage"):
        return JournalStorage(JournalRedisBackend(location), **options)
    if kind in ("JournalFileBackend", "JournalFileStorage"):
        return JournalStorage(JournalFileBackend(location), **options)
    raise ValueError(
        f"Unknown storage class {storage_class!r}; use one of {', '.join(STORAGE_CLASSES)}."
    )


def _kind_of(location: str, create: bool) -> str:
    if location.startswith(_REDIS_SCHEMES):
        return "JournalRedisBackend"
    if "://" in location:
        return "RDBStorage"
    if os.path.isfile(location):
        with open(location, "rb") as file:
            if file.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC:
                raise ValueError(
                    f"{location!r} is a SQLite database: give it as a URL, 'sqlite:///{location}'."
                )
        return "JournalFileBackend"
    if location.endswith(_JOURNAL_SUFFIXES):
        if not create:
            raise ValueError(f"No journal file at {location!r}.")
        return "JournalFileBackend"
    raise ValueError(
        f"The storage {location!r} is neither a URL (sqlite:///study.db, postgresql://..., "
        "redis://...) nor a journal file (an existing file, or a new *.log file)."
    )


def storage_location(given: str | None) -> str | None:
    """``given`` if set, else ``$TRIMTAB_STORAGE``, else ``$OPTUNA_STORAGE``, else None."""
    if given:
        return given
    for variable in STORAGE_ENVIRONMENT_VARIABLES:
        value = os.environ.get(variable)
        if value:
            return value
    return None

"""Storages: where studies and trials are recorded."""

from trimtab.storages._base import BaseStorage
from trimtab.storages._factory import get_storage
from trimtab.storages._in_memory import InMemoryStorage

__all__ = ["BaseStorage", "InMemoryStorage", "get_storage"]

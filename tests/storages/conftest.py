"""Storage backends on real servers, isolated per test session.

PostgreSQL and MariaDB get a uniquely named database per session (dropped at the end), Redis a
unique key prefix per storage. A missing server skips its tests locally and fails them in CI
(``CI=true``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from storage_backends import BACKENDS, REDIS_URL, open_storage
from storage_servers import _databases, _ServerDatabase, redis_client, storage_url

from trimtab.storages import BaseStorage

__all__ = ["BACKENDS", "REDIS_URL", "open_storage"]


@pytest.fixture(scope="session", autouse=True)
def _drop_server_databases() -> Iterator[None]:
    yield
    for found in _databases.values():
        if isinstance(found, _ServerDatabase):
            found.drop()


@pytest.fixture(params=BACKENDS)
def backend(request: Any) -> str:
    return str(request.param)


@pytest.fixture()
def storage_factory(
    backend: str, tmp_path: Any
) -> Iterator[Callable[..., tuple[BaseStorage, str]]]:
    """Make fresh storages of the parametrised backend; release their connections after."""
    made: list[tuple[BaseStorage, str]] = []

    def make(**kwargs: Any) -> tuple[BaseStorage, str]:
        location = storage_url(backend, tmp_path)
        storage = open_storage(backend, location, **kwargs)
        made.append((storage, location))
        return storage, location

    yield make
    for storage, location in made:
        engine = getattr(storage, "engine", None)
        if engine is not None:
            engine.dispose()
        if backend == "journal_redis":
            client = redis_client()
            keys = list(client.scan_iter(match=f"{location}:*"))
            if keys:
                client.delete(*keys)

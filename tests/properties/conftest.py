"""Backends for the property tests: in-memory plus every persistent backend of tests/storages."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from property_backends import PROPERTY_BACKENDS, TRIED, Backend
from storage_servers import _databases, _ServerDatabase


@pytest.fixture(scope="session", autouse=True)
def _drop_server_databases() -> Iterator[None]:
    yield
    for found in _databases.values():
        if isinstance(found, _ServerDatabase):
            found.drop()


@pytest.fixture(params=PROPERTY_BACKENDS)
def backend(request: Any) -> str:
    return str(request.param)


@pytest.fixture()
def make_backend(backend: str, tmp_path: Path) -> Iterator[Callable[[], Backend]]:
    made: list[Backend] = []

    def make() -> Backend:
        found = Backend(backend, tmp_path)
        made.append(found)
        return found

    yield make
    for found in made:
        found.close()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """End the run with how many examples each category tried on each backend."""
    for (category, backend), count in sorted(TRIED.items()):
        terminalreporter.write_line(f"hypothesis examples: {category:28s} {backend:14s} {count}")

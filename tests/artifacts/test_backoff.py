"""``Backoff`` retries a failing store, rewinds the body, and never retries a missing id."""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO

import pytest

from trimtab.artifacts import ArtifactNotFound, Backoff, FileSystemArtifactStore


class _FailsFirst:
    """A file-system store whose first ``n`` calls fail half-way, like a flaky network."""

    def __init__(self, base: Path, n: int) -> None:
        self.inner = FileSystemArtifactStore(base)
        self.failures_left = n
        self.calls = 0

    def _maybe_fail(self, body: BinaryIO | None = None) -> None:
        self.calls += 1
        if self.failures_left > 0:
            self.failures_left -= 1
            if body is not None:
                body.read(3)  # consumed part of the body before failing
            raise ConnectionError("flaky")

    def open_reader(self, artifact_id: str) -> BinaryIO:
        self._maybe_fail()
        return self.inner.open_reader(artifact_id)

    def write(self, artifact_id: str, content_body: BinaryIO) -> None:
        self._maybe_fail(content_body)
        self.inner.write(artifact_id, content_body)

    def remove(self, artifact_id: str) -> None:
        self._maybe_fail()
        self.inner.remove(artifact_id)


def test_write_is_retried_from_the_start_of_the_body(tmp_path: Path) -> None:
    flaky = _FailsFirst(tmp_path, n=2)
    store = Backoff(flaky, min_delay=0.001, max_delay=0.002)
    store.write("a", io.BytesIO(b"complete body"))
    assert flaky.calls == 3
    with store.open_reader("a") as reader:
        assert reader.read() == b"complete body"
    store.remove("a")
    assert not (tmp_path / "a").exists()


def test_gives_up_after_max_retries(tmp_path: Path) -> None:
    flaky = _FailsFirst(tmp_path, n=5)
    store = Backoff(flaky, max_retries=3, min_delay=0.001, max_delay=0.002)
    with pytest.raises(ConnectionError):
        store.write("a", io.BytesIO(b"x"))
    assert flaky.calls == 3


def test_missing_artifact_is_not_retried(tmp_path: Path) -> None:
    flaky = _FailsFirst(tmp_path, n=0)
    store = Backoff(flaky, min_delay=0.001, max_delay=0.002)
    with pytest.raises(ArtifactNotFound):
        store.open_reader("missing")
    with pytest.raises(ArtifactNotFound):
        store.remove("missing")
    assert flaky.calls == 2


def test_delays_grow_and_are_capped() -> None:
    store = Backoff(FileSystemArtifactStore("."))
    assert [store._delay(i) for i in range(10)] == pytest.approx(
        [0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 30]
    )


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"max_retries": 0}, "max_retries"),
        ({"multiplier": 0}, "multiplier"),
        ({"min_delay": -1}, "min_delay"),
        ({"min_delay": 2, "max_delay": 1}, "max_delay"),
    ],
)
def test_bad_arguments(kwargs: dict[str, float], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        Backoff(FileSystemArtifactStore("."), **kwargs)  # type: ignore[arg-type]

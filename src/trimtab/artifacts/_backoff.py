"""``Backoff``: retry a flaky artifact store with exponentially growing pauses."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, BinaryIO, TypeVar

from trimtab import logging
from trimtab.artifacts.exceptions import ArtifactNotFound

if TYPE_CHECKING:
    from trimtab.artifacts._protocol import ArtifactStore

_logger = logging.get_logger(__name__)
_T = TypeVar("_T")


class Backoff:
    """Wrap an artifact store so that failed calls are retried after a pause.

    The pause before retry ``i`` (from 0) is ``min(min_delay * multiplier**i, max_delay)``
    seconds; ``ArtifactNotFound`` is not retried.

    Args:
        backend: the store to wrap.
        max_retries: how many attempts in all before the last error is raised.
        multiplier: growth factor of the pause.
        min_delay: the first pause, in seconds.
        max_delay: the longest pause, in seconds.

    Raises:
        ValueError: a non-positive count, factor or delay, or ``max_delay <= min_delay``.
    """

    def __init__(
        self,
        backend: ArtifactStore,
        *,
        max_retries: int = 10,
        multiplier: float = 2,
        min_delay: float = 0.1,
        max_delay: float = 30,
    ) -> None:
        for name, value in (
            ("max_retries", max_retries),
            ("multiplier", multiplier),
            ("min_delay", min_delay),
        ):
            if not value > 0:
                raise ValueError(f"`{name}` must be positive, got {value}.")
        if not max_delay > min_delay:
            raise ValueError(
                f"`max_delay` ({max_delay}) must be greater than `min_delay` ({min_delay})."
            )
        self._backend = backend
        self._max_retries = max_retries
        self._multiplier = multiplier
        self._min_delay = min_delay
        self._max_delay = max_delay

    def _delay(self, n_retry: int) -> float:
        return min(self._min_delay * self._multiplier**n_retry, self._max_delay)

    def _retry(self, what: str, call: Callable[[], _T], rewind: Callable[[], bool]) -> _T:
        """Run ``call`` until it succeeds; ``rewind`` prepares a retry, or says it cannot."""
        for attempt in range(self._max_retries):
            try:
                return call()
            except ArtifactNotFound:
                raise
            except Exception as err:
                if attempt == self._max_retries - 1 or not rewind():
                    raise
                _logger.error(f"Failed to {what} (retry {attempt}).", exc_info=err)
            time.sleep(self._delay(attempt))
        raise AssertionError("unreachable")  # the loop returns or raises

    def open_reader(self, artifact_id: str) -> BinaryIO:
        return self._retry(
            f"open artifact={artifact_id}",
            lambda: self._backend.open_reader(artifact_id),
            lambda: True,
        )

    def write(self, artifact_id: str, content_body: BinaryIO) -> None:
        start = content_body.tell() if content_body.seekable() else None

        def rewind() -> bool:
            if start is None:  # a body that cannot be re-read cannot be written again
                return False
            content_body.seek(start)
            return True

        self._retry(
            f"write artifact={artifact_id}",
            lambda: self._backend.write(artifact_id, content_body),
            rewind,
        )

    def remove(self, artifact_id: str) -> None:
        self._retry(
            f"remove artifact={artifact_id}",
            lambda: self._backend.remove(artifact_id),
            lambda: True,
        )

"""Heartbeats: running trials prove they are alive (failing stale ones is ``trimtab.study``'s)."""

from __future__ import annotations

import abc
import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

from trimtab import logging
from trimtab.storages._base import BaseStorage
from trimtab.trial._frozen import FrozenTrial

_logger = logging.get_logger(__name__)

#: What a storage runs for each trial failed as stale: ``callback(study, trial)``, with the
#: ``trimtab.Study`` (typed ``Any`` so that storages stay below ``trimtab.study``). The
#: implementations (``fail_stale_trials``, ``RetryHeartbeatStaleTrialCallback``) live in
#: ``trimtab.study._stale_trials``.
StaleTrialCallback = Callable[[Any, FrozenTrial], None]


class BaseHeartbeat(abc.ABC):
    """A storage that records heartbeats of running trials and finds the stale ones."""

    @abc.abstractmethod
    def record_heartbeat(self, trial_id: int) -> None:
        """Record that ``trial_id`` is alive now."""

    @abc.abstractmethod
    def _get_stale_trial_ids(self, study_id: int) -> list[int]:
        """Return RUNNING trials whose last heartbeat is older than the grace period."""

    @abc.abstractmethod
    def get_heartbeat_interval(self) -> int | None:
        """Seconds between heartbeats, or None when heartbeats are off."""

    @abc.abstractmethod
    def get_heartbeat_stale_trial_callback(self) -> StaleTrialCallback | None:
        """The callback run for each trial failed as stale, if any."""

    def get_failed_trial_callback(self) -> StaleTrialCallback | None:
        """Deprecated name of ``get_heartbeat_stale_trial_callback``."""
        return self.get_heartbeat_stale_trial_callback()


def is_heartbeat_enabled(storage: BaseStorage) -> bool:
    """Return True when ``storage`` records heartbeats."""
    return isinstance(storage, BaseHeartbeat) and storage.get_heartbeat_interval() is not None


def stale_trial_ids(storage: BaseStorage, study_id: int) -> list[int]:
    """The study's RUNNING trials whose heartbeat stopped (none when heartbeats are off).

    ``_get_stale_trial_ids`` keeps Optuna's name for implementers of ``BaseHeartbeat``;
    code outside ``trimtab.storages`` asks through this function instead.
    """
    if not isinstance(storage, BaseHeartbeat) or not is_heartbeat_enabled(storage):
        return []
    return storage._get_stale_trial_ids(study_id)


@contextlib.contextmanager
def heartbeat_thread(trial_id: int, storage: BaseStorage) -> Iterator[None]:
    """Record heartbeats for ``trial_id`` in a background thread while the block runs."""
    if not isinstance(storage, BaseHeartbeat) or not is_heartbeat_enabled(storage):
        yield
        return
    interval = storage.get_heartbeat_interval()
    assert interval is not None
    stop = threading.Event()

    def beat() -> None:
        while True:
            try:
                storage.record_heartbeat(trial_id)
            except Exception as err:  # a missed beat is retried next interval
                _logger.warning(f"Failed to record a heartbeat for trial {trial_id}: {err!r}")
            if stop.wait(interval):
                return

    thread = threading.Thread(target=beat, name=f"trimtab-heartbeat-{trial_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()

"""Heartbeats of ``RDBStorage``, in Optuna's ``trial_heartbeats`` table (database clock)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from trimtab import _warnings
from trimtab.storages._heartbeat import StaleTrialCallback
from trimtab.storages._rdb import _schema as s
from trimtab.storages._rdb._statements import update_then_insert

if TYPE_CHECKING:
    from trimtab.storages._rdb._engine import EngineHandle


def check_heartbeat_arguments(
    heartbeat_interval: int | None,
    grace_period: int | None,
    stale_callback: StaleTrialCallback | None,
    failed_callback: StaleTrialCallback | None,
) -> StaleTrialCallback | None:
    """Validate the heartbeat arguments as Optuna does; return the stale-trial callback."""
    if heartbeat_interval is not None:
        if heartbeat_interval <= 0:
            raise ValueError("The value of `heartbeat_interval` should be a positive integer.")
        _warnings.warn(
            "Argument ``heartbeat_interval`` is an experimental feature. The interface can "
            "change in the future.",
            _experimental_warning(),
        )
    if grace_period is not None and grace_period <= 0:
        raise ValueError("The value of `grace_period` should be a positive integer.")
    if stale_callback is not None and failed_callback is not None:
        raise ValueError(
            "Specify only one of `heartbeat_stale_trial_callback` and `failed_trial_callback`."
        )
    if failed_callback is not None:
        _warnings.warn(
            "`failed_trial_callback` has been deprecated in v4.9.0. This feature will be "
            "removed in v6.0.0. Use `heartbeat_stale_trial_callback` instead.",
            FutureWarning,
        )
    return stale_callback or failed_callback


def _experimental_warning() -> type[Warning]:
    from trimtab.exceptions import ExperimentalWarning

    return ExperimentalWarning


class HeartbeatMixin:
    """Heartbeat half of ``RDBStorage`` (the ``BaseHeartbeat`` methods)."""

    _handle: EngineHandle

    def _init_heartbeat(
        self,
        heartbeat_interval: int | None,
        grace_period: int | None,
        stale_callback: StaleTrialCallback | None,
        failed_callback: StaleTrialCallback | None,
    ) -> None:
        callback = check_heartbeat_arguments(
            heartbeat_interval, grace_period, stale_callback, failed_callback
        )
        self.heartbeat_interval = heartbeat_interval
        self.grace_period = grace_period
        self.heartbeat_stale_trial_callback = callback
        self.failed_trial_callback = callback

    def record_heartbeat(self, trial_id: int) -> None:
        """Record that ``trial_id`` is alive now (by the database's clock)."""

        def write(conn: Connection) -> None:
            row = {"trial_id": trial_id, "heartbeat": func.current_timestamp()}
            update_then_insert(conn, s.trial_heartbeats, row, ("trial_id",))

        self._handle.write(write)

    def _get_stale_trial_ids(self, study_id: int) -> list[int]:
        if self.heartbeat_interval is None:
            return []
        grace = datetime.timedelta(
            seconds=self.grace_period
            if self.grace_period is not None
            else 2 * self.heartbeat_interval
        )
        t, h = s.trials, s.trial_heartbeats

        def read(conn: Connection) -> list[int]:
            now: Any = conn.execute(select(func.current_timestamp())).scalar()
            now = now.replace(tzinfo=None)
            rows = conn.execute(
                select(t.c.trial_id, h.c.heartbeat)
                .join(h, h.c.trial_id == t.c.trial_id)
                .where((t.c.study_id == study_id) & (t.c.state == "RUNNING"))
            )
            return [trial_id for trial_id, beat in rows if now - beat > grace]

        return self._handle.read(read)

    def get_heartbeat_interval(self) -> int | None:
        """Seconds between heartbeats, or None when heartbeats are off."""
        return self.heartbeat_interval

    def get_heartbeat_stale_trial_callback(self) -> StaleTrialCallback | None:
        """The callback run for each trial failed as stale, if any."""
        return self.heartbeat_stale_trial_callback

"""Stale trials: failing them when their worker died, and retrying them.

This is study behaviour (it adds trials and runs callbacks with the study), so it lives here;
storages only record heartbeats and hold the ``StaleTrialCallback`` (one type, defined in
``trimtab.storages._heartbeat``). ``trimtab.storages`` re-exports these names lazily under
Optuna's paths (``optuna.storages.fail_stale_trials``, ``RetryFailedTrialCallback``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trimtab import _warnings, logging
from trimtab.storages._heartbeat import BaseHeartbeat, is_heartbeat_enabled, stale_trial_ids
from trimtab.trial import FrozenTrial, TrialState, create_trial

if TYPE_CHECKING:
    from trimtab.study._study import Study

_logger = logging.get_logger(__name__)


def fail_stale_trials(study: Study) -> None:
    """Mark the study's stale RUNNING trials FAIL and run the stale-trial callback on each.

    Safe to call from many workers at once: a trial is failed (and its callback run) by
    exactly one of them.
    """
    storage = study.storage
    if not isinstance(storage, BaseHeartbeat) or not is_heartbeat_enabled(storage):
        return
    failed: list[int] = []
    for trial_id in stale_trial_ids(storage, study.study_id):
        try:
            if storage.set_trial_state_values(trial_id, TrialState.FAIL):
                failed.append(trial_id)
        except Exception:  # another worker finished or failed it first
            continue
    callback = storage.get_heartbeat_stale_trial_callback()
    for trial_id in failed:
        trial = storage.get_trial(trial_id)
        _logger.warning(f"Trial {trial.number} failed because its heartbeat stopped.")
        if callback is not None:
            callback(study, trial)


FAILED_TRIAL_KEY = "failed_trial"
RETRY_HISTORY_KEY = "retry_history"


class RetryHeartbeatStaleTrialCallback:
    """Enqueue a copy of each heartbeat-stale trial (WAITING) so that it runs again.

    The copy keeps params, distributions and user attrs; its system attrs record the original
    trial (``failed_trial``) and every earlier attempt (``retry_history``).

    Args:
        max_retry: how many times one trial may be retried (None: without limit).
        inherit_intermediate_values: copy the failed trial's intermediate values too.
    """

    def __init__(
        self, max_retry: int | None = None, inherit_intermediate_values: bool = False
    ) -> None:
        _warnings.warn_experimental(type(self).__name__, "2.8.0")
        if max_retry is not None and (isinstance(max_retry, bool) or max_retry < 0):
            raise ValueError(f"`max_retry` must be None or a non-negative int, got {max_retry!r}.")
        self._max_retry = max_retry
        self._inherit_intermediate_values = inherit_intermediate_values

    def __call__(self, study: Study, trial: FrozenTrial) -> None:
        system_attrs: dict[str, Any] = {
            FAILED_TRIAL_KEY: trial.number,
            RETRY_HISTORY_KEY: [],
            **trial.system_attrs,
        }
        system_attrs[RETRY_HISTORY_KEY] = [*system_attrs[RETRY_HISTORY_KEY], trial.number]
        if self._max_retry is not None and self._max_retry < len(system_attrs[RETRY_HISTORY_KEY]):
            return
        study.add_trial(
            create_trial(
                state=TrialState.WAITING,
                params=trial.params,
                distributions=trial.distributions,
                user_attrs=trial.user_attrs,
                system_attrs=system_attrs,
                intermediate_values=(
                    trial.intermediate_values if self._inherit_intermediate_values else None
                ),
            )
        )

    @staticmethod
    def retried_trial_number(trial: FrozenTrial) -> int | None:
        """The number of the original trial this one retries, or None."""
        _warnings.warn_experimental("retried_trial_number", "2.8.0")
        return trial.system_attrs.get(FAILED_TRIAL_KEY, None)

    @staticmethod
    def retry_history(trial: FrozenTrial) -> list[int]:
        """Numbers of the earlier attempts of this trial, oldest first (empty if none)."""
        _warnings.warn_experimental("retry_history", "3.0.0")
        return list(trial.system_attrs.get(RETRY_HISTORY_KEY, []))


class RetryFailedTrialCallback(RetryHeartbeatStaleTrialCallback):
    """Deprecated alias of ``RetryHeartbeatStaleTrialCallback`` (since 4.9.0)."""

    def __init__(
        self, max_retry: int | None = None, inherit_intermediate_values: bool = False
    ) -> None:
        _warnings.warn(
            "RetryFailedTrialCallback has been deprecated in v4.9.0. This feature will be "
            "removed in v6.0.0. Use `RetryHeartbeatStaleTrialCallback` instead.",
            FutureWarning,
        )
        super().__init__(max_retry, inherit_intermediate_values)

"""Optuna's module path ``optuna.storages._callbacks`` (a lazy re-export from ``trimtab.study``)."""

from trimtab._lazy import lazy_getattr

__getattr__ = lazy_getattr(__name__, {"RetryFailedTrialCallback": "trimtab.study._stale_trials"})

__all__ = ["RetryFailedTrialCallback"]  # noqa: F822 (resolved by __getattr__)

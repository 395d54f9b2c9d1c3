"""Optuna's module path ``optuna.storages._callbacks`` (re-export)."""

from trimtab.storages._retry import RetryFailedTrialCallback

__all__ = ["RetryFailedTrialCallback"]

"""``XGBoostPruningCallback``: report an evaluation metric each boosting round, prune.

The class derives from XGBoost's ``TrainingCallback``, so it is defined (and xgboost
imported) when the name is first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trimtab.integration._imports import import_or_explain, lazy_class_getattr
from trimtab.integration._pruning import report_and_check

if TYPE_CHECKING:
    from trimtab.trial import Trial


def _define() -> type:
    xgb = import_or_explain("xgboost", "xgboost", "XGBoostPruningCallback")

    class XGBoostPruningCallback(xgb.callback.TrainingCallback):  # type: ignore[misc,name-defined]
        """An XGBoost callback that prunes unpromising trials.

        Pass it in ``callbacks`` of ``xgboost.train``/``xgboost.cv`` or of the scikit-learn
        API's estimator.

        Args:
            trial: The trial the objective is evaluating.
            observation_key: ``"<dataset>-<metric>"`` as XGBoost names it in its evaluation
                log, e.g. ``"validation-logloss"`` for ``evals=[(dvalid, "validation")]``, or
                ``"validation_0-logloss"`` with the scikit-learn API's ``eval_set``.
        """

        def __init__(self, trial: Trial, observation_key: str) -> None:
            super().__init__()
            self._trial = trial
            self._observation_key = observation_key
            self._is_cv = False

        def before_training(self, model: Any) -> Any:
            """Note whether XGBoost runs ``train`` or ``cv`` (called by XGBoost)."""
            self._is_cv = not isinstance(model, xgb.Booster)
            return model

        def after_iteration(self, model: Any, epoch: int, evals_log: dict[str, Any]) -> bool:
            """Report the observed metric after a round (called by XGBoost)."""
            latest = {}
            for dataset, metrics in evals_log.items():
                for metric, history in metrics.items():
                    last = history[-1]
                    # xgboost.cv logs (mean, std) pairs.
                    latest[f"{dataset}-{metric}"] = last[0] if self._is_cv else last
            if self._observation_key not in latest:
                raise ValueError(
                    f"XGBoostPruningCallback: observation_key {self._observation_key!r} is not "
                    f"in XGBoost's evaluation log; it holds "
                    f"{sorted(latest) or 'nothing (pass evals)'}."
                )
            report_and_check(self._trial, latest[self._observation_key], epoch)
            return False

    return XGBoostPruningCallback


__getattr__ = lazy_class_getattr(globals(), "XGBoostPruningCallback", _define)

__all__ = ["XGBoostPruningCallback"]  # noqa: F822 (defined on first access)

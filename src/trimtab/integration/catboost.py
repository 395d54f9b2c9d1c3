"""``CatBoostPruningCallback``: report an evaluation metric each iteration, prune after fit.

CatBoost swallows exceptions raised in its callbacks, so the callback stops training by
returning ``False`` and the objective calls :meth:`CatBoostPruningCallback.check_pruned`
after ``fit`` to raise ``TrialPruned`` (as in ``optuna-integration``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trimtab.exceptions import TrialPruned
from trimtab.integration._imports import import_or_explain

if TYPE_CHECKING:
    from trimtab.trial import Trial


class CatBoostPruningCallback:
    """A CatBoost callback that stops unpromising trials.

    Pass it in ``callbacks`` of ``CatBoostClassifier.fit`` (CPU training), then call
    :meth:`check_pruned` after ``fit``.

    Args:
        trial: The trial the objective is evaluating.
        metric: The evaluation metric to report, e.g. ``"Logloss"``, ``"AUC"``.
        eval_set_index: With several ``eval_set`` datasets, the index of the one to watch;
            ``None`` for a single ``eval_set``.

    Raises:
        ImportError: CatBoost is not installed.
    """

    def __init__(self, trial: Trial, metric: str, eval_set_index: int | None = None) -> None:
        import_or_explain("catboost", "catboost", "CatBoostPruningCallback")
        self._trial = trial
        self._metric = metric
        self._valid_name = (
            "validation" if eval_set_index is None else f"validation_{eval_set_index}"
        )
        self._message: str | None = None

    def after_iteration(self, info: Any) -> bool:
        """Report the metric after an iteration (called by CatBoost).

        Returns:
            ``False`` to make CatBoost stop training because the trial is pruned.
        """
        step = info.iteration - 1
        metrics = info.metrics.get(self._valid_name)
        if metrics is None or self._metric not in metrics:
            available = {name: sorted(values) for name, values in info.metrics.items()}
            raise ValueError(
                f"CatBoostPruningCallback: metric {self._metric!r} on {self._valid_name!r} is "
                f"not in CatBoost's evaluation results; they hold {available}."
            )
        self._trial.report(float(metrics[self._metric][-1]), step=step)
        if self._trial.should_prune():
            self._message = f"Trial was pruned at iteration {step}."
            return False
        return True

    def check_pruned(self) -> None:
        """Raise ``TrialPruned`` if training was stopped because the trial is pruned.

        Raises:
            TrialPruned: The pruner stopped this trial during ``fit``.
        """
        if self._message is not None:
            raise TrialPruned(self._message)


__all__ = ["CatBoostPruningCallback"]

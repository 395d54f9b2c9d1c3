"""``LightGBMPruningCallback``: report a validation metric each boosting round, prune."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trimtab.integration._imports import import_or_explain
from trimtab.integration._pruning import report_and_check
from trimtab.study import StudyDirection

if TYPE_CHECKING:
    from trimtab.trial import Trial


class LightGBMPruningCallback:
    """A LightGBM callback that prunes unpromising trials.

    Pass it in ``callbacks`` of ``lightgbm.train`` (or ``lightgbm.cv``, or the scikit-learn
    API's ``fit``); it reports ``metric`` on the validation set ``valid_name`` after each
    boosting round and raises ``TrialPruned`` when the study's pruner says so.

    Args:
        trial: The trial the objective is evaluating.
        metric: The evaluation metric to report, e.g. ``"binary_error"``, ``"auc"``.
        valid_name: The validation set's name (``valid_names`` of ``lightgbm.train``);
            ``lightgbm.cv`` has one, ``"valid"``, and this argument is then ignored.
        report_interval: Report every this many boosting rounds.

    Raises:
        ImportError: LightGBM is not installed.
    """

    def __init__(
        self, trial: Trial, metric: str, valid_name: str = "valid_0", report_interval: int = 1
    ) -> None:
        import_or_explain("lightgbm", "lightgbm", "LightGBMPruningCallback")
        if not isinstance(report_interval, int) or report_interval < 1:
            raise ValueError(f"report_interval must be a positive int, got {report_interval!r}.")
        self._trial = trial
        self._metric = metric
        self._valid_name = valid_name
        self._report_interval = report_interval

    def __call__(self, env: Any) -> None:
        """Report after a boosting round (called by LightGBM)."""
        if (env.iteration + 1) % self._report_interval != 0:
            return
        results = env.evaluation_result_list or []
        # lightgbm.cv gives (dataset, metric, mean, higher_is_better, stdv) and names the
        # held-out folds "valid"; lightgbm.train gives 4-tuples named after valid_names.
        is_cv = len(results) > 0 and len(results[0]) == 5
        target = "valid" if is_cv else self._valid_name
        for result in results:
            dataset, metric, score, higher_is_better = result[:4]
            if dataset == target and metric in (self._metric, f"valid {self._metric}"):
                break
        else:
            available = sorted({f"{r[0]}: {r[1]}" for r in results})
            raise ValueError(
                f"LightGBMPruningCallback: metric {self._metric!r} on validation set "
                f"{target!r} is not in LightGBM's evaluation results; they hold "
                f"{available or 'nothing (pass valid_sets and a metric)'}."
            )
        wanted = StudyDirection.MAXIMIZE if higher_is_better else StudyDirection.MINIMIZE
        if self._trial.study.direction != wanted:
            raise ValueError(
                f"LightGBMPruningCallback: {self._metric!r} is "
                f"{'maximised' if higher_is_better else 'minimised'} by LightGBM but the study "
                f"direction is {self._trial.study.direction.name}; prune on a metric that goes "
                "the study's way."
            )
        report_and_check(self._trial, score, env.iteration)

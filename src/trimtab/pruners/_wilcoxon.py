"""``WilcoxonPruner``: per-instance evaluation, pruned by a signed-rank test against the best."""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import TYPE_CHECKING

import numpy as np

from trimtab import _warnings
from trimtab._study_records import StudyDirection
from trimtab._study_view import best_feasible_trial, view_of
from trimtab.pruners._base import BasePruner
from trimtab.pruners._cache import check_number
from trimtab.pruners._signed_rank import Alternative, signed_rank_pvalue
from trimtab.trial import FrozenTrial

if TYPE_CHECKING:
    from trimtab.study import Study


class WilcoxonPruner(BasePruner):
    """Prune a trial that is significantly worse than the best trial on the same instances.

    For objectives that average a score over instances (folds of a k-fold cross-validation,
    problem instances, ...): report each instance's score with ``trial.report(score, step)``
    using the instance id as ``step``. At each check the scores of the instances both this
    trial and the best COMPLETE trial evaluated are compared by a one-sided Wilcoxon
    signed-rank test (zero differences split between the signs); the trial is pruned when the
    p-value is below ``p_threshold``, unless its average is not worse than the best trial's
    average. Non-finite scores are never pruned (a warning says so). Experimental, as in
    Optuna.

    Args:
        p_threshold: Significance level in ``[0, 1]``; smaller prunes less.
        n_startup_steps: Least number of shared instances before any test.

    Raises:
        ValueError: ``p_threshold`` outside ``[0, 1]`` or negative ``n_startup_steps``.
    """

    def __init__(self, *, p_threshold: float = 0.1, n_startup_steps: int = 2) -> None:
        _warnings.warn_experimental("WilcoxonPruner", "3.6.0")
        check_number("p_threshold", p_threshold)
        check_number("n_startup_steps", n_startup_steps)
        if n_startup_steps < 0:
            raise ValueError(f"n_startup_steps must be nonnegative but got {n_startup_steps}.")
        if not 0.0 <= p_threshold <= 1.0:
            raise ValueError(f"p_threshold must be between 0 and 1 but got {p_threshold}.")
        self._n_startup_steps = n_startup_steps
        self._p_threshold = p_threshold

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        scores = trial.intermediate_values
        if not scores:
            return False
        if not _all_finite(scores.values()):
            _warnings.warn(
                f"The intermediate values of the current trial (trial {trial.number}) "
                "contain infinity/NaNs. WilcoxonPruner will not prune this trial."
            )
            return False
        try:
            best = best_feasible_trial(view_of(study))
        except ValueError:
            return False
        best_scores = best.intermediate_values
        if not best_scores:
            _warnings.warn(
                "The best trial has no intermediate values so WilcoxonPruner cannot prune "
                "trials. If you have added the best trial with Study.add_trial, please "
                "consider setting intermediate_values argument."
            )
            return False
        if not _all_finite(best_scores.values()):
            _warnings.warn(
                f"The intermediate values of the best trial (trial {best.number}) "
                "contain infinity/NaNs. WilcoxonPruner will not prune the current trial."
            )
            return False
        shared = [step for step in scores if step in best_scores]
        if len(shared) < len(scores):
            _warnings.warn(
                "WilcoxonPruner finds steps existing in the current trial but does not exist "
                "in the best trial. Those values are ignored."
            )
        if len(shared) < max(2, self._n_startup_steps):
            return False
        # The test does not depend on the order of the differences.
        diff = np.array([scores[s] for s in shared]) - np.array([best_scores[s] for s in shared])
        return self._significantly_worse(
            study, diff, list(scores.values()), list(best_scores.values())
        )

    def _significantly_worse(
        self, study: Study, diff: np.ndarray, values: list[float], best_values: list[float]
    ) -> bool:
        alternative: Alternative
        # Python sums, as Optuna's, so that ties between the averages break the same way.
        mean, best_mean = sum(values) / len(values), sum(best_values) / len(best_values)
        if study.direction == StudyDirection.MAXIMIZE:
            alternative, average_is_best = "less", best_mean <= mean
        else:
            alternative, average_is_best = "greater", best_mean >= mean
        p = signed_rank_pvalue(diff, alternative)
        if p < self._p_threshold and average_is_best:
            # The test says "worse" but the averages disagree: keep the trial for now.
            return False
        return bool(p < self._p_threshold)


def _all_finite(values: Collection[float]) -> bool:
    # A sum is finite only if every term is; only an overflowing sum needs the long check.
    return math.isfinite(sum(values)) or all(math.isfinite(v) for v in values)

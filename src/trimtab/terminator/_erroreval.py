"""Error evaluators: how noisy the objective is, i.e. the improvement not worth chasing.

``CrossValidationErrorEvaluator`` reads the fold scores a trial reported with
``report_cross_validation_scores``; ``StaticErrorEvaluator`` is a constant;
``MedianErrorEvaluator`` is a fraction of the improvement seen early in the study.
"""

from __future__ import annotations

import abc
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from trimtab._warnings import warn_deprecated, warn_experimental
from trimtab.study import StudyDirection
from trimtab.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from trimtab.terminator._improvement import BaseImprovementEvaluator
    from trimtab.trial import Trial

CROSS_VALIDATION_SCORES_KEY = "terminator:cv_scores"  # trial system attribute, as in Optuna


def warn_terminator_deprecated() -> None:
    """Optuna 5.0 deprecates the terminator module; trimtab warns the same way."""
    warn_deprecated("`trimtab.terminator` module", "4.9.0", "6.0.0")


class BaseErrorEvaluator(metaclass=abc.ABCMeta):
    """Base class for error evaluators: ``evaluate`` returns the objective's statistical error."""

    @abc.abstractmethod
    def evaluate(self, trials: list[FrozenTrial], study_direction: StudyDirection) -> float:
        """Return the statistical error of the objective given ``trials``.

        Args:
            trials: The study's trials.
            study_direction: Whether the objective is minimised or maximised.

        Returns:
            The error, in the objective's units.
        """


class CrossValidationErrorEvaluator(BaseErrorEvaluator):
    """The error of a cross-validated objective, from the best trial's fold scores.

    Assumes the objective is the mean of ``k`` fold scores reported with
    :func:`report_cross_validation_scores`; the error is the standard deviation of that mean,
    with the variance scaled by ``1/k + 1/(k-1)`` (Nadeau and Bengio's correction for
    overlapping training sets).
    """

    def __init__(self) -> None:
        warn_experimental("CrossValidationErrorEvaluator", "3.2.0")

    def evaluate(self, trials: list[FrozenTrial], study_direction: StudyDirection) -> float:
        """Return the error of the best complete trial's cross-validation mean.

        Raises:
            ValueError: No trial is complete, or the best one has no reported scores.
        """
        complete = [t for t in trials if t.state == TrialState.COMPLETE]
        if not complete:
            raise ValueError(
                "Because no trial has been completed yet, the error cannot be evaluated."
            )
        pick = max if study_direction == StudyDirection.MAXIMIZE else min
        best = pick(complete, key=lambda t: t.value)  # type: ignore[arg-type, return-value]
        scores = best.system_attrs.get(CROSS_VALIDATION_SCORES_KEY)
        if scores is None:
            raise ValueError(
                "Cross-validation scores have not been reported. Please call "
                "`report_cross_validation_scores(trial, scores)` during a trial and pass the "
                "list of scores as `scores`."
            )
        k = len(scores)
        variance = (1.0 / k + 1.0 / (k - 1)) * float(np.var(scores))
        return float(np.sqrt(variance))


def report_cross_validation_scores(trial: Trial, scores: Sequence[float]) -> None:
    """Store a trial's cross-validation fold scores for ``CrossValidationErrorEvaluator``.

    Call it inside the objective with the scores whose mean the objective returns. The
    scores are stored as a list of floats, so numpy arrays (``cross_val_score``'s result)
    work with every storage.

    Args:
        trial: The running trial.
        scores: One score per fold (at least two).

    Raises:
        ValueError: Fewer than two scores.
    """
    warn_terminator_deprecated()
    if len(scores) <= 1:
        raise ValueError("The length of `scores` is expected to be greater than one.")
    values = [float(s) for s in scores]
    trial.storage.set_trial_system_attr(trial._trial_id, CROSS_VALIDATION_SCORES_KEY, values)


class StaticErrorEvaluator(BaseErrorEvaluator):
    """An error that is always ``constant``: stop once the improvement falls below it.

    Args:
        constant: The error to return.
    """

    def __init__(self, constant: float) -> None:
        warn_experimental("StaticErrorEvaluator", "3.2.0")
        self._constant = constant

    def evaluate(self, trials: list[FrozenTrial], study_direction: StudyDirection) -> float:
        """Return the constant."""
        return self._constant


class MedianErrorEvaluator(BaseErrorEvaluator):
    """A threshold: ``threshold_ratio`` times the median improvement early in the study.

    After ``warm_up_trials + n_initial_trials`` complete trials, the paired improvement
    evaluator is run on the first ``1 .. n_initial_trials`` trials after the warm-up; the
    median of those values times ``threshold_ratio`` is the error from then on. Before that
    the error is negative, so the study does not stop. A heuristic of `Ishibashi et al., A
    stopping criterion for Bayesian optimization by the gap of expected minimum simple
    regrets <https://proceedings.mlr.press/v206/ishibashi23a.html>`__.

    Args:
        paired_improvement_evaluator: The improvement evaluator used with this evaluator.
        warm_up_trials: Complete trials skipped before the median is taken (often random).
        n_initial_trials: Complete trials after the warm-up the median is taken over.
        threshold_ratio: The error as a fraction of that median.

    Raises:
        ValueError: A negative ``warm_up_trials``, a non-positive ``n_initial_trials`` or a
            non-positive or non-finite ``threshold_ratio``.
    """

    def __init__(
        self,
        paired_improvement_evaluator: BaseImprovementEvaluator,
        warm_up_trials: int = 10,
        n_initial_trials: int = 20,
        threshold_ratio: float = 0.01,
    ) -> None:
        warn_experimental("MedianErrorEvaluator", "4.0.0")
        if warm_up_trials < 0:
            raise ValueError("`warm_up_trials` is expected to be a non-negative integer.")
        if n_initial_trials <= 0:
            raise ValueError("`n_initial_trials` is expected to be a positive integer.")
        if threshold_ratio <= 0.0 or not np.isfinite(threshold_ratio):
            raise ValueError("`threshold_ratio_to_initial_median` is expected to be a positive.")
        self._paired_improvement_evaluator = paired_improvement_evaluator
        self._warm_up_trials = warm_up_trials
        self._n_initial_trials = n_initial_trials
        self._threshold_ratio = threshold_ratio
        self._threshold: float | None = None

    def evaluate(self, trials: list[FrozenTrial], study_direction: StudyDirection) -> float:
        """Return the threshold, computed once enough trials are complete (see the class)."""
        if self._threshold is not None:
            return self._threshold
        complete = sorted(
            (t for t in trials if t.state == TrialState.COMPLETE), key=lambda t: t.number
        )
        start = self._warm_up_trials
        if len(complete) < start + self._n_initial_trials:
            return -sys.float_info.min  # an improvement is never negative: do not stop yet
        evaluator = self._paired_improvement_evaluator
        criteria = sorted(
            evaluator.evaluate(complete[start : start + i], study_direction)
            for i in range(1, self._n_initial_trials + 1)
        )
        median = criteria[len(criteria) // 2]
        self._threshold = min(sys.float_info.max, median * self._threshold_ratio)
        return self._threshold

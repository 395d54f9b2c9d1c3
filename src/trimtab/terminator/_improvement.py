"""Improvement evaluators: how much the best value may still improve.

``RegretBoundEvaluator`` bounds the regret of the best trials with a GP (Makarova et al.,
2022); ``BestValueStagnationEvaluator`` counts the trials left before the best value has
stagnated for too long. Both return a float the ``Terminator`` compares with an error.
"""

from __future__ import annotations

import abc
import math

import numpy as np

from trimtab._warnings import warn_experimental
from trimtab.samplers._gp._threads import single_threaded_blas
from trimtab.study import StudyDirection
from trimtab.terminator import _gp_bounds
from trimtab.trial import FrozenTrial, TrialState

DEFAULT_TOP_TRIALS_RATIO = 0.5
DEFAULT_MIN_N_TRIALS = 20


class BaseImprovementEvaluator(metaclass=abc.ABCMeta):
    """Base class for improvement evaluators: ``evaluate`` returns the room left to improve."""

    def __init__(self) -> None:
        warn_experimental(type(self).__name__, "3.2.0")

    @abc.abstractmethod
    def evaluate(self, trials: list[FrozenTrial], study_direction: StudyDirection) -> float:
        """Return the potential improvement given ``trials`` (only COMPLETE ones count).

        Args:
            trials: The study's trials.
            study_direction: Whether the objective is minimised or maximised.

        Returns:
            The estimated room for improvement, in the objective's units.
        """


class RegretBoundEvaluator(BaseImprovementEvaluator):
    """Upper bound on the regret of the best trial, with high probability under a GP model.

    A GP is fitted to the best ``top_trials_ratio`` of the complete trials (at least
    ``min_n_trials`` of them); the bound is the largest upper confidence bound over the
    search space minus the largest lower confidence bound over those trials. See
    `Makarova et al., Automatic termination for hyperparameter optimization
    <https://proceedings.mlr.press/v188/makarova22a.html>`__.

    Args:
        top_trials_ratio: Fraction of the best complete trials the GP is fitted to.
        min_n_trials: The least number of trials the GP is fitted to (when there are that many).
        seed: Seed for the Sobol points searched for the largest upper confidence bound.
    """

    def __init__(
        self,
        top_trials_ratio: float = DEFAULT_TOP_TRIALS_RATIO,
        min_n_trials: int = DEFAULT_MIN_N_TRIALS,
        seed: int | None = None,
    ) -> None:
        warn_experimental("RegretBoundEvaluator", "3.2.0")
        self._top_trials_ratio = top_trials_ratio
        self._min_n_trials = min_n_trials
        self._rng = np.random.RandomState(seed)

    def _top_rows(self, y: np.ndarray) -> np.ndarray:
        n = len(y)
        top_n = min(max(int(n * self._top_trials_ratio), self._min_n_trials), n)
        threshold = np.partition(y, n - top_n)[n - top_n]
        return y >= threshold  # ties at the threshold are all kept

    def evaluate(self, trials: list[FrozenTrial], study_direction: StudyDirection) -> float:
        """Return the regret bound of the best trial (see the class docstring).

        Raises:
            ValueError: No trial is complete, or the complete trials share no parameter.
        """
        if not any(t.state == TrialState.COMPLETE for t in trials):
            raise ValueError(
                "Because no trial has been completed yet, the regret bound cannot be evaluated."
            )
        data = _gp_bounds.gp_data(trials, study_direction)
        if data.space.dim == 0:
            raise ValueError(
                "The intersection search space is empty. This condition is not supported by "
                f"{type(self).__name__}."
            )
        top = self._top_rows(data.y)
        X, y = data.X[top], data.y[top]
        mean, std = y.mean(), max(1e-10, float(y.std()))
        with single_threaded_blas():
            gp = _gp_bounds.fit(data.space, X, (y - mean) / std)
            bound = _gp_bounds.standardized_regret_bound(gp, data.space, X, self._rng)
        return bound * std


class BestValueStagnationEvaluator(BaseImprovementEvaluator):
    """Trials left before the best value has stagnated for ``max_stagnation_trials`` trials.

    Paired by default with ``StaticErrorEvaluator(constant=0)``: the study stops once the
    best value has not improved for more than ``max_stagnation_trials`` complete trials.

    Args:
        max_stagnation_trials: The number of complete trials without improvement allowed.

    Raises:
        ValueError: ``max_stagnation_trials`` is negative.
    """

    def __init__(self, max_stagnation_trials: int = 30) -> None:
        warn_experimental("BestValueStagnationEvaluator", "3.4.0")
        if max_stagnation_trials < 0:
            raise ValueError("The maximum number of stagnant trials must not be negative.")
        self._max_stagnation_trials = max_stagnation_trials

    def evaluate(self, trials: list[FrozenTrial], study_direction: StudyDirection) -> float:
        """Return ``max_stagnation_trials`` minus the complete trials since the best one.

        Raises:
            ValueError: No trial is complete.
        """
        values = [t.value for t in trials if t.state == TrialState.COMPLETE]
        if not values:
            raise ValueError(
                "Because no trial has been completed yet, the improvement cannot be evaluated."
            )
        array = np.asarray(values, dtype=float)
        if study_direction == StudyDirection.MINIMIZE:
            array = -array
        # The first best: a later tie is no improvement.
        best_step = int(np.argmax(np.where(np.isnan(array), -math.inf, array)))
        return self._max_stagnation_trials - (len(values) - 1 - best_step)

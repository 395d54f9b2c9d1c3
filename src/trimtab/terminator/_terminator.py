"""``Terminator``: stop a study once the room for improvement is below the objective's noise."""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING

from trimtab.terminator._erroreval import (
    BaseErrorEvaluator,
    CrossValidationErrorEvaluator,
    StaticErrorEvaluator,
    warn_terminator_deprecated,
)
from trimtab.terminator._improvement import (
    DEFAULT_MIN_N_TRIALS,
    BaseImprovementEvaluator,
    BestValueStagnationEvaluator,
    RegretBoundEvaluator,
)
from trimtab.trial import TrialState

if TYPE_CHECKING:
    from trimtab.study import Study


class BaseTerminator(metaclass=abc.ABCMeta):
    """Base class for terminators."""

    @abc.abstractmethod
    def should_terminate(self, study: Study) -> bool:
        """Return whether ``study`` should stop.

        Args:
            study: The study being optimised.

        Returns:
            ``True`` to stop.
        """


def default_error_evaluator(improvement_evaluator: BaseImprovementEvaluator) -> BaseErrorEvaluator:
    """The error evaluator used with ``improvement_evaluator`` when none is given."""
    if isinstance(improvement_evaluator, BestValueStagnationEvaluator):
        return StaticErrorEvaluator(constant=0)
    return CrossValidationErrorEvaluator()


class Terminator(BaseTerminator):
    """Stops a study when the statistical error exceeds the room left for optimisation.

    From ``min_n_trials`` complete trials on, ``should_terminate`` is true when the
    improvement evaluator's value (by default a GP regret bound) is below the error
    evaluator's (by default the cross-validation error of the best trial). See `Makarova et
    al., Automatic termination for hyperparameter optimization
    <https://proceedings.mlr.press/v188/makarova22a.html>`__.

    Args:
        improvement_evaluator: Estimates the room for improvement
            (default ``RegretBoundEvaluator()``).
        error_evaluator: Estimates the objective's statistical error (default
            ``CrossValidationErrorEvaluator()``, or ``StaticErrorEvaluator(0)`` with a
            ``BestValueStagnationEvaluator``).
        min_n_trials: Complete trials needed before the study may stop.

    Raises:
        ValueError: ``min_n_trials`` is not positive.
    """

    def __init__(
        self,
        improvement_evaluator: BaseImprovementEvaluator | None = None,
        error_evaluator: BaseErrorEvaluator | None = None,
        min_n_trials: int = DEFAULT_MIN_N_TRIALS,
    ) -> None:
        warn_terminator_deprecated()
        if min_n_trials <= 0:
            raise ValueError("`min_n_trials` is expected to be a positive integer.")
        self._improvement_evaluator = improvement_evaluator or RegretBoundEvaluator()
        self._error_evaluator = error_evaluator or default_error_evaluator(
            self._improvement_evaluator
        )
        self._min_n_trials = min_n_trials

    def should_terminate(self, study: Study) -> bool:
        """Return whether the improvement left is below the error (see the class)."""
        trials = study.get_trials(deepcopy=False)
        if sum(t.state == TrialState.COMPLETE for t in trials) < self._min_n_trials:
            return False
        improvement = self._improvement_evaluator.evaluate(trials, study.direction)
        error = self._error_evaluator.evaluate(trials, study.direction)
        return improvement < error

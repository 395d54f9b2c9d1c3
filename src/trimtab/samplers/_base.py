"""``BaseSampler``: the plug-in contract every sampler, built-in or a user's, follows.

A trial's life, as the sampler sees it:

1. ``before_trial(study, trial)`` when the trial starts.
2. ``infer_relative_search_space(study, trial)`` returns the parameters the sampler wants to
   choose jointly; ``sample_relative(study, trial, search_space)`` chooses them, lazily, at the
   first ``suggest_*`` call.
3. Every parameter the relative step did not cover is chosen by
   ``sample_independent(study, trial, name, distribution)`` when the objective asks for it.
4. ``after_trial(study, trial, state, values)`` when the trial ends, before it is stored as
   finished.

``study`` may be a filtered view (e.g. the trials of one Hyperband bracket); samplers read
trials through ``study.get_trials`` (or the study's trial history), never through storage.
"""

from __future__ import annotations

import abc
import contextlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from trimtab import logging
from trimtab._study_view import view_of
from trimtab.distributions import BaseDistribution
from trimtab.trial import FrozenTrial, TrialState
from trimtab.trial._constraints import CONSTRAINTS_KEY

if TYPE_CHECKING:
    from trimtab.study import Study

_logger = logging.get_logger(__name__)


class BaseSampler(abc.ABC):
    """Decides which parameter values a trial tries. See the module docstring for the order."""

    def __str__(self) -> str:
        return self.__class__.__name__

    @abc.abstractmethod
    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        """Return the parameters to sample jointly in ``sample_relative`` ({} for none)."""

    @abc.abstractmethod
    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        """Return external values for (some of) ``search_space``."""

    @abc.abstractmethod
    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        """Return an external value for one parameter."""

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        """Called when a trial starts."""

    def after_trial(
        self,
        study: Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        """Called when a trial ends, before its final state is stored."""

    def reseed_rng(self) -> None:
        """Give the sampler a fresh random seed (called for each worker thread/process)."""

    def _raise_error_if_multi_objective(self, study: Study) -> None:
        if len(study.directions) > 1:
            raise ValueError(
                f"If the study is being used for multi-objective optimization, "
                f"{self.__class__.__name__} cannot be used."
            )


def stop_optimize(study: Study) -> None:
    """Stop ``study``'s ``optimize`` after the running trials: the sampler is exhausted.

    Outside ``optimize`` (ask-and-tell) there is no loop to stop; ``Study.stop`` then
    raises ``RuntimeError``, which is expected here and ignored.
    """
    with contextlib.suppress(RuntimeError):
        study.stop()


def log_independent_sampling(
    trial: FrozenTrial,
    param_name: str,
    sampler: str,
    independent_sampler: str,
    reason: str,
) -> None:
    """Log that ``param_name`` fell back to the independent sampler (Optuna's message)."""
    _logger.warning(
        f"The parameter `{param_name}` in Trial#{trial.number} is sampled independently using "
        f"`{independent_sampler}` instead of `{sampler}`, potentially degrading the "
        f"optimization performance. This fallback happened because {reason}. You can suppress "
        "this warning by setting `warn_independent_sampling` to `False` in the constructor of "
        f"`{sampler}` if this independent sampling is intended behavior."
    )


def process_constraints_after_trial(
    constraints_func: Callable[[FrozenTrial], Sequence[float]],
    study: Study,
    trial: FrozenTrial,
    state: TrialState,
) -> None:
    """Evaluate ``constraints_func`` on a finished trial and store its values on the trial.

    Stored under the ``constraints`` system attribute (Optuna's format). Raises ValueError
    when a constraint is NaN or not a number.
    """
    if state not in (TrialState.COMPLETE, TrialState.PRUNED):
        return
    constraints = None
    try:
        raw = constraints_func(trial)
        if not isinstance(raw, (tuple, list)):
            raise TypeError(
                f"Constraints should be a tuple or a list, but got {type(raw).__name__}."
            )
        constraints = [float(c) for c in raw]
        if any(c != c for c in constraints):
            raise ValueError("Constraint values cannot be NaN.")
    finally:
        view_of(study).save_trial_attr(trial._trial_id, CONSTRAINTS_KEY, constraints)

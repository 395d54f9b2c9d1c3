"""One tuning step inside the user's study: a private study samples, the user's records.

Each step of the LightGBM tuner searches a few parameters with its own sampler (a grid for
``feature_fraction``, TPE for ``num_leaves``, ...) and must see only its own trials. The
trials themselves belong in the user's study (its storage, callbacks, numbering). So while a
step runs, the user's study samples through :class:`StepSampler`, which asks a private
in-memory *step study* for each trial's values and tells it the result.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from trimtab.samplers import BaseSampler
from trimtab.study import create_study
from trimtab.trial import TrialState, create_trial

if TYPE_CHECKING:
    from trimtab.distributions import BaseDistribution
    from trimtab.study import Study
    from trimtab.trial import FrozenTrial, Trial


def new_step_study(study: Study, sampler: BaseSampler, done: Sequence[FrozenTrial]) -> Study:
    """An in-memory study for one step, holding the step's earlier trials (when resuming).

    Args:
        study: The user's study (for its direction).
        sampler: The step's sampler.
        done: The step's finished trials from an earlier run.

    Returns:
        The step study.
    """
    storage_logger = logging.getLogger("trimtab.storages._in_memory")
    level = storage_logger.level
    storage_logger.setLevel(logging.WARNING)  # an internal study; do not announce it
    try:
        step_study = create_study(direction=study.direction, sampler=sampler)
    finally:
        storage_logger.setLevel(level)
    for trial in done:
        step_study.add_trial(
            create_trial(
                state=trial.state,
                value=trial.value if trial.state == TrialState.COMPLETE else None,
                params=trial.params,
                distributions=trial.distributions,
            )
        )
    return step_study


class StepSampler(BaseSampler):
    """Give each trial of the user's study the values its step study chose.

    Args:
        step_study: The study whose sampler decides.
    """

    def __init__(self, step_study: Study) -> None:
        self._step_study = step_study
        self._step_trials: dict[int, Trial] = {}

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        return {}

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        return {}

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        self._step_trials[trial._trial_id] = self._step_study.ask()

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        return self._step_trials[trial._trial_id]._suggest(param_name, param_distribution)

    def after_trial(
        self,
        study: Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        step_trial = self._step_trials.pop(trial._trial_id)
        if state == TrialState.COMPLETE:
            self._step_study.tell(step_trial, values)
        else:
            self._step_study.tell(step_trial, state=state)

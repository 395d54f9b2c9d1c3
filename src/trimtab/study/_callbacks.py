"""Callbacks for ``Study.optimize``."""

from __future__ import annotations

from collections.abc import Container
from typing import TYPE_CHECKING

from trimtab.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from trimtab.study._study import Study


class MaxTrialsCallback:
    """Stop the study once it holds ``n_trials`` trials in ``states`` (all workers counted).

    Args:
        n_trials: The number of trials to reach.
        states: The states counted; None counts every trial. Default: COMPLETE.
    """

    def __init__(
        self, n_trials: int, states: Container[TrialState] | None = (TrialState.COMPLETE,)
    ) -> None:
        self._n_trials = n_trials
        self._states = states

    def __call__(self, study: Study, trial: FrozenTrial) -> None:
        if self._states is None:
            count = study._storage.get_n_trials(study._study_id)
        else:
            count = len(study.get_trials(deepcopy=False, states=self._states))
        if count >= self._n_trials:
            study.stop()

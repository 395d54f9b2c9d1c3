"""Data of the hypervolume-history plot."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from trimtab.hypervolume import compute_hypervolume
from trimtab.study import Study, StudyDirection
from trimtab.trial import TrialState
from trimtab.visualization._data._common import _logger, is_feasible


class HypervolumeHistoryInfo(NamedTuple):
    """Hypervolume of the feasible Pareto front after each complete trial."""

    trial_numbers: list[int]
    values: list[float]


def hypervolume_history_data(
    study: Study, reference_point: Sequence[float]
) -> HypervolumeHistoryInfo:
    """Compute the hypervolume after each complete trial, as Optuna does.

    Infeasible trials and points outside ``reference_point`` leave the hypervolume unchanged.

    Raises:
        ValueError: the study is single-objective, or the reference point has the wrong size.
    """
    if not len(study.directions) > 1:
        raise ValueError(
            "Study must be multi-objective. For single-objective optimization, "
            "please use plot_optimization_history instead."
        )
    if len(reference_point) != len(study.directions):
        raise ValueError(
            "The dimension of the reference point must be the same as the number of objectives."
        )
    trials = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if not trials:
        _logger.warning("Your study does not have any completed trials.")
    signs = np.array([1.0 if d == StudyDirection.MINIMIZE else -1.0 for d in study.directions])
    ref = signs * np.asarray(reference_point, dtype=float)
    numbers: list[int] = []
    values: list[float] = []
    front: np.ndarray | None = None
    volume = 0.0
    for trial in trials:
        numbers.append(trial.number)
        point = signs * np.asarray(trial.values, dtype=float)
        dominated = front is not None and bool(np.any(np.all(front <= point, axis=1)))
        if not is_feasible(trial) or dominated or bool(np.any(point > ref)):
            values.append(volume)
            continue
        # The new point adds its box up to the reference, minus the part already covered.
        volume += float(np.prod(ref - point))
        if front is None:
            front = point[np.newaxis, :]
        else:
            volume -= compute_hypervolume(np.maximum(front, point), ref)
            front = np.vstack([front[np.any(front < point, axis=1)], point])
        values.append(volume)
    if front is None:
        _logger.warning("Your study does not have any feasible trials.")
    return HypervolumeHistoryInfo(numbers, values)

"""Data of the hypervolume-history plot."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from trimtab.study import Study, StudyDirection
from trimtab.trial import TrialState
from trimtab.visualization._data._common import _logger, is_feasible


class HypervolumeHistoryInfo(NamedTuple):
    """Hypervolume of the feasible Pareto front after each complete trial."""

    trial_numbers: list[int]
    values: list[float]


def _compute_hypervolume(loss_vals: np.ndarray, reference_point: np.ndarray) -> float:
    try:
        from trimtab.hypervolume import compute_hypervolume
    except ImportError:
        return _exact_hypervolume(loss_vals, reference_point)
    return float(compute_hypervolume(loss_vals, reference_point))


def _exact_hypervolume(points: np.ndarray, ref: np.ndarray) -> float:
    """Exact hypervolume of ``points`` (n, m), all minimised, below ``ref`` (m,).

    Sweeps the last objective: each slice between consecutive values is the (m-1)-D volume
    of the points at or below it, times the slice's height.
    """
    points = points[np.all(points <= ref, axis=1)]
    if points.shape[0] == 0:
        return 0.0
    if points.shape[1] == 1:
        return float(ref[0] - points[:, 0].min())
    order = np.argsort(points[:, -1], kind="stable")
    points = points[order]
    volume = 0.0
    for i in range(points.shape[0]):
        upper = points[i + 1, -1] if i + 1 < points.shape[0] else ref[-1]
        height = upper - points[i, -1]
        if height > 0:
            volume += height * _exact_hypervolume(points[: i + 1, :-1], ref[:-1])
    return volume


def hypervolume_history_data(
    study: Study, reference_point: Sequence[float]
) -> HypervolumeHistoryInfo:
    """Compute the hypervolume after each complete trial, as Optuna does.

    Infeasible trials and points outside ``reference_point`` leave the hypervolume unchanged.

    Raises:
        ValueError: the study is single-objective, or the reference point has the wrong size.
    """
    if not study._is_multi_objective():
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
            volume -= _compute_hypervolume(np.maximum(front, point), ref)
            front = np.vstack([front[np.any(front < point, axis=1)], point])
        values.append(volume)
    if front is None:
        _logger.warning("Your study does not have any feasible trials.")
    return HypervolumeHistoryInfo(numbers, values)

"""Pareto fronts of multi-objective trials."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from trimtab._study_records import StudyDirection
from trimtab.trial import FrozenTrial


def _as_minimization(
    trials: Sequence[FrozenTrial], directions: Sequence[StudyDirection]
) -> np.ndarray:
    signs = np.array([-1.0 if d == StudyDirection.MAXIMIZE else 1.0 for d in directions])
    values = np.array([t.values for t in trials], dtype=float).reshape(len(trials), len(directions))
    return values * signs


def nondominated_mask(loss_values: np.ndarray) -> np.ndarray:
    """Return a boolean mask of the rows of ``loss_values`` (n_points, n_objectives) that no
    other row dominates (all objectives minimised). Duplicated points are all kept."""
    n = loss_values.shape[0]
    if n == 0:
        return np.zeros(0, dtype=bool)
    order = np.lexsort(loss_values.T[::-1])
    sorted_values = loss_values[order]
    keep = np.ones(n, dtype=bool)
    front: list[int] = []
    for i in range(n):
        point = sorted_values[i]
        if front:
            others = sorted_values[front]
            dominated = np.all(others <= point, axis=1) & np.any(others < point, axis=1)
            if dominated.any():
                keep[i] = False
                continue
        front.append(i)
    mask = np.zeros(n, dtype=bool)
    mask[order[keep]] = True
    return mask


def pareto_front_trials(
    trials: Sequence[FrozenTrial], directions: Sequence[StudyDirection]
) -> list[FrozenTrial]:
    """Return the trials not dominated by any other, in number order."""
    if not trials:
        return []
    mask = nondominated_mask(_as_minimization(trials, directions))
    return [t for t, keep in zip(trials, mask) if keep]

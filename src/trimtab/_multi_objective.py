"""Pareto domination, the one implementation every part uses.

Everything works on *losses*: an array of shape ``(n_points, n_objectives)`` in which every
objective is minimised (:func:`losses` turns trial values and study directions into one).
The study's ``best_trials``, the visualisations, importance, TPE, NSGA-II/III and the GP
sampler all call these functions, so "dominated" means the same thing everywhere: a point
dominates another when it is no worse in every objective and better in at least one; equal
points never dominate each other.

NaN losses are not supported (finished trials never hold NaN values).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from trimtab._study_records import StudyDirection

if TYPE_CHECKING:
    from trimtab.trial._frozen import FrozenTrial

# Above this many pair comparisons the pairwise matrix costs more than the sorted sweep.
_PAIRWISE_LIMIT = 4_000_000


def losses(
    values: Sequence[Sequence[float]] | np.ndarray, directions: Sequence[StudyDirection]
) -> np.ndarray:
    """Objective values turned into losses (maximised objectives negated).

    Args:
        values: One row of objective values per point.
        directions: The study's directions, one per objective.

    Returns:
        Shape ``(n_points, n_objectives)``, float.
    """
    signs = np.array([-1.0 if d == StudyDirection.MAXIMIZE else 1.0 for d in directions])
    array = np.array(values, dtype=float).reshape(len(values), len(signs))
    return array * signs


def trial_losses(trials: Sequence[FrozenTrial], directions: Sequence[StudyDirection]) -> np.ndarray:
    """The losses of finished ``trials``, shape ``(n_trials, n_objectives)``."""
    values: list[Any] = [t.values for t in trials]
    return losses(values, directions)


def dominates(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether loss vector ``a`` dominates loss vector ``b`` (both shape ``(n_objectives,)``)."""
    return bool(np.all(a <= b) and np.any(a < b))


def nondominated_mask(loss_values: np.ndarray) -> np.ndarray:
    """Rows of ``loss_values`` (n, m) that no other row dominates; identical rows are all kept.

    One objective: the rows at the minimum. Two: an O(n log n) sweep. More: a pairwise
    comparison in blocks, or for large inputs a sweep in lexicographic order against the
    front found so far.
    """
    n = loss_values.shape[0]
    if n == 0:
        return np.zeros(0, dtype=bool)
    m = loss_values.shape[1]
    if m == 1:
        return loss_values[:, 0] == loss_values[:, 0].min()
    if m == 2:
        return _two_objective_mask(loss_values)
    if n * n * m <= _PAIRWISE_LIMIT:
        return _pairwise_mask(loss_values)
    return _sorted_sweep_mask(loss_values)


def _two_objective_mask(loss_values: np.ndarray) -> np.ndarray:
    # After sorting by (first, second), a row is dominated exactly when an earlier, different
    # row has a second objective at most its own.
    n = loss_values.shape[0]
    order = np.lexsort((loss_values[:, 1], loss_values[:, 0]))
    first, second = loss_values[order, 0], loss_values[order, 1]
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = (first[1:] != first[:-1]) | (second[1:] != second[:-1])
    group_start = np.maximum.accumulate(np.where(new_group, np.arange(n), 0))
    best_before = np.concatenate([[np.inf], np.minimum.accumulate(second)[:-1]])
    mask = np.empty(n, dtype=bool)
    mask[order] = ~(best_before[group_start] <= second)
    return mask


def _pairwise_mask(loss_values: np.ndarray, chunk: int = 256) -> np.ndarray:
    n = len(loss_values)
    mask = np.ones(n, dtype=bool)
    for start in range(0, n, chunk):
        block = loss_values[start : start + chunk]
        le = np.all(loss_values[None, :, :] <= block[:, None, :], axis=2)
        lt = np.any(loss_values[None, :, :] < block[:, None, :], axis=2)
        mask[start : start + chunk] = ~np.any(le & lt, axis=1)
    return mask


def _sorted_sweep_mask(loss_values: np.ndarray) -> np.ndarray:
    # In lexicographic order a row can only be dominated by an earlier one, and a dominated
    # earlier row is itself dominated by a front row: comparing with the front suffices.
    n = loss_values.shape[0]
    order = np.lexsort(loss_values.T[::-1])
    sorted_values = loss_values[order]
    keep = np.ones(n, dtype=bool)
    front: list[int] = []
    for i in range(n):
        point = sorted_values[i]
        if front:
            others = sorted_values[front]
            if (np.all(others <= point, axis=1) & np.any(others < point, axis=1)).any():
                keep[i] = False
                continue
        front.append(i)
    mask = np.zeros(n, dtype=bool)
    mask[order[keep]] = True
    return mask


def nondomination_ranks(
    loss_values: np.ndarray, n_below: int | None = None, penalties: np.ndarray | None = None
) -> np.ndarray:
    """Non-domination rank of each row of ``loss_values`` (n, m): 0 for the Pareto front, 1 for
    the front of the rest, and so on.

    Args:
        loss_values: Shape ``(n, m)``, every objective minimised.
        n_below: Stop once this many rows are ranked; the others share the next rank.
        penalties: Constraint violation per row, shape ``(n,)``: feasible rows (penalty ≤ 0)
            are ranked first, infeasible rows after them by their penalty alone.

    Returns:
        Integer ranks, shape ``(n,)``.
    """
    n = len(loss_values)
    if penalties is None:
        return _peel(loss_values, n_below)
    ranks = np.zeros(n, dtype=np.intp)
    if n == 0:
        return ranks
    feasible = penalties <= 0
    ranks[feasible] = _peel(loss_values[feasible], None)
    offset = ranks[feasible].max(initial=-1) + 1
    ranks[~feasible] = offset + _peel(penalties[~feasible, None], None)
    return ranks


def _peel(loss_values: np.ndarray, n_below: int | None) -> np.ndarray:
    n = len(loss_values)
    if n == 0:
        return np.zeros(0, dtype=np.intp)
    if n_below is None and loss_values.shape[1] == 1:
        _, inverse = np.unique(loss_values[:, 0], return_inverse=True)
        return inverse.reshape(-1).astype(np.intp)
    if n_below is None and n * n * loss_values.shape[1] <= _PAIRWISE_LIMIT:
        return _count_peel(loss_values)
    ranks = np.full(n, -1, dtype=np.intp)
    remaining = np.arange(n)
    rank = 0
    limit = n if n_below is None else n_below
    while len(remaining) > 0 and n - len(remaining) < limit:
        front = nondominated_mask(loss_values[remaining])
        ranks[remaining[front]] = rank
        remaining = remaining[~front]
        rank += 1
    ranks[remaining] = rank
    return ranks


def _count_peel(loss_values: np.ndarray) -> np.ndarray:
    # dominated_by[i, j]: row j dominates row i; a front is the rows with no dominator left.
    n = len(loss_values)
    le = np.all(loss_values[None, :, :] <= loss_values[:, None, :], axis=2)
    lt = np.any(loss_values[None, :, :] < loss_values[:, None, :], axis=2)
    dominated_by = le & lt
    count = dominated_by.sum(axis=1)
    ranks = np.full(n, -1, dtype=np.intp)
    remaining = np.ones(n, dtype=bool)
    rank = 0
    while remaining.any():
        front = remaining & (count == 0)
        ranks[front] = rank
        remaining &= ~front
        count = count - dominated_by[:, front].sum(axis=1)
        rank += 1
    return ranks


def crowding_distance(values: np.ndarray) -> np.ndarray:
    """NSGA-II's crowding distance of each row of ``values`` (n, m).

    Per objective, the gap between a point's two neighbours divided by the objective's finite
    range, summed over objectives; the extremes of each objective get ``inf``. An objective
    whose values are all equal adds nothing.

    Returns:
        Shape ``(n,)``.
    """
    n = len(values)
    distances = np.zeros(n)
    if n == 0:
        return distances
    for k in range(values.shape[1]):
        order = np.argsort(values[:, k], kind="stable")
        col = values[order, k]
        if col[0] == col[-1]:
            continue
        padded = np.concatenate([[-np.inf], col, [np.inf]])
        finite = col[np.isfinite(col)]
        width = (finite.max() - finite.min()) if len(finite) else 1.0
        width = width if width > 0 else 1.0
        with np.errstate(invalid="ignore"):
            gaps = padded[2:] - padded[:-2]
        gaps = np.where(padded[2:] == padded[:-2], 0.0, gaps)
        for idx, gap in zip(order, gaps):
            distances[idx] += gap / width
    return distances


def pareto_front_trials(
    trials: Sequence[FrozenTrial], directions: Sequence[StudyDirection]
) -> list[FrozenTrial]:
    """The finished ``trials`` no other one dominates, in their given order."""
    if not trials:
        return []
    mask = nondominated_mask(trial_losses(trials, directions))
    return [t for t, keep in zip(trials, mask) if keep]

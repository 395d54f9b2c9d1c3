"""NSGA-II survivor selection: constrained non-dominated sorting plus crowding distance."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from trimtab._study_records import StudyDirection
from trimtab.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from trimtab.study import Study


def is_constrained(trials: Sequence[FrozenTrial]) -> bool:
    """True when any trial carries constraint values."""
    return any(len(t.constraints) > 0 for t in trials)


def penalty(trials: Sequence[FrozenTrial]) -> np.ndarray:
    """Total violation per trial, shape ``(n_trials,)``; NaN constraints raise ValueError."""
    result = np.empty(len(trials))
    for i, t in enumerate(trials):
        values = np.array(list(t.constraints.values()), dtype=float)
        if np.isnan(values).any():
            raise ValueError("NaN is not acceptable as constraint value.")
        result[i] = values[values > 0].sum()
    return result


def loss_matrix(trials: Sequence[FrozenTrial], directions: Sequence[StudyDirection]) -> np.ndarray:
    """Objective values turned into losses, shape ``(n_trials, n_objectives)``."""
    signs = np.array([-1.0 if d == StudyDirection.MAXIMIZE else 1.0 for d in directions])
    values = np.array([t.values for t in trials], dtype=float).reshape(len(trials), len(signs))
    return values * signs


def nondomination_rank(losses: np.ndarray, penalties: np.ndarray | None = None) -> np.ndarray:
    """Rank of each row of ``losses`` (n, m): 0 for the Pareto front, 1 for the next, ...

    With ``penalties`` (n,), feasible rows (penalty ≤ 0) are ranked first; infeasible rows
    follow, ranked by their penalty alone.
    """
    n = len(losses)
    ranks = np.zeros(n, dtype=int)
    if n == 0:
        return ranks
    if penalties is None:
        return _peel_fronts(losses)
    feasible = penalties <= 0
    ranks[feasible] = _peel_fronts(losses[feasible])
    offset = ranks[feasible].max(initial=-1) + 1
    ranks[~feasible] = offset + _peel_fronts(penalties[~feasible, None])
    return ranks


def _peel_fronts(losses: np.ndarray) -> np.ndarray:
    n = len(losses)
    ranks = np.full(n, -1, dtype=int)
    if n == 0:
        return ranks
    if losses.shape[1] == 1:
        _, inverse = np.unique(losses[:, 0], return_inverse=True)
        return inverse.reshape(-1).astype(int)
    # dominated_by[i, j]: row j dominates row i.
    le = np.all(losses[None, :, :] <= losses[:, None, :], axis=2)
    lt = np.any(losses[None, :, :] < losses[:, None, :], axis=2)
    dominated_by = le & lt
    count = dominated_by.sum(axis=1)
    rank = 0
    remaining = np.ones(n, dtype=bool)
    while remaining.any():
        front = remaining & (count == 0)
        ranks[front] = rank
        remaining &= ~front
        count = count - dominated_by[:, front].sum(axis=1)
        rank += 1
    return ranks


def rank_population(
    population: list[FrozenTrial], directions: Sequence[StudyDirection], constrained: bool
) -> list[list[FrozenTrial]]:
    """Split ``population`` into fronts, best first."""
    if not population:
        return []
    ranks = nondomination_rank(
        loss_matrix(population, directions), penalty(population) if constrained else None
    )
    fronts: list[list[FrozenTrial]] = [[] for _ in range(int(ranks.max()) + 1)]
    for trial, rank in zip(population, ranks):
        fronts[rank].append(trial)
    return fronts


def crowding_distance(population: list[FrozenTrial]) -> dict[int, float]:
    """Manhattan crowding distance by trial number (infinite at each objective's extremes)."""
    distances = {t.number: 0.0 for t in population}
    if not population:
        return distances
    values = np.array([t.values for t in population], dtype=float)
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
            distances[population[idx].number] += gap / width
    return distances


def crowding_distance_sort(population: list[FrozenTrial]) -> None:
    """Sort ``population`` in place, most isolated first."""
    distances = crowding_distance(population)
    population.sort(key=lambda t: distances[t.number])
    population.reverse()


class NSGAIIElitePopulationSelectionStrategy:
    """Keep the best ``population_size`` trials: whole fronts, then the least crowded."""

    def __init__(
        self,
        *,
        population_size: int,
        constraints_func: Callable[[FrozenTrial], Sequence[float]] | None = None,
    ) -> None:
        if population_size < 2:
            raise ValueError("`population_size` must be greater than or equal to 2.")
        self._population_size = population_size
        self._constraints_func = constraints_func

    def __call__(self, study: Study, population: list[FrozenTrial]) -> list[FrozenTrial]:
        elite: list[FrozenTrial] = []
        fronts = rank_population(population, study.directions, is_constrained(population))
        for front in fronts:
            if len(elite) + len(front) < self._population_size:
                elite.extend(front)
                continue
            crowding_distance_sort(front)
            elite.extend(front[: self._population_size - len(elite)])
            break
        return elite


def constrained_dominates(
    trial0: FrozenTrial, trial1: FrozenTrial, directions: Sequence[StudyDirection]
) -> bool:
    """Deb's constrained domination: feasible beats infeasible, then less violation wins."""
    if trial0.state != TrialState.COMPLETE:
        return False
    if trial1.state != TrialState.COMPLETE:
        return True
    c0, c1 = trial0.constraints, trial1.constraints
    ok0 = all(v <= 0 for v in c0.values())
    ok1 = all(v <= 0 for v in c1.values())
    if ok0 and ok1:
        return dominates(trial0, trial1, directions)
    if ok0 != ok1:
        return ok0
    return sum(v for v in c0.values() if v > 0) < sum(v for v in c1.values() if v > 0)


def dominates(
    trial0: FrozenTrial, trial1: FrozenTrial, directions: Sequence[StudyDirection]
) -> bool:
    """Pareto domination between two finished trials (non-COMPLETE trials never dominate)."""
    if trial0.state != TrialState.COMPLETE:
        return False
    if trial1.state != TrialState.COMPLETE:
        return True
    losses = loss_matrix([trial0, trial1], directions)
    return bool(np.all(losses[0] <= losses[1]) and np.any(losses[0] < losses[1]))

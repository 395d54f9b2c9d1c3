"""NSGA-II survivor selection: constrained non-dominated sorting plus crowding distance."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from trimtab._multi_objective import crowding_distance, nondomination_ranks, trial_losses
from trimtab._study_records import StudyDirection
from trimtab.trial import FrozenTrial

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


def rank_population(
    population: list[FrozenTrial], directions: Sequence[StudyDirection], constrained: bool
) -> list[list[FrozenTrial]]:
    """Split ``population`` into fronts, best first."""
    if not population:
        return []
    ranks = nondomination_ranks(
        trial_losses(population, directions), penalties=penalty(population) if constrained else None
    )
    fronts: list[list[FrozenTrial]] = [[] for _ in range(int(ranks.max()) + 1)]
    for trial, rank in zip(population, ranks):
        fronts[rank].append(trial)
    return fronts


def crowding_distance_sort(population: list[FrozenTrial]) -> None:
    """Sort ``population`` in place, most isolated first."""
    distances = crowding_distance(np.array([t.values for t in population], dtype=float))
    by_number = {t.number: float(d) for t, d in zip(population, distances)}
    population.sort(key=lambda t: by_number[t.number])
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

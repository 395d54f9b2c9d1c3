"""``NSGAIIISampler``: NSGA-II's loop with reference-point niching (Deb & Jain, 2014)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from itertools import combinations_with_replacement
from typing import TYPE_CHECKING

import numpy as np

from trimtab._warnings import warn_experimental
from trimtab.samplers._rng import SamplerRandomState
from trimtab.samplers.nsgaii._crossovers import BaseCrossover
from trimtab.samplers.nsgaii._mutations import BaseMutation
from trimtab.samplers.nsgaii._sampler import (
    AfterTrialStrategy,
    ChildStrategy,
    EliteStrategy,
    _NSGASamplerBase,
    validate_ga_args,
    warn_experimental_argument,
)
from trimtab.samplers.nsgaii._selection import is_constrained, rank_population
from trimtab.trial import FrozenTrial

if TYPE_CHECKING:
    from trimtab.study import Study

# Non-finite objective values are clipped this many ranges beyond the finite ones.
_INF_MARGIN = 3


class NSGAIIIElitePopulationSelectionStrategy:
    """Keep whole fronts, then fill the last places by reference-point niche counts.

    Args:
        population_size: Survivors per generation.
        reference_points: Shape ``(n_points, n_objectives)``; Das–Dennis points when None.
        dividing_parameter: Divisions per objective of the default reference points.
        rng: Random state used to break ties between niches.
    """

    def __init__(
        self,
        *,
        population_size: int,
        constraints_func: Callable[[FrozenTrial], Sequence[float]] | None = None,
        reference_points: np.ndarray | None = None,
        dividing_parameter: int = 3,
        rng: np.random.RandomState,
    ) -> None:
        if population_size < 2:
            raise ValueError("`population_size` must be greater than or equal to 2.")
        if dividing_parameter < 1:
            raise ValueError("`dividing_parameter` must be a positive integer.")
        if reference_points is not None:
            reference_points = np.asarray(reference_points, dtype=float)
            if reference_points.ndim != 2 or len(reference_points) == 0:
                raise ValueError("`reference_points` must be a non-empty 2-D array.")
        self._population_size = population_size
        self._reference_points = reference_points
        self._dividing_parameter = dividing_parameter
        self._rng = rng

    def __call__(self, study: Study, population: list[FrozenTrial]) -> list[FrozenTrial]:
        elite: list[FrozenTrial] = []
        fronts = rank_population(population, study.directions, is_constrained(population))
        for front in fronts:
            if len(elite) + len(front) < self._population_size:
                elite.extend(front)
                continue
            references = self._references(len(study.directions))
            objectives = _normalize(_clip_infinite(elite + front))
            closest, distance = _associate(objectives, references)
            elite.extend(
                _niche_fill(
                    self._population_size - len(elite),
                    len(elite),
                    front,
                    closest,
                    distance,
                    self._rng,
                )
            )
            break
        return elite

    def _references(self, n_objectives: int) -> np.ndarray:
        if self._reference_points is None:
            self._reference_points = default_reference_points(
                n_objectives, self._dividing_parameter
            )
        elif self._reference_points.shape[1] != n_objectives:
            raise ValueError(
                "The dimension of reference points vectors must be the same as the number "
                "of objectives of the study."
            )
        return self._reference_points


def default_reference_points(n_objectives: int, dividing_parameter: int = 3) -> np.ndarray:
    """Das–Dennis points on the simplex, scaled by ``dividing_parameter``: each row holds
    non-negative integers summing to ``dividing_parameter``."""
    combos = list(combinations_with_replacement(range(n_objectives), dividing_parameter))
    points = np.zeros((len(combos), n_objectives))
    for row, combo in enumerate(combos):
        for column in combo:
            points[row, column] += 1.0
    return points


def _clip_infinite(population: list[FrozenTrial]) -> np.ndarray:
    values = np.asarray([t.values for t in population], dtype=float)
    finite = np.where(np.isfinite(values), values, np.nan)
    high, low = np.nanmax(finite, axis=0), np.nanmin(finite, axis=0)
    margin = _INF_MARGIN * (high - low)
    return np.clip(values, low - margin, high + margin)


def _normalize(objectives: np.ndarray) -> np.ndarray:
    """Translate to the ideal point and divide by the intercepts of the extreme points' plane."""
    m = objectives.shape[1]
    objectives = objectives - objectives.min(axis=0)
    weights = np.where(np.eye(m) == 1, 1.0, 1e6)
    # Achievement scalarising function per axis: the extreme point minimises it.
    asf = np.max(objectives[None, :, :] * weights[:, None, :], axis=2)
    extremes = objectives[np.argmin(asf, axis=1)]
    if np.all(np.isfinite(extremes)) and np.linalg.matrix_rank(extremes) == m:
        inverse_intercepts = np.linalg.solve(extremes, np.ones(m))
    else:
        intercepts = objectives.max(axis=0)
        inverse_intercepts = 1 / np.where(intercepts == 0, 1, intercepts)
    return objectives * np.where(np.isfinite(inverse_intercepts), inverse_intercepts, 1)


def _associate(objectives: np.ndarray, references: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Closest reference line of each row of ``objectives`` (n, m) and the distance to it."""
    unit = references / np.linalg.norm(references, axis=1, keepdims=True)
    projection = objectives @ unit.T  # (n, p)
    squared = (objectives**2).sum(axis=1, keepdims=True) - projection**2
    distances = np.sqrt(np.clip(squared, 0.0, None))
    return np.argmin(distances, axis=1), np.min(distances, axis=1)


def _niche_fill(
    n_needed: int,
    n_elite: int,
    front: list[FrozenTrial],
    closest: np.ndarray,
    distance: np.ndarray,
    rng: np.random.RandomState,
) -> list[FrozenTrial]:
    """Pick ``n_needed`` of ``front``, always from a least-crowded reference point."""
    candidates: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for i, ref in enumerate(closest[n_elite:]):
        candidates[int(ref)].append((float(distance[n_elite + i]), i))
    niche_count: dict[int, int] = defaultdict(int)
    for ref in closest[:n_elite]:
        niche_count[int(ref)] += 1
    by_count: dict[int, list[int]] = defaultdict(list)
    for ref in candidates:
        by_count[niche_count[ref]].append(ref)
    chosen: list[FrozenTrial] = []
    shuffled: set[int] = set()
    count = -1
    while len(chosen) < n_needed:
        if not by_count[count]:
            count += 1
            rng.shuffle(by_count[count])
            continue
        ref = by_count[count].pop()
        if count == 0:
            # An empty niche takes its closest candidate.
            candidates[ref].sort(reverse=True)
        elif ref not in shuffled:
            rng.shuffle(candidates[ref])
            shuffled.add(ref)
        _, index = candidates[ref].pop()
        chosen.append(front[index])
        if candidates[ref]:
            by_count[count + 1].append(ref)
    return chosen


class NSGAIIISampler(_NSGASamplerBase):
    """Many-objective sampler using NSGA-III: like ``NSGAIISampler``, but the last front is
    thinned by how crowded each reference direction is, not by crowding distance. Children
    are bred as in ``NSGAIISampler`` (crowded tournaments, known points re-bred).

    Args:
        population_size: Trials per generation.
        mutation: Operator for mutating numerical parameters; None resamples them.
        mutation_prob: Per-parameter mutation probability; ``1 / n_params`` when None.
        crossover: Crossover for numerical parameters; ``UniformCrossover`` when None.
        crossover_prob: Probability that a child is bred by crossover.
        swapping_prob: Per-parameter swapping probability of the uniform crossover.
        seed: Seed for the random number generator.
        constraints_func: Deprecated; prefer ``Trial.set_constraint``.
        reference_points: Shape ``(n_points, n_objectives)``; default Das–Dennis points.
        dividing_parameter: Divisions per objective of the default reference points.
        elite_population_selection_strategy: ``(study, population) -> survivors``.
        child_generation_strategy: ``(study, search_space, parents) -> params``.
        after_trial_strategy: ``(study, trial, state, values) -> None``.
    """

    def __init__(
        self,
        *,
        population_size: int = 50,
        mutation: BaseMutation | None = None,
        mutation_prob: float | None = None,
        crossover: BaseCrossover | None = None,
        crossover_prob: float = 0.9,
        swapping_prob: float = 0.5,
        seed: int | None = None,
        constraints_func: Callable[[FrozenTrial], Sequence[float]] | None = None,
        reference_points: np.ndarray | None = None,
        dividing_parameter: int = 3,
        elite_population_selection_strategy: EliteStrategy | None = None,
        child_generation_strategy: ChildStrategy | None = None,
        after_trial_strategy: AfterTrialStrategy | None = None,
    ) -> None:
        warn_experimental("NSGAIIISampler", "3.2.0")
        crossover = validate_ga_args(population_size, crossover, swapping_prob, constraints_func)
        for name, value in (
            ("after_trial_strategy", after_trial_strategy),
            ("child_generation_strategy", child_generation_strategy),
            ("elite_population_selection_strategy", elite_population_selection_strategy),
        ):
            if value is not None:
                warn_experimental_argument(name)
        rng = SamplerRandomState(seed)
        self._setup(
            population_size=population_size,
            mutation=mutation,
            mutation_prob=mutation_prob,
            crossover=crossover,
            crossover_prob=crossover_prob,
            swapping_prob=swapping_prob,
            seed=seed,
            constraints_func=constraints_func,
            elite_population_selection_strategy=elite_population_selection_strategy
            or NSGAIIIElitePopulationSelectionStrategy(
                population_size=population_size,
                constraints_func=constraints_func,
                reference_points=reference_points,
                dividing_parameter=dividing_parameter,
                rng=rng,
            ),
            child_generation_strategy=child_generation_strategy,
            after_trial_strategy=after_trial_strategy,
            rng=rng,
        )

"""Breeding one child from a parent population: tournament, crossover, mutation.

Two things Optuna's documentation leaves open are settled here:

- Parents are chosen by binary tournaments under Deb's crowded comparison (lower
  non-domination rank wins, then the larger crowding distance), as in the NSGA-II paper;
  with constraints, the ranks are those of constrained domination.
- A child whose parameters equal those of a trial already evaluated, running (in any
  worker) or handed out by this sampler is bred again, with fresh tournaments, crossover
  and mutation draws, up to ``_MAX_BREEDS`` times; re-evaluating a known point wastes a
  trial, which is common in integer and categorical spaces. When every attempt repeats a
  known point (an exhausted space, or crossover and mutation switched off) the last child
  is kept.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from trimtab._multi_objective import crowding_distance, nondomination_ranks, trial_losses
from trimtab._study_view import view_of
from trimtab._transform import NumericalTransform
from trimtab.distributions import BaseDistribution, FloatDistribution, IntDistribution
from trimtab.samplers._random import sample_uniform
from trimtab.samplers.nsgaii._crossovers import BaseCrossover
from trimtab.samplers.nsgaii._mutations import BaseMutation, perform_mutation
from trimtab.samplers.nsgaii._selection import is_constrained, penalty
from trimtab.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from trimtab.study import Study

# Breeding attempts per child before a child equal to a known point is accepted.
_MAX_BREEDS = 32
_KNOWN_STATES = (TrialState.COMPLETE, TrialState.PRUNED)


def check_probability(name: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"`{name}` must be a float value within the range [0.0, 1.0].")


def check_crossover(crossover: Any) -> None:
    if not isinstance(crossover, BaseCrossover):
        raise ValueError(
            f"'{crossover}' is not a valid crossover."
            " For valid crossovers see trimtab.samplers.nsgaii (e.g. UniformCrossover)."
        )


class _Breeding:
    """What every child of one parent population over one search space shares."""

    def __init__(
        self,
        study: Study,
        search_space: dict[str, BaseDistribution],
        parents: list[FrozenTrial],
    ) -> None:
        self.parents = parents
        self.names = tuple(search_space)
        numeric_types = (FloatDistribution, IntDistribution)
        self.numerical = [k for k, d in search_space.items() if isinstance(d, numeric_types)]
        self.categorical = [k for k, d in search_space.items() if not isinstance(d, numeric_types)]
        self.transform = (
            NumericalTransform({k: search_space[k] for k in self.numerical})
            if self.numerical
            else None
        )
        # x: shape (n_parents, n_numerical), the parents in the transformed space.
        self.x = (
            np.stack([self.transform.transform(p.params) for p in parents])
            if self.transform is not None
            else np.empty((len(parents), 0))
        )
        constrained = is_constrained(parents)
        rank = nondomination_ranks(
            trial_losses(parents, study.directions),
            penalties=penalty(parents) if constrained else None,
        )
        crowding = np.zeros(len(parents))
        for r in np.unique(rank):
            members = np.flatnonzero(rank == r)
            values = np.array([parents[i].values for i in members], dtype=float)
            crowding[members] = crowding_distance(values)
        # Deb's crowded comparison as one sort key: lower rank, then larger crowding distance.
        self.fitness: list[tuple[int, float]] = list(zip(rank.tolist(), (-crowding).tolist()))

    def better(self, i: int, j: int) -> bool:
        """Whether parent ``i`` wins a tournament against parent ``j``."""
        return self.fitness[i] < self.fitness[j]


class _KnownPoints:
    """Parameter tuples of the finished trials of one study, plus the children handed out."""

    def __init__(self) -> None:
        self.params: list[dict[str, Any]] = []
        self.keys: dict[tuple[str, ...], set[tuple[Any, ...]]] = {}

    def add(self, trials: list[FrozenTrial]) -> None:
        """Take in newly finished trials (a ``Digest`` of the study view)."""
        for t in trials:
            if t.state in _KNOWN_STATES:
                self.add_point(t.params)

    def add_point(self, params: dict[str, Any]) -> None:
        self.params.append(params)
        for names, keys in self.keys.items():
            if all(n in params for n in names):
                keys.add(tuple(params[n] for n in names))

    def of(self, names: tuple[str, ...]) -> set[tuple[Any, ...]]:
        keys = self.keys.get(names)
        if keys is None:
            keys = self.keys[names] = {
                tuple(p[n] for n in names) for p in self.params if all(n in p for n in names)
            }
        return keys


def _running_keys(study: Study, names: tuple[str, ...]) -> set[tuple[Any, ...]]:
    """Parameter tuples of the running trials, e.g. children of other workers."""
    running = study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
    return {tuple(t.params[n] for n in names) for t in running if all(n in t.params for n in names)}


class NSGAIIChildGenerationStrategy:
    """Make a child's parameters: crossover with probability ``crossover_prob`` (else copy one
    parent), then mutate each parameter with probability ``mutation_prob``.

    A parameter picked for mutation is drawn uniformly at random from its distribution unless
    ``mutation`` is given and the parameter is numerical. Children repeating a known point
    are bred again (see the module docstring).
    """

    def __init__(
        self,
        *,
        mutation: BaseMutation | None = None,
        mutation_prob: float | None = None,
        crossover: BaseCrossover,
        crossover_prob: float,
        swapping_prob: float,
        constraints_func: Callable[[FrozenTrial], Sequence[float]] | None = None,
        rng: np.random.RandomState,
    ) -> None:
        if mutation_prob is not None and not 0.0 <= mutation_prob <= 1.0:
            raise ValueError(
                "`mutation_prob` must be None or a float value within the range [0.0, 1.0]."
            )
        check_probability("crossover_prob", crossover_prob)
        check_probability("swapping_prob", swapping_prob)
        if mutation is not None and not isinstance(mutation, BaseMutation):
            raise ValueError(f"'{mutation}' is not a valid mutation.")
        check_crossover(crossover)
        self._mutation = mutation
        self._mutation_prob = mutation_prob
        self._crossover = crossover
        self._crossover_prob = crossover_prob
        self._swapping_prob = swapping_prob
        self._constraints_func = constraints_func
        self._rng = rng
        self._lock = threading.Lock()
        self._breeding: _Breeding | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_lock"]
        state["_breeding"] = None  # a cache of one study's parents, rebuilt on first use
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def __call__(
        self,
        study: Study,
        search_space: dict[str, BaseDistribution],
        parent_population: list[FrozenTrial],
    ) -> dict[str, Any]:
        with self._lock:
            breeding = self._breeding
            if (
                breeding is None
                or breeding.parents is not parent_population
                or breeding.names != tuple(search_space)
            ):
                breeding = self._breeding = _Breeding(study, search_space, parent_population)
            with view_of(study).digest(self, _KnownPoints) as known:
                keys = known.of(breeding.names)
                running = _running_keys(study, breeding.names)
                for _ in range(_MAX_BREEDS):
                    child = self._breed(study, search_space, breeding)
                    key = tuple(child[n] for n in breeding.names)
                    if key not in keys and key not in running:
                        break
                known.add_point(child)
                return child

    def _breed(
        self, study: Study, search_space: dict[str, BaseDistribution], breeding: _Breeding
    ) -> dict[str, Any]:
        rng = self._rng
        if rng.rand() < self._crossover_prob:
            child = _crossover(
                self._crossover, study, search_space, breeding, rng, self._swapping_prob
            )
        else:
            parent = breeding.parents[rng.choice(len(breeding.parents))]
            child = {name: parent.params[name] for name in search_space}
        mutation_prob = (
            1.0 / max(1.0, len(child)) if self._mutation_prob is None else self._mutation_prob
        )
        for (name, value), u in zip(list(child.items()), rng.rand(len(child)).tolist()):
            if u >= mutation_prob:
                continue
            mutated = None
            if self._mutation is not None:
                mutated = perform_mutation(self._mutation, rng, study, search_space[name], value)
            child[name] = sample_uniform(rng, search_space[name]) if mutated is None else mutated
        return child


def _crossover(
    crossover: BaseCrossover,
    study: Study,
    search_space: dict[str, BaseDistribution],
    breeding: _Breeding,
    rng: np.random.RandomState,
    swapping_prob: float,
) -> dict[str, Any]:
    """Breed until the child lies inside the search space; categoricals cross uniformly."""
    while True:
        parents = _tournaments(crossover.n_parents, breeding, rng)
        child: dict[str, Any] = {}
        if breeding.categorical:
            from_last = rng.rand(len(breeding.categorical)) >= swapping_prob
            for name, last in zip(breeding.categorical, from_last):
                child[name] = breeding.parents[parents[-1] if last else parents[0]].params[name]
        if breeding.transform is not None:
            x_child = crossover.crossover(
                breeding.x[parents], rng, study, breeding.transform.bounds
            )
            numerical = breeding.transform.untransform(x_child)
            if not all(
                search_space[k]._contains(search_space[k].to_internal_repr(v))
                for k, v in numerical.items()
            ):
                continue
            child.update(numerical)
        return {name: child[name] for name in breeding.names}


def _tournaments(n_parents: int, breeding: _Breeding, rng: np.random.RandomState) -> list[int]:
    """Binary tournaments (indices into the parents), each among those not picked yet."""
    chosen: list[int] = []
    n = len(breeding.parents)
    for _ in range(n_parents):
        first = _draw_unpicked(n, chosen, rng)
        second = _draw_unpicked(n, chosen, rng)
        chosen.append(first if breeding.better(first, second) else second)
    return chosen


def _draw_unpicked(n: int, chosen: list[int], rng: np.random.RandomState) -> int:
    """A uniform draw from ``range(n)`` without the indices in ``chosen``."""
    size = n - len(chosen)
    # floor(u * size) instead of randint: the same distribution, far less call overhead.
    index = min(int(rng.rand() * size), size - 1)
    for picked in sorted(chosen):
        if index >= picked:
            index += 1
    return index

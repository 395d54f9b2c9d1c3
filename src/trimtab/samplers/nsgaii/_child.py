"""Breeding one child from a parent population: tournament, crossover, mutation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from trimtab._study_records import StudyDirection
from trimtab.distributions import BaseDistribution, FloatDistribution, IntDistribution
from trimtab.samplers._ga._transform import NumericalTransform
from trimtab.samplers.nsgaii._crossovers import BaseCrossover
from trimtab.samplers.nsgaii._mutations import BaseMutation, perform_mutation
from trimtab.samplers.nsgaii._selection import constrained_dominates, dominates, is_constrained
from trimtab.trial import FrozenTrial

if TYPE_CHECKING:
    from trimtab.study import Study

_Dominates = Callable[[FrozenTrial, FrozenTrial, Sequence[StudyDirection]], bool]


def check_probability(name: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"`{name}` must be a float value within the range [0.0, 1.0].")


def check_crossover(crossover: Any) -> None:
    if not isinstance(crossover, BaseCrossover):
        raise ValueError(
            f"'{crossover}' is not a valid crossover."
            " For valid crossovers see trimtab.samplers.nsgaii (e.g. UniformCrossover)."
        )


class NSGAIIChildGenerationStrategy:
    """Make a child's parameters: crossover with probability ``crossover_prob`` (else copy one
    parent), then mutate each parameter with probability ``mutation_prob``.

    A parameter picked for mutation is dropped from the result (so the sampler draws it at
    random) unless ``mutation`` is given and the parameter is numerical.
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

    def __call__(
        self,
        study: Study,
        search_space: dict[str, BaseDistribution],
        parent_population: list[FrozenTrial],
    ) -> dict[str, Any]:
        rng = self._rng
        dom = constrained_dominates if is_constrained(parent_population) else dominates
        if rng.rand() < self._crossover_prob:
            child = perform_crossover(
                self._crossover, study, parent_population, search_space, rng,
                self._swapping_prob, dom,
            )
        else:
            parent = parent_population[rng.choice(len(parent_population))]
            child = {name: parent.params[name] for name in search_space}
        mutation_prob = (
            1.0 / max(1.0, len(child)) if self._mutation_prob is None else self._mutation_prob
        )
        params: dict[str, Any] = {}
        for name, value in child.items():
            if rng.rand() >= mutation_prob:
                params[name] = value
            elif self._mutation is not None:
                mutated = perform_mutation(self._mutation, rng, study, search_space[name], value)
                if mutated is not None:
                    params[name] = mutated
        return params


def perform_crossover(
    crossover: BaseCrossover,
    study: Study,
    parent_population: Sequence[FrozenTrial],
    search_space: dict[str, BaseDistribution],
    rng: np.random.RandomState,
    swapping_prob: float,
    dom: _Dominates,
) -> dict[str, Any]:
    """Breed until the child lies inside the search space; categoricals cross uniformly."""
    numerical: dict[str, BaseDistribution] = {
        k: d for k, d in search_space.items() if isinstance(d, (FloatDistribution, IntDistribution))
    }
    categorical = [k for k in search_space if k not in numerical]
    transform = NumericalTransform(numerical) if numerical else None
    while True:
        parents = _select_parents(crossover.n_parents, study, parent_population, rng, dom)
        child: dict[str, Any] = {}
        if categorical:
            from_last = rng.rand(len(categorical)) >= swapping_prob
            for name, last in zip(categorical, from_last):
                child[name] = (parents[-1] if last else parents[0]).params[name]
        if transform is not None:
            x = np.stack([transform.transform(p.params) for p in parents])
            x_child = crossover.crossover(x, rng, study, transform.bounds)
            child.update(transform.untransform(x_child))
        if all(
            search_space[k]._contains(search_space[k].to_internal_repr(v)) for k, v in child.items()
        ):
            return child


def _select_parents(
    n_parents: int,
    study: Study,
    population: Sequence[FrozenTrial],
    rng: np.random.RandomState,
    dom: _Dominates,
) -> list[FrozenTrial]:
    """Binary tournaments, each among the trials not picked yet."""
    parents: list[FrozenTrial] = []
    for _ in range(n_parents):
        pool = [t for t in population if t not in parents]
        first = pool[rng.choice(len(pool))]
        second = pool[rng.choice(len(pool))]
        parents.append(first if dom(first, second, study.directions) else second)
    return parents

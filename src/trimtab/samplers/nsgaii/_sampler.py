"""``NSGAIISampler``: the elitist multi-objective genetic algorithm of Deb et al. (2002)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from trimtab._warnings import warn, warn_deprecated
from trimtab.distributions import BaseDistribution
from trimtab.exceptions import ExperimentalWarning
from trimtab.samplers._base import process_constraints_after_trial
from trimtab.samplers._ga import BaseGASampler
from trimtab.samplers._random import RandomSampler
from trimtab.samplers._rng import SamplerRandomState
from trimtab.samplers.nsgaii._child import NSGAIIChildGenerationStrategy, check_crossover
from trimtab.samplers.nsgaii._crossovers import BaseCrossover, UniformCrossover
from trimtab.samplers.nsgaii._mutations import BaseMutation
from trimtab.samplers.nsgaii._selection import NSGAIIElitePopulationSelectionStrategy
from trimtab.search_space import IntersectionSearchSpace
from trimtab.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from trimtab.study import Study

EliteStrategy = Callable[["Study", list[FrozenTrial]], list[FrozenTrial]]
ChildStrategy = Callable[["Study", dict[str, BaseDistribution], list[FrozenTrial]], dict[str, Any]]
AfterTrialStrategy = Callable[["Study", FrozenTrial, TrialState, "Sequence[float] | None"], None]


class NSGAIIAfterTrialStrategy:
    """Default after-trial step: evaluate ``constraints_func`` on the finished trial."""

    def __init__(
        self, *, constraints_func: Callable[[FrozenTrial], Sequence[float]] | None = None
    ) -> None:
        self._constraints_func = constraints_func

    def __call__(
        self,
        study: Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None = None,
    ) -> None:
        if self._constraints_func is not None:
            process_constraints_after_trial(self._constraints_func, study, trial, state)


def validate_ga_args(
    population_size: int,
    crossover: BaseCrossover | None,
    swapping_prob: float,
    constraints_func: Any,
) -> BaseCrossover:
    """Shared argument checks of NSGA-II/III; returns the crossover to use."""
    if not isinstance(population_size, (int, np.integer)) or isinstance(population_size, bool):
        raise TypeError(f"`population_size` must be an int, got {population_size!r}.")
    if population_size < 2:
        raise ValueError("`population_size` must be greater than or equal to 2.")
    if constraints_func is not None:
        warn_deprecated(
            "`constraints_func`", "5.0.0", "7.0.0", "`trimtab.trial.Trial.set_constraint`"
        )
    crossover = UniformCrossover(swapping_prob) if crossover is None else crossover
    check_crossover(crossover)
    if population_size < crossover.n_parents:
        raise ValueError(
            f"Using {crossover}, the population size should be greater than or equal to "
            f"{crossover.n_parents}. The specified `population_size` is {population_size}."
        )
    return crossover


def warn_experimental_argument(name: str) -> None:
    warn(
        f"Argument ``{name}`` is an experimental feature. The interface can change in the future.",
        ExperimentalWarning,
    )


class _NSGASamplerBase(BaseGASampler):
    """The loop NSGA-II and NSGA-III share; they differ in their survivor selection."""

    def _setup(
        self,
        *,
        population_size: int,
        mutation: BaseMutation | None,
        mutation_prob: float | None,
        crossover: BaseCrossover,
        crossover_prob: float,
        swapping_prob: float,
        seed: int | None,
        constraints_func: Callable[[FrozenTrial], Sequence[float]] | None,
        elite_population_selection_strategy: EliteStrategy,
        child_generation_strategy: ChildStrategy | None,
        after_trial_strategy: AfterTrialStrategy | None,
        rng: np.random.RandomState,
    ) -> None:
        BaseGASampler.__init__(self, population_size=population_size)
        self._random_sampler = RandomSampler(seed=seed)
        self._rng = rng
        self._constraints_func = constraints_func
        self._search_space = IntersectionSearchSpace()
        self._elite_population_selection_strategy = elite_population_selection_strategy
        self._child_generation_strategy = child_generation_strategy or (
            NSGAIIChildGenerationStrategy(
                crossover_prob=crossover_prob,
                mutation=mutation,
                mutation_prob=mutation_prob,
                swapping_prob=swapping_prob,
                crossover=crossover,
                constraints_func=constraints_func,
                rng=rng,
            )
        )
        self._after_trial_strategy = after_trial_strategy or NSGAIIAfterTrialStrategy(
            constraints_func=constraints_func
        )

    def reseed_rng(self) -> None:
        self._random_sampler.reseed_rng()
        self._rng.seed()

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        # Single-valued parameters need no breeding; the random sampler returns their value.
        return {
            name: dist
            for name, dist in self._search_space.calculate(study).items()
            if not dist.single()
        }

    def select_parent(self, study: Study, generation: int) -> list[FrozenTrial]:
        return self._elite_population_selection_strategy(
            study,
            self.get_population(study, generation - 1)
            + self.get_parent_population(study, generation - 1),
        )

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        generation = self.get_trial_generation(study, trial)
        parents = self.get_parent_population(study, generation)
        if not parents:
            return {}
        return self._child_generation_strategy(study, search_space, parents)

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        return self._random_sampler.sample_independent(study, trial, param_name, param_distribution)

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        self._random_sampler.before_trial(study, trial)

    def after_trial(
        self,
        study: Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        self._after_trial_strategy(study, trial, state, values)
        self._random_sampler.after_trial(study, trial, state, values)


class NSGAIISampler(_NSGASamplerBase):
    """Multi-objective sampler using NSGA-II (non-dominated sorting, crowding distance).

    The first generation is random; each later generation breeds children from the elite of
    the previous generation and its parents. Parameters outside the intersection search space,
    and parameters chosen for mutation without a ``mutation`` operator, are sampled at random.

    Where Optuna leaves the details open, parents are picked by binary tournaments under
    Deb's crowded comparison (rank, then crowding distance), and a child that repeats the
    parameters of a finished trial, or of a child this sampler already proposed, is bred
    again (up to 32 times) instead of spending a trial on a known point.

    Args:
        population_size: Trials per generation (at least 2 and ``crossover.n_parents``).
        mutation: Operator for mutating numerical parameters; None resamples them at random.
        mutation_prob: Per-parameter mutation probability; ``1 / n_params`` when None.
        crossover: Crossover for numerical parameters (categoricals always cross uniformly);
            ``UniformCrossover(swapping_prob)`` when None.
        crossover_prob: Probability that a child is bred by crossover (else a parent copy).
        swapping_prob: Per-parameter swapping probability of the uniform crossover.
        seed: Seed for the random number generator.
        constraints_func: Deprecated; returns a trial's constraints (feasible when all ≤ 0).
            Prefer ``Trial.set_constraint``. Infeasible trials lose to feasible ones.
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
        elite_population_selection_strategy: EliteStrategy | None = None,
        child_generation_strategy: ChildStrategy | None = None,
        after_trial_strategy: AfterTrialStrategy | None = None,
    ) -> None:
        crossover = validate_ga_args(population_size, crossover, swapping_prob, constraints_func)
        for name, value in (
            ("after_trial_strategy", after_trial_strategy),
            ("child_generation_strategy", child_generation_strategy),
            ("elite_population_selection_strategy", elite_population_selection_strategy),
        ):
            if value is not None:
                warn_experimental_argument(name)
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
            or NSGAIIElitePopulationSelectionStrategy(
                population_size=population_size, constraints_func=constraints_func
            ),
            child_generation_strategy=child_generation_strategy,
            after_trial_strategy=after_trial_strategy,
            rng=SamplerRandomState(seed),
        )

"""NSGAIISampler: generations, breeding, constraints, crossovers, mutation, bad input."""

from __future__ import annotations

import warnings
from collections import Counter
from typing import Any

import numpy as np
import pytest

import trimtab
from trimtab.distributions import FloatDistribution
from trimtab.hypervolume import compute_hypervolume
from trimtab.samplers import BaseSampler, NSGAIISampler, RandomSampler
from trimtab.samplers.nsgaii import (
    BaseCrossover,
    BaseMutation,
    BLXAlphaCrossover,
    PolynomialMutation,
    SBXCrossover,
    SPXCrossover,
    UNDXCrossover,
    UniformCrossover,
    VSBXCrossover,
)
from trimtab.samplers.nsgaii._selection import NSGAIIElitePopulationSelectionStrategy
from trimtab.testing.samplers import SamplerContract
from trimtab.trial import FrozenTrial, Trial, TrialState, create_trial

trimtab.logging.set_verbosity(trimtab.logging.WARNING)


def _quiet(factory: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return factory()


class TestNSGAIIContract(SamplerContract):
    multi_objective = True

    def make_sampler(self, seed: int | None = None) -> BaseSampler:
        return NSGAIISampler(population_size=5, seed=seed)


def _zdt1(trial: Trial) -> tuple[float, float]:
    x = np.array([trial.suggest_float(f"x{i}", 0.0, 1.0) for i in range(4)])
    g = 1 + 9 * x[1:].mean()
    return float(x[0]), float(g * (1 - np.sqrt(x[0] / g)))


def _hv(study: trimtab.Study, ref: list[float]) -> float:
    values = np.array([t.values for t in study.get_trials(states=(TrialState.COMPLETE,))])
    return compute_hypervolume(values, np.array(ref))


def test_generations_follow_population_size() -> None:
    study = trimtab.create_study(
        directions=["minimize", "minimize"], sampler=NSGAIISampler(population_size=4, seed=0)
    )
    study.optimize(_zdt1, n_trials=14)
    generations = [t.system_attrs["NSGAIISampler:generation"] for t in study.trials]
    assert generations == [0] * 4 + [1] * 4 + [2] * 4 + [3] * 2


def test_children_come_from_parents_without_crossover_or_mutation() -> None:
    sampler = NSGAIISampler(population_size=4, crossover_prob=0.0, mutation_prob=0.0, seed=1)
    study = trimtab.create_study(directions=["minimize", "maximize"], sampler=sampler)
    study.optimize(
        lambda t: (t.suggest_float("x", 0, 1), t.suggest_categorical("c", [1, 2, 3])),
        n_trials=8,
    )
    parents = sampler.get_parent_population(study, 1)
    assert len(parents) == 4
    parent_params = [p.params for p in parents]
    for child in study.trials[4:]:
        assert child.params in parent_params


def _trials(values: list[tuple[float, float]], constraints: list[float] | None = None) -> list:
    trials = []
    for i, v in enumerate(values):
        attrs = {"constraints": [constraints[i]]} if constraints is not None else {}
        trial = create_trial(values=list(v), system_attrs=attrs)
        trial.number = i
        trials.append(trial)
    return trials


def test_elite_selection_keeps_the_front_and_its_extremes() -> None:
    study = trimtab.create_study(directions=["minimize", "minimize"])
    population = _trials([(0.0, 1.0), (0.5, 0.5), (0.51, 0.49), (1.0, 0.0), (2.0, 2.0), (3.0, 3.0)])
    elite = NSGAIIElitePopulationSelectionStrategy(population_size=3)(study, population)
    # The four front points compete on crowding distance: the extremes are infinitely isolated.
    assert {tuple(t.values) for t in elite} >= {(0.0, 1.0), (1.0, 0.0)}
    assert all(t.values[0] < 2.0 for t in elite)


def test_elite_selection_puts_feasible_before_infeasible() -> None:
    study = trimtab.create_study(directions=["minimize", "minimize"])
    population = _trials(
        [(0.0, 0.0), (5.0, 5.0), (6.0, 6.0), (0.1, 0.1)], constraints=[1.0, -1.0, 0.0, 0.5]
    )
    elite = NSGAIIElitePopulationSelectionStrategy(population_size=3)(study, population)
    assert [t.values for t in elite] == [[5.0, 5.0], [6.0, 6.0], [0.1, 0.1]]


def test_beats_random_search_on_zdt1() -> None:
    def run(sampler: BaseSampler) -> float:
        study = trimtab.create_study(directions=["minimize", "minimize"], sampler=sampler)
        study.optimize(_zdt1, n_trials=300)
        return _hv(study, [1.1, 11.0])

    nsga = np.median([run(NSGAIISampler(population_size=20, seed=s)) for s in range(3)])
    rand = np.median([run(RandomSampler(seed=s)) for s in range(3)])
    assert nsga > rand


def test_constraints_func_is_stored_and_parents_become_feasible() -> None:
    def constraints(trial: FrozenTrial) -> list[float]:
        return [trial.params["x"] - 0.5]

    with pytest.warns(FutureWarning, match="constraints_func"):
        sampler = NSGAIISampler(population_size=6, seed=0, constraints_func=constraints)
    study = trimtab.create_study(directions=["minimize", "minimize"], sampler=sampler)
    study.optimize(lambda t: (t.suggest_float("x", 0, 1), -t.suggest_float("y", 0, 1)), 30)
    for t in study.trials:
        assert t.constraints == {"0": pytest.approx(t.params["x"] - 0.5)}
    assert all(p.params["x"] <= 0.5 for p in sampler.get_parent_population(study, 4))


@pytest.mark.parametrize(
    "crossover",
    [
        lambda: UniformCrossover(0.3),
        lambda: BLXAlphaCrossover(),
        lambda: SPXCrossover(),
        lambda: SBXCrossover(),
        lambda: VSBXCrossover(),
        lambda: UNDXCrossover(),
    ],
)
def test_every_crossover_runs_a_mixed_study(crossover: Any) -> None:
    sampler = NSGAIISampler(
        population_size=6, crossover=_quiet(crossover), mutation=_quiet(PolynomialMutation), seed=0
    )
    study = trimtab.create_study(directions=["minimize", "minimize"], sampler=sampler)

    def objective(trial: Trial) -> tuple[float, float]:
        x = trial.suggest_float("x", -2, 2)
        lr = trial.suggest_float("lr", 1e-4, 1, log=True)
        n = trial.suggest_int("n", 0, 10, step=2)
        c = trial.suggest_categorical("c", ["a", "b"])
        return x**2 + lr, (x - 1) ** 2 + n + (c == "a")

    study.optimize(objective, n_trials=30)
    for t in study.trials:
        for name, value in t.params.items():
            dist = t.distributions[name]
            assert dist._contains(dist.to_internal_repr(value))


def test_crossover_operators_stay_near_their_parents() -> None:
    rng = np.random.RandomState(0)
    study = trimtab.create_study()
    parents = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]])
    bounds = np.array([[-10.0, 10.0], [-10.0, 10.0]])
    child = UniformCrossover().crossover(parents[:2], rng, study, bounds)
    assert all(child[i] in parents[:2, i] for i in range(2))
    blx = _quiet(lambda: BLXAlphaCrossover(alpha=0.5))
    for _ in range(50):
        child = blx.crossover(parents[:2], rng, study, bounds)
        assert np.all(child >= -0.5) and np.all(child <= 1.5)
    for op in [SPXCrossover, SBXCrossover, VSBXCrossover, UNDXCrossover]:
        children = np.array(
            [
                _quiet(op).crossover(parents[: _quiet(op).n_parents], rng, study, bounds)
                for _ in range(200)
            ]
        )
        assert np.all(np.isfinite(children)) and np.abs(children.mean(axis=0) - 0.5).max() < 1.0


def test_polynomial_mutation_moves_within_bounds() -> None:
    rng = np.random.RandomState(0)
    mutation = _quiet(lambda: PolynomialMutation(eta=5.0))
    moved = [
        mutation.mutation(0.5, rng, trimtab.create_study(), np.array([0.0, 1.0]))
        for _ in range(100)
    ]
    assert all(0.0 <= v <= 1.0 for v in moved) and len(set(moved)) > 90


def test_user_defined_crossover_and_mutation() -> None:
    class Midpoint(BaseCrossover):
        n_parents = 2  # type: ignore[assignment]

        def crossover(self, parents_params, rng, study, search_space_bounds):  # type: ignore[no-untyped-def]
            return parents_params.mean(axis=0)

    class Nudge(BaseMutation):
        def mutation(self, param, rng, study, search_space_bounds):  # type: ignore[no-untyped-def]
            return float(search_space_bounds[0])

    sampler = _quiet(
        lambda: NSGAIISampler(population_size=4, crossover=Midpoint(), mutation=Nudge(), seed=0)
    )
    study = trimtab.create_study(directions=["minimize", "minimize"], sampler=sampler)
    study.optimize(lambda t: (t.suggest_float("x", 0, 1), 1 - t.suggest_float("y", 0, 1)), 12)
    assert len(study.trials) == 12


def test_single_objective_and_custom_strategies() -> None:
    calls: Counter[str] = Counter()

    def after(study: Any, trial: FrozenTrial, state: TrialState, values: Any) -> None:
        calls["after"] += 1

    def child(study: Any, space: dict, parents: list[FrozenTrial]) -> dict[str, Any]:
        calls["child"] += 1
        return {"x": parents[0].params["x"]}

    def elite(study: Any, population: list[FrozenTrial]) -> list[FrozenTrial]:
        calls["elite"] += 1
        return sorted(population, key=lambda t: t.value)[:3]

    with pytest.warns(trimtab.exceptions.ExperimentalWarning):
        sampler = NSGAIISampler(
            population_size=3,
            seed=0,
            after_trial_strategy=after,
            child_generation_strategy=child,
            elite_population_selection_strategy=elite,
        )
    study = trimtab.create_study(sampler=sampler)
    study.optimize(lambda t: (t.suggest_float("x", -1, 1) - 0.2) ** 2, n_trials=9)
    assert calls["after"] == 9 and calls["child"] == 6 and calls["elite"] == 2
    assert study.best_value <= min(t.value for t in study.trials[:3])


def test_resumed_study_continues_generations() -> None:
    study = trimtab.create_study(
        directions=["minimize", "minimize"], sampler=NSGAIISampler(population_size=4, seed=0)
    )
    study.optimize(_zdt1, n_trials=9)
    resumed = trimtab.load_study(
        study_name=study.study_name,
        storage=study._storage,
        sampler=NSGAIISampler(population_size=4, seed=1),
    )
    resumed.optimize(_zdt1, n_trials=7)
    generations = [t.system_attrs["NSGAIISampler:generation"] for t in resumed.trials]
    assert generations == [0] * 4 + [1] * 4 + [2] * 4 + [3] * 4


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"population_size": 1}, "population_size"),
        ({"population_size": 2, "crossover": "uniform"}, "not a valid crossover"),
        ({"mutation_prob": 1.5}, "mutation_prob"),
        ({"crossover_prob": -0.1}, "crossover_prob"),
        ({"swapping_prob": 2.0}, "swapping_prob"),
        ({"mutation": "poly"}, "not a valid mutation"),
    ],
)
def test_bad_arguments(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        NSGAIISampler(**kwargs)


def test_population_smaller_than_crossover_parents() -> None:
    with pytest.raises(ValueError, match="greater than or equal to 3"):
        NSGAIISampler(population_size=2, crossover=_quiet(UNDXCrossover))


def test_bad_operator_arguments() -> None:
    with pytest.raises(ValueError, match="eta"):
        _quiet(lambda: SBXCrossover(eta=-1.0))
    with pytest.raises(ValueError, match="use_child_gene_prob"):
        _quiet(lambda: VSBXCrossover(use_child_gene_prob=0.0))
    with pytest.raises(ValueError, match="eta"):
        _quiet(lambda: PolynomialMutation(eta=-1.0))
    with pytest.raises(ValueError, match="swapping_prob"):
        UniformCrossover(1.5)


def test_dynamic_space_falls_back_to_random() -> None:
    study = trimtab.create_study(
        directions=["minimize", "minimize"], sampler=NSGAIISampler(population_size=4, seed=0)
    )

    def objective(trial: Trial) -> tuple[float, float]:
        x = trial.suggest_float("x", 0, 1)
        extra = trial.suggest_float(f"z{trial.number % 3}", 0, 1)
        return x, extra

    study.optimize(objective, n_trials=16)
    assert all(isinstance(t.distributions["x"], FloatDistribution) for t in study.trials)


def test_set_constraint_makes_parents_feasible() -> None:
    sampler = NSGAIISampler(population_size=6, seed=0)
    study = trimtab.create_study(directions=["minimize", "minimize"], sampler=sampler)

    def objective(trial: Trial) -> tuple[float, float]:
        x = trial.suggest_float("x", 0, 1)
        trial.set_constraint("cap", x - 0.5)
        return x, 1 - trial.suggest_float("y", 0, 1)

    study.optimize(objective, n_trials=30)
    assert all(p.params["x"] <= 0.5 for p in sampler.get_parent_population(study, 4))


def test_public_names_match_optuna() -> None:
    optuna = pytest.importorskip("optuna")
    assert sorted(trimtab.samplers.nsgaii.__all__) == sorted(optuna.samplers.nsgaii.__all__)
    for name in (
        "BaseGASampler",
        "CmaEsSampler",
        "GPSampler",
        "NSGAIISampler",
        "NSGAIIISampler",
        "nsgaii",
    ):
        assert name in trimtab.samplers.__all__

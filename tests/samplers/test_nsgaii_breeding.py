"""NSGA-II/III breeding: crowded tournaments and children that avoid known points."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import trimtab
from trimtab.samplers import NSGAIIISampler, NSGAIISampler
from trimtab.samplers.nsgaii import BaseMutation
from trimtab.samplers.nsgaii._child import _Breeding, _draw_unpicked
from trimtab.trial import Trial, create_trial

trimtab.logging.set_verbosity(trimtab.logging.WARNING)


def _discrete(trial: Trial) -> tuple[float, float]:
    a = trial.suggest_int("a", 0, 3)
    b = trial.suggest_categorical("b", ["x", "y", "z", "w"])
    c = trial.suggest_float("c", 0.0, 0.3, step=0.1)
    return a + c, (3 - a) + "xyzw".index(b)


def _keys(study: trimtab.Study) -> list[tuple[Any, ...]]:
    return [tuple(sorted(t.params.items())) for t in study.trials]


@pytest.mark.parametrize("sampler_class", [NSGAIISampler, NSGAIIISampler])
def test_children_do_not_repeat_known_points_in_a_discrete_space(sampler_class: Any) -> None:
    # 64 points; 6 generations of 8 leave 16 unvisited, so re-breeding always finds a new one.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sampler = sampler_class(population_size=8, seed=0)
    study = trimtab.create_study(directions=["minimize", "minimize"], sampler=sampler)
    study.optimize(_discrete, n_trials=48)
    keys = _keys(study)
    for i in range(8, len(keys)):
        assert keys[i] not in keys[:i], f"trial {i} repeats a known point"


def test_plain_breeding_would_repeat_points_in_that_space() -> None:
    # The check above is meaningful: copies and small crossovers hit known points often.
    sampler = NSGAIISampler(population_size=8, seed=0, crossover_prob=0.0, mutation_prob=0.0)
    study = trimtab.create_study(directions=["minimize", "minimize"], sampler=sampler)
    study.optimize(_discrete, n_trials=24)
    keys = _keys(study)
    assert all(keys[i] in keys[:8] for i in range(8, 24))


def test_asked_children_differ_before_any_is_told() -> None:
    # Children handed out but still running count as known (several workers or ask/tell).
    sampler = NSGAIISampler(population_size=4, seed=1)
    study = trimtab.create_study(directions=["minimize", "minimize"], sampler=sampler)
    study.optimize(_discrete, n_trials=4)
    asked = [study.ask() for _ in range(12)]
    for trial in asked:
        _discrete(trial)
    keys = [tuple(sorted(t.params.items())) for t in asked]
    assert len(set(keys)) == len(keys)
    assert not set(keys) & set(_keys(study)[:4])


def _breeding(
    values: list[tuple[float, float]], constraints: list[float] | None = None
) -> _Breeding:
    study = trimtab.create_study(directions=["minimize", "minimize"])
    parents = []
    for i, v in enumerate(values):
        attrs = {"constraints": [constraints[i]]} if constraints is not None else {}
        trial = create_trial(
            values=list(v),
            params={"x": float(i)},
            distributions={"x": trimtab.distributions.FloatDistribution(0, 10)},
            system_attrs=attrs,
        )
        trial.number = i
        parents.append(trial)
    return _Breeding(study, {"x": trimtab.distributions.FloatDistribution(0, 10)}, parents)


def test_tournament_prefers_lower_rank_then_less_crowding() -> None:
    # Front 0: (0, 3), (1, 2), (1.1, 1.9), (3, 0); front 1: (4, 4).
    breeding = _breeding([(0, 3), (1, 2), (1.1, 1.9), (3, 0), (4, 4)])
    assert breeding.better(1, 4) and not breeding.better(4, 1)
    assert breeding.better(0, 1)  # an extreme point is infinitely isolated
    # (1.1, 1.9) has the wider gap to its neighbours (0, 3) ... (3, 0) than (1, 2) has.
    assert breeding.better(2, 1) and not breeding.better(1, 2)


def test_tournament_prefers_feasible_then_smaller_violation() -> None:
    breeding = _breeding([(0, 0), (5, 5), (9, 9)], constraints=[2.0, -1.0, 0.5])
    assert breeding.better(1, 0) and breeding.better(2, 0) and breeding.better(1, 2)


def test_draw_unpicked_is_uniform_over_the_rest() -> None:
    rng = np.random.RandomState(0)
    draws = [_draw_unpicked(5, [3, 1], rng) for _ in range(3000)]
    counts = np.bincount(draws, minlength=5)
    assert counts[1] == counts[3] == 0
    assert all(900 < c < 1100 for c in counts[[0, 2, 4]])


def test_a_child_is_kept_when_every_attempt_repeats_a_known_point() -> None:
    # A mutation that always returns the lower bound makes every child (0, 0): the sampler
    # re-breeds, finds nothing new, and keeps the child rather than looping or going random.
    class ToLowerBound(BaseMutation):
        def mutation(self, param, rng, study, search_space_bounds):  # type: ignore[no-untyped-def]
            return float(search_space_bounds[0])

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sampler = NSGAIISampler(
            population_size=4, mutation=ToLowerBound(), mutation_prob=1.0, seed=0
        )
    study = trimtab.create_study(directions=["minimize", "minimize"], sampler=sampler)
    study.optimize(lambda t: (t.suggest_float("x", 0, 1), 1 - t.suggest_float("y", 0, 1)), 10)
    assert all(t.params == {"x": 0.0, "y": 0.0} for t in study.trials[4:])


def test_children_avoid_the_running_trials_of_another_worker() -> None:
    # Two samplers (two workers) on one storage: each sees the other's running trials.
    storage = trimtab.storages.InMemoryStorage()
    studies = [
        trimtab.create_study(
            storage=storage,
            study_name="shared",
            load_if_exists=True,
            directions=["minimize", "minimize"],
            sampler=NSGAIISampler(population_size=4, seed=0),
        )
        for _ in range(2)
    ]
    studies[0].optimize(_discrete, n_trials=4)
    asked = []
    for i in range(12):
        trial = studies[i % 2].ask()
        _discrete(trial)
        asked.append(tuple(sorted(trial.params.items())))
    assert len(set(asked)) == len(asked)

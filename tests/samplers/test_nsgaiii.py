"""NSGAIIISampler: reference points, niching, bad input, quality on a 3-objective problem."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import trimtab
from trimtab.hypervolume import compute_hypervolume
from trimtab.samplers import BaseSampler, NSGAIIISampler, RandomSampler
from trimtab.samplers._nsga3 import (
    NSGAIIIElitePopulationSelectionStrategy,
    default_reference_points,
)
from trimtab.testing.samplers import SamplerContract
from trimtab.trial import Trial, TrialState, create_trial

trimtab.logging.set_verbosity(trimtab.logging.WARNING)


def _make(**kwargs: Any) -> NSGAIIISampler:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return NSGAIIISampler(**kwargs)


class TestNSGAIIIContract(SamplerContract):
    multi_objective = True

    def make_sampler(self, seed: int | None = None) -> BaseSampler:
        return _make(population_size=5, seed=seed)


def _dtlz2(trial: Trial) -> tuple[float, float, float]:
    x = np.array([trial.suggest_float(f"x{i}", 0.0, 1.0) for i in range(5)])
    g = float(((x[2:] - 0.5) ** 2).sum())
    a, b = x[0] * np.pi / 2, x[1] * np.pi / 2
    return (
        (1 + g) * np.cos(a) * np.cos(b),
        (1 + g) * np.cos(a) * np.sin(b),
        (1 + g) * np.sin(a),
    )


def test_default_reference_points_are_das_dennis() -> None:
    points = default_reference_points(3, 4)
    assert points.shape == (15, 3)
    assert np.all(points.sum(axis=1) == 4)
    assert len({tuple(p) for p in points}) == 15


def test_experimental_warning_and_generation_key() -> None:
    with pytest.warns(trimtab.exceptions.ExperimentalWarning):
        sampler = NSGAIIISampler(population_size=4, seed=0)
    study = trimtab.create_study(directions=["minimize"] * 3, sampler=sampler)
    study.optimize(_dtlz2, n_trials=9)
    generations = [t.system_attrs["NSGAIIISampler:generation"] for t in study.trials]
    assert generations == [0] * 4 + [1] * 4 + [2]


def test_beats_random_on_dtlz2() -> None:
    def run(sampler: BaseSampler) -> float:
        study = trimtab.create_study(directions=["minimize"] * 3, sampler=sampler)
        study.optimize(_dtlz2, n_trials=300)
        values = np.array([t.values for t in study.get_trials(states=(TrialState.COMPLETE,))])
        return compute_hypervolume(values, np.full(3, 1.5))

    nsga = np.median([run(_make(population_size=20, seed=s)) for s in range(3)])
    rand = np.median([run(RandomSampler(seed=s)) for s in range(3)])
    assert nsga > rand


def test_custom_reference_points_are_used_and_checked() -> None:
    refs = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    study = trimtab.create_study(
        directions=["minimize", "minimize"],
        sampler=_make(population_size=4, reference_points=refs, seed=0),
    )
    study.optimize(lambda t: (t.suggest_float("x", 0, 1), 1 - t.suggest_float("y", 0, 1)), 12)
    bad = trimtab.create_study(
        directions=["minimize"] * 3,
        sampler=_make(population_size=4, reference_points=refs, seed=0),
    )
    with pytest.raises(ValueError, match="reference points"):
        bad.optimize(_dtlz2, n_trials=12)


def test_selection_spreads_over_reference_directions() -> None:
    study = trimtab.create_study(directions=["minimize", "minimize"])
    xs = [0.0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 1.0]
    population = []
    for i, x in enumerate(xs):
        trial = create_trial(values=[x, 1 - x])
        trial.number = i
        population.append(trial)
    strategy = NSGAIIIElitePopulationSelectionStrategy(
        population_size=4, rng=np.random.RandomState(0)
    )
    chosen = {t.values[0] for t in strategy(study, population)}
    # The crowded end fills one niche; the lone far point owns another.
    assert 1.0 in chosen and 0.0 in chosen and len(chosen) == 4


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"population_size": 1}, "population_size"),
        ({"dividing_parameter": 0}, "dividing_parameter"),
        ({"reference_points": np.zeros((0, 2))}, "reference_points"),
        ({"crossover": object()}, "not a valid crossover"),
    ],
)
def test_bad_arguments(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        _make(**kwargs)

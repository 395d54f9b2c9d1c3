"""BruteForceSampler, QMCSampler and PartialFixedSampler behaviour."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import trimtab
from trimtab.samplers import BruteForceSampler, PartialFixedSampler, QMCSampler, RandomSampler
from trimtab.trial import TrialState


@pytest.fixture(autouse=True)
def quiet() -> None:
    trimtab.logging.set_verbosity(trimtab.logging.ERROR)
    warnings.simplefilter("ignore", trimtab.exceptions.ExperimentalWarning)


def conditional(trial: trimtab.Trial) -> float:
    kind = trial.suggest_categorical("kind", ["a", "b", "c"])
    if kind == "a":
        return trial.suggest_int("depth", 1, 3)
    if kind == "b":
        return trial.suggest_float("rate", 0.0, 1.0, step=0.5)
    return 0.0


def test_brute_force_enumerates_a_conditional_space_and_stops() -> None:
    study = trimtab.create_study(sampler=BruteForceSampler(seed=0))
    study.optimize(conditional, n_trials=100)
    combos = sorted(str(sorted(t.params.items())) for t in study.trials)
    assert len(combos) == 7 and len(set(combos)) == 7


def test_brute_force_rejects_continuous_floats() -> None:
    study = trimtab.create_study(sampler=BruteForceSampler())
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1, catch=(ValueError,))
    assert study.trials[0].state == TrialState.FAIL


def test_brute_force_with_threads_covers_everything() -> None:
    study = trimtab.create_study(sampler=BruteForceSampler(seed=1, avoid_premature_stop=True))
    study.optimize(lambda t: t.suggest_int("x", 0, 5), n_trials=30, n_jobs=2)
    assert {t.params["x"] for t in study.trials} == set(range(6))


def test_qmc_points_are_low_discrepancy_and_deterministic() -> None:
    def run() -> list[float]:
        study = trimtab.create_study(sampler=QMCSampler(seed=3, qmc_type="sobol"))
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=17)
        return [t.params["x"] for t in study.trials]

    xs = run()
    assert xs == run()
    # Trials 1..16 take the first 16 Sobol points: one in each sixteenth of [0, 1).
    bins = np.floor(np.array(xs[1:]) * 16).astype(int)
    assert sorted(bins) == list(range(16))


def test_qmc_halton_and_bad_type() -> None:
    study = trimtab.create_study(sampler=QMCSampler(qmc_type="halton", seed=0))
    study.optimize(lambda t: t.suggest_int("n", 1, 100, log=True), n_trials=10)
    assert all(1 <= t.params["n"] <= 100 for t in study.trials)
    with pytest.raises(ValueError, match="halton"):
        QMCSampler(qmc_type="lhs")


def test_partial_fixed_sampler() -> None:
    sampler = PartialFixedSampler({"x": 0.25}, RandomSampler(seed=0))
    study = trimtab.create_study(sampler=sampler)
    study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_float("y", 0, 1), n_trials=5)
    assert all(t.params["x"] == 0.25 for t in study.trials)
    assert len({t.params["y"] for t in study.trials}) == 5

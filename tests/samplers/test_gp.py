"""GPSampler and its parts: surrogate, acquisitions, optimiser; quality, constraints, MO."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest
import scipy.stats

import trimtab
from trimtab.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from trimtab.hypervolume import compute_hypervolume
from trimtab.samplers import BaseSampler, GPSampler, RandomSampler
from trimtab.samplers._gp._acquisition import non_dominated_boxes, standard_log_ei
from trimtab.samplers._gp._optimizer import optimize_acquisition
from trimtab.samplers._gp._search_space import GPSearchSpace
from trimtab.samplers._gp._surrogate import MIN_NOISE, _Encoded, _neg_log_posterior, fit_gp
from trimtab.testing.samplers import SamplerContract
from trimtab.trial import FrozenTrial, Trial, TrialState

trimtab.logging.set_verbosity(trimtab.logging.WARNING)


def _make(**kwargs: Any) -> GPSampler:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return GPSampler(**kwargs)


class TestGPContract(SamplerContract):
    multi_objective = True

    def make_sampler(self, seed: int | None = None) -> BaseSampler:
        return _make(seed=seed, n_startup_trials=5, warn_independent_sampling=False)


def _branin(trial: Trial) -> float:
    x, y = trial.suggest_float("x", -5, 10), trial.suggest_float("y", 0, 15)
    b = 5.1 / (4 * math.pi**2)
    return (
        (y - b * x**2 + 5 / math.pi * x - 6) ** 2 + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x) + 10
    )


# ----------------------------------------------------------------------------- the parts


def test_marginal_likelihood_gradient_matches_finite_differences() -> None:
    rng = np.random.default_rng(0)
    X = rng.random((25, 3))
    X[:, 2] = rng.integers(0, 3, 25)
    y = np.sin(4 * X[:, 0]) + (X[:, 2] == 1)
    y = (y - y.mean()) / y.std()
    enc = _Encoded(X, np.array([False, False, True]), np.array([0, 0, 3]))
    for deterministic in (False, True):
        raw = rng.normal(size=5) * 0.5
        _, grad = _neg_log_posterior(raw, enc, y, deterministic)
        numeric = [
            (
                _neg_log_posterior(raw + e * 1e-6, enc, y, deterministic)[0]
                - _neg_log_posterior(raw - e * 1e-6, enc, y, deterministic)[0]
            )
            / 2e-6
            for e in np.eye(5)
        ]
        assert np.allclose(grad, numeric, rtol=1e-4, atol=1e-6)


def test_gp_fits_a_smooth_function_and_learns_relevance() -> None:
    rng = np.random.default_rng(1)
    X = rng.random((40, 2))
    y = np.sin(6 * X[:, 0])  # the second column is irrelevant
    gp = fit_gp(X, (y - y.mean()) / y.std(), np.zeros(2, bool), np.zeros(2, int))
    lam = gp.params.inverse_sq_lengthscales
    assert lam[0] > 10 * lam[1]
    X_test = rng.random((20, 2))
    mean, var = gp.posterior(X_test)
    truth = (np.sin(6 * X_test[:, 0]) - y.mean()) / y.std()
    assert np.abs(mean - truth).max() < 0.1 and np.all(var >= 0)


def test_deterministic_gp_interpolates() -> None:
    rng = np.random.default_rng(2)
    X, y = rng.random((15, 3)), rng.normal(size=15)
    gp = fit_gp(X, y, np.zeros(3, bool), np.zeros(3, int), deterministic=True)
    assert gp.params.noise == MIN_NOISE
    mean, var = gp.posterior(X)
    assert np.allclose(mean, y, atol=1e-2) and var.max() < 1e-3


def test_log_ei_is_stable_and_matches_the_closed_form() -> None:
    z = np.array([-60.0, -26.0, -24.0, -3.0, 0.0, 2.5])
    direct = np.log(z * scipy.stats.norm.cdf(z) + scipy.stats.norm.pdf(z))
    assert np.allclose(standard_log_ei(z)[3:], direct[3:])
    assert np.all(np.isfinite(standard_log_ei(z))) and np.all(np.diff(standard_log_ei(z)) > 0)
    # Asymptotically log EI(z) ~ -z^2/2 - log(sqrt(2 pi)) - 2 log|z|.
    assert standard_log_ei(np.array([-60.0]))[0] == pytest.approx(
        -1800 - 0.5 * np.log(2 * np.pi) - 2 * np.log(60), rel=1e-4
    )


@pytest.mark.parametrize("k", [2, 3])
def test_box_decomposition_covers_exactly_the_non_dominated_region(k: int) -> None:
    rng = np.random.default_rng(k)
    front = rng.random((7, k))
    ref, low = np.full(k, 1.2), np.full(k, -0.5)
    lows, highs = non_dominated_boxes(front, ref)
    covered = np.prod(np.clip(highs - np.maximum(lows, low), 0, None), axis=1).sum()
    expected = np.prod(ref - low) - compute_hypervolume(np.maximum(front, low), ref)
    assert covered == pytest.approx(expected)


def test_optimizer_finds_the_maximum_of_a_mixed_function() -> None:
    space = GPSearchSpace(
        {
            "x": FloatDistribution(0, 1),
            "n": IntDistribution(0, 100),
            "c": CategoricalDistribution(["a", "b", "c"]),
            "lr": FloatDistribution(1e-4, 1, log=True),
        }
    )
    target = space.normalize([{"x": 0.3, "n": 70, "c": "c", "lr": 1e-2}])[0]

    def acquisition(x: np.ndarray) -> np.ndarray:
        cont = ((x[:, [0, 1, 3]] - target[[0, 1, 3]]) ** 2).sum(axis=1)
        return -cont - (x[:, 2] != target[2])

    best = space.unnormalize(optimize_acquisition(acquisition, space, np.random.RandomState(0)))
    assert best["c"] == "c" and best["n"] == 70
    assert best["x"] == pytest.approx(0.3, abs=1e-3)
    assert best["lr"] == pytest.approx(1e-2, rel=1e-2)


def test_search_space_round_trip() -> None:
    space = GPSearchSpace(
        {
            "f": FloatDistribution(-2, 2, step=0.5),
            "i": IntDistribution(1, 1000, log=True),
            "c": CategoricalDistribution([None, 1, "x"]),
        }
    )
    params = [{"f": -2.0, "i": 1, "c": None}, {"f": 1.5, "i": 1000, "c": "x"}]
    x = space.normalize(params)
    assert np.all((x[:, :2] > 0) & (x[:, :2] < 1))
    assert [space.unnormalize(row) for row in x] == params
    samples = space.sample(64, np.random.RandomState(0))
    for row in samples:
        values = space.unnormalize(row)
        for name, dist in space.search_space.items():
            assert dist._contains(dist.to_internal_repr(values[name]))


# ---------------------------------------------------------------------------- the sampler


def test_beats_random_search_on_branin() -> None:
    def best(sampler: BaseSampler) -> float:
        study = trimtab.create_study(sampler=sampler)
        study.optimize(_branin, n_trials=30)
        return study.best_value

    gp = [best(_make(seed=s)) for s in range(2)]
    rand = [best(RandomSampler(seed=s)) for s in range(2)]
    assert max(gp) < 0.6 < min(rand)


def test_mixed_space_finds_the_right_category_and_integer() -> None:
    study = trimtab.create_study(sampler=_make(seed=0, n_startup_trials=8))

    def objective(trial: Trial) -> float:
        x = trial.suggest_float("x", -2, 2)
        n = trial.suggest_int("n", 0, 20)
        c = trial.suggest_categorical("c", ["bad", "good", "worse"])
        lr = trial.suggest_float("lr", 1e-5, 1, log=True)
        return (
            (x - 0.5) ** 2
            + 0.1 * (n - 13) ** 2
            + {"bad": 3, "good": 0, "worse": 5}[c]
            + (math.log10(lr) + 3) ** 2 / 10
        )

    study.optimize(objective, n_trials=35)
    best = study.best_params
    assert best["c"] == "good" and abs(best["n"] - 13) <= 2 and study.best_value < 1.0


def test_multi_objective_improves_hypervolume() -> None:
    def objective(trial: Trial) -> tuple[float, float]:
        x, y = trial.suggest_float("x", 0, 1), trial.suggest_float("y", 0, 1)
        return x, (1 + 4 * y) * (1 - math.sqrt(x / (1 + 4 * y)))

    def hv(sampler: BaseSampler) -> float:
        study = trimtab.create_study(directions=["minimize", "minimize"], sampler=sampler)
        study.optimize(objective, n_trials=25)
        values = np.array([t.values for t in study.trials])
        return compute_hypervolume(values, np.array([1.1, 5.5]))

    assert hv(_make(seed=0)) > hv(RandomSampler(seed=0))


def test_maximize_and_minimize_mixed_directions() -> None:
    study = trimtab.create_study(
        directions=["maximize", "minimize"], sampler=_make(seed=0, n_startup_trials=5)
    )
    study.optimize(lambda t: (-t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1)), 12)
    assert len(study.best_trials) >= 1


def test_constraints_steer_towards_feasible_points() -> None:
    study = trimtab.create_study(sampler=_make(seed=0, n_startup_trials=5))

    def objective(trial: Trial) -> float:
        x, y = trial.suggest_float("x", -3, 3), trial.suggest_float("y", -3, 3)
        trial.set_constraint("ring", 1.0 - (x**2 + y**2))  # feasible outside the unit circle
        return x**2 + y**2

    study.optimize(objective, n_trials=25)
    # The constrained optimum is the unit circle: late trials hug it from either side (an
    # occasional exploratory trial elsewhere is allowed).
    assert sum(abs(t.value - 1.0) < 0.15 for t in study.trials[15:]) >= 8
    feasible = [t.value for t in study.trials if t.constraints["ring"] <= 0]
    assert min(feasible) < 1.1


def test_constraints_func_is_deprecated_but_works() -> None:
    def constraints(trial: FrozenTrial) -> list[float]:
        return [trial.params["x"] - 0.2]

    with pytest.warns(FutureWarning, match="constraints_func"):
        sampler = GPSampler(seed=0, n_startup_trials=4, constraints_func=constraints)
    study = trimtab.create_study(direction="maximize", sampler=sampler)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=14)
    assert all(t.constraints == {"0": pytest.approx(t.params["x"] - 0.2)} for t in study.trials)
    assert sum(t.params["x"] <= 0.25 for t in study.trials[4:]) >= 6


def test_pending_trials_are_spread_out() -> None:
    study = trimtab.create_study(sampler=_make(seed=0, n_startup_trials=5))
    study.optimize(lambda t: (t.suggest_float("x", 0, 1) - 0.4) ** 2, n_trials=8)
    first, second = study.ask(), study.ask()
    x1, x2 = first.suggest_float("x", 0, 1), second.suggest_float("x", 0, 1)
    assert x1 != x2
    stored = study._storage.get_trial(first._trial_id).system_attrs["gp:state"]
    assert stored == {"version": 1, "state": {"params": {"x": x1}}}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_workers_asking_together_get_distinct_spread_out_points(seed: int) -> None:
    # Six workers ask before any of them tells, once the GP has found the optimum's basin:
    # believing each pending trial's predicted mean put all six on the incumbent.
    def objective(t: Trial) -> float:
        return (t.suggest_float("x", 0, 1) - 0.4) ** 2 + (t.suggest_float("y", 0, 1) - 0.7) ** 2

    study = trimtab.create_study(sampler=_make(seed=seed))
    study.optimize(objective, n_trials=15)
    pending = [study.ask() for _ in range(6)]
    points = np.array([[t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1)] for t in pending])
    gaps = np.sqrt(((points[:, None] - points[None]) ** 2).sum(axis=2))
    assert gaps[~np.eye(6, dtype=bool)].min() > 0.05
    for trial, (x, y) in zip(pending, points):
        study.tell(trial, (x - 0.4) ** 2 + (y - 0.7) ** 2)
    assert study.best_value < 0.01


def test_deterministic_objective_and_startup_sampler() -> None:
    used: list[int] = []

    class Startup(RandomSampler):
        def sample_independent(
            self, study: Any, trial: FrozenTrial, name: str, dist: BaseDistribution
        ) -> Any:
            used.append(trial.number)
            return super().sample_independent(study, trial, name, dist)

    with pytest.warns(trimtab.exceptions.ExperimentalWarning):
        sampler = GPSampler(
            seed=0,
            deterministic_objective=True,
            independent_sampler=Startup(seed=0),
            n_startup_trials=4,
        )
    study = trimtab.create_study(sampler=sampler)
    study.optimize(lambda t: (t.suggest_float("x", 0, 1) - 0.7) ** 2, n_trials=12)
    assert used == [0, 1, 2, 3]
    assert study.best_value < 1e-3


def test_non_finite_values_are_clipped_with_a_warning() -> None:
    study = trimtab.create_study(sampler=_make(seed=0, n_startup_trials=3))
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    study.add_trial(
        trimtab.trial.create_trial(
            value=float("inf"), params={"x": 0.5}, distributions={"x": FloatDistribution(0, 1)}
        )
    )
    with pytest.warns(UserWarning, match="Clip non-finite"):
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    assert study.trials[-1].state == TrialState.COMPLETE


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="n_startup_trials"):
        GPSampler(n_startup_trials=-1)

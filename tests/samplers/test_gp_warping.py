"""GPSampler's output warping, robust standardisation and local acquisition candidates."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import trimtab
from trimtab.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from trimtab.samplers import GPSampler
from trimtab.samplers._gp._optimizer import perturb
from trimtab.samplers._gp._sampler import clip_non_finite, standardize
from trimtab.samplers._gp._search_space import GPSearchSpace
from trimtab.samplers._gp._warping import (
    LAMBDA_BOUNDS,
    fit_exponent,
    scale_robustly,
    warp,
    yeo_johnson,
)
from trimtab.trial import TrialState


@pytest.mark.parametrize("lam", [-1.0, 0.0, 0.5, 1.0, 2.0, 3.0])
def test_yeo_johnson_is_strictly_increasing_and_invertible(lam: float) -> None:
    x = np.linspace(-6, 6, 241)
    y = yeo_johnson(x, lam)
    assert np.all(np.diff(y) > 0)
    assert np.all(np.isfinite(y))
    # Invert numerically by bisection on the monotone map: recovers the inputs.
    lo, hi = np.full_like(x, -10.0), np.full_like(x, 10.0)
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        below = yeo_johnson(mid, lam) < y
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    assert np.allclose(0.5 * (lo + hi), x, atol=1e-9)


def test_yeo_johnson_special_cases() -> None:
    x = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    assert np.allclose(yeo_johnson(x, 1.0), x)
    assert np.allclose(yeo_johnson(x[x >= 0], 0.0), np.log1p(x[x >= 0]))
    assert np.allclose(yeo_johnson(x[x < 0], 2.0), -np.log1p(-x[x < 0]))
    # Continuous in the exponent around the logarithmic special cases.
    assert np.allclose(yeo_johnson(x, 1e-6), yeo_johnson(x, 0.0), atol=1e-5)
    assert np.allclose(yeo_johnson(x, 2.0 - 1e-6), yeo_johnson(x, 2.0), atol=1e-5)


def test_gaussian_values_are_left_alone_and_heavy_tails_are_compressed() -> None:
    rng = np.random.RandomState(0)
    assert fit_exponent(scale_robustly(rng.randn(60))) == 1.0
    # Losses with a heavy upper tail, maximised: a heavy lower tail, compressed (λ > 1).
    heavy = -np.exp(2.0 * rng.randn(60))
    lam = fit_exponent(scale_robustly(heavy))
    assert 1.0 < lam <= LAMBDA_BOUNDS[1]
    warped = warp(heavy[:, None])[0][:, 0]
    assert warped.min() > -4.0  # the worst outlier no longer dominates the scale
    assert abs(warped.mean()) < 1e-9 and warped.std() == pytest.approx(1.0)


@pytest.mark.parametrize(
    "values",
    [
        np.array([1e300, -1e300, 0.0, 1.0, 2.0]),
        np.array([1e300, 1e300, 1e300, 1.0]),
        np.array([-5.0, -4.0, -1e-300, -3.0]),
        np.array([1e-300, 2e-300, 3e-300]),
        np.array([3.0, 3.0, 3.0, 7.0]),
        np.array([-1e12, 1.0, 2.0, 3.0, 4.0, 5.0]),
    ],
)
def test_warp_handles_extreme_inputs_and_preserves_order(values: np.ndarray) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow or invalid-value warnings
        out = warp(values[:, None])[0][:, 0]
    assert np.all(np.isfinite(out))
    order = np.argsort(values, kind="stable")
    assert np.all(np.diff(out[order]) >= 0)
    assert np.all((np.diff(values[order]) > 0) <= (np.diff(out[order]) > 0))
    assert out[np.argmax(values)] == out.max()


@pytest.mark.parametrize("values", [np.full(5, 2.5), np.full(3, -1e300), np.zeros(4), [7.0]])
def test_constant_values_become_zeros(values: np.ndarray) -> None:
    column = np.asarray(values, dtype=float)[:, None]
    assert np.array_equal(warp(column)[0], np.zeros_like(column))
    assert np.array_equal(standardize(column)[0], np.zeros_like(column))


def test_warp_is_shift_and_scale_invariant_and_direction_symmetric() -> None:
    rng = np.random.RandomState(1)
    v = np.exp(rng.randn(40))
    base = warp(v[:, None])[0]
    assert np.allclose(warp((1e6 + 3e4 * v)[:, None])[0], base, atol=1e-6)
    assert np.allclose(warp(-v[:, None])[0], -base, atol=1e-6)


def test_standardize_does_not_overflow_and_locates_zero() -> None:
    values = np.array([[1e300, -1.0], [-1e300, 1.0], [0.0, 3.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        z, zero = standardize(values)
    assert np.allclose(z.mean(axis=0), 0.0) and np.allclose(z.std(axis=0), 1.0)
    # ``zero`` is where a raw 0 lands: between the standardised -1 and 1 of column 1.
    assert z[0, 1] < zero[1] < z[1, 1]
    assert zero[0] == pytest.approx(z[2, 0])


def test_clip_non_finite_uses_the_finite_range() -> None:
    values = np.array([[np.inf, 1.0], [2.0, -np.inf], [np.nan, 3.0], [-1.0, 0.5]])
    with pytest.warns(UserWarning, match="Clip non-finite"):
        clipped = clip_non_finite(values)
    assert clipped[:, 0].tolist() == [2.0, 2.0, 0.0, -1.0]
    assert clipped[:, 1].tolist() == [1.0, 0.5, 3.0, 0.5]


def test_perturbations_stay_in_the_space_near_the_centres() -> None:
    space = GPSearchSpace(
        {
            "x": FloatDistribution(0, 1),
            "n": IntDistribution(1, 9),
            "c": CategoricalDistribution(["a", "b", "c"]),
        }
    )
    centres = space.normalize([{"x": 0.98, "n": 5, "c": "b"}])
    points = perturb(centres, space, 500, np.random.RandomState(0))
    assert points.shape == (500, 3)
    assert np.all((points[:, :2] >= 0) & (points[:, :2] <= 1))
    assert np.array_equal(space.round(points), points)
    assert np.median(np.abs(points[:, 0] - centres[0, 0])) < 0.05
    switched = np.mean(points[:, 2] != centres[0, 2])
    assert 0.05 < switched < 0.5  # categorical switches happen, but rarely


def test_heavy_tailed_objective_with_extreme_values_runs() -> None:
    study = trimtab.create_study(
        sampler=GPSampler(seed=0, n_startup_trials=5, warn_independent_sampling=False)
    )

    def objective(trial: trimtab.Trial) -> float:
        x = trial.suggest_float("x", -2, 2)
        y = trial.suggest_float("y", -2, 2)
        return 1e300 if x > 1.8 else 100.0 * (y - x**2) ** 2 + (1 - x) ** 2

    study.optimize(objective, n_trials=5)
    study.enqueue_trial({"x": 1.9, "y": 0.0})
    study.optimize(objective, n_trials=12)
    assert all(t.state == TrialState.COMPLETE for t in study.trials)
    assert study.best_value < 10.0


def _rosenbrock_design(seed: int) -> tuple[np.ndarray, np.ndarray]:
    points = np.random.RandomState(seed).uniform(-2, 2, (40, 2))
    values = 100 * (points[:, 1] - points[:, 0] ** 2) ** 2 + (1 - points[:, 0]) ** 2
    return points, values


def test_heavy_tailed_objective_is_modelled_warped() -> None:
    points, values = _rosenbrock_design(0)
    space = GPSearchSpace({"x": FloatDistribution(-2, 2), "y": FloatDistribution(-2, 2)})
    X = space.normalize([{"x": a, "y": b} for a, b in points])
    Y, gps = GPSampler(seed=0)._fit_objectives(X, -values[:, None], space)
    plain = standardize(-values[:, None])[0]
    assert not np.allclose(Y, plain)
    # The GP is fitted to the targets it was chosen for, and the order of trials is kept.
    assert np.array_equal(gps[0].y, Y[:, 0])
    assert np.array_equal(np.argsort(Y[:, 0]), np.argsort(-values))


def test_spaces_with_categorical_parameters_are_not_warped() -> None:
    points, values = _rosenbrock_design(1)
    space = GPSearchSpace(
        {
            "x": FloatDistribution(-2, 2),
            "y": FloatDistribution(-2, 2),
            "c": CategoricalDistribution(["a", "b"]),
        }
    )
    params = [{"x": a, "y": b, "c": "ab"[i % 2]} for i, (a, b) in enumerate(points)]
    X = space.normalize(params)
    assert warp(-values[:, None])[1].any()  # the marginal fit alone would warp
    Y, _ = GPSampler(seed=0)._fit_objectives(X, -values[:, None], space)
    assert np.allclose(Y, standardize(-values[:, None])[0])

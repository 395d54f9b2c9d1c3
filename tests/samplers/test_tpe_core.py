"""The TPE numeric core: Parzen estimator maths, truncated normals, history, split, MOTPE."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats

import trimtab
from trimtab._multi_objective import nondomination_ranks
from trimtab.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from trimtab.samplers._tpe._model import MAX_ABOVE_KERNELS, bounded_kernels
from trimtab.samplers._tpe._parzen import EstimatorParameters, ParzenEstimator, _neighbour_sigmas
from trimtab.samplers._tpe._space import NumericDim, grid_codes, make_dim
from trimtab.samplers._tpe._split import greedy_hypervolume_subset, split_rows
from trimtab.samplers._tpe._truncnorm import log_gauss_mass, sample_truncnorm
from trimtab.trial import TrialState, create_trial

trimtab.logging.set_verbosity(trimtab.logging.WARNING)


def _estimator(dist: object, obs: list[float], **kwargs: object) -> ParzenEstimator:
    params = EstimatorParameters(**kwargs)  # type: ignore[arg-type]
    x = np.array(obs, dtype=float)[:, None]
    return ParzenEstimator([make_dim(dist)], x, np.ones(len(obs)), params)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "dist",
    [
        IntDistribution(0, 20),
        IntDistribution(1, 1000, log=True),
        IntDistribution(-10, 50, step=5),
        FloatDistribution(0.0, 1.0, step=0.1),
        IntDistribution(0, 100000),  # fine grid: the dense (midpoint) path
    ],
)
def test_stepped_mass_sums_to_one(dist: IntDistribution | FloatDistribution) -> None:
    step = dist.step
    grid = np.arange(dist.low, dist.high + step / 2, step)
    obs = list(np.random.RandomState(0).choice(grid, size=7))
    pe = _estimator(dist, obs)
    total = np.exp(pe.log_pdf(grid[:, None])).sum()
    assert total == pytest.approx(1.0, rel=2e-3)


@pytest.mark.parametrize("log", [False, True])
def test_continuous_density_integrates_to_one(log: bool) -> None:
    dist = FloatDistribution(0.01, 10.0, log=log)
    pe = _estimator(dist, [0.02, 0.5, 3.0, 9.9])
    dim = make_dim(dist)
    assert isinstance(dim, NumericDim)
    u = np.linspace(0, 1, 20001)
    density = np.exp(pe.log_pdf(dim.from_unit(u)[:, None]))
    assert np.trapezoid(density, u) == pytest.approx(1.0, rel=1e-3)


def test_single_kernel_matches_scipy_truncnorm() -> None:
    dist = FloatDistribution(0.0, 1.0)
    pe = _estimator(dist, [], prior_weight=1.0)  # only the prior N(0.5, 1) on [0, 1]
    x = np.linspace(0.01, 0.99, 7)
    expected = stats.truncnorm.logpdf(x, (0 - 0.5) / 1.0, (1 - 0.5) / 1.0, loc=0.5, scale=1.0)
    assert np.allclose(pe.log_pdf(x[:, None]), expected)


def test_categorical_kernels_are_smoothed_one_hots() -> None:
    dist = CategoricalDistribution(["a", "b", "c"])
    pe = _estimator(dist, [0.0, 0.0, 1.0], prior_weight=1.0)
    probs = np.exp(pe.log_pdf(np.array([[0.0], [1.0], [2.0]])))
    assert probs.sum() == pytest.approx(1.0)
    assert probs[0] > probs[1] > probs[2] > 0


def test_log_gauss_mass_is_accurate_in_the_tails() -> None:
    a = np.array([-1.0, -40.0, 30.0, -0.5, 5.0])
    b = np.array([1.0, -39.0, 31.0, 40.0, 5.5])
    got = log_gauss_mass(a, b)
    expected = [
        np.log(stats.norm.cdf(1) - stats.norm.cdf(-1)),
        stats.norm.logcdf(-39) + np.log1p(-np.exp(stats.norm.logcdf(-40) - stats.norm.logcdf(-39))),
        stats.norm.logsf(30) + np.log1p(-np.exp(stats.norm.logsf(31) - stats.norm.logsf(30))),
        np.log(stats.norm.sf(-0.5)),
        np.log(stats.norm.sf(5) - stats.norm.sf(5.5)),
    ]
    assert np.all(np.isfinite(got))
    assert np.allclose(got, expected, rtol=1e-9)


def test_truncated_samples_stay_inside_and_match_the_mean() -> None:
    rng = np.random.RandomState(0)
    n = 20000
    for lo, hi in ((-1.0, 2.0), (3.0, 9.0), (-9.0, -4.0)):
        z = sample_truncnorm(rng, np.full(n, lo), np.full(n, hi))
        assert np.all((z >= lo) & (z <= hi))
        assert z.mean() == pytest.approx(stats.truncnorm.mean(lo, hi), abs=0.02)


def _reference_sigmas(x: np.ndarray, endpoints: bool) -> np.ndarray:
    order = np.argsort(x, kind="stable")
    s = np.concatenate([[0.0], x[order], [1.0]])
    out = np.empty(len(x))
    for i in range(len(x)):
        sigma = max(s[i + 1] - s[i], s[i + 2] - s[i + 1])
        if not endpoints and len(x) >= 2 and i == 0:
            sigma = s[2] - s[1]
        if not endpoints and len(x) >= 2 and i == len(x) - 1:
            sigma = s[-2] - s[-3]
        out[order[i]] = sigma
    return out


@pytest.mark.parametrize("endpoints", [False, True])
def test_neighbour_sigmas_match_a_reference(endpoints: bool) -> None:
    units = np.random.RandomState(3).uniform(size=(9, 3))
    got = _neighbour_sigmas(units, endpoints)
    for j in range(3):
        assert np.allclose(got[:, j], _reference_sigmas(units[:, j], endpoints))


def test_magic_clip_and_endpoints_are_honoured() -> None:
    dist = FloatDistribution(0.0, 1.0)
    obs = [0.5, 0.5001, 0.9]
    clipped = _estimator(dist, obs)._sigmas
    raw = _estimator(dist, obs, consider_magic_clip=False)._sigmas
    assert clipped.min() == pytest.approx(1 / 5) and raw.min() < 1e-3
    inner = _estimator(dist, [0.2, 0.3], consider_magic_clip=False)._sigmas[:2, 0]
    ends = _estimator(dist, [0.2, 0.3], consider_magic_clip=False, consider_endpoints=True)
    assert inner == pytest.approx([0.1, 0.1]) and ends._sigmas[:2, 0] == pytest.approx([0.2, 0.7])


def test_grid_codes_identify_grid_points() -> None:
    dims = [make_dim(IntDistribution(0, 4)), make_dim(CategoricalDistribution(["a", "b", "c"]))]
    points = np.array(list(itertools.product(range(5), range(3))), dtype=float)
    codes = grid_codes(dims, points)
    assert codes is not None and len(set(codes.tolist())) == 15
    assert grid_codes([make_dim(FloatDistribution(0, 1))], np.zeros((2, 1))) is None


def _study_with(trials: list[trimtab.trial.FrozenTrial], directions: list[str]) -> trimtab.Study:
    study = trimtab.create_study(directions=directions)
    study.add_trials(trials)
    return study


def test_history_is_incremental_and_columnar() -> None:
    x = FloatDistribution(0, 1)
    c = CategoricalDistribution(["p", "q"])
    study = _study_with(
        [
            create_trial(params={"x": 0.2}, distributions={"x": x}, value=1.0),
            create_trial(
                params={"x": 0.4, "c": "q"},
                distributions={"x": x, "c": c},
                state=TrialState.PRUNED,
                intermediate_values={0: 5.0, 3: 2.0},
            ),
            create_trial(params={"x": 0.9}, distributions={"x": x}, state=TrialState.FAIL),
            create_trial(
                params={"c": "p"},
                distributions={"c": c},
                value=0.5,
                constraints={"a": 0.5, "b": -1.0, "c": 2.0},
            ),
        ],
        ["minimize"],
    )
    history = study.view.history()
    assert history.n == 3 and history.numbers.tolist() == [0, 1, 3]
    assert history.complete.tolist() == [True, False, True]
    assert np.allclose(history.column("x"), [0.2, 0.4, np.nan], equal_nan=True)
    assert np.allclose(history.column("c"), [np.nan, 1.0, 0.0], equal_nan=True)
    assert history.last_step[1] == 3 and history.last_intermediate[1] == 2.0
    assert history.infeasibility.tolist() == [0.0, 0.0, 2.5]
    study.add_trial(create_trial(params={"x": 0.7}, distributions={"x": x}, value=0.1))
    assert study.view.history() is history
    assert history.n == 4 and history.values[-1, 0] == 0.1
    assert _study_with([], ["minimize"]).view.history().n == 0


def test_split_prefers_complete_then_pruned_then_infeasible() -> None:
    x = FloatDistribution(0, 1)
    trials = [
        create_trial(params={"x": 0.1}, distributions={"x": x}, value=3.0),
        create_trial(params={"x": 0.2}, distributions={"x": x}, value=1.0),
        create_trial(params={"x": 0.3}, distributions={"x": x}, value=0.1, constraints={"c": 1.0}),
        create_trial(
            params={"x": 0.4},
            distributions={"x": x},
            state=TrialState.PRUNED,
            intermediate_values={5: 9.0},
        ),
        create_trial(
            params={"x": 0.5},
            distributions={"x": x},
            state=TrialState.PRUNED,
            intermediate_values={2: 0.0},
        ),
    ]
    history = _study_with(trials, ["minimize"]).view.history()
    signs = np.array([1.0])
    below = [split_rows(history, signs, k)[0].tolist() for k in range(6)]
    assert below == [[], [1], [0, 1], [0, 1, 3], [0, 1, 3, 4], [0, 1, 2, 3, 4]]
    assert split_rows(history, np.array([-1.0]), 1)[0].tolist() == [0]


def test_nondomination_ranks_match_brute_force() -> None:
    losses = np.random.RandomState(0).randint(0, 6, size=(40, 2)).astype(float)

    def dominated(i: int, pool: list[int]) -> bool:
        return any(np.all(losses[j] <= losses[i]) and np.any(losses[j] < losses[i]) for j in pool)

    expected = np.full(40, -1)
    remaining = list(range(40))
    rank = 0
    while remaining:
        front = [i for i in remaining if not dominated(i, remaining)]
        expected[front] = rank
        remaining = [i for i in remaining if i not in front]
        rank += 1
    assert nondomination_ranks(losses).tolist() == expected.tolist()


def test_greedy_hypervolume_subset_keeps_the_spread() -> None:
    front = np.array([[0.0, 1.0], [0.1, 0.9], [0.5, 0.5], [0.9, 0.1], [1.0, 0.0]])
    picked = greedy_hypervolume_subset(front, 3, np.array([1.1, 1.1]))
    assert picked.tolist()[0] == 2 and sorted(picked.tolist()) == [1, 2, 3]


def test_motpe_good_set_is_the_pareto_front_first() -> None:
    x = FloatDistribution(0, 1)
    values = [(0.0, 1.0), (1.0, 0.0), (0.5, 0.5), (0.9, 0.9), (0.6, 0.6), (1.0, 1.0)]
    trials = [create_trial(params={"x": 0.1}, distributions={"x": x}, values=v) for v in values]
    history = _study_with(trials, ["minimize", "minimize"]).view.history()
    below, above = split_rows(history, np.array([1.0, 1.0]), 4)
    assert below.tolist() == [0, 1, 2, 4] and above.tolist() == [3, 5]


def test_above_set_is_kept_whole_up_to_the_bound() -> None:
    rng = np.random.RandomState(0)
    n = MAX_ABOVE_KERNELS
    obs, w = rng.uniform(size=(n, 3)), rng.uniform(size=n)
    pending = np.zeros(n, dtype=bool)
    kept = bounded_kernels(obs, w, np.arange(n), pending)
    assert kept[0] is obs and kept[1] is w and kept[2] is pending


def test_large_above_set_is_a_deterministic_weight_preserving_summary() -> None:
    rng = np.random.RandomState(1)
    n = 10 * MAX_ABOVE_KERNELS
    obs, w = rng.uniform(size=(n + 3, 2)), rng.uniform(0.1, 1.0, size=n + 3)
    numbers = np.r_[np.arange(n), [n + 5, n + 6, n + 7]]
    pending = np.r_[np.zeros(n, dtype=bool), np.ones(3, dtype=bool)]  # running trials last
    g_obs, g_w, g_pending = bounded_kernels(obs, w, numbers, pending)
    assert len(g_obs) == len(g_w) == len(g_pending) == MAX_ABOVE_KERNELS
    assert np.isclose(g_w.sum(), w.sum())
    # Running trials and the newest finished trials keep their own kernel and weight.
    assert g_pending.sum() == 3 and np.array_equal(g_obs[g_pending], obs[-3:])
    recent = slice(n - MAX_ABOVE_KERNELS // 2, n)
    assert np.array_equal(g_obs[~g_pending][-MAX_ABOVE_KERNELS // 2 :], obs[recent])
    # Every kept kernel is an observation; the same input gives the same summary.
    assert set(map(tuple, g_obs)) <= set(map(tuple, obs))
    again = bounded_kernels(obs, w, numbers, pending)
    assert all(np.array_equal(a, b) for a, b in zip(again, (g_obs, g_w, g_pending)))


def test_tpe_on_a_large_study_samples_inside_the_space_near_the_good_region() -> None:
    x = FloatDistribution(-10, 10)
    n = MAX_ABOVE_KERNELS + 500
    trials = [
        create_trial(params={"x": v}, distributions={"x": x}, value=(v - 3.0) ** 2)
        for v in np.random.RandomState(2).uniform(-10, 10, n)
    ]
    study = trimtab.create_study(sampler=trimtab.samplers.TPESampler(seed=0))
    study.add_trials(trials)
    study.optimize(lambda t: (t.suggest_float("x", -10, 10) - 3.0) ** 2, n_trials=20)
    new = [t.params["x"] for t in study.trials[n:]]
    assert all(-10 <= v <= 10 for v in new)
    assert np.median(np.abs(np.array(new) - 3.0)) < 1.0

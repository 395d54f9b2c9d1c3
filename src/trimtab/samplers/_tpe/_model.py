"""From a study's history to a TPE suggestion: split, observations, kernels, acquisition.

``TPEModel`` holds what one trial's sampling needs (the good/bad split of finished trials and
the running trials that constant liar counts as bad), computed once per trial and reused for
every parameter an independent sampler asks for. ``suggest`` fits l(x) to the good set and
g(x) to the rest, draws candidates from l and returns the one that maximises
log l(x) - log g(x), which is equivalent to maximising expected improvement (Bergstra et al.
2011, eq. 3-4).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from trimtab._study_view._history import TrialHistory
from trimtab.distributions import BaseDistribution, CategoricalDistribution
from trimtab.samplers._tpe._parzen import EstimatorParameters, ParzenEstimator
from trimtab.samplers._tpe._space import Dim, NumericDim, grid_codes

WeightsFunc = Callable[[int], np.ndarray]


@dataclass
class RunningTrial:
    """A RUNNING trial as constant liar sees it: its number and the params known so far."""

    number: int
    params: dict[str, Any]


@dataclass
class TPEModel:
    """The split of one study's trials for one trial's sampling."""

    history: TrialHistory
    below: np.ndarray  # history rows, in trial-number order
    above: np.ndarray
    running: list[RunningTrial]
    multi_objective: bool

    def suggest(
        self,
        search_space: dict[str, BaseDistribution],
        dims: list[Dim],
        rng: np.random.RandomState,
        n_candidates: int,
        weights: WeightsFunc,
        parameters: EstimatorParameters,
    ) -> dict[str, Any]:
        """Return external values for ``search_space`` chosen by the TPE acquisition."""
        names = list(search_space)
        dists = list(search_space.values())
        below_obs, _, _ = self._observations(names, dists, dims, self.below, [])
        above_obs, above_numbers, pending = self._observations(
            names, dists, dims, self.above, self.running
        )
        if self.multi_objective:
            below_w = np.ones(len(below_obs))  # MOTPE: the good set is weighted uniformly
        else:
            below_w = call_weights(weights, len(below_obs))
        above_w = call_weights(weights, len(above_obs))
        if pending.any():
            # Weights are given oldest first: place the running trials among the others.
            above_w = above_w[np.argsort(np.argsort(above_numbers, kind="stable"), kind="stable")]
        # The good set's minimum bandwidth follows the resolution of the whole study (all n
        # trials), not of the good set alone (Optuna: 1 / (n_good + 2)), so that l(x) can
        # concentrate as finely as the evaluated points already resolve the space.
        clip = len(below_obs) + len(above_obs) + 1
        l_x = ParzenEstimator(
            dims, below_obs, below_w, parameters, clip_kernels=clip, coarse_cells=True
        )
        # Constant liar: a pending point is a sharp bump in g(x), at the resolution l(x) works
        # at, so that no candidate lands on top of a point another worker is evaluating.
        g_obs, g_w, g_pending = bounded_kernels(above_obs, above_w, above_numbers, pending)
        g_x = ParzenEstimator(dims, g_obs, g_w, parameters, clip_kernels=clip, pinned=g_pending)
        candidates = l_x.sample(rng, n_candidates)
        score = l_x.log_pdf(candidates) - g_x.log_pdf(candidates)
        order = np.argsort(-score, kind="stable")
        discrete = all(not isinstance(d, NumericDim) or d.step is not None for d in dims)
        if discrete and set(self.history.param_names) <= set(names):
            order = _fresh_first(dims, candidates, order, np.vstack([below_obs, above_obs]))
        best = candidates[order[0]]
        return {
            name: dist.to_external_repr(_python_number(dist, value))
            for name, dist, value in zip(names, search_space.values(), best)
        }

    def _observations(
        self,
        names: list[str],
        dists: list[BaseDistribution],
        dims: list[Dim],
        rows: np.ndarray,
        running: Sequence[RunningTrial],
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Internal values (n, d) of ``rows`` (then ``running``) that have every parameter,
        their trial numbers, and which of them are running trials."""
        # Gathered column by column into rows of a (d, n) array, then seen transposed.
        columns = np.empty((len(names), len(rows)))
        for j, name in enumerate(names):
            np.take(self.history.column(name), rows, out=columns[j])
        columns = columns.T
        numbers = self.history.numbers[rows]
        pending = np.zeros(len(rows), dtype=bool)
        if running:
            extra = [_running_row(r, names, dists) for r in running]
            kept = [(r.number, row) for r, row in zip(running, extra) if row is not None]
            if kept:
                columns = np.vstack([columns, np.array([row for _, row in kept])])
                numbers = np.concatenate([numbers, [number for number, _ in kept]])
                pending = np.concatenate([pending, np.ones(len(kept), dtype=bool)])
        valid = ~np.isnan(columns).any(axis=1)
        for j, dim in enumerate(dims):
            if isinstance(dim, NumericDim) and dim.log:
                valid &= columns[:, j] > 0  # a value from an earlier, non-log range
        return columns[valid], numbers[valid], pending[valid]


# Above this many observations g(x) is fitted to a bounded summary of them (see
# ``bounded_kernels``): its fit and evaluation then cost the same at 5,000 trials as at 1,000,000.
MAX_ABOVE_KERNELS = 2048
_RECENT_KERNELS = MAX_ABOVE_KERNELS // 2


def bounded_kernels(
    observations: np.ndarray, weights: np.ndarray, numbers: np.ndarray, pending: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """At most ``MAX_ABOVE_KERNELS`` kernels standing for ``observations`` (n, d).

    Up to the bound the observations are returned as they are (so seeded studies of that
    size sample exactly as before). Beyond it, running trials (``pending``) and the
    ``_RECENT_KERNELS`` newest finished trials keep a kernel each; the older ones, in
    trial-number order, are cut into equal runs of consecutive trials, and each run is
    represented by its middle trial weighing the run's total weight. The summary is a
    deterministic subsample: the same history gives the same kernels, and the total weight
    of old against recent trials is kept.

    Args:
        observations: Internal values, shape ``(n, d)``.
        weights: Their kernel weights, shape ``(n,)``.
        numbers: Their trial numbers, shape ``(n,)``.
        pending: Shape ``(n,)``: True for running trials (constant liar).

    Returns:
        ``(observations, weights, pending)`` of the kernels kept.
    """
    n = len(observations)
    if n <= MAX_ABOVE_KERNELS:
        return observations, weights, pending
    done = np.flatnonzero(~pending)
    done = done[np.argsort(numbers[done], kind="stable")]
    n_old = len(done) - _RECENT_KERNELS
    n_runs = MAX_ABOVE_KERNELS - _RECENT_KERNELS - int(pending.sum())
    if n_old <= 0 or n_runs <= 0:
        return observations, weights, pending
    old, recent = done[:n_old], done[n_old:]
    starts = np.unique(np.linspace(0, n_old, min(n_runs, n_old) + 1).astype(np.intp)[:-1])
    ends = np.append(starts[1:], n_old)
    middle = old[(starts + ends - 1) // 2]
    kept = np.concatenate([middle, recent, np.flatnonzero(pending)])
    kept_w = np.concatenate(
        [np.add.reduceat(weights[old], starts), weights[recent], weights[pending]]
    )
    return observations[kept], kept_w, pending[kept]


def _fresh_first(
    dims: list[Dim], candidates: np.ndarray, order: np.ndarray, observed: np.ndarray
) -> np.ndarray:
    """Put candidates that repeat an evaluated (or pending) point after the others.

    Only for fully discrete spaces that hold every parameter of the study: there, a repeat
    is the same configuration again and, for a deterministic objective, a wasted trial.
    """
    codes = grid_codes(dims, candidates)
    seen = grid_codes(dims, observed)
    if codes is None or seen is None:
        return order
    repeat = np.isin(codes[order], seen)
    return np.concatenate([order[~repeat], order[repeat]])


def _running_row(
    trial: RunningTrial, names: list[str], dists: list[BaseDistribution]
) -> list[float] | None:
    """Internal values of a running trial's params, or None when one is missing or invalid."""
    row = []
    for name, dist in zip(names, dists):
        if name not in trial.params:
            return None
        try:
            row.append(float(dist.to_internal_repr(trial.params[name])))
        except (TypeError, ValueError):
            return None
    return row


def _python_number(dist: BaseDistribution, value: float) -> float:
    if isinstance(dist, CategoricalDistribution):
        return float(int(round(value)))
    return float(value)


def call_weights(weights: WeightsFunc, n: int) -> np.ndarray:
    """Call a user's ``weights`` function and check what it returns."""
    if n == 0:
        return np.zeros(0)
    if weights is default_weights:
        return default_weights(n)
    w = np.asarray(weights(n), dtype=float).ravel()
    if len(w) < n:
        raise ValueError(
            f"The `weights` function must return at least {n} values for {n} trials, got {len(w)}."
        )
    w = w[:n]
    if not np.all(np.isfinite(w)):
        raise ValueError(f"The `weights` function returned infinite or NaN values {w} for {n}.")
    if np.any(w < 0):
        raise ValueError(f"The `weights` function returned negative values {w} for {n}.")
    if np.sum(w) <= 0:
        raise ValueError(f"The `weights` function returned all-zero values {w} for {n}.")
    return w


def call_gamma(gamma: Callable[[int], int], n: int) -> int:
    """Call a user's ``gamma`` function and check it returns a usable count for ``n`` trials.

    A count above ``n`` is allowed (all trials are then good), as in Optuna.
    """
    value = gamma(n)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer, float)):
        raise TypeError(f"The `gamma` function must return an int, got {value!r} for {n} trials.")
    if isinstance(value, float) and not (math.isfinite(value) and float(value).is_integer()):
        raise ValueError(f"The `gamma` function must return an integer, got {value!r} for {n}.")
    if value < 0:
        raise ValueError(
            f"The `gamma` function must return a count in [0, {n}], got {value} for {n} trials."
        )
    return int(value)


def default_gamma(n: int) -> int:
    """10% of the trials are good, at most 25."""
    return min(math.ceil(0.1 * n), 25)


def default_gamma_multi_objective(n: int) -> int:
    """10% of the trials are good (no cap: a Pareto front needs room)."""
    return math.ceil(0.1 * n)


def hyperopt_default_gamma(n: int) -> int:
    """hyperopt 0.1.2's split: 0.25 sqrt(n), at most 25."""
    return min(math.ceil(0.25 * n**0.5), 25)


def default_weights(n: int) -> np.ndarray:
    """Weights of ``n`` observations, oldest first: the 25 newest weigh 1, older ones ramp
    linearly down to 1/n (Bergstra et al. 2013, sec. 2.1)."""
    if n == 0:
        return np.zeros(0)
    if n < 25:
        return np.ones(n)
    return np.concatenate([np.linspace(1.0 / n, 1.0, num=n - 25), np.ones(25)])

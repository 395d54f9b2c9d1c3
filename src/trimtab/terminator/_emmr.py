"""``EMMREvaluator``: the expected minimum model regret (Ishibashi et al., 2023).

Algorithm 1 of `A stopping criterion for Bayesian optimization by the gap of expected minimum
simple regrets <https://proceedings.mlr.press/v206/ishibashi23a.html>`__: between the GP fitted
to the first ``t-1`` trials and the one fitted to all ``t``, the change of the best posterior
mean (term 1), the expected gap between the two incumbents (terms 2 and 3, from Theorem 1),
and the regret bound ``kappa_{t-1}`` times the square root of half the KL divergence of the
two posteriors at the newest point (term 4, from Eq. 4). Values are maximised, as in
``_gp_bounds``.
"""

from __future__ import annotations

import math
import sys

import numpy as np
import scipy.stats

from trimtab._warnings import warn, warn_experimental
from trimtab.samplers._gp._sampler import clip_non_finite
from trimtab.samplers._gp._surrogate import MIN_NOISE, GPRegressor
from trimtab.samplers._gp._threads import single_threaded_blas
from trimtab.study import StudyDirection
from trimtab.terminator import _gp_bounds
from trimtab.terminator._improvement import BaseImprovementEvaluator
from trimtab.trial import FrozenTrial

_DO_NOT_STOP = sys.float_info.max * 0.1  # leaves room for arithmetic on the value


class EMMREvaluator(BaseImprovementEvaluator):
    """Evaluates the expected minimum model regret (EMMR), a bound on the change of the
    expected minimum simple regret that vanishes only once the optimum has been found.

    Pair it with ``MedianErrorEvaluator``; see `Ishibashi et al. (2023)
    <https://proceedings.mlr.press/v206/ishibashi23a.html>`__.

    Args:
        deterministic_objective: Whether the objective is free of noise.
        delta: The confidence parameter of the regret bound in the criterion.
        min_n_trials: Complete trials needed before the criterion is computed (at least 2).
        seed: Seed for the Sobol points of the regret bound.

    Raises:
        ValueError: ``min_n_trials`` is not a finite number above one.
    """

    def __init__(
        self,
        deterministic_objective: bool = False,
        delta: float = 0.1,
        min_n_trials: int = 2,
        seed: int | None = None,
    ) -> None:
        warn_experimental("EMMREvaluator", "4.0.0")
        if min_n_trials <= 1 or not np.isfinite(min_n_trials):
            raise ValueError("`min_n_trials` is expected to be a finite integer more than one.")
        self._deterministic = deterministic_objective
        self._delta = delta
        self.min_n_trials = min_n_trials
        self._rng = np.random.RandomState(seed)

    def evaluate(self, trials: list[FrozenTrial], study_direction: StudyDirection) -> float:
        """Return the EMMR of the latest complete trial (huge before ``min_n_trials``)."""
        data = _gp_bounds.gp_data(trials, study_direction)
        if len(data.y) < self.min_n_trials:
            return _DO_NOT_STOP
        if data.space.dim == 0:
            warn(
                f"{type(self).__name__} cannot consider any search space."
                "Termination will never occur in this study."
            )
            return _DO_NOT_STOP
        with single_threaded_blas():
            return min(sys.float_info.max * 0.5, self._emmr(data))

    def _emmr(self, data: _gp_bounds.GPData) -> float:
        X, y = data.X, _standardize(data.y)
        gp_t1 = _gp_bounds.fit(data.space, X[:-1], y[:-1], deterministic=self._deterministic)
        gp_t = _gp_bounds.fit(
            data.space, X, y, deterministic=self._deterministic, warm_start=gp_t1.params
        )
        best_t, best_t1 = int(np.argmax(y)), int(np.argmax(y[:-1]))
        mean_t, cov_t = _mean_and_cov(gp_t, X[[best_t, best_t1, -1]])
        mu_t1_best_t1 = float(gp_t1.posterior(X[[best_t1]])[0][0])
        # Theorem 1: E[max(0, gap)] of the Gaussian gap between the two incumbents under gp_t.
        term1 = mu_t1_best_t1 - mean_t[0]
        v = math.sqrt(max(1e-10, cov_t[0, 0] - 2.0 * cov_t[0, 1] + cov_t[1, 1]))
        g = (mean_t[0] - mu_t1_best_t1) / v
        term2 = v * float(scipy.stats.norm.pdf(g))
        term3 = v * g * float(scipy.stats.norm.cdf(g))
        # Eq. 4: KL divergence bound at the newest point. Both posteriors need the same prior,
        # so the newest point's mean and variance come from gp_t, as in Optuna.
        kappa_t1 = _gp_bounds.standardized_regret_bound(
            gp_t1, data.space, X[:-1], self._rng, self._delta
        )
        term4 = kappa_t1 * math.sqrt(0.5 * _kl_terms(mean_t[2], cov_t[2, 2], float(y[-1])))
        return term1 + term2 + term3 + term4


def _standardize(y: np.ndarray) -> np.ndarray:
    y = clip_non_finite(y)
    return (y - y.mean()) / max(sys.float_info.min, float(y.std()))


def _mean_and_cov(gp: GPRegressor, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Posterior means (m,) and covariances (m, m) at ``x``; diagonal from ``posterior``."""
    mean, var = gp.posterior(x)
    cov = gp.posterior_covariance(x)
    cov[np.diag_indices_from(cov)] = var
    return mean, cov


def _kl_terms(mean: float, var: float, y: float) -> float:
    """The three terms of Eq. 4's right-hand side, with noise variance ``1/lambda``."""
    noise = MIN_NOISE
    return (
        0.5 * math.log(1.0 + var / noise)
        - 0.5 * var / (var + noise)
        + 0.5 * var * (y - mean) ** 2 / (var + noise) ** 2
    )

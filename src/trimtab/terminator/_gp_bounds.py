"""The GP pieces the improvement evaluators share, on trimtab's numpy GP.

Everything here works in the GP's convention: values are *maximised* (a minimised objective
is negated first) and parameters are normalised by ``GPSearchSpace``. Arrays: ``X`` is
``(n_trials, n_params)``, ``y`` is ``(n_trials,)``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from trimtab.samplers._gp._search_space import GPSearchSpace
from trimtab.samplers._gp._surrogate import GPRegressor, KernelParams, fit_gp
from trimtab.search_space import intersection_search_space
from trimtab.study import StudyDirection
from trimtab.trial import FrozenTrial, TrialState

N_SAMPLES = 2048  # Sobol points searched for the largest upper confidence bound


class GPData(NamedTuple):
    """Complete trials as GP inputs: ``X`` (n, dim) normalised, ``y`` (n,) maximised."""

    space: GPSearchSpace
    X: np.ndarray
    y: np.ndarray


def gp_data(trials: list[FrozenTrial], direction: StudyDirection) -> GPData:
    """Normalise the complete trials over their intersection search space."""
    space = GPSearchSpace(intersection_search_space(trials))
    complete = [t for t in trials if t.state == TrialState.COMPLETE]
    sign = -1.0 if direction == StudyDirection.MINIMIZE else 1.0
    y = sign * np.array([t.value for t in complete], dtype=float)
    return GPData(space, space.normalize([t.params for t in complete]), y)


def fit(
    space: GPSearchSpace,
    X: np.ndarray,
    y: np.ndarray,
    *,
    deterministic: bool = False,
    warm_start: KernelParams | None = None,
) -> GPRegressor:
    """Fit the kernel hyperparameters on ``(X, y)`` (``y`` standardised by the caller)."""
    # Unbounded, as Optuna's fit: at a handful of trials the bounded search can stop at
    # another optimum, and the stopping trial should be the same in both libraries.
    return fit_gp(
        X, y, space.is_categorical, space.n_choices,
        deterministic=deterministic, warm_start=warm_start, bounded=False,
    )


def beta(n_params: int, n_trials: int, delta: float = 0.1) -> float:
    """Confidence width of GP-UCB (Srinivas et al., 2010, Thm. 1), scaled down by 5 as in
    Makarova et al. (2022)."""
    return 2.0 * math.log(n_params * n_trials**2 * math.pi**2 / 6.0 / delta) / 5.0


def standardized_regret_bound(
    gp: GPRegressor,
    space: GPSearchSpace,
    X: np.ndarray,
    rng: np.random.RandomState,
    delta: float = 0.1,
) -> float:
    """Upper bound on the simple regret of the best of ``X`` (in the GP's standardised units).

    max UCB over the search space (the trials ``X`` and ``N_SAMPLES`` Sobol points) minus
    max LCB over the trials ``X``: the paper's min LCB / min UCB, mirrored for maximisation.
    """
    n_trials, n_params = X.shape
    width = math.sqrt(beta(n_params, n_trials, delta))
    mean, var = gp.posterior(X)
    sample_mean, sample_var = gp.posterior(space.sample(N_SAMPLES, rng))
    ucb = max(float(np.max(mean + width * np.sqrt(var))),
              float(np.max(sample_mean + width * np.sqrt(sample_var))))
    lcb = float(np.max(mean - width * np.sqrt(var)))
    return ucb - lcb

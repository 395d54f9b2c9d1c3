"""Output warping: a monotone power transform that makes objective values look Gaussian.

A GP with a stationary kernel and Gaussian likelihood models heavy-tailed objectives badly:
a few very bad trials (a diverged training run, the walls of a Rosenbrock valley) inflate the
standardised scale, so the differences that matter near the optimum become tiny and the
length scales are fitted to the outliers. Following HEBO (Cowen-Rivers et al., "HEBO: Pushing
the limits of sample-efficient hyperparameter optimisation", JAIR 2022), the values pass
through a Yeo-Johnson power transform (Yeo & Johnson, Biometrika 2000) whose exponent
maximises the Gaussian likelihood of the transformed values, and are then standardised.
The identity is kept unless the transform fits at least one nat better (the AIC price of
the extra parameter).

The transform is strictly increasing for every exponent, so the order of the trials (the
incumbent, the Pareto front) is unchanged. It is applied to values that are first centred
and scaled, which makes it invariant to shifting and scaling the objective and symmetric
between minimising and maximising (``yj(-x, λ) = -yj(x, 2 - λ)``).
"""

from __future__ import annotations

import numpy as np
import scipy.optimize

# Beyond these exponents the transform saturates or explodes on standardised data and the
# fit is dominated by a few points.
LAMBDA_BOUNDS = (-1.0, 3.0)
_TINY = 1e-10


def yeo_johnson(x: np.ndarray, lam: float) -> np.ndarray:
    """The Yeo-Johnson transform of ``x`` (n,) with exponent ``lam``."""
    out = np.empty_like(x, dtype=float)
    pos = x >= 0
    log_pos = np.log1p(x[pos])
    out[pos] = log_pos if abs(lam) < 1e-8 else np.expm1(lam * log_pos) / lam
    log_neg = np.log1p(-x[~pos])
    p = 2.0 - lam
    out[~pos] = -log_neg if abs(p) < 1e-8 else -np.expm1(p * log_neg) / p
    return out


def _neg_profile_log_likelihood(lam: float, x: np.ndarray, log_jacobian_base: float) -> float:
    """Negative Gaussian log likelihood of ``x`` (n,) under the transform, variance profiled
    out: ``n/2 log var(yj(x)) - (λ - 1) Σ sign(x) log(1 + |x|)``."""
    var = float(np.var(yeo_johnson(x, lam)))
    if not np.isfinite(var) or var <= 0.0:
        return np.inf
    return 0.5 * len(x) * np.log(var) - (lam - 1.0) * log_jacobian_base


def scale_robustly(values: np.ndarray) -> np.ndarray | None:
    """Centre and scale finite ``values`` (n,) to mean 0 and variance 1 without overflow.

    Returns ``None`` when the values are (numerically) constant.
    """
    peak = float(np.max(np.abs(values)))
    if not np.isfinite(peak) or peak == 0.0:
        return None
    shrunk = values / peak  # |shrunk| <= 1, so the variance cannot overflow
    centred = shrunk - shrunk.mean()
    std = float(centred.std())
    if std <= _TINY:
        return None
    return centred / std


def fit_exponent(x: np.ndarray) -> float:
    """Maximum-likelihood Yeo-Johnson exponent for standardised ``x`` (n,), or ``1``."""
    log_jacobian_base = float(np.sum(np.sign(x) * np.log1p(np.abs(x))))
    res = scipy.optimize.minimize_scalar(
        _neg_profile_log_likelihood,
        bounds=LAMBDA_BOUNDS,
        args=(x, log_jacobian_base),
        method="bounded",
        options={"xatol": 1e-3},
    )
    identity = _neg_profile_log_likelihood(1.0, x, log_jacobian_base)
    return 1.0 if not np.isfinite(res.fun) or identity <= res.fun + 1.0 else float(res.x)


def warp(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Power-transform and standardise each column of finite ``values`` (n, k).

    Returns the warped columns (n, k) and ``log |d warped / d standardised|`` per entry (n, k),
    the Jacobian that makes the GP evidence of warped and plain values comparable. A column
    the transform does not fit better is only standardised (its Jacobian is zero); constant
    columns become zeros. Every column's map is strictly increasing.
    """
    out = np.zeros(values.shape, dtype=float)
    log_jacobian = np.zeros(values.shape, dtype=float)
    for j in range(values.shape[1]):
        x = scale_robustly(values[:, j])
        if x is None:
            continue
        lam = fit_exponent(x)
        if lam == 1.0:
            out[:, j] = x
            continue
        warped = yeo_johnson(x, lam)
        std = max(float(warped.std()), _TINY)
        out[:, j] = (warped - warped.mean()) / std
        # d yj / dx = (1 + |x|) ** (sign(x) (λ - 1)).
        log_jacobian[:, j] = (lam - 1.0) * np.sign(x) * np.log1p(np.abs(x)) - np.log(std)
    return out, log_jacobian

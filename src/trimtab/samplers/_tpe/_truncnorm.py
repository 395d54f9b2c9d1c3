"""Truncated standard-normal helpers: stable log mass and inverse-CDF sampling.

For a Gaussian kernel N(mu, sigma^2) truncated to [lo, hi], with a = (lo - mu) / sigma and
b = (hi - mu) / sigma, the normaliser is Z = Phi(b) - Phi(a). Computing log Z directly loses
every digit when both a and b sit deep in one tail, so ``log_gauss_mass`` works in log space
with ``log_ndtr`` and uses the symmetry Phi(b) - Phi(a) = Phi(-a) - Phi(-b).
"""

from __future__ import annotations

import numpy as np

_LOG_SQRT_2PI = 0.5 * np.log(2.0 * np.pi)


# scipy.special is imported at the first sampling, not with the sampler: every study builds a
# TPESampler by default, and reading a study (``load_study(...).trials``) need not pay the
# ~0.3 s and ~12 MB that importing it costs.


def ndtr(x: np.ndarray) -> np.ndarray:
    """Phi(x), the standard-normal CDF, elementwise."""
    from scipy.special import ndtr as phi

    return phi(x)


def log_ndtr(x: np.ndarray) -> np.ndarray:
    """log Phi(x) elementwise, accurate deep in the left tail."""
    from scipy.special import log_ndtr as log_phi

    return log_phi(x)


def ndtri(p: np.ndarray) -> np.ndarray:
    """The inverse of Phi, elementwise."""
    from scipy.special import ndtri as phi_inverse

    return phi_inverse(p)


def _log_diff_exp(log_p: np.ndarray, log_q: np.ndarray) -> np.ndarray:
    """log(exp(log_p) - exp(log_q)) for log_p >= log_q, without overflow."""
    with np.errstate(divide="ignore"):
        return log_p + np.log1p(-np.exp(log_q - log_p))


def log_gauss_mass(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return log(Phi(b) - Phi(a)) elementwise for a <= b (same shapes)."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    out = np.empty(np.broadcast(a, b).shape)
    left = b <= 0.0  # both in the left tail: log Phi(b) + log(1 - Phi(a)/Phi(b))
    right = a > 0.0  # both in the right tail: mirror onto the left tail
    middle = ~(left | right)  # a <= 0 < b: the mass is at least Phi(0) - Phi(a), well scaled
    if left.any():
        out[left] = _log_diff_exp(log_ndtr(b[left]), log_ndtr(a[left]))
    if right.any():
        out[right] = _log_diff_exp(log_ndtr(-a[right]), log_ndtr(-b[right]))
    if middle.any():
        with np.errstate(divide="ignore"):
            out[middle] = np.log1p(-ndtr(a[middle]) - ndtr(-b[middle]))
    return out


def sample_truncnorm(rng: np.random.RandomState, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Draw one standard-normal variate truncated to [a_i, b_i] for each i (inverse CDF).

    Intervals on the right of 0 are mirrored to the left so that Phi stays in its accurate
    range (Phi(x) for x << 0 keeps its relative precision; 1 - Phi(x) for x >> 0 does not).
    """
    flip = a > 0.0
    lo = np.where(flip, -b, a)
    hi = np.where(flip, -a, b)
    p_lo = ndtr(lo)
    p_hi = ndtr(hi)
    u = rng.uniform(size=a.shape)
    z = ndtri(p_lo + u * (p_hi - p_lo))
    # ndtri can return +-inf at the ends of the interval: bring it back inside.
    z = np.clip(np.nan_to_num(z, nan=0.0), lo, hi)
    return np.where(flip, -z, z)

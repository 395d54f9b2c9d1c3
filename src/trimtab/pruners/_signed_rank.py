"""The one-sample Wilcoxon signed-rank test, fast, with SciPy's exact answers.

``signed_rank_pvalue(d, alternative)`` returns what
``scipy.stats.wilcoxon(d, zero_method="zsplit", alternative=alternative).pvalue`` returns,
following SciPy's choice of method ("auto"): the exact null distribution for at most 50
differences without ties or zeros, an exact sign-flip permutation distribution for at most 13
differences with ties or zeros, and the normal approximation (tie-corrected, no continuity
correction) otherwise. SciPy's own call costs about 0.3 ms, and 70 ms when it runs the
permutation test; here the null distributions are enumerated once per size (or computed by a
small subset-sum recursion), so a call costs a few microseconds. The floating-point steps
follow SciPy's so that p-values agree bit for bit (``tests/pruners`` checks this against
SciPy); anything unusual (non-finite differences) is handed to SciPy itself.
"""

from __future__ import annotations

import functools
import math
from typing import Literal

import numpy as np

Alternative = Literal["less", "greater"]

_EXACT_MAX_N = 50
_PERMUTATION_MAX_N = 13


def signed_rank_pvalue(d: np.ndarray, alternative: Alternative) -> float:
    """The p-value of the signed-rank test that ``d`` is centred on zero (see module doc)."""
    d = np.asarray(d, dtype=float)
    n = len(d)
    if n < 2 or not np.all(np.isfinite(d)):
        return _scipy_pvalue(d, alternative)
    ranks, tie_sizes = _average_ranks(np.abs(d))
    positive, zero = d > 0, d == 0
    r_plus = float(np.sum(ranks[positive])) + float(np.sum(ranks[zero])) / 2
    has_ties = bool(np.any(tie_sizes > 1))
    has_zeros = bool(np.any(zero))
    if n <= _EXACT_MAX_N and not (has_ties or has_zeros):
        return _exact_pvalue(n, r_plus, alternative)
    if n <= _PERMUTATION_MAX_N:
        return _permutation_pvalue(ranks, positive, zero, alternative)
    return _normal_pvalue(n, r_plus, tie_sizes, alternative)


def _average_ranks(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ranks from 1 (ties get their average rank) and the size of each group of ties."""
    n = len(values)
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    starts = np.concatenate(([0], np.flatnonzero(ordered[1:] != ordered[:-1]) + 1))
    ends = np.concatenate((starts[1:], [n]))
    sizes = ends - starts
    ranks = np.empty(n)
    ranks[order] = np.repeat((starts + 1 + ends) / 2, sizes)
    return ranks, sizes


def _normal_pvalue(n: int, r_plus: float, tie_sizes: np.ndarray, alternative: Alternative) -> float:
    from scipy.special import ndtr

    count = float(n)
    mean = count * (count + 1.0) * 0.25
    var24 = count * (count + 1.0) * (2.0 * count + 1.0)
    tie_correction = float(np.sum(tie_sizes.astype(float) ** 3 - tie_sizes))
    se = math.sqrt((var24 - tie_correction / 2) / 24)
    z = (r_plus - mean) / se
    return float(ndtr(z) if alternative == "less" else ndtr(-z))


@functools.cache
def _null_pmf(n: int) -> np.ndarray:
    """P(R+ = r) for r = 0..n(n+1)/2 with n untied non-zero differences (exact dyadics)."""
    # Counts of subsets of {1..n} by sum (below 2**53 for n <= 50, so exact in int64).
    counts = np.ones(1, dtype=np.int64)
    for k in range(1, n + 1):
        grown = np.zeros(len(counts) + k, dtype=np.int64)
        grown[: len(counts)] += counts
        grown[k:] += counts
        counts = grown
    return counts.astype(float) / 2.0**n


def _exact_pvalue(n: int, r_plus: float, alternative: Alternative) -> float:
    pmf = _null_pmf(n)
    mean = n * (n + 1) / 4
    if alternative == "less":
        k = int(math.ceil(r_plus))
        p = pmf[: k + 1].sum() if k <= mean else 1 - pmf[k + 1 :].sum()
    else:
        k = int(math.floor(r_plus))
        p = pmf[k:].sum() if k <= mean else 1 - pmf[:k].sum()
    return float(p)


def _permutation_pvalue(
    ranks: np.ndarray, positive: np.ndarray, zero: np.ndarray, alternative: Alternative
) -> float:
    """Share of the 2**n sign flips whose R+ is as extreme as the observed one."""
    # Ranks are multiples of 1/2; doubled they are integers, so sums compare exactly.
    doubled = [int(round(2 * r)) for r in ranks[~zero]]
    observed = int(round(2 * float(np.sum(ranks[positive]))))
    ways = [0] * (sum(doubled) + 1)
    ways[0] = 1
    reach = 0
    for r in doubled:
        for total in range(reach, -1, -1):
            if ways[total]:
                ways[total + r] += ways[total]
        reach += r
    if alternative == "less":
        extreme = sum(ways[: observed + 1])
    else:
        extreme = sum(ways[observed:])
    n_zero = int(np.count_nonzero(zero))
    p = extreme * 2**n_zero / 2 ** len(ranks)
    return min(max(p, 0.0), 1.0)


def _scipy_pvalue(d: np.ndarray, alternative: Alternative) -> float:
    import scipy.stats

    return float(scipy.stats.wilcoxon(d, alternative=alternative, zero_method="zsplit").pvalue)

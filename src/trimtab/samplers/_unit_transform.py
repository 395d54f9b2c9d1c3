"""Map points of the unit cube onto a search space, each dimension in equal-mass bins."""

from __future__ import annotations

import math
from typing import Any

from trimtab.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)


def from_unit(u: float, distribution: BaseDistribution) -> Any:
    """Return the external value at position ``u`` in ``[0, 1)`` of ``distribution``.

    Discrete domains (categorical, stepped, int) are split into equal bins, so a uniform ``u``
    gives every value the same chance; log domains are uniform in log space.
    """
    u = min(max(u, 0.0), math.nextafter(1.0, 0.0))
    if isinstance(distribution, CategoricalDistribution):
        return distribution.choices[int(u * len(distribution.choices))]
    if isinstance(distribution, FloatDistribution):
        low, high = distribution.low, distribution.high
        if distribution.log:
            return min(
                max(math.exp(math.log(low) + u * (math.log(high) - math.log(low))), low), high
            )
        if distribution.step is None:
            return low + u * (high - low)
        n_values = int(round((high - low) / distribution.step)) + 1
        return min(low + int(u * n_values) * distribution.step, high)
    if isinstance(distribution, IntDistribution):
        low, high = distribution.low, distribution.high
        if distribution.log:
            lo, hi = math.log(low - 0.5), math.log(high + 0.5)
            return int(min(max(round(math.exp(lo + u * (hi - lo))), low), high))
        n_values = (high - low) // distribution.step + 1
        return low + int(u * n_values) * distribution.step
    raise TypeError(f"Cannot map the unit interval onto {distribution!r}.")

"""``RandomSampler``: independent uniform (or log-uniform) sampling."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from trimtab._transform import distribution_box
from trimtab.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from trimtab.samplers._base import BaseSampler
from trimtab.samplers._rng import SamplerRandomState
from trimtab.trial import FrozenTrial

if TYPE_CHECKING:
    from trimtab.study import Study


class RandomSampler(BaseSampler):
    """Draws every parameter independently: uniform, log-uniform for ``log=True``, on the step grid.

    Args:
        seed: Seed for the random number generator.
    """

    def __init__(self, seed: int | None = None) -> None:
        self._rng = SamplerRandomState(seed)

    def reseed_rng(self) -> None:
        self._rng.seed()

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        return {}

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        return {}

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        return sample_uniform(self._rng, param_distribution)


def sample_uniform(rng: np.random.RandomState, distribution: BaseDistribution) -> Any:
    """Draw one external value uniformly from ``distribution`` (log-uniformly when ``log``)."""
    if type(distribution) is FloatDistribution and not distribution.log:
        low, high = distribution.low, distribution.high
        if distribution.step is None and high > low:
            return float(rng.uniform(low, high))
    if isinstance(distribution, CategoricalDistribution):
        return distribution.choices[rng.randint(len(distribution.choices))]
    if isinstance(distribution, FloatDistribution):
        low, high, step = distribution.low, distribution.high, distribution.step
        if distribution.log:
            value = math.exp(rng.uniform(*distribution_box(distribution)))
            return min(max(value, low), high)
        if step is None:
            return float(rng.uniform(low, high)) if high > low else low
        n_steps = int(round((high - low) / step))
        return min(low + step * rng.randint(n_steps + 1), high)
    if isinstance(distribution, IntDistribution):
        low, high, step = distribution.low, distribution.high, distribution.step
        if distribution.log:
            # Uniform on the box axis, [low - 0.5, high + 0.5] in log space, so the end points
            # get their share.
            value = math.exp(rng.uniform(*distribution_box(distribution)))
            return int(min(max(round(value), low), high))
        n_steps = (high - low) // step
        return (
            low + step * int(rng.randint(n_steps + 1))
            if n_steps < 2**62
            else int(low + step * math.floor(rng.uniform(0, n_steps + 1)))
        )
    raise TypeError(f"RandomSampler cannot sample from {distribution!r}.")

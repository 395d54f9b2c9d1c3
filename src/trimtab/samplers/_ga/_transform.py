"""Numerical parameters ⇄ a continuous box (log scale for ``log=True``, half-step margins)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from trimtab.distributions import BaseDistribution, FloatDistribution, IntDistribution


class NumericalTransform:
    """Maps numerical parameters to a box and back.

    Args:
        search_space: Float/Int distributions by name (order defines the columns).
        transform_step: Widen stepped parameters by half a step on each side so every grid
            value owns an equal share of the box (CMA-ES with margin turns this off).
        transform_0_1: Rescale the box to ``[0, 1]`` in every column.

    Attributes:
        bounds: Shape ``(n_params, 2)``, the box in transformed coordinates.
    """

    def __init__(
        self,
        search_space: dict[str, BaseDistribution],
        transform_step: bool = True,
        transform_0_1: bool = False,
    ) -> None:
        self.search_space = search_space
        raw = np.empty((len(search_space), 2))
        for i, dist in enumerate(search_space.values()):
            if not isinstance(dist, (FloatDistribution, IntDistribution)):
                raise TypeError(f"{dist!r} is not a numerical distribution.")
            low, high = float(dist.low), float(dist.high)
            step = _step(dist)
            if transform_step and step > 0:
                low, high = low - 0.5 * step, high + 0.5 * step
            if dist.log:
                low, high = math.log(low), math.log(high)
            raw[i] = (low, high)
        self._raw_bounds = raw
        self._transform_0_1 = transform_0_1
        self.bounds = np.tile([0.0, 1.0], (len(search_space), 1)) if transform_0_1 else raw

    def transform(self, params: dict[str, Any]) -> np.ndarray:
        """External values (dict) → shape ``(n_params,)``."""
        x = np.array(
            [
                math.log(params[name]) if dist.log else float(params[name])  # type: ignore[attr-defined]
                for name, dist in self.search_space.items()
            ]
        )
        if self._transform_0_1:
            width = self._raw_bounds[:, 1] - self._raw_bounds[:, 0]
            x = (x - self._raw_bounds[:, 0]) / np.where(width > 0, width, 1.0)
        return x

    def untransform(self, x: np.ndarray) -> dict[str, Any]:
        """Shape ``(n_params,)`` → external values on each distribution's grid."""
        if self._transform_0_1:
            x = self._raw_bounds[:, 0] + x * (self._raw_bounds[:, 1] - self._raw_bounds[:, 0])
        values = np.asarray(x, dtype=float).tolist()
        return {
            name: _untransform_one(v, dist)
            for (name, dist), v in zip(self.search_space.items(), values)
        }


def _step(dist: FloatDistribution | IntDistribution) -> float:
    if isinstance(dist, IntDistribution):
        return float(dist.step)  # log ints have step 1: their margin is applied before the log
    return float(dist.step) if dist.step is not None else 0.0


def _untransform_one(v: float, dist: BaseDistribution) -> int | float:
    if isinstance(dist, FloatDistribution):
        if dist.log:
            value = math.exp(v)
            if dist.single():
                return value
            return min(max(value, dist.low), math.nextafter(dist.high, dist.low))
        if dist.step is not None:
            value = round((v - dist.low) / dist.step) * dist.step + dist.low
            return float(min(max(value, dist.low), dist.high))
        # Only the upper end is capped: a value below ``low`` is reported as out of range.
        return v if dist.single() else min(v, math.nextafter(dist.high, dist.low))
    if isinstance(dist, IntDistribution):
        if dist.log:
            return int(min(max(round(math.exp(v)), dist.low), dist.high))
        index = math.floor((v - dist.low) / dist.step + 0.5)
        return int(min(max(index * dist.step + dist.low, dist.low), dist.high))
    raise TypeError(f"{dist!r} is not a numerical distribution.")

"""Distributions ⇄ the unit box: the one definition every sampler uses.

A numerical parameter lives on a *box axis*: its internal value, widened by half a step at
each end when it is stepped (so every grid value owns an equal share of the axis), then
log-scaled when ``log=True``. :func:`box_bounds` is that axis; the pieces below are views of it:

- :class:`UnitBox`: columns of internal values ⇄ ``[0, 1]`` (vectorised; TPE's Parzen
  estimator, the GP's search space);
- :class:`NumericalTransform`: a parameter dict ⇄ a point of the box (CMA-ES, NSGA-II);
- :func:`unit_to_value`: a point of ``[0, 1)`` to a value, each value of a discrete domain
  with equal mass (QMC);
- :func:`box_bounds` alone: uniform draws on the axis (``RandomSampler``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from trimtab.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)


def box_bounds(low: float, high: float, step: float | None, log: bool) -> tuple[float, float]:
    """The box axis of a numerical parameter: ``(low, high)`` after the step margin and log.

    Args:
        low: The parameter's lowest internal value.
        high: Its highest internal value.
        step: Grid step, or ``None``/``0`` for a continuous parameter (no margin).
        log: Whether the axis is log-scaled.

    Returns:
        The two ends of the axis.
    """
    if step:
        low, high = low - 0.5 * step, high + 0.5 * step
    if log:
        return math.log(low), math.log(high)
    return low, high


def distribution_box(
    distribution: BaseDistribution, step_margin: bool = True
) -> tuple[float, float]:
    """:func:`box_bounds` of a float or int ``distribution`` (``step_margin=False``: none).

    Raises:
        TypeError: ``distribution`` is not numerical.
    """
    if not isinstance(distribution, (FloatDistribution, IntDistribution)):
        raise TypeError(f"{distribution!r} is not a numerical distribution.")
    step = _step(distribution) if step_margin else None
    return box_bounds(float(distribution.low), float(distribution.high), step, distribution.log)


class UnitBox:
    """Columns of numerical internal values ⇄ ``[0, 1]``, vectorised.

    Args:
        specs: Per column ``(low, high, step, log)`` of the parameter (``step`` ``None`` for a
            continuous one).

    Attributes:
        low: Shape ``(d,)``, each box axis's lower end.
        width: Shape ``(d,)``, each axis's length (1 for a single-valued parameter).
        is_log: Shape ``(d,)``, the log-scaled columns.
    """

    def __init__(self, specs: Sequence[tuple[float, float, float | None, bool]]) -> None:
        axes = [box_bounds(low, high, step, log) for low, high, step, log in specs]
        self.low = np.array([a for a, _ in axes], dtype=float)
        width = np.array([b - a for a, b in axes], dtype=float)
        self.width = np.where(width > 0, width, 1.0)
        self.is_log = np.array([log for *_, log in specs], dtype=np.bool_)
        self._any_log = bool(self.is_log.any())
        self._value_low = np.array([low for low, *_ in specs], dtype=float)
        self._value_high = np.array([high for _, high, *_ in specs], dtype=float)
        self._step = np.array([np.nan if s is None else s for _, _, s, _ in specs], dtype=float)
        self._has_step = ~np.isnan(self._step)

    def to_unit(self, values: np.ndarray) -> np.ndarray:
        """Internal values, shape ``(m, d)``, to unit coordinates (not clipped)."""
        t = np.array(values, dtype=float)
        if self._any_log:
            t[:, self.is_log] = np.log(t[:, self.is_log])
        return (t - self.low) / self.width

    def from_unit(self, units: np.ndarray) -> np.ndarray:
        """Unit coordinates, shape ``(m, d)``, to internal values: snapped to each step grid
        (ties to even) and clipped to each parameter's range."""
        t = self.low + units * self.width
        if self._any_log:
            t[:, self.is_log] = np.exp(t[:, self.is_log])
        if self._has_step.any():
            lo, st = self._value_low[self._has_step], self._step[self._has_step]
            t[:, self._has_step] = lo + np.round((t[:, self._has_step] - lo) / st) * st
        return np.clip(t, self._value_low, self._value_high)


def unit_to_value(u: float, distribution: BaseDistribution) -> Any:
    """The external value at position ``u`` in ``[0, 1)`` of ``distribution``.

    Discrete domains (categorical, stepped, int) are split into equal bins, so a uniform ``u``
    gives every value the same chance; log domains are uniform on their box axis.

    Raises:
        TypeError: ``distribution`` is of an unknown kind.
    """
    u = min(max(u, 0.0), math.nextafter(1.0, 0.0))
    if isinstance(distribution, CategoricalDistribution):
        return distribution.choices[int(u * len(distribution.choices))]
    if isinstance(distribution, FloatDistribution):
        low, high = distribution.low, distribution.high
        if distribution.log:
            lo, hi = distribution_box(distribution)
            return min(max(math.exp(lo + u * (hi - lo)), low), high)
        if distribution.step is None:
            return low + u * (high - low)
        n_values = int(round((high - low) / distribution.step)) + 1
        return min(low + int(u * n_values) * distribution.step, high)
    if isinstance(distribution, IntDistribution):
        low, high = distribution.low, distribution.high
        if distribution.log:
            lo, hi = distribution_box(distribution)
            return int(min(max(round(math.exp(lo + u * (hi - lo))), low), high))
        n_values = (high - low) // distribution.step + 1
        return low + int(u * n_values) * distribution.step
    raise TypeError(f"Cannot map the unit interval onto {distribution!r}.")


class NumericalTransform:
    """Maps a dict of numerical parameters to a point of their box and back.

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
            raw[i] = distribution_box(dist, step_margin=transform_step)
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

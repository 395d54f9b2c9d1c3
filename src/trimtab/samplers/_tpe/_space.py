"""One search-space dimension as the Parzen estimator sees it: unit coordinates and cells."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Union

import numpy as np

from trimtab._transform import box_bounds
from trimtab.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)


@dataclass(frozen=True)
class NumericDim:
    """A float or int parameter mapped to [0, 1].

    The interval is [low - step/2, high + step/2] for stepped parameters (each grid value owns
    a cell of width ``step``), then ``log`` is applied for log-scaled ones.
    """

    low: float
    high: float
    step: float | None
    log: bool

    @cached_property
    def _t_low(self) -> float:
        return box_bounds(self.low, self.high, self.step, self.log)[0]

    @cached_property
    def _t_width(self) -> float:
        low, high = box_bounds(self.low, self.high, self.step, self.log)
        return high - low if high > low else 1.0

    def to_unit(self, x: np.ndarray) -> np.ndarray:
        """Internal values to unit coordinates."""
        t = np.log(x) if self.log else np.asarray(x, dtype=float)
        return (t - self._t_low) / self._t_width

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """Unit coordinates to internal values (snapped to the step grid, inside the bounds)."""
        t = self._t_low + u * self._t_width
        x = np.exp(t) if self.log else t
        if self.step is not None:
            x = self.low + np.round((x - self.low) / self.step) * self.step
        return np.clip(x, self.low, self.high)

    def cell_bounds(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Unit coordinates of the cell [x - step/2, x + step/2] of grid values ``x``."""
        assert self.step is not None
        return self.to_unit(x - self.step / 2), self.to_unit(x + self.step / 2)

    def cell_width(self, x: np.ndarray) -> np.ndarray:
        """Width in unit coordinates of the cells of grid values ``x``."""
        left, right = self.cell_bounds(x)
        return right - left

    @cached_property
    def max_cell_width(self) -> float:
        """The widest cell (the lowest one, on a log scale)."""
        if self.step is None:
            return 0.0
        return float(self.cell_width(np.array([self.low]))[0])


@dataclass(frozen=True)
class CategoricalDim:
    """A categorical parameter; ``distance`` is an (n, n) matrix scaled to [0, 1]."""

    n_choices: int
    distance: np.ndarray | None = None


Dim = Union[NumericDim, CategoricalDim]
CategoricalDistanceFunc = Callable[[Any, Any], float]


def make_dim(
    distribution: BaseDistribution,
    distance_func: CategoricalDistanceFunc | None = None,
) -> Dim:
    """Describe ``distribution`` for the Parzen estimator."""
    if isinstance(distribution, CategoricalDistribution):
        if distance_func is None:
            return CategoricalDim(len(distribution.choices))
        return CategoricalDim(
            len(distribution.choices), _distance_matrix(distribution, distance_func)
        )
    if isinstance(distribution, (FloatDistribution, IntDistribution)):
        step = None if distribution.step is None else float(distribution.step)
        return NumericDim(float(distribution.low), float(distribution.high), step, distribution.log)
    raise TypeError(f"TPESampler cannot sample from {distribution!r}.")


def _distance_matrix(
    distribution: CategoricalDistribution, distance_func: CategoricalDistanceFunc
) -> np.ndarray:
    choices = distribution.choices
    dist = np.array([[float(distance_func(a, b)) for b in choices] for a in choices])
    if not np.all(np.isfinite(dist)) or np.any(dist < 0):
        raise ValueError(
            "A categorical distance function must return finite non-negative numbers, got "
            f"{dist.tolist()} for choices {list(choices)}."
        )
    largest = dist.max()
    return dist / largest if largest > 0 else dist


def grid_codes(dims: list[Dim], values: np.ndarray) -> np.ndarray | None:
    """One integer per row of internal ``values`` (m, d) identifying its grid point.

    None when a dimension is continuous or the grid has more than 2**62 points.
    """
    codes = np.zeros(len(values), dtype=np.int64)
    size = 1
    for j, dim in enumerate(dims):
        if isinstance(dim, CategoricalDim):
            index, count = values[:, j], dim.n_choices
        elif dim.step is not None:
            index = np.round((values[:, j] - dim.low) / dim.step)
            count = int(round((dim.high - dim.low) / dim.step)) + 1
        else:
            return None
        size *= count
        if size > 2**62:
            return None
        codes = codes * count + index.astype(np.int64)
    return codes

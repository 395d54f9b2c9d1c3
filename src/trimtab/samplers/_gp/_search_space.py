"""The GP's view of a search space: every parameter as one column in ``[0, 1]``.

Floats and ints map linearly (log-scaled for ``log=True``) onto ``[0, 1]``, stepped ones with
half a step of margin at both ends so each grid value owns an equal interval. A categorical
parameter is one column holding its choice index; the kernel compares such columns by
equality. Arrays of points have shape ``(n_points, n_params)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.stats import qmc

from trimtab._transform import distribution_box
from trimtab.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)


class GPSearchSpace:
    """Normalisation of one relative search space (column order = ``search_space`` order)."""

    def __init__(self, search_space: dict[str, BaseDistribution]) -> None:
        self.search_space = search_space
        d = len(search_space)
        self.dim = d
        self.is_categorical = np.zeros(d, dtype=bool)
        self.n_choices = np.zeros(d, dtype=int)
        self._low = np.zeros(d)  # bounds of the normalised interval, in raw (maybe log) units
        self._high = np.ones(d)
        self.steps = np.zeros(d)  # grid step in raw units (0 for continuous columns)
        self._log = np.zeros(d, dtype=bool)
        for i, dist in enumerate(search_space.values()):
            if isinstance(dist, CategoricalDistribution):
                self.is_categorical[i] = True
                self.n_choices[i] = len(dist.choices)
                continue
            if not isinstance(dist, (FloatDistribution, IntDistribution)):
                raise TypeError(f"GPSampler cannot handle {dist!r}.")
            step = float(dist.step) if dist.step is not None else 0.0
            self._log[i] = dist.log
            self._low[i], self._high[i] = distribution_box(dist)
            self.steps[i] = step
        self.discrete = self.is_categorical | (self.steps > 0)

    def normalize(self, params: list[dict[str, Any]]) -> np.ndarray:
        """External values → shape ``(len(params), dim)``."""
        out = np.empty((len(params), self.dim))
        for i, (name, dist) in enumerate(self.search_space.items()):
            column = [p[name] for p in params]
            if self.is_categorical[i]:
                out[:, i] = [dist.to_internal_repr(v) for v in column]
            else:
                out[:, i] = self._to_unit(np.asarray(column, dtype=float), i)
        return out

    def _to_unit(self, raw: np.ndarray, i: int) -> np.ndarray:
        if self._log[i]:
            raw = np.log(raw)
        width = self._high[i] - self._low[i]
        return np.full_like(raw, 0.5) if width == 0 else (raw - self._low[i]) / width

    def _from_unit(self, x: np.ndarray, i: int) -> np.ndarray:
        raw = self._low[i] + x * (self._high[i] - self._low[i])
        return np.exp(raw) if self._log[i] else raw

    def round(self, x: np.ndarray) -> np.ndarray:
        """Snap discrete columns of ``x`` (n, dim) to their grids; returns a copy."""
        x = np.array(x, dtype=float)
        for i, dist in enumerate(self.search_space.values()):
            if self.is_categorical[i]:
                x[:, i] = np.clip(np.floor(x[:, i]), 0, self.n_choices[i] - 1)
            elif self.steps[i] > 0:
                low, high = float(dist.low), float(dist.high)  # type: ignore[attr-defined]
                raw = self._from_unit(x[:, i], i)
                snapped = np.clip(
                    np.round((raw - low) / self.steps[i]) * self.steps[i] + low, low, high
                )
                x[:, i] = self._to_unit(snapped, i)
        return x

    def grid_size(self, i: int) -> int:
        """Number of values of discrete column ``i``."""
        if self.is_categorical[i]:
            return int(self.n_choices[i])
        dist = list(self.search_space.values())[i]
        return int(round((dist.high - dist.low) / self.steps[i])) + 1  # type: ignore[attr-defined]

    def choices(self, i: int, near: float | None = None, radius: int | None = None) -> np.ndarray:
        """Normalised grid values of discrete column ``i``; with ``near`` and ``radius``, only
        the ``2 * radius + 1`` values around the normalised value ``near``."""
        if self.is_categorical[i]:
            return np.arange(self.n_choices[i], dtype=float)
        dist = list(self.search_space.values())[i]
        low = float(dist.low)  # type: ignore[attr-defined]
        first, last = 0, self.grid_size(i) - 1
        if near is not None and radius is not None:
            centre = round((float(self._from_unit(np.array([near]), i)[0]) - low) / self.steps[i])
            first, last = max(first, centre - radius), min(last, centre + radius)
        return self._to_unit(low + self.steps[i] * np.arange(first, last + 1, dtype=float), i)

    def sample(self, n: int, rng: np.random.RandomState) -> np.ndarray:
        """``n`` scrambled-Sobol points, shape ``(n, dim)``, with discrete columns snapped."""
        engine = qmc.Sobol(self.dim, scramble=True, seed=rng.randint(2**31 - 1))
        x = engine.random(n)
        x[:, self.is_categorical] *= self.n_choices[self.is_categorical]
        return self.round(x)

    def unnormalize(self, x: np.ndarray) -> dict[str, Any]:
        """One point, shape ``(dim,)`` → external values inside each distribution."""
        params: dict[str, Any] = {}
        for i, (name, dist) in enumerate(self.search_space.items()):
            if isinstance(dist, CategoricalDistribution):
                params[name] = dist.to_external_repr(int(np.clip(x[i], 0, self.n_choices[i] - 1)))
                continue
            assert isinstance(dist, (FloatDistribution, IntDistribution))
            raw = float(self._from_unit(np.array([x[i]]), i)[0])
            if self.steps[i] > 0:
                raw = round((raw - dist.low) / self.steps[i]) * self.steps[i] + dist.low
            value = min(max(raw, dist.low), dist.high)
            params[name] = int(round(value)) if isinstance(dist, IntDistribution) else float(value)
        return params

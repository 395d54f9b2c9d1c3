"""The Parzen estimator at the heart of TPE: a weighted mixture of product kernels.

A ``ParzenEstimator`` models a density over a search space of ``d`` parameters from ``n``
observations (Bergstra et al., 2011, "Algorithms for Hyper-Parameter Optimization", sec. 4):

    p(x) = sum_k w_k prod_j K_kj(x_j),      k = 0..n (the last kernel is the prior)

* numeric parameters live in unit coordinates u in [0, 1] (after ``log`` for log-scaled ones,
  and with half a step of margin on each side for stepped ones); ``K_kj`` is a Gaussian
  N(mu_kj, sigma_kj^2) truncated to [0, 1]. ``mu_kj`` is the observation; ``sigma_kj`` is the
  larger gap to its neighbours among the sorted observations (Bergstra et al. 2011; Watanabe
  2023, "Tree-Structured Parzen Estimator: Understanding Its Algorithm Components", sec. 2.3),
  clipped below by the "magic clip" 1 / min(100, N + 1) and above by 1, where N is the
  mixture's kernel count unless the caller passes another (TPE passes the study size for
  l(x)); stepped parameters also keep sigma >= half a cell, and l(x)'s kernels on coarse cells
  (a tenth of the range or more) one cell. The prior kernel is N(0.5, 1).
  Stepped parameters use the mass of the kernel on the cell [x - s/2, x + s/2] (exactly, or
  density x width when the cells are far narrower than every kernel).
* categorical parameters use a smoothed one-hot kernel: weight 1 on the observed choice plus
  ``prior_weight / (n + 1)`` on every choice, normalised (Watanabe 2023, sec. 2.4); with a
  distance function the one-hot is replaced by exp(-(d(obs, x) / max d)^2 / (2 h^2)),
  h = 0.5 (n + 1)^(-1/5).

Everything is vectorised over kernels: the Gaussian part of the log density of ``m``
candidates under ``n`` kernels, log weights and normalisers included, is one
(m, 2d + 1) x (2d + 1, n) matrix product (the quadratic form expanded as
x^2 P - 2 x (mu P) + mu^2 P with P = 1 / sigma^2).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from trimtab._transform import UnitBox
from trimtab.samplers._tpe._space import CategoricalDim, Dim, NumericDim
from trimtab.samplers._tpe._truncnorm import (
    _LOG_SQRT_2PI,
    log_gauss_mass,
    ndtr,
    sample_truncnorm,
)

EPS = 1e-12
# A cell at least this wide (in unit coordinates) is coarse: its dimension has about ten
# levels or fewer there.
_COARSE_CELL = 0.1


@dataclass(frozen=True)
class EstimatorParameters:
    """Kernel settings shared by the "below" and "above" estimators."""

    prior_weight: float = 1.0
    consider_magic_clip: bool = True
    consider_endpoints: bool = False


class ParzenEstimator:
    """A mixture of product kernels fitted to observations.

    Args:
        dims: One ``NumericDim``/``CategoricalDim`` per column of ``observations``.
        observations: Internal values, shape ``(n, d)`` (categorical columns hold indices).
        weights: Non-negative kernel weights, shape ``(n,)``.
        parameters: Prior weight, magic clip and endpoint handling.
        clip_kernels: The kernel count the magic clip uses (default: this mixture's).
        pinned: Shape ``(n,)``; True gives that observation's kernels the narrowest width.
        coarse_cells: Make kernels on coarse cells of stepped dimensions one cell wide (the
            good set's l(x); see ``_widen_coarse_cells``).
    """

    def __init__(
        self,
        dims: list[Dim],
        observations: np.ndarray,
        weights: np.ndarray,
        parameters: EstimatorParameters,
        clip_kernels: int | None = None,
        pinned: np.ndarray | None = None,
        coarse_cells: bool = False,
    ) -> None:
        n = observations.shape[0]
        self._dims = dims
        self._num = [j for j, d in enumerate(dims) if isinstance(d, NumericDim)]
        self._cat = [j for j, d in enumerate(dims) if isinstance(d, CategoricalDim)]
        if n == 0:
            w = np.ones(1)
        else:
            w = np.append(np.asarray(weights, dtype=float), parameters.prior_weight)
        self.n_kernels = len(w)
        self._split: tuple[list[int], list[int]] | None = None
        self._weights = w / w.sum()
        with np.errstate(divide="ignore"):
            self._log_weights = np.log(self._weights)
        self._fit_numeric(
            observations, parameters, clip_kernels or self.n_kernels, pinned, coarse_cells
        )
        self._log_cat = [
            _categorical_log_kernels(dims[j], observations[:, j], parameters.prior_weight)  # type: ignore[arg-type]
            for j in self._cat
        ]

    def _fit_numeric(
        self,
        observations: np.ndarray,
        parameters: EstimatorParameters,
        clip_kernels: int,
        pinned: np.ndarray | None,
        coarse_cells: bool,
    ) -> None:
        numeric = tuple(self._dims[j] for j in self._num)
        self._box, cells = _layout(numeric)  # type: ignore[arg-type]
        units = np.clip(self._box.to_unit(observations[:, self._num]), 0.0, 1.0)
        sigmas = _neighbour_sigmas(units, parameters.consider_endpoints)
        min_sigma = 1.0 / min(100.0, 1.0 + clip_kernels) if parameters.consider_magic_clip else EPS
        # A stepped dimension's kernels stay at least half a cell wide: narrower ones put all
        # their mass on one grid value and the dimension stops exploring.
        floor = np.maximum(min_sigma, 0.5 * cells)
        sigmas = np.clip(sigmas, floor, 1.0)
        if coarse_cells and len(units):
            self._widen_coarse_cells(observations, sigmas)
        if pinned is not None and pinned.any():
            sigmas[pinned] = floor
        # The prior kernel (last row): centred, as wide as the whole range.
        n = len(units)
        self._mus = np.full((self.n_kernels, len(numeric)), 0.5)
        self._sigmas = np.ones((self.n_kernels, len(numeric)))
        self._mus[:n], self._sigmas[:n] = units[: self.n_kernels], sigmas[: self.n_kernels]
        self._log_z = _log_truncation_mass(self._mus, self._sigmas)

    def _widen_coarse_cells(self, observations: np.ndarray, sigmas: np.ndarray) -> None:
        """Widen kernels on coarse cells (a tenth of the range or more) to one cell.

        At half a cell, a kernel keeps 68% of its mass on its own value and 16% on each
        neighbour; when the good set shares one value of a dimension with a few levels, the
        search then keeps proposing that value and l(x) / g(x) never favours its neighbour
        (``(x - 2)^2 + |y|`` with y in -3..3 stayed at y = 1 in 20 of 30 runs). One cell wide
        (38% / 24%), the neighbours stay in play. Kernels are never made wider than
        1 / (n_good + 2), the good set's own resolution. Dimensions with many levels keep
        their narrower kernels: there, the wider ones cost precision (six integers in
        -10..10: median 6.0 against 4.5 over 60 seeds, ``benchmarks/tpe_stepped.py``).
        """
        own = 1.0 / min(100.0, 1.0 + self.n_kernels)
        for c, j in enumerate(self._num):
            dim = self._dims[j]
            assert isinstance(dim, NumericDim)
            if dim.step is None or dim.max_cell_width < _COARSE_CELL:
                continue
            local = dim.cell_width(observations[:, j])
            coarse = local >= _COARSE_CELL
            sigmas[coarse, c] = np.maximum(sigmas[coarse, c], np.minimum(own, local[coarse]))

    def sample(self, rng: np.random.RandomState, size: int) -> np.ndarray:
        """Draw ``size`` points; returns internal values, shape ``(size, d)``."""
        # Kernel k with probability w_k (inverse CDF; rng.choice(p=...) costs more here).
        cdf = np.cumsum(self._weights)
        active = np.minimum(
            np.searchsorted(cdf, rng.uniform(size=size) * cdf[-1], side="right"),
            self.n_kernels - 1,
        )
        out = np.empty((size, len(self._dims)))
        if self._num:
            mus = self._mus[active]
            sigmas = self._sigmas[active]
            # u ~ N(mu, sigma^2) truncated to [0, 1], via z ~ N(0, 1) truncated to [a, b].
            z = sample_truncnorm(rng, (0.0 - mus) / sigmas, (1.0 - mus) / sigmas)
            out[:, self._num] = self._box.from_unit(np.clip(mus + sigmas * z, 0.0, 1.0))
        for c, j in enumerate(self._cat):
            probs = np.exp(self._log_cat[c][active])
            cum = np.cumsum(probs, axis=1)
            draw = rng.uniform(size=size)[:, None] * cum[:, -1:]
            out[:, j] = np.minimum((cum < draw).sum(axis=1), probs.shape[1] - 1)
        return out

    def log_pdf(self, x: np.ndarray) -> np.ndarray:
        """Log density (log mass for stepped/categorical parts) of points ``x`` (m, d)."""
        dense, exact = self._split_numeric()
        # Every product-form term, and the log weights, come out of one matrix product.
        total = self._dense_log_kernels(x, dense)
        for c in exact:
            total += self._cell_log_kernels(x[:, self._num[c]], c)
        for c, j in enumerate(self._cat):
            total += self._log_cat[c][:, x[:, j].astype(np.intp)].T
        peak = total.max(axis=1, keepdims=True)
        peak[~np.isfinite(peak)] = 0.0
        total -= peak
        np.exp(total, out=total)
        with np.errstate(divide="ignore"):
            return np.log(total.sum(axis=1)) + peak[:, 0]

    def _split_numeric(self) -> tuple[list[int], list[int]]:
        """Numeric columns evaluated in product form (dense) and by exact cell mass."""
        if self._split is None:
            min_sigma = self._sigmas.min(axis=0) if self._num else np.zeros(0)
            dense, exact = [], []
            for c, j in enumerate(self._num):
                dim = self._dims[j]
                assert isinstance(dim, NumericDim)
                # A cell much narrower than every kernel: mass = density x cell width (midpoint
                # rule, relative error ~ (width / sigma)^2 / 24), which keeps the product form.
                if dim.step is None or dim.max_cell_width <= 0.1 * min_sigma[c]:
                    dense.append(c)
                else:
                    exact.append(c)
            self._split = (dense, exact)
        return self._split

    def _dense_log_kernels(self, x: np.ndarray, cols: list[int]) -> np.ndarray:
        """log w_k + sum over ``cols`` of log K_kj(x_j), shape (m, n_kernels).

        -(u - mu)^2 / (2 sigma^2) expands to [u^2, u, 1] . [-P/2, mu P, -mu^2 P/2] with
        P = 1 / sigma^2, so the whole sum, constants included, is one (m, 2c+1) x (2c+1, n)
        product.
        """
        m = x.shape[0]
        every = len(cols) == len(self._num)  # the usual case: no copies of the kernel arrays
        mus = self._mus if every else self._mus[:, cols]
        sigmas = self._sigmas if every else self._sigmas[:, cols]
        log_z = self._log_z if every else self._log_z[:, cols]
        if 0 < len(cols) <= 30 and sigmas.min() > 1e-9:  # one log per kernel: no underflow
            log_sigma = np.log(np.prod(sigmas, axis=1))
        else:
            log_sigma = np.log(sigmas).sum(axis=1)
        const = self._log_weights - (log_sigma + log_z.sum(axis=1) + len(cols) * _LOG_SQRT_2PI)
        if not cols:
            out = np.empty((m, self.n_kernels))
            out[:] = const
            return out
        units = self._box.to_unit(x[:, self._num])
        if not every:
            units = units[:, cols]
        if sigmas.min() > 1e-3:
            c = len(cols)
            lhs = np.empty((m, 2 * c + 1))
            np.multiply(units, units, out=lhs[:, :c])
            lhs[:, c : 2 * c], lhs[:, -1] = units, 1.0
            rhs = np.empty((self.n_kernels, 2 * c + 1))
            precision = np.reciprocal(sigmas * sigmas)
            np.multiply(mus, precision, out=rhs[:, c : 2 * c])
            np.multiply(precision, -0.5, out=rhs[:, :c])
            rhs[:, -1] = const - 0.5 * np.einsum("ij,ij->i", mus, rhs[:, c : 2 * c])
            out = _blocked_matmul_t(lhs, rhs)
        else:  # the expansion would cancel catastrophically for tiny sigmas
            diff = (units[:, None, :] - mus[None]) / sigmas[None]
            out = const - 0.5 * (diff * diff).sum(axis=2)
        for c in cols:
            dim = self._dims[self._num[c]]
            if dim.step is not None:  # type: ignore[union-attr]
                out += np.log(dim.cell_width(x[:, self._num[c]]))[:, None]  # type: ignore[union-attr]
        return out

    def _cell_log_kernels(self, values: np.ndarray, c: int) -> np.ndarray:
        """Exact log mass of each kernel on each value's cell, for one stepped dimension."""
        dim = self._dims[self._num[c]]
        assert isinstance(dim, NumericDim)
        uniq_x, inv_x = np.unique(values, return_inverse=True)
        left, right = dim.cell_bounds(uniq_x)
        # Kernels on a grid repeat (mu, sigma) pairs: evaluate each distinct pair once.
        pairs, first, inv_k = np.unique(
            self._mus[:, c] + 1j * self._sigmas[:, c], return_index=True, return_inverse=True
        )
        mu, sigma = pairs.real, pairs.imag
        a = (left[:, None] - mu) / sigma
        b = (right[:, None] - mu) / sigma
        # Phi(b) - Phi(a), mirrored to the left tail where Phi keeps its relative precision.
        flip = a > 0
        lo, hi = np.where(flip, -b, a), np.where(flip, -a, b)
        with np.errstate(divide="ignore"):
            mass = np.log(ndtr(hi) - ndtr(lo))
        tiny = ~np.isfinite(mass)
        if tiny.any():  # deep in a tail: the log-space formula still resolves it
            mass[tiny] = log_gauss_mass(lo[tiny], hi[tiny])
        mass -= self._log_z[first, c]
        return mass[np.ix_(inv_x.ravel(), inv_k.ravel())]


@lru_cache(maxsize=64)
def _layout(numeric: tuple[NumericDim, ...]) -> tuple[UnitBox, np.ndarray]:
    """The unit box of the numeric dimensions, and each one's widest cell (unit)."""
    box = UnitBox([(d.low, d.high, d.step, d.log) for d in numeric])
    return box, np.array([d.max_cell_width for d in numeric])


def _blocked_matmul_t(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b.T`` in column blocks small enough for BLAS to stay single-threaded.

    At these sizes ((24, d) x (d, n)) thread start-up costs more than the product, and on a
    busy machine multi-threaded BLAS can be 100x slower than one thread.
    """
    block = max(1, 2**18 // max(1, a.shape[0] * a.shape[1]))
    if b.shape[0] <= block:
        return a @ b.T
    out = np.empty((a.shape[0], b.shape[0]))
    for start in range(0, b.shape[0], block):
        out[:, start : start + block] = a @ b[start : start + block].T
    return out


def _neighbour_sigmas(units: np.ndarray, consider_endpoints: bool) -> np.ndarray:
    """Per-observation bandwidth: the larger gap to a neighbour (bounds 0 and 1 included)."""
    n, d = units.shape
    if n == 0:
        return np.empty((0, d))
    cols = np.ascontiguousarray(units.T)  # sorting rows in place beats strided columns
    order = np.argsort(cols, axis=1)
    padded = np.empty((d, n + 2))
    padded[:, 0], padded[:, -1] = 0.0, 1.0
    padded[:, 1:-1] = np.take_along_axis(cols, order, axis=1)
    gaps = np.diff(padded, axis=1)
    sorted_sigmas = np.maximum(gaps[:, :-1], gaps[:, 1:])
    if not consider_endpoints and n >= 2:
        # The gap to a bound is not a gap between observations: ignore it for the end kernels.
        sorted_sigmas[:, 0] = gaps[:, 1]
        sorted_sigmas[:, -1] = gaps[:, -2]
    sigmas = np.empty((d, n))
    np.put_along_axis(sigmas, order, sorted_sigmas, axis=1)
    return sigmas.T


def _log_truncation_mass(mus: np.ndarray, sigmas: np.ndarray) -> np.ndarray:
    """log Z_kj = log(Phi((1 - mu) / sigma) - Phi(-mu / sigma)) for mu in [0, 1].

    With mu inside [0, 1], a = -mu / sigma <= 0 <= b = (1 - mu) / sigma, so
    Z = 1 - Phi(a) - Phi(-b) >= 1/2 - Phi(-b) loses no precision in this form.
    """
    out = np.zeros(np.broadcast(mus, sigmas).shape)
    # Kernels more than 8.5 sigma inside both bounds have Z = 1 to double precision.
    near = (mus < 8.5 * sigmas) | (1.0 - mus < 8.5 * sigmas)
    if near.any():
        mu, sigma = np.broadcast_to(mus, out.shape)[near], np.broadcast_to(sigmas, out.shape)[near]
        out[near] = np.log1p(-(ndtr(-mu / sigma) + ndtr((mu - 1.0) / sigma)))
    return out


def _categorical_log_kernels(
    dim: CategoricalDim, observed: np.ndarray, prior_weight: float
) -> np.ndarray:
    """log of each kernel's probabilities over the choices, shape (n_kernels, n_choices)."""
    n, n_choices = len(observed), dim.n_choices
    if n == 0:
        return np.full((1, n_choices), -np.log(n_choices))
    n_kernels = n + 1
    idx = observed.astype(np.intp)
    probs = np.full((n_kernels, n_choices), prior_weight / n_kernels)
    if dim.distance is None:
        probs[np.arange(n), idx] += 1.0
    else:
        # Similar choices share weight: a Gaussian in the (max-scaled) distance whose width
        # shrinks like Scott's rule, n^(-1/5), as observations accumulate.
        width = 0.5 * n_kernels**-0.2
        probs[:n] += np.exp(-0.5 * (dim.distance[idx] / width) ** 2)
    if prior_weight <= 0.0:
        probs[n] = 1.0  # the prior kernel has weight 0; keep its row a valid distribution
    probs /= probs.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore"):
        return np.log(probs)

"""Crossovers for numerical parameters: make one child from ``n_parents`` parents.

Every ``crossover`` receives ``parents_params`` of shape ``(n_parents, n_params)`` in the
transformed space (log scale for log parameters), ``search_space_bounds`` of shape
``(n_params, 2)``, and returns the child, shape ``(n_params,)``. A child outside the bounds is
rejected by the sampler and the crossover is retried with new parents.
"""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING

import numpy as np

from trimtab._warnings import warn_experimental

if TYPE_CHECKING:
    from trimtab.study import Study


class BaseCrossover(abc.ABC):
    """Base class of the crossovers used by ``NSGAIISampler`` and ``NSGAIIISampler``."""

    def __str__(self) -> str:
        return self.__class__.__name__

    @property
    @abc.abstractmethod
    def n_parents(self) -> int:
        """How many parents one child needs."""

    @abc.abstractmethod
    def crossover(
        self,
        parents_params: np.ndarray,
        rng: np.random.RandomState,
        study: Study,
        search_space_bounds: np.ndarray,
    ) -> np.ndarray:
        """Return a child, shape ``(n_params,)``, from parents ``(n_parents, n_params)``."""


class UniformCrossover(BaseCrossover):
    """Each parameter comes from one of two parents.

    Args:
        swapping_prob: Probability of swapping a parameter between the parents, i.e. of
            taking it from the first parent rather than the second.
    """

    n_parents = 2  # type: ignore[assignment]

    def __init__(self, swapping_prob: float = 0.5) -> None:
        if not 0.0 <= swapping_prob <= 1.0:
            raise ValueError("`swapping_prob` must be a float value within the range [0.0, 1.0].")
        self._swapping_prob = swapping_prob

    def crossover(
        self,
        parents_params: np.ndarray,
        rng: np.random.RandomState,
        study: Study,
        search_space_bounds: np.ndarray,
    ) -> np.ndarray:
        n_params = len(search_space_bounds)
        take_second = (rng.rand(n_params) >= self._swapping_prob).astype(int)
        return parents_params[take_second, np.arange(n_params)]


class BLXAlphaCrossover(BaseCrossover):
    """Blend crossover: uniform in the parents' box widened by ``alpha`` of its width.

    Args:
        alpha: Widening of the parents' box on each side, relative to its width.
    """

    n_parents = 2  # type: ignore[assignment]

    def __init__(self, alpha: float = 0.5) -> None:
        warn_experimental("BLXAlphaCrossover", "3.0.0")
        self._alpha = alpha

    def crossover(
        self,
        parents_params: np.ndarray,
        rng: np.random.RandomState,
        study: Study,
        search_space_bounds: np.ndarray,
    ) -> np.ndarray:
        low, high = parents_params.min(axis=0), parents_params.max(axis=0)
        margin = self._alpha * (high - low)
        r = rng.rand(len(search_space_bounds))
        return (low - margin) + r * ((high + margin) - (low - margin))


class SPXCrossover(BaseCrossover):
    """Simplex crossover (Tsutsui et al., 1999) on three parents.

    Args:
        epsilon: Expansion rate of the simplex; ``sqrt(n_params + 2)`` when None.
    """

    n_parents = 3  # type: ignore[assignment]

    def __init__(self, epsilon: float | None = None) -> None:
        warn_experimental("SPXCrossover", "3.0.0")
        self._epsilon = epsilon

    def crossover(
        self,
        parents_params: np.ndarray,
        rng: np.random.RandomState,
        study: Study,
        search_space_bounds: np.ndarray,
    ) -> np.ndarray:
        n = self.n_parents - 1
        centre = parents_params.mean(axis=0)
        r = rng.rand(n) ** (1.0 / (np.arange(n) + 1.0))
        eps = np.sqrt(len(search_space_bounds) + 2) if self._epsilon is None else self._epsilon
        x = centre + eps * (parents_params - centre)  # expanded simplex vertices
        c = np.zeros_like(centre)
        for k in range(1, self.n_parents):
            c = r[k - 1] * (x[k - 1] - x[k] + c)
        return x[-1] + c


def _validate_sbx_args(eta: float | None, uniform_prob: float, child_gene_prob: float) -> None:
    if eta is not None and eta < 0.0:
        raise ValueError("The value of `eta` must be greater than or equal to 0.0.")
    if not 0.0 <= uniform_prob <= 1.0:
        raise ValueError("The value of `uniform_crossover_prob` must be in the range [0.0, 1.0].")
    if not 0.0 < child_gene_prob <= 1.0:
        raise ValueError("The value of `use_child_gene_prob` must be in the range (0.0, 1.0].")


def _mix_children(
    c1: np.ndarray,
    c2: np.ndarray,
    parents_params: np.ndarray,
    rng: np.random.RandomState,
    uniform_prob: float,
    child_gene_prob: float,
) -> np.ndarray:
    """Per gene, take the two children's (or parents') values in either order; return one."""
    first, second = [], []
    for a, b, p1, p2 in zip(c1, c2, parents_params[0], parents_params[1]):
        x, y = (a, b) if rng.rand() < child_gene_prob else (p1, p2)
        if rng.rand() < uniform_prob:
            x, y = y, x
        first.append(x)
        second.append(y)
    return np.array(first if rng.rand() < 0.5 else second)


def _default_eta(eta: float | None, study: Study) -> float:
    if eta is not None:
        return eta
    return 20.0 if len(study.directions) > 1 else 2.0


class SBXCrossover(BaseCrossover):
    """Simulated binary crossover, bounded form (Deb & Agrawal, 1995).

    Args:
        eta: Distribution index; 20 for multi-objective studies and 2 otherwise when None.
        uniform_crossover_prob: Probability of swapping the two children's genes.
        use_child_gene_prob: Probability of using the children's genes instead of the parents'.
    """

    n_parents = 2  # type: ignore[assignment]

    def __init__(
        self,
        eta: float | None = None,
        uniform_crossover_prob: float = 0.5,
        use_child_gene_prob: float = 0.5,
    ) -> None:
        warn_experimental("SBXCrossover", "3.0.0")
        _validate_sbx_args(eta, uniform_crossover_prob, use_child_gene_prob)
        self._eta = eta
        self._uniform_crossover_prob = uniform_crossover_prob
        self._use_child_gene_prob = use_child_gene_prob

    def crossover(
        self,
        parents_params: np.ndarray,
        rng: np.random.RandomState,
        study: Study,
        search_space_bounds: np.ndarray,
    ) -> np.ndarray:
        eta = _default_eta(self._eta, study)
        lows, highs = search_space_bounds[:, 0], search_space_bounds[:, 1]
        x_min, x_max = parents_params.min(axis=0), parents_params.max(axis=0)
        diff = np.clip(x_max - x_min, 1e-10, None)
        u = rng.rand(len(search_space_bounds))
        betaq = []
        for beta in (1 + 2 * (x_min - lows) / diff, 1 + 2 * (highs - x_max) / diff):
            alpha = 2 - beta ** (-(eta + 1))
            inside = u <= 1 / alpha
            with np.errstate(invalid="ignore", divide="ignore"):
                spread = np.where(
                    inside, (u * alpha) ** (1 / (eta + 1)), (1 / (2 - u * alpha)) ** (1 / (eta + 1))
                )
            betaq.append(spread)
        c1 = 0.5 * ((x_min + x_max) - betaq[0] * diff)
        c2 = 0.5 * ((x_min + x_max) + betaq[1] * diff)
        return _mix_children(
            c1, c2, parents_params, rng, self._uniform_crossover_prob, self._use_child_gene_prob
        )


class VSBXCrossover(BaseCrossover):
    """Modified simulated binary crossover that can reach outside the parents' span.

    Args:
        eta: Distribution index; 20 for multi-objective studies and 2 otherwise when None.
        uniform_crossover_prob: Probability of swapping the two children's genes.
        use_child_gene_prob: Probability of using the children's genes instead of the parents'.
    """

    n_parents = 2  # type: ignore[assignment]

    def __init__(
        self,
        eta: float | None = None,
        uniform_crossover_prob: float = 0.5,
        use_child_gene_prob: float = 0.5,
    ) -> None:
        warn_experimental("VSBXCrossover", "3.0.0")
        _validate_sbx_args(eta, uniform_crossover_prob, use_child_gene_prob)
        self._eta = eta
        self._uniform_crossover_prob = uniform_crossover_prob
        self._use_child_gene_prob = use_child_gene_prob

    def crossover(
        self,
        parents_params: np.ndarray,
        rng: np.random.RandomState,
        study: Study,
        search_space_bounds: np.ndarray,
    ) -> np.ndarray:
        eta = _default_eta(self._eta, study)
        u = rng.rand(len(search_space_bounds))
        beta1 = (1 / np.maximum(2 * u, 1e-10)) ** (1 / (eta + 1))
        beta2 = (1 / np.maximum(2 * (1 - u), 1e-10)) ** (1 / (eta + 1))
        p1, p2 = parents_params[0], parents_params[1]
        if rng.rand() <= 0.5:
            c1 = 0.5 * ((1 + beta1) * p1 + (1 - beta2) * p2)
        else:
            c1 = 0.5 * ((1 - beta1) * p1 + (1 + beta2) * p2)
        if rng.rand() <= 0.5:
            c2 = 0.5 * ((3 - beta1) * p1 - (1 - beta2) * p2)
        else:
            c2 = 0.5 * (-(1 - beta1) * p1 + (3 - beta2) * p2)
        return _mix_children(
            c1, c2, parents_params, rng, self._uniform_crossover_prob, self._use_child_gene_prob
        )


class UNDXCrossover(BaseCrossover):
    """Unimodal normal distribution crossover (Ono et al., 2003) on three parents.

    Args:
        sigma_xi: Spread along the line through the first two parents.
        sigma_eta: Spread orthogonal to it; ``0.35 / sqrt(n_params)`` when None.
    """

    n_parents = 3  # type: ignore[assignment]

    def __init__(self, sigma_xi: float = 0.5, sigma_eta: float | None = None) -> None:
        warn_experimental("UNDXCrossover", "3.0.0")
        self._sigma_xi = sigma_xi
        self._sigma_eta = sigma_eta

    def crossover(
        self,
        parents_params: np.ndarray,
        rng: np.random.RandomState,
        study: Study,
        search_space_bounds: np.ndarray,
    ) -> np.ndarray:
        n = len(search_space_bounds)
        p1, p2, p3 = parents_params[0], parents_params[1], parents_params[2]
        midpoint, d = (p1 + p2) / 2, p1 - p2
        sigma_eta = 0.35 / np.sqrt(n) if self._sigma_eta is None else self._sigma_eta
        etas = rng.normal(0, sigma_eta**2, size=n)
        xi = rng.normal(0, self._sigma_xi**2)
        child = midpoint + xi * d
        if n == 1:
            return child
        e12 = (p2 - p1) / max(float(np.linalg.norm(p2 - p1)), 1e-10)
        basis = np.identity(n)
        if np.count_nonzero(e12):
            basis[0] = e12
        q, _ = np.linalg.qr(basis.T)
        orthogonal = q.T[1:]  # (n - 1, n): directions orthogonal to the parents' line
        v13 = p3 - p1
        distance = np.linalg.norm(v13 - np.dot(v13, e12) * e12)
        return child + distance * (etas[: n - 1] @ orthogonal)

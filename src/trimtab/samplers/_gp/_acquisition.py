"""Acquisition functions, all in log space and all *maximised*.

Every acquisition maps candidate points ``x`` (m, dim) to scores (m,). Objectives are
standardised and signed by the caller so that larger is better; constraint GPs model the
negated, standardised constraint values, so a point is feasible when the latent value is at
least its threshold.

- ``LogEI``: log expected improvement over the best feasible value, plus
  ``sum log P(feasible)`` when there are constraints (and only that while nothing is feasible).
- ``LogEHVI``: log expected hypervolume improvement over the Pareto front of the observed
  values, Monte Carlo over fixed quasi-random normal samples (independent GPs per objective),
  using a box decomposition of the region the front does not dominate.
"""

from __future__ import annotations

from itertools import product

import numpy as np
from scipy.special import erfc, erfcx, log_ndtr, logsumexp
from scipy.stats import norm, qmc

from trimtab._multi_objective import nondominated_mask
from trimtab.samplers._gp._surrogate import GPRegressor

_EPS = 1e-12
_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)
_LOG_SQRT_2PI = 0.5 * np.log(2.0 * np.pi)
_SQRT_HALF = np.sqrt(0.5)
_SQRT_HALF_PI = np.sqrt(0.5 * np.pi)


def standard_log_ei(z: np.ndarray) -> np.ndarray:
    """``log E[max(0, N(0, 1) + z)]`` computed stably for very negative ``z`` (m,)."""
    out = np.empty_like(z)
    big = z >= -25.0
    zb = z[big]
    out[big] = np.log(0.5 * zb * erfc(-_SQRT_HALF * zb) + np.exp(-0.5 * zb * zb) * _INV_SQRT_2PI)
    zs = z[~big]
    out[~big] = (
        -0.5 * zs**2 - _LOG_SQRT_2PI + np.log1p(_SQRT_HALF_PI * zs * erfcx(-_SQRT_HALF * zs))
    )
    return out


class ConstraintModel:
    """GPs of negated, standardised constraints with their feasibility thresholds."""

    def __init__(self, gps: list[GPRegressor], thresholds: list[float]) -> None:
        self.gps, self.thresholds = gps, thresholds

    def log_feasibility(self, x: np.ndarray) -> np.ndarray:
        """``sum_c log P(g_c(x) >= threshold_c)``, shape (m,)."""
        total = np.zeros(len(x))
        for gp, threshold in zip(self.gps, self.thresholds):
            mean, var = gp.posterior(x)
            total += log_ndtr((mean - threshold) / np.sqrt(var))
        return total


class LogEI:
    """Log expected improvement over ``threshold`` (``-inf`` = nothing feasible yet).

    Args:
        gp: Surrogate of the standardised, maximised objective.
        threshold: Best feasible standardised value.
        constraints: Optional feasibility model.
    """

    def __init__(
        self, gp: GPRegressor, threshold: float, constraints: ConstraintModel | None = None
    ) -> None:
        self.gp, self.threshold, self.constraints = gp, threshold, constraints

    def __call__(self, x: np.ndarray) -> np.ndarray:
        score = np.zeros(len(x))
        if np.isfinite(self.threshold):
            mean, var = self.gp.posterior(x)
            sigma = np.sqrt(var)
            score += standard_log_ei((mean - self.threshold) / sigma) + np.log(sigma)
        if self.constraints is not None:
            score += self.constraints.log_feasibility(x)
        return score


def reference_point(loss: np.ndarray) -> np.ndarray:
    """Slightly worse than the worst observed loss in every objective (n, k) → (k,)."""
    worst = loss.max(axis=0)
    return np.nextafter(np.maximum(1.1 * worst, 0.9 * worst), np.inf)


def non_dominated_boxes(front: np.ndarray, ref: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Boxes covering the region below ``ref`` that no point of ``front`` (p, k) dominates.

    Minimisation. Returns lower and upper corners, each (n_boxes, k); lower corners may be
    ``-inf``. Cells of a grid over the first ``k - 1`` objectives, each extended along the
    last objective up to the best value among front points dominating the cell's corner.
    """
    k = front.shape[1]
    front = front[np.all(front < ref, axis=1)]
    grids = [np.concatenate([[-np.inf], np.unique(front[:, j]), [ref[j]]]) for j in range(k - 1)]
    lows, highs = [], []
    for cell in product(*[range(len(g) - 1) for g in grids]):
        low = np.array([grids[j][c] for j, c in enumerate(cell)])
        high = np.array([grids[j][c + 1] for j, c in enumerate(cell)])
        covering = np.all(front[:, : k - 1] <= low, axis=1) if len(front) else np.zeros(0, bool)
        top = min(ref[-1], front[covering, -1].min()) if covering.any() else ref[-1]
        lows.append(np.append(low, -np.inf))
        highs.append(np.append(high, top))
    return np.array(lows), np.array(highs)


class LogEHVI:
    """Log expected hypervolume improvement for several objectives (all maximised).

    Args:
        gps: One surrogate per objective.
        Y: Observed standardised values of feasible trials, (n, k).
        n_samples: Quasi-random posterior samples per candidate.
        seed: Seed of the fixed samples.
        constraints: Optional feasibility model, added in log space.
    """

    def __init__(
        self,
        gps: list[GPRegressor],
        Y: np.ndarray,
        n_samples: int,
        seed: int,
        constraints: ConstraintModel | None = None,
    ) -> None:
        self.gps, self.constraints = gps, constraints
        k = len(gps)
        self.active = len(Y) > 0
        if self.active:
            loss = -Y
            ref = reference_point(loss)
            front = _pareto(loss)
            lows, highs = non_dominated_boxes(front, ref)
            # In the maximised space a box spans [-high, -low].
            self.lower = -highs
            self.width = np.minimum(highs - lows, 1e300)
        u = qmc.Sobol(k, scramble=True, seed=seed).random(n_samples)
        self.z = norm.ppf(np.clip(u, 1e-10, 1 - 1e-10))  # (s, k)

    @property
    def n_boxes(self) -> int:
        return len(self.lower) if self.active else 0

    def __call__(self, x: np.ndarray) -> np.ndarray:
        score = np.zeros(len(x))
        if self.active:
            stats = [gp.posterior(x) for gp in self.gps]
            mean = np.stack([m for m, _ in stats], axis=1)  # (m, k)
            std = np.sqrt(np.stack([v for _, v in stats], axis=1))
            samples = mean[:, None, :] + std[:, None, :] * self.z[None, :, :]  # (m, s, k)
            diff = samples[:, :, None, :] - self.lower[None, None, :, :]  # (m, s, b, k)
            diff = np.clip(diff, _EPS, self.width[None, None, :, :])
            per_box = np.log(diff).sum(axis=-1)  # (m, s, b)
            score += logsumexp(per_box, axis=(1, 2)) - np.log(len(self.z))
        if self.constraints is not None:
            score += self.constraints.log_feasibility(x)
        return score


def _pareto(loss: np.ndarray) -> np.ndarray:
    unique = np.unique(loss, axis=0)
    return unique[nondominated_mask(unique)]

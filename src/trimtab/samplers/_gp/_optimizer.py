"""Multi-start maximisation of an acquisition function over a mixed search space.

1. Score ``n_preliminary`` scrambled-Sobol points plus, when the caller passes ``centres``
   (e.g. the best trials so far), a quarter as many perturbations of those centres at several
   scales; keep the best one and draw the other starts by a roulette over
   ``exp(score - max)``, then add the caller's warm starts. Global quasi-random candidates
   alone rarely land in the narrow region where EI peaks once the model has converged near
   an incumbent, above all in higher dimensions; local candidates around the best points
   fix that (BoTorch's "sample around best" initial conditions; the trust regions of TuRBO,
   Eriksson et al., NeurIPS 2019).
2. From every start: L-BFGS-B over the continuous columns (gradients by forward differences,
   evaluated as one batch), then a sweep over each discrete column trying every grid value
   (or nearby values when the grid is large); repeat while the sweep improves.

``acquisition`` maps points (m, dim) to scores (m,). Points are normalised (``GPSearchSpace``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.optimize

from trimtab.samplers._gp._search_space import GPSearchSpace

Acquisition = Callable[[np.ndarray], np.ndarray]
_FD_STEP = 1e-6
_MAX_EXHAUSTIVE = 32  # discrete columns with more grid values are searched locally
_CHUNK = 4096


def evaluate(acquisition: Acquisition, x: np.ndarray) -> np.ndarray:
    """Score ``x`` (m, dim) in chunks that bound memory."""
    if len(x) <= _CHUNK:
        return acquisition(x)
    return np.concatenate([acquisition(x[i : i + _CHUNK]) for i in range(0, len(x), _CHUNK)])


def optimize_acquisition(
    acquisition: Acquisition,
    space: GPSearchSpace,
    rng: np.random.RandomState,
    warm_starts: np.ndarray | None = None,
    centres: np.ndarray | None = None,
    n_preliminary: int = 2048,
    n_local: int = 10,
    tol: float = 1e-4,
) -> np.ndarray:
    """Return the best point found, shape ``(dim,)``."""
    candidates = space.sample(n_preliminary, rng)
    if centres is not None and len(centres):
        candidates = np.vstack([candidates, perturb(centres, space, n_preliminary // 4, rng)])
    scores = evaluate(acquisition, candidates)
    warm = np.empty((0, space.dim)) if warm_starts is None else space.round(warm_starts)
    starts = _choose_starts(candidates, scores, max(1, n_local - len(warm)), rng)
    x = np.vstack([starts, warm])
    f = evaluate(acquisition, x)
    active = np.ones(len(x), dtype=bool)  # starts whose continuous optimum may have moved
    for _ in range(3):
        x[active], f[active] = _continuous_step(acquisition, space, x[active], f[active], tol)
        before = x.copy()
        x, f, improved = _discrete_sweep(acquisition, space, x, f)
        active = np.any(x != before, axis=1)
        if not improved:
            break
    best = int(np.argmax(f))
    if scores.max() > f[best]:
        return candidates[int(np.argmax(scores))]
    return x[best]


def perturb(
    centres: np.ndarray, space: GPSearchSpace, n: int, rng: np.random.RandomState
) -> np.ndarray:
    """``n`` points near ``centres`` (c, dim), snapped to the grids, shape ``(n, dim)``.

    Numerical columns move by ``N(0, σ²)`` with ``σ`` log-uniform in ``[1e-3, 0.2]`` per point
    (several scales, as the right one is unknown); categorical columns switch to a random
    choice with probability ``1 / dim``.
    """
    x = centres[rng.randint(len(centres), size=n)].copy()
    sigma = np.exp(rng.uniform(np.log(1e-3), np.log(0.2), size=(n, 1)))
    num = ~space.is_categorical
    x[:, num] = np.clip(x[:, num] + sigma * rng.randn(n, int(num.sum())), 0.0, 1.0)
    for i in np.flatnonzero(space.is_categorical):
        switch = rng.rand(n) < 1.0 / space.dim
        x[switch, i] = rng.randint(space.n_choices[i], size=int(switch.sum()))
    return space.round(x)


def _choose_starts(
    candidates: np.ndarray, scores: np.ndarray, n: int, rng: np.random.RandomState
) -> np.ndarray:
    top = int(np.argmax(scores))
    finite = np.isfinite(scores)
    weights = np.where(finite, np.exp(np.where(finite, scores - scores[top], 0.0)), 0.0)
    weights[top] = 0.0
    n_extra = min(n - 1, int(np.count_nonzero(weights > 0)))
    chosen = [top]
    if n_extra > 0:
        p = weights / weights.sum()
        chosen += list(rng.choice(len(candidates), n_extra, replace=False, p=p))
    return candidates[chosen]


def _continuous_step(
    acquisition: Acquisition, space: GPSearchSpace, x: np.ndarray, f: np.ndarray, tol: float
) -> tuple[np.ndarray, np.ndarray]:
    """L-BFGS-B over the continuous columns (and, relaxed, numerical columns with large grids)
    from each start; keep improvements only."""
    large = np.array(
        [
            space.discrete[i]
            and not space.is_categorical[i]
            and space.grid_size(i) > _MAX_EXHAUSTIVE
            for i in range(space.dim)
        ],
        dtype=bool,
    )
    cont = np.flatnonzero(~space.discrete | large)
    if len(cont) == 0:
        return x, f
    x, f = x.copy(), f.copy()
    for s in range(len(x)):
        moved = space.round(_local_lbfgs(acquisition, x[s], cont, tol)[None, :])[0]
        f_moved = float(acquisition(moved[None, :])[0])
        if f_moved > f[s]:
            x[s], f[s] = moved, f_moved
    return x, f


def _local_lbfgs(
    acquisition: Acquisition, start: np.ndarray, cont: np.ndarray, tol: float
) -> np.ndarray:
    n_cont = len(cont)
    rows = np.arange(1, n_cont + 1)

    def loss(z: np.ndarray) -> tuple[float, np.ndarray]:
        # One batch: the point plus the point moved along each continuous column.
        probe = np.repeat(start[None, :], n_cont + 1, axis=0)
        probe[:, cont] = z
        step = np.where(z + _FD_STEP <= 1.0, _FD_STEP, -_FD_STEP)
        probe[rows, cont] += step
        values = acquisition(probe)
        values = np.where(np.isfinite(values), values, -1e300)
        return -float(values[0]), -(values[1:] - values[0]) / step

    res = scipy.optimize.minimize(
        loss,
        start[cont],
        jac=True,
        method="L-BFGS-B",
        bounds=[(0.0, 1.0)] * n_cont,
        options={"maxiter": 200, "gtol": tol},
    )
    point = start.copy()
    point[cont] = np.clip(res.x, 0.0, 1.0)
    return point


def _discrete_sweep(
    acquisition: Acquisition, space: GPSearchSpace, x: np.ndarray, f: np.ndarray
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Try the grid values of each discrete column, one column at a time, for every start
    (all starts' candidates scored in one batch per column)."""
    improved = False
    x, f = x.copy(), f.copy()
    for i in np.flatnonzero(space.discrete):
        exhaustive = space.grid_size(int(i)) <= _MAX_EXHAUSTIVE
        grid = space.choices(int(i)) if exhaustive else None
        blocks = []
        for s in range(len(x)):
            values = grid if grid is not None else space.choices(int(i), x[s, i], radius=4)
            block = np.repeat(x[s : s + 1], len(values), axis=0)
            block[:, i] = values
            blocks.append(block)
        scores = acquisition(np.vstack(blocks))
        offset = 0
        for s, block in enumerate(blocks):
            part = scores[offset : offset + len(block)]
            offset += len(block)
            j = int(np.argmax(part))
            if part[j] > f[s] + 1e-12:
                x[s], f[s], improved = block[j], part[j], True
    return x, f, improved

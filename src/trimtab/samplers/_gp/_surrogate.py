"""Gaussian-process surrogate: Matérn-5/2 kernel with one length scale per parameter (ARD).

Categorical columns contribute ``1`` to the squared distance when two points differ and ``0``
when they match. Hyperparameters — inverse squared length scales ``λ`` (dim,), kernel scale
``s`` and noise variance — maximise the log marginal likelihood plus weak priors (a penalty
``-(0.1/λ + 0.1 λ)`` per length scale, Gamma(2, 1) on ``s`` and Gamma(1.1, 30) on the noise),
with analytic gradients and L-BFGS-B. Targets are standardised by the caller.

Shapes: ``X`` training inputs ``(n, dim)``, ``y`` targets ``(n,)``, query points ``(m, dim)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.linalg.lapack
import scipy.optimize

MIN_NOISE = 1e-6
# Raw (log) parameter bounds: length scales and kernel scale, then the noise excess, which
# must be able to vanish so that a noiseless objective is interpolated to high precision.
_RAW_BOUNDS = [(-12.0, 12.0), (-40.0, 12.0)]
_SQRT5 = np.sqrt(5.0)


@dataclass
class KernelParams:
    """``inverse_sq_lengthscales`` (dim,), ``scale`` and ``noise`` (scalars)."""

    inverse_sq_lengthscales: np.ndarray
    scale: float
    noise: float

    @classmethod
    def default(cls, dim: int) -> KernelParams:
        return cls(np.ones(dim), 1.0, 1.0)


def matern52(sq_dist: np.ndarray) -> np.ndarray:
    """Matérn-5/2 as a function of the (length-scaled) squared distance."""
    r = _SQRT5 * np.sqrt(sq_dist)
    return (1.0 + r + (5.0 / 3.0) * sq_dist) * np.exp(-r)


def _matern52_grad(sq_dist: np.ndarray) -> np.ndarray:
    """d matern52 / d sq_dist."""
    r = _SQRT5 * np.sqrt(sq_dist)
    return (-5.0 / 6.0) * (1.0 + r) * np.exp(-r)


class _Encoded:
    """Training inputs split into continuous columns and one-hot categorical blocks."""

    def __init__(self, X: np.ndarray, is_categorical: np.ndarray, n_choices: np.ndarray) -> None:
        self.cont_idx = np.flatnonzero(~is_categorical)
        self.cat_idx = np.flatnonzero(is_categorical)
        self.n_choices = n_choices
        self.Xc = X[:, self.cont_idx]
        self.onehots = [
            np.eye(int(n_choices[i]))[X[:, i].astype(int)] for i in self.cat_idx
        ]  # each (n, n_choices)

    def sq_dist(self, lam: np.ndarray, other: _Encoded | None = None) -> np.ndarray:
        """Length-scaled squared distances, (n_self, n_other)."""
        other = other or self
        lc = lam[self.cont_idx]
        a, b = self.Xc * np.sqrt(lc), other.Xc * np.sqrt(lc)
        d = (a**2).sum(1)[:, None] + (b**2).sum(1)[None, :] - 2.0 * a @ b.T
        for k, i in enumerate(self.cat_idx):
            d += lam[i] * (1.0 - self.onehots[k] @ other.onehots[k].T)
        return np.maximum(d, 0.0)


class GPRegressor:
    """A fitted GP: posterior mean and variance at query points.

    Args:
        X: Training inputs (n, dim), normalised (see ``GPSearchSpace``).
        y: Standardised targets (n,).
        is_categorical: (dim,) bool.
        n_choices: (dim,) number of choices of categorical columns (0 elsewhere).
        params: Kernel hyperparameters.

    ``log_posterior`` is the maximised log marginal likelihood plus log prior of the fit, and
    ``fit_rows`` the rows it was computed on (set by ``fit_gp``; ``-inf`` and empty otherwise).
    """

    def __init__(
        self,
        X: np.ndarray,
        y: np.ndarray,
        is_categorical: np.ndarray,
        n_choices: np.ndarray,
        params: KernelParams,
    ) -> None:
        self.X, self.y, self.params = X, y, params
        self.is_categorical, self.n_choices = is_categorical, n_choices
        self.log_posterior, self.fit_rows = -np.inf, np.arange(0)
        self._enc = _Encoded(X, is_categorical, n_choices)
        K = params.scale * matern52(self._enc.sq_dist(params.inverse_sq_lengthscales))
        K[np.diag_indices_from(K)] += params.noise
        self._chol = scipy.linalg.cho_factor(K, lower=True)
        self._alpha = scipy.linalg.cho_solve(self._chol, y)
        # Pieces of the cross distance that depend only on the training points.
        lam = params.inverse_sq_lengthscales
        self._cont, self._cat = self._enc.cont_idx, self._enc.cat_idx
        self._root_lam = np.sqrt(lam[self._cont])
        self._train_scaled = X[:, self._cont] * self._root_lam
        self._train_norms = (self._train_scaled**2).sum(axis=1)
        self._train_cat = X[:, self._cat]

    def kernel_to_train(self, x: np.ndarray) -> np.ndarray:
        """Cross covariances, (m, n)."""
        a = x[:, self._cont] * self._root_lam
        d = (a**2).sum(axis=1)[:, None] + self._train_norms[None, :]
        d -= 2.0 * (a @ self._train_scaled.T)
        lam = self.params.inverse_sq_lengthscales
        for k, i in enumerate(self._cat):
            d += lam[i] * (x[:, i][:, None] != self._train_cat[:, k][None, :])
        return self.params.scale * matern52(np.maximum(d, 0.0))

    def posterior(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean (m,) and variance (m,) of the latent function at ``x`` (m, dim)."""
        k = self.kernel_to_train(x)
        mean = k @ self._alpha
        v, _ = scipy.linalg.lapack.dtrtrs(self._chol[0], k.T, lower=1)
        var = self.params.scale - (v**2).sum(axis=0)
        return mean, np.maximum(var, 1e-12)

    def posterior_covariance(self, x: np.ndarray) -> np.ndarray:
        """Joint posterior covariance (m, m) of the latent function at ``x`` (m, dim)."""
        k = self.kernel_to_train(x)
        v, _ = scipy.linalg.lapack.dtrtrs(self._chol[0], k.T, lower=1)
        query = _Encoded(x, self.is_categorical, self.n_choices)
        prior = self.params.scale * matern52(query.sq_dist(self.params.inverse_sq_lengthscales))
        return prior - v.T @ v

    def condition_on(self, x: np.ndarray, y: np.ndarray) -> GPRegressor:
        """A GP with extra observations ``(x, y)`` and the same hyperparameters."""
        return GPRegressor(
            np.vstack([self.X, x]),
            np.concatenate([self.y, y]),
            self.is_categorical,
            self.n_choices,
            self.params,
        )


def _inverse_from_cholesky(lower: np.ndarray) -> np.ndarray:
    """K^-1 from the lower Cholesky factor of K (LAPACK potri), as a full symmetric matrix."""
    inv, info = scipy.linalg.lapack.dpotri(lower, lower=1)
    if info != 0:
        raise np.linalg.LinAlgError("potri failed")
    return np.tril(inv) + np.tril(inv, -1).T


def _neg_log_posterior(
    raw: np.ndarray, enc: _Encoded, y: np.ndarray, deterministic: bool
) -> tuple[float, np.ndarray]:
    """Negative (log marginal likelihood + log prior) and its gradient in the raw (log) space."""
    dim = len(raw) - 2
    lam, scale = np.exp(raw[:dim]), float(np.exp(raw[dim]))
    noise_excess = 0.0 if deterministic else float(np.exp(raw[dim + 1]))
    sq = enc.sq_dist(lam)
    M = matern52(sq)
    K = scale * M
    K[np.diag_indices_from(K)] += MIN_NOISE + noise_excess
    try:
        chol = scipy.linalg.cho_factor(K, lower=True, check_finite=False)
    except np.linalg.LinAlgError:
        return 1e20, np.zeros_like(raw)
    alpha = scipy.linalg.cho_solve(chol, y, check_finite=False)
    nll = 0.5 * float(y @ alpha) + float(np.log(np.diag(chol[0])).sum())
    K_inv = _inverse_from_cholesky(chol[0])
    W = K_inv - np.outer(alpha, alpha)  # d nll / d K = W / 2
    G = W * _matern52_grad(sq) * scale
    grad = np.zeros_like(raw)
    # sum_ij G_ij (x_i - x_j)^2 per continuous column, without an (n, n, dim) tensor.
    Xc = enc.Xc
    row = G.sum(axis=1)
    grad_c = 2.0 * (row @ Xc**2) - 2.0 * np.einsum("id,id->d", Xc, G @ Xc)
    grad[enc.cont_idx] = 0.5 * grad_c * lam[enc.cont_idx]
    total = G.sum()
    for k, i in enumerate(enc.cat_idx):
        onehot = enc.onehots[k]
        same = np.einsum("ic,ic->", onehot, G @ onehot)
        grad[i] = 0.5 * (total - same) * lam[i]
    grad[dim] = 0.5 * float((W * M).sum()) * scale
    if not deterministic:
        grad[dim + 1] = 0.5 * float(np.trace(W)) * noise_excess
    # Priors (maximised, so subtracted from the loss).
    log_prior = -(0.1 / lam + 0.1 * lam).sum() + (np.log(scale) - scale)
    grad[:dim] -= 0.1 / lam - 0.1 * lam
    grad[dim] -= 1.0 - scale
    if not deterministic:
        log_prior += 0.1 * np.log(noise_excess + MIN_NOISE) - 30.0 * (noise_excess + MIN_NOISE)
        dprior = (0.1 / (noise_excess + MIN_NOISE) - 30.0) * noise_excess
        grad[dim + 1] -= dprior
    return nll - float(log_prior), grad


def fit_gp(
    X: np.ndarray,
    y: np.ndarray,
    is_categorical: np.ndarray,
    n_choices: np.ndarray,
    *,
    deterministic: bool = False,
    warm_start: KernelParams | None = None,
    max_fit_points: int = 200,
    rng: np.random.RandomState | None = None,
    bounded: bool = True,
) -> GPRegressor:
    """Fit hyperparameters on at most ``max_fit_points`` rows and return the GP on all rows.

    Beyond ``max_fit_points`` the hyperparameters are fitted on the best quarter of that
    budget plus a random remainder, which keeps the cost of a fit bounded as studies grow.
    ``bounded=False`` lifts the bounds on the log hyperparameters (the search Optuna's GP
    runs, which the terminator's evaluators reproduce).
    """
    dim = X.shape[1]
    init = (
        warm_start
        if warm_start is not None and len(warm_start.inverse_sq_lengthscales) == dim
        else KernelParams.default(dim)
    )
    idx = _fit_subset(y, max_fit_points, rng)
    enc = _Encoded(X[idx], is_categorical, n_choices)
    raw0 = np.concatenate(
        [
            np.log(init.inverse_sq_lengthscales),
            [np.log(init.scale), np.log(max(init.noise - MIN_NOISE, 1e-10))],
        ]
    )
    best = None
    for start in (raw0, np.zeros(dim + 2)):
        res = scipy.optimize.minimize(
            _neg_log_posterior,
            start,
            args=(enc, y[idx], deterministic),
            jac=True,
            method="L-BFGS-B",
            bounds=_RAW_BOUNDS[:1] * (dim + 1) + _RAW_BOUNDS[1:] if bounded else None,
            options={"gtol": 1e-2},
        )
        if np.isfinite(res.fun) and res.fun < 1e19 and (best is None or res.fun < best.fun):
            best = res
        if best is not None and best.success:
            break
    raw = best.x if best is not None else np.zeros(dim + 2)
    noise = MIN_NOISE if deterministic else MIN_NOISE + float(np.exp(raw[dim + 1]))
    params = KernelParams(np.exp(raw[:dim]), float(np.exp(raw[dim])), noise)
    gp = GPRegressor(X, y, is_categorical, n_choices, params)
    if best is not None:
        gp.log_posterior, gp.fit_rows = -float(best.fun), idx
    return gp


def _fit_subset(y: np.ndarray, limit: int, rng: np.random.RandomState | None) -> np.ndarray:
    n = len(y)
    if n <= limit:
        return np.arange(n)
    rng = rng or np.random.RandomState(0)
    n_best = limit // 4
    best = np.argsort(-y)[:n_best]
    rest = np.setdiff1d(np.arange(n), best)
    return np.sort(np.concatenate([best, rng.choice(rest, limit - n_best, replace=False)]))

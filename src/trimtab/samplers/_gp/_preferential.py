"""A preferential GP sampler: learns a utility from "A is better than B" answers.

Chu & Ghahramani (2005), "Preference learning with Gaussian processes": a GP prior on the
latent utility ``f`` of each compared trial and a probit likelihood per answer,
``P(b ≻ w) = Φ((f_b − f_w) / √2)``. The posterior mode of ``f`` is found by Newton steps
(Laplace approximation); a GP regression is then fitted to that mode and the next trial
maximises log expected improvement over the best utility, with the numpy GP the GPSampler uses.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.linalg
import scipy.special

from trimtab._study_view import view_of
from trimtab.distributions import BaseDistribution
from trimtab.samplers._base import BaseSampler
from trimtab.samplers._random import RandomSampler
from trimtab.samplers._rng import SamplerRandomState
from trimtab.search_space import IntersectionSearchSpace
from trimtab.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from trimtab.study import Study

PREFERENCE_PREFIX = "preference:values"
SKIP_PREFIX = "preference:skip_trial:"


def preferences_from_attrs(system_attrs: dict[str, Any]) -> list[tuple[int, int]]:
    """Return every recorded ``(better, worse)`` pair of trial numbers (undone ones are [])."""
    pairs: list[tuple[int, int]] = []
    for key, value in system_attrs.items():
        if key.startswith(PREFERENCE_PREFIX) and isinstance(value, list):
            pairs.extend((int(b), int(w)) for b, w in value)
    return pairs


def latent_utilities(kernel: np.ndarray, pairs: np.ndarray, n_steps: int = 50) -> np.ndarray:
    """Return the posterior mode of the utilities given ``(better, worse)`` index ``pairs``.

    Args:
        kernel: Prior covariance of the utilities, shape ``(n, n)``.
        pairs: Indices into the utilities, shape ``(m, 2)``: row ``k`` says ``pairs[k, 0]``
            was preferred to ``pairs[k, 1]``.
        n_steps: Newton steps at most.
    """
    n = len(kernel)
    # D maps utilities to the differences f_b - f_w, shape (m, n).
    diff = np.zeros((len(pairs), n))
    diff[np.arange(len(pairs)), pairs[:, 0]] += 1.0
    diff[np.arange(len(pairs)), pairs[:, 1]] -= 1.0
    diff /= np.sqrt(2.0)
    f = np.zeros(n)
    for _ in range(n_steps):
        z = diff @ f
        ratio = np.exp(-0.5 * z**2 - 0.5 * np.log(2 * np.pi) - scipy.special.log_ndtr(z))  # φ/Φ
        grad = diff.T @ ratio
        weights = ratio * (ratio + z)  # -d² log Φ(z) / dz², positive
        hess = diff.T @ (weights[:, None] * diff)  # W, (n, n)
        # Newton: f ← (K⁻¹ + W)⁻¹ (W f + ∇) = K (I + W K)⁻¹ (W f + ∇)
        step = kernel @ np.linalg.solve(np.eye(n) + hess @ kernel, hess @ f + grad)
        if np.max(np.abs(step - f)) < 1e-6:
            return step
        f = step
    return f


class PreferentialGPSampler(BaseSampler):
    """Sample where the utility learned from a person's pairwise preferences may be highest.

    Reads the preferences a ``PreferentialStudy`` records (``report_preference``, or the
    dashboard's compare page); until two trials were compared it samples at random.

    Args:
        seed: Seed of the random generators.
        independent_sampler: Sampler of parameters outside the common search space (and of
            the first trials); ``RandomSampler`` by default.
        lengthscale: Prior length scale of the utility on the unit-scaled parameters.
    """

    def __init__(
        self,
        *,
        seed: int | None = None,
        independent_sampler: BaseSampler | None = None,
        lengthscale: float = 0.25,
    ) -> None:
        if not lengthscale > 0:
            raise ValueError(f"lengthscale must be positive, got {lengthscale}.")
        self._rng = SamplerRandomState(seed)
        self._independent_sampler = independent_sampler or RandomSampler(seed=seed)
        self._search_space = IntersectionSearchSpace()
        self._lengthscale = lengthscale
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def reseed_rng(self) -> None:
        self._rng.seed()
        self._independent_sampler.reseed_rng()

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        return {n: d for n, d in self._search_space.calculate(study).items() if not d.single()}

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        if not search_space:
            return {}
        attrs = view_of(study).system_attrs()
        skipped = {int(k[len(SKIP_PREFIX) :]) for k in attrs if k.startswith(SKIP_PREFIX)}
        trials = {
            t.number: t
            for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
            if t._trial_id not in skipped
            and all(t.distributions.get(n) == d for n, d in search_space.items())
        }
        pairs = [(b, w) for b, w in preferences_from_attrs(attrs) if b in trials and w in trials]
        if not pairs:
            return {}
        with self._lock:
            return self._next(search_space, trials, pairs)

    def _next(
        self,
        search_space: dict[str, BaseDistribution],
        trials: dict[int, FrozenTrial],
        pairs: list[tuple[int, int]],
    ) -> dict[str, Any]:
        from trimtab.samplers._gp._acquisition import LogEI
        from trimtab.samplers._gp._optimizer import optimize_acquisition
        from trimtab.samplers._gp._search_space import GPSearchSpace
        from trimtab.samplers._gp._surrogate import _Encoded, fit_gp, matern52

        numbers = sorted({n for pair in pairs for n in pair})
        index = {n: i for i, n in enumerate(numbers)}
        space = GPSearchSpace(search_space)
        X = space.normalize([trials[n].params for n in numbers])
        lam = np.full(space.dim, 1.0 / self._lengthscale**2)
        kernel = matern52(_Encoded(X, space.is_categorical, space.n_choices).sq_dist(lam))
        kernel += 1e-6 * np.eye(len(numbers))
        utility = latent_utilities(kernel, np.array([[index[b], index[w]] for b, w in pairs]))
        standardized = (utility - utility.mean()) / max(float(utility.std()), 1e-9)
        gp = fit_gp(X, standardized, space.is_categorical, space.n_choices, rng=self._rng)
        acquisition = LogEI(gp, float(standardized.max()))
        # A person answers in seconds: a light search (a fraction of a second) is enough.
        x = optimize_acquisition(
            acquisition, space, self._rng, warm_starts=X[-1:], n_preliminary=512, n_local=3
        )
        return space.unnormalize(x)

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        return self._independent_sampler.sample_independent(
            study, trial, param_name, param_distribution
        )

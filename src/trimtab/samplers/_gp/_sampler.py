"""``GPSampler``: Bayesian optimisation with a Gaussian-process surrogate (numpy/scipy only).

Per trial: completed trials (read incrementally) → normalised inputs ``X`` (n, dim) and
maximised values ``Y`` (n, k), standardised, and power-warped (``_warping``) where a GP on the
warped values has the higher evidence → one GP per objective (and per constraint,
standardised only), hyperparameters warm-started from the
previous trial's fit → an acquisition (log EI, or log EHVI for several objectives; times the
probability of feasibility under constraints) → the multi-start optimiser, whose candidates
include perturbations of the best trials. Trials still running elsewhere enter with the mean
value observed so far (constant liar), so parallel workers spread out. The relative parameters
chosen for a trial are stored on it (``gp`` sampler state) so that other workers see them
before the trial has set them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from trimtab._multi_objective import nondominated_mask
from trimtab._study_records import StudyDirection
from trimtab._study_view import load_trial_state, view_of
from trimtab._warnings import warn, warn_deprecated
from trimtab.distributions import BaseDistribution
from trimtab.exceptions import ExperimentalWarning
from trimtab.samplers._base import (
    BaseSampler,
    log_independent_sampling,
    process_constraints_after_trial,
)
from trimtab.samplers._gp._threads import single_threaded_blas
from trimtab.samplers._random import RandomSampler
from trimtab.samplers._rng import SamplerRandomState
from trimtab.search_space import IntersectionSearchSpace
from trimtab.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from trimtab.samplers._gp._acquisition import ConstraintModel
    from trimtab.samplers._gp._search_space import GPSearchSpace
    from trimtab.samplers._gp._surrogate import GPRegressor, KernelParams
    from trimtab.study import Study

_STATE = "gp"
_STATE_VERSION = 1
_N_EHVI_SAMPLES = 64


def clip_non_finite(values: np.ndarray) -> np.ndarray:
    """Replace non-finite entries of each column (n, k) by that column's finite min/max."""
    finite = np.isfinite(values)
    if finite.all():
        return values
    warn("Clip non-finite values to the min/max finite values for GP fittings.")
    any_finite = finite.any(axis=0)
    low = np.where(any_finite, np.min(np.where(finite, values, np.inf), axis=0), 0.0)
    high = np.where(any_finite, np.max(np.where(finite, values, -np.inf), axis=0), 0.0)
    return np.clip(np.nan_to_num(values, nan=0.0), low, high)


def standardize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Clip non-finite values, then centre and scale each column (n, k) without overflow.

    Returns the standardised values and, per column, where the raw value ``0`` lands (k,).
    """
    values = clip_non_finite(values)
    peak = np.max(np.abs(values), axis=0)
    peak = np.where(peak > 0, peak, 1.0)
    shrunk = values / peak  # in [-1, 1]: the variance cannot overflow
    mean, std = shrunk.mean(axis=0), np.maximum(shrunk.std(axis=0), 1e-10)
    return (shrunk - mean) / std, -mean / std


class _Completed:
    """Completed trials of one study, appended as they finish."""

    def __init__(self) -> None:
        self.trials: list[FrozenTrial] = []

    def add(self, trials: list[FrozenTrial]) -> None:
        self.trials.extend(t for t in trials if t.state == TrialState.COMPLETE)


class GPSampler(BaseSampler):
    """Sampler using Gaussian-process Bayesian optimisation.

    A Matérn-5/2 kernel with automatic relevance determination models each objective;
    candidates maximise log expected improvement (log expected hypervolume improvement for
    several objectives), weighted by the probability of satisfying the constraints. Suited to
    expensive objectives with budgets of tens to a few hundred trials; with more trials the
    hyperparameters are fitted on a bounded subset so each trial's cost stays bounded.

    Args:
        seed: Seed for the random number generator.
        independent_sampler: Sampler for the first ``n_startup_trials`` trials and for
            parameters outside the intersection search space (``RandomSampler``).
        n_startup_trials: Completed trials needed before the GP is used.
        deterministic_objective: Fix the noise variance to a tiny value (noise-free objective).
        constraints_func: Deprecated; returns a trial's constraints (feasible when all ≤ 0).
            Prefer ``Trial.set_constraint``.
        warn_independent_sampling: Log when a parameter is sampled independently.
    """

    def __init__(
        self,
        *,
        seed: int | None = None,
        independent_sampler: BaseSampler | None = None,
        n_startup_trials: int = 10,
        deterministic_objective: bool = False,
        constraints_func: Callable[[FrozenTrial], Sequence[float]] | None = None,
        warn_independent_sampling: bool = True,
    ) -> None:
        if not isinstance(n_startup_trials, int) or n_startup_trials < 0:
            raise ValueError(
                f"`n_startup_trials` must be a non-negative int, got {n_startup_trials!r}."
            )
        if constraints_func is not None:
            warn_deprecated(
                "`constraints_func`", "5.0.0", "7.0.0", "`trimtab.trial.Trial.set_constraint`"
            )
        if deterministic_objective:
            warn(
                "Argument ``deterministic_objective`` is an experimental feature. The interface "
                "can change in the future.",
                ExperimentalWarning,
            )
        self._rng = SamplerRandomState(seed)
        self._independent_sampler = independent_sampler or RandomSampler(seed=seed)
        self._search_space = IntersectionSearchSpace()
        self._n_startup_trials = n_startup_trials
        self._deterministic = deterministic_objective
        self._constraints_func = constraints_func
        self._warn_independent_sampling = warn_independent_sampling
        self._kernel_cache: dict[str, list[KernelParams]] = {}
        self._lock = threading.RLock()
        self._n_preliminary = 2048
        self._n_local = 10

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()

    def reseed_rng(self) -> None:
        self._rng.seed()
        self._independent_sampler.reseed_rng()

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        return {
            name: dist
            for name, dist in self._search_space.calculate(study).items()
            if not dist.single()
        }

    def _sync(self, study: Study) -> list[FrozenTrial]:
        with view_of(study).digest(self, _Completed) as completed:
            return list(completed.trials)

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        if not search_space:
            return {}
        with self._lock:
            completed = self._sync(study)
            if len(completed) < self._n_startup_trials:
                return {}
            # A trial that finished after the search space was computed may lack a parameter.
            completed = [
                t
                for t in completed
                if all(t.distributions.get(n) == d for n, d in search_space.items())
            ]
            running = [
                t
                for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
                if t._trial_id != trial._trial_id
            ]
            with single_threaded_blas():
                params = self._sample(study, completed, running, search_space)
        view_of(study).save_trial_state(trial._trial_id, _STATE, _STATE_VERSION, {"params": params})
        return params

    def _sample(
        self,
        study: Study,
        completed: list[FrozenTrial],
        running: list[FrozenTrial],
        search_space: dict[str, BaseDistribution],
    ) -> dict[str, Any]:
        # scipy.stats/optimize are imported here, not with trimtab: they are slow to import.
        from trimtab.samplers._gp._acquisition import LogEHVI, LogEI
        from trimtab.samplers._gp._optimizer import optimize_acquisition
        from trimtab.samplers._gp._search_space import GPSearchSpace

        space = GPSearchSpace(search_space)
        X = space.normalize([t.params for t in completed])
        signs = np.array([-1.0 if d == StudyDirection.MINIMIZE else 1.0 for d in study.directions])
        Y, gps = self._fit_objectives(
            X, clip_non_finite(signs * np.array([t.values for t in completed], dtype=float)), space
        )
        X_running = _running_points(space, running)
        if len(X_running):
            # Constant liar: a running trial counts as observed with the mean value so far.
            # Believing the predicted mean instead (kriging believer) leaves the acquisition
            # highest right next to a pending point near the incumbent, and workers that ask
            # together then all propose the same point. The worst value as the lie spreads
            # them too but over-explores (batches of 4, 32 trials, seeds 0-5: Branin median
            # best 0.042 against 0.0031 with the mean).
            gps = [gp.condition_on(X_running, np.full(len(X_running), gp.y.mean())) for gp in gps]
        constraints, feasible = self._constraints(completed, X, space)
        n = len(X)
        if len(gps) == 1:
            y = Y[:, 0]
            threshold = float(np.max(np.where(feasible, y, -np.inf)))
            acquisition: Any = LogEI(gps[0], threshold, constraints)
            best = int(np.argmax(np.where(feasible, y, -np.inf)))
            warm = X[best : best + 1] if np.isfinite(threshold) else None
            order = np.argsort(-np.where(feasible, y, -np.inf))[: min(5, int(feasible.sum()))]
            centres: np.ndarray | None = X[order]
            n_pre = self._n_preliminary if n <= 200 else max(512, self._n_preliminary * 200 // n)
        else:
            acquisition = LogEHVI(
                gps, Y[feasible], _N_EHVI_SAMPLES, int(self._rng.randint(2**30)), constraints
            )
            warm = self._pareto_starts(X[feasible], Y[feasible])
            centres = warm
            work = _N_EHVI_SAMPLES * max(1, acquisition.n_boxes) * Y.shape[1]
            n_pre = int(np.clip(2e7 // work, 64, self._n_preliminary))
        x = optimize_acquisition(
            acquisition,
            space,
            self._rng,
            warm,
            centres,
            n_preliminary=n_pre,
            n_local=self._n_local,
        )
        return space.unnormalize(x)

    def _fit_objectives(
        self, X: np.ndarray, values: np.ndarray, space: GPSearchSpace
    ) -> tuple[np.ndarray, list[GPRegressor]]:
        """The modelled targets (n, k) and a GP per objective column of ``values`` (n, k).

        A column is warped only where the GP on warped values explains the raw values better:
        its log posterior plus the warp's log Jacobian beats the plain GP's (Snelson et al.,
        "Warped Gaussian processes", NIPS 2004, choose warps by this evidence). A warp that
        merely looks more Gaussian marginally can hide structure the plain GP captures (for
        instance which category is best) and make the search over-exploit. Spaces with
        categorical parameters are never warped: there the sharper contrast near the incumbent
        kept the search in the first good category (measured on ``mixed-5d`` of
        ``benchmarks/quality_models.py``: 5 of 10 runs stuck, against 1 of 10 unwarped).
        """
        from trimtab.samplers._gp._warping import warp

        plain, _ = standardize(values)
        warped, log_jacobian = warp(values)
        gps = self._fit_all("objective", X, plain, space)
        Y = plain.copy()
        columns = (
            []
            if space.is_categorical.any()
            else [j for j in range(values.shape[1]) if log_jacobian[:, j].any()]
        )
        if columns:
            warped_gps = self._fit_all("objective-warped", X, warped[:, columns], space)
            for j, gp in zip(columns, warped_gps):
                if gp.log_posterior + log_jacobian[gp.fit_rows, j].sum() > gps[j].log_posterior:
                    gps[j], Y[:, j] = gp, warped[:, j]
        return Y, gps

    def _fit_all(
        self, kind: str, X: np.ndarray, targets: np.ndarray, space: GPSearchSpace
    ) -> list[GPRegressor]:
        from trimtab.samplers._gp._surrogate import fit_gp

        cache = self._kernel_cache.get(kind, [])
        gps = [
            fit_gp(
                X,
                targets[:, j],
                space.is_categorical,
                space.n_choices,
                deterministic=self._deterministic,
                warm_start=cache[j] if j < len(cache) else None,
                rng=self._rng,
            )
            for j in range(targets.shape[1])
        ]
        self._kernel_cache[kind] = [gp.params for gp in gps]
        return gps

    def _constraints(
        self, completed: list[FrozenTrial], X: np.ndarray, space: GPSearchSpace
    ) -> tuple[ConstraintModel | None, np.ndarray]:
        from trimtab.samplers._gp._acquisition import ConstraintModel

        rows = [list(t.constraints.values()) for t in completed]
        if not any(rows):
            return None, np.ones(len(completed), dtype=bool)
        if any(len(r) != len(rows[0]) for r in rows):
            raise ValueError("The number of constraints must be the same for all trials.")
        values = np.array(rows, dtype=float)
        feasible = np.all(values <= 0, axis=1)
        standardized, zero = standardize(-values)
        gps = self._fit_all("constraint", X, standardized, space)
        thresholds = list(zero)
        return ConstraintModel(gps, thresholds), feasible

    def _pareto_starts(self, X: np.ndarray, Y: np.ndarray) -> np.ndarray | None:
        if len(Y) == 0:
            return None
        front = X[nondominated_mask(-Y)]
        size = min(self._n_local // 2, len(front))
        return front[self._rng.choice(len(front), size=size, replace=False)]

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        if self._warn_independent_sampling:
            with self._lock:
                n_complete = len(self._sync(study))
            if n_complete >= self._n_startup_trials:
                log_independent_sampling(
                    trial,
                    param_name,
                    "GPSampler",
                    type(self._independent_sampler).__name__,
                    "dynamic search space is not supported by GPSampler",
                )
        return self._independent_sampler.sample_independent(
            study, trial, param_name, param_distribution
        )

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        self._independent_sampler.before_trial(study, trial)

    def after_trial(
        self,
        study: Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        if self._constraints_func is not None:
            process_constraints_after_trial(self._constraints_func, study, trial, state)
        self._independent_sampler.after_trial(study, trial, state, values)


def _running_points(space: GPSearchSpace, running: list[FrozenTrial]) -> np.ndarray:
    """Normalised points of running trials whose relative parameters are known, (r, dim)."""
    rows = []
    for t in running:
        state = load_trial_state(t.system_attrs, _STATE, _STATE_VERSION)
        params = dict(state["params"]) if state else {}
        params.update(t.params)
        if all(name in params for name in space.search_space):
            rows.append(params)
    if not rows:
        return np.empty((0, space.dim))
    try:
        return space.normalize(rows)
    except (ValueError, TypeError, KeyError):
        return np.empty((0, space.dim))

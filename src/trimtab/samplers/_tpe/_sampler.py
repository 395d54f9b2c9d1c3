"""``TPESampler``: the Tree-structured Parzen Estimator, trimtab's default sampler."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from trimtab import _warnings
from trimtab._study_records import StudyDirection
from trimtab._study_view import load_trial_state, view_of
from trimtab._study_view._history import TrialHistory
from trimtab.distributions import BaseDistribution
from trimtab.exceptions import ExperimentalWarning
from trimtab.samplers._base import (
    BaseSampler,
    log_independent_sampling,
    process_constraints_after_trial,
)
from trimtab.samplers._random import RandomSampler
from trimtab.samplers._rng import SamplerRandomState
from trimtab.samplers._tpe._model import (
    RunningTrial,
    TPEModel,
    call_gamma,
    default_gamma,
    default_gamma_multi_objective,
    default_weights,
    hyperopt_default_gamma,
)
from trimtab.samplers._tpe._parzen import EstimatorParameters
from trimtab.samplers._tpe._space import CategoricalDistanceFunc, Dim, make_dim
from trimtab.samplers._tpe._split import split_rows
from trimtab.search_space import (
    IntersectionSearchSpace,
    _GroupDecomposedSearchSpace,
    _SearchSpaceGroup,
)
from trimtab.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from trimtab.study import Study

_STATE_NAMESPACE = "tpe"  # running trials' relative params, read by other workers (liar)
_STATE_VERSION = 1


def _deprecated_arg(name: str, value: Any, default: Any, since: str) -> Any:
    if value is None:
        return default
    _warnings.warn_deprecated(f"`{name}`", since, "6.0.0")
    return value


def _check_int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"`{name}` must be an int >= {minimum}, got {value!r}.")
    return int(value)


class TPESampler(BaseSampler):
    """Tree-structured Parzen Estimator (TPE), the default sampler.

    After ``n_startup_trials`` random trials, each trial splits the finished trials into a
    good set (the best ``gamma(n)``) and the rest, fits a Parzen estimator ``l(x)`` to the good
    set and ``g(x)`` to the rest, draws ``n_ei_candidates`` points from ``l`` and keeps the one
    maximising ``l(x) / g(x)`` (Bergstra et al., NeurIPS 2011; Watanabe, 2023,
    arXiv:2304.11127). With several objectives the good set is chosen by non-domination rank
    and hypervolume (MOTPE: Ozaki et al., GECCO 2020 / JAIR 2022). Infeasible trials (from
    ``Trial.set_constraint`` or ``constraints_func``) rank after every feasible one.

    Differences from Optuna 5.0's TPE, same options: the good set's kernels may narrow down
    to the resolution of the whole study (1 / (n + 2) instead of 1 / (n_good + 2)), stepped
    parameters keep kernels at least half a cell wide (the good set's one cell where a cell is
    a tenth of the range or more, so that a coarse integer still tries the values next to the
    one the good set agrees on), a running trial (constant liar) is a
    sharp bump in g(x), and on fully discrete spaces a candidate that repeats an evaluated
    point is only taken when every candidate does. The history is read incrementally (each
    finished trial once) and kept as numpy columns; beyond 2,048 trials in the rest, g(x) is
    fitted to a fixed-size deterministic summary of them (the 1,024 newest and running
    trials whole, older ones by evenly spaced representatives carrying their runs' weight),
    so a trial costs the same at 100,000 trials as at 5,000.

    Args:
        consider_prior: Deprecated (4.3.0). False drops the prior kernel.
        prior_weight: Deprecated (4.9.0). Weight of the prior kernel (default 1.0).
        consider_magic_clip: Deprecated (4.9.0). Bound kernel widths below (default True).
        consider_endpoints: Deprecated (4.9.0). Let the bounds widen the end kernels.
        n_startup_trials: Trials sampled at random before TPE starts.
        n_ei_candidates: Candidates drawn from ``l(x)`` per suggestion.
        gamma: Deprecated (4.9.0). ``gamma(n_finished)`` = size of the good set.
        weights: Deprecated (4.9.0). ``weights(n)`` = weights of ``n`` observations, oldest
            first (for several objectives, only the rest's; the good set is uniform).
        seed: Seed for the random number generator.
        multivariate: Model parameters jointly (None: jointly for one objective,
            independently for several, as Optuna 5.0).
        group: With ``multivariate``, model each group of parameters that always appear
            together separately (for conditional search spaces). Experimental.
        warn_independent_sampling: Deprecated (4.9.0). Log a warning when a parameter
            outside the joint search space is sampled independently.
        constant_liar: Treat RUNNING trials as bad observations, so parallel workers spread.
        constraints_func: Deprecated (5.0.0; use ``Trial.set_constraint``). Returns a trial's
            constraint values; feasible iff all are <= 0.
        categorical_distance_func: ``{param_name: f(choice_a, choice_b) -> distance}``; lets
            close categorical choices share kernel weight (Optuna 3.x-4.x option).

    Raises:
        ValueError: an invalid ``n_startup_trials``, ``n_ei_candidates`` or ``prior_weight``,
            or ``group=True`` with ``multivariate=False``.
    """

    def __init__(
        self,
        *,
        consider_prior: bool | None = None,
        prior_weight: float | None = None,
        consider_magic_clip: bool | None = None,
        consider_endpoints: bool | None = None,
        n_startup_trials: int = 10,
        n_ei_candidates: int = 24,
        gamma: Callable[[int], int] | None = None,
        weights: Callable[[int], np.ndarray] | None = None,
        seed: int | None = None,
        multivariate: bool | None = None,
        group: bool = False,
        warn_independent_sampling: bool | None = None,
        constant_liar: bool = True,
        constraints_func: Callable[[FrozenTrial], Sequence[float]] | None = None,
        categorical_distance_func: dict[str, CategoricalDistanceFunc] | None = None,
    ) -> None:
        consider_prior = _deprecated_arg("consider_prior", consider_prior, True, "4.3.0")
        prior_weight = _deprecated_arg("prior_weight", prior_weight, 1.0, "4.9.0")
        magic_clip = _deprecated_arg("consider_magic_clip", consider_magic_clip, True, "4.9.0")
        endpoints = _deprecated_arg("consider_endpoints", consider_endpoints, False, "4.9.0")
        gamma = _deprecated_arg("gamma", gamma, None, "4.9.0")
        weights = _deprecated_arg("weights", weights, default_weights, "4.9.0")
        self._warn_independent_sampling = _deprecated_arg(
            "warn_independent_sampling", warn_independent_sampling, False, "4.9.0"
        )
        self._n_startup_trials = _check_int("n_startup_trials", n_startup_trials, 0)
        self._n_ei_candidates = _check_int("n_ei_candidates", n_ei_candidates, 1)
        if not (isinstance(prior_weight, (int, float)) and 0 <= prior_weight < float("inf")):
            raise ValueError(f"`prior_weight` must be a finite number >= 0, got {prior_weight!r}.")
        for name, func in (("gamma", gamma), ("weights", weights)):
            if func is not None and not callable(func):
                raise TypeError(f"`{name}` must be a callable, got {func!r}.")
        self._parameters = EstimatorParameters(
            prior_weight=float(prior_weight) if consider_prior else 0.0,
            consider_magic_clip=bool(magic_clip),
            consider_endpoints=bool(endpoints),
        )
        self._gamma = gamma
        self._weights = weights
        self._seed = seed
        self._rng = SamplerRandomState(seed)
        self._random_sampler = RandomSampler(seed=seed)
        self._multivariate = multivariate
        self._group = group
        self._constant_liar = constant_liar
        self._constraints_func = constraints_func
        self._distance_funcs = dict(categorical_distance_func or {})
        self._search_space = IntersectionSearchSpace(include_pruned=True)
        self._group_space: _GroupDecomposedSearchSpace | None = None
        self._search_space_group: _SearchSpaceGroup | None = None
        if group:
            if multivariate is False:
                raise ValueError(
                    "``group`` option can only be enabled when ``multivariate`` is enabled."
                )
            _warnings.warn(
                "Argument ``group`` is an experimental feature. The interface can change in "
                "the future.",
                ExperimentalWarning,
            )
            self._group_space = _GroupDecomposedSearchSpace(include_pruned=True)
        if constraints_func is not None:
            _warnings.warn_deprecated(
                "`constraints_func`", "5.0.0", "7.0.0", "`trimtab.trial.Trial.set_constraint`"
            )
        self._lock = threading.RLock()
        # The view and history ``_n_finished`` last brought up to date (reused by the model).
        self._synced: tuple[Hashable, TrialHistory] | None = None
        self._model_key: tuple[Hashable, int, int] | None = None
        self._model: TPEModel | None = None
        self._dims: dict[tuple[str, BaseDistribution], Dim] = {}

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_lock")
        state["_synced"] = None  # the history is the study view's, rebuilt on first use
        state["_model_key"], state["_model"] = None, None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()

    def reseed_rng(self) -> None:
        self._rng.seed()
        self._random_sampler.reseed_rng()

    @staticmethod
    def hyperopt_parameters() -> dict[str, Any]:
        """Return hyperopt 0.1.2's default settings, to pass as ``TPESampler(**...)``.

        Deprecated (4.9.0, removed in 6.0.0), as in Optuna.
        """
        _warnings.warn_deprecated("hyperopt_parameters", "4.9.0", "6.0.0")
        return {
            "consider_prior": True,
            "prior_weight": 1.0,
            "consider_magic_clip": True,
            "consider_endpoints": False,
            "n_startup_trials": 20,
            "n_ei_candidates": 24,
            "gamma": hyperopt_default_gamma,
            "weights": default_weights,
        }

    def _is_multivariate(self, study: Study) -> bool:
        if self._multivariate is not None:
            return self._multivariate
        if self._group:
            if len(study.directions) > 1:
                _warnings.warn(
                    "``multivariate`` defaults to False for multi-objective optimization, but it "
                    "is treated as True because ``group`` can only be enabled with the "
                    "multivariate TPE. Set ``multivariate=True`` explicitly to suppress this "
                    "warning."
                )
            return True
        return len(study.directions) == 1

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        if not self._is_multivariate(study):
            return {}
        with self._lock:  # the search-space caches are shared by the n_jobs threads
            if self._group_space is not None:
                self._search_space_group = self._group_space.calculate(study)
                spaces = self._search_space_group.search_spaces
            else:
                spaces = [self._search_space.calculate(study)]
        return {
            name: dist
            for space in spaces
            for name, dist in sorted(space.items())
            if not dist.single()
        }

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        if not search_space or self._n_finished(study) < self._n_startup_trials:
            return {}
        if self._group_space is not None and self._search_space_group is not None:
            params: dict[str, Any] = {}
            for space in self._search_space_group.search_spaces:
                sub = {n: d for n, d in sorted(space.items()) if n in search_space}
                if sub:
                    params.update(self._sample(study, trial, sub))
        else:
            params = self._sample(study, trial, search_space)
        if params and self._constant_liar:
            # Other workers' constant liar sees this trial's full point before it is suggested.
            view_of(study).save_trial_state(
                trial._trial_id, _STATE_NAMESPACE, _STATE_VERSION, params
            )
        return params

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        if self._n_finished(study) < self._n_startup_trials:
            return self._random_sampler.sample_independent(
                study, trial, param_name, param_distribution
            )
        if self._warn_independent_sampling and self._is_multivariate(study):
            with self._lock:
                seen = self._history(study).distribution(param_name) is not None
            if seen:
                log_independent_sampling(
                    trial,
                    param_name,
                    "TPESampler",
                    "RandomSampler",
                    "`multivariate=True,group=False` does not support dynamic search space (but "
                    "`multivariate=True,group=True` works)",
                )
        return self._sample(study, trial, {param_name: param_distribution})[param_name]

    def _history(self, study: Study) -> TrialHistory:
        """The study view's shared history, brought up to date."""
        view = view_of(study)
        history = view.history()
        self._synced = (view.key, history)
        return history

    def _n_finished(self, study: Study) -> int:
        with self._lock:
            return self._history(study).n

    def _sample(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        with self._lock:
            model = self._model_for(study, trial)
            dims = [self._dim(name, dist) for name, dist in search_space.items()]
            return model.suggest(
                search_space,
                dims,
                self._rng,
                self._n_ei_candidates,
                self._weights,
                self._parameters,
            )

    def _dim(self, name: str, dist: BaseDistribution) -> Dim:
        key = (name, dist)
        if key not in self._dims:
            self._dims[key] = make_dim(dist, self._distance_funcs.get(name))
        return self._dims[key]

    def _model_for(self, study: Study, trial: FrozenTrial) -> TPEModel:
        """The split for ``trial``, reused while no other trial has finished."""
        view_key = view_of(study).key
        synced = self._synced  # brought up to date by _n_finished just before
        history = synced[1] if synced and synced[0] == view_key else self._history(study)
        key = (view_key, trial._trial_id, history.n)
        if self._model is not None and self._model_key == key:
            return self._model
        multi = len(study.directions) > 1
        gamma = self._gamma or (default_gamma_multi_objective if multi else default_gamma)
        n_below = call_gamma(gamma, history.n)
        signs = np.array([-1.0 if d == StudyDirection.MAXIMIZE else 1.0 for d in study.directions])
        below, above = split_rows(history, signs, n_below)
        running = self._running_trials(study, trial) if self._constant_liar else []
        self._model_key = key
        self._model = TPEModel(history, below, above, running, multi)
        return self._model

    def _running_trials(self, study: Study, trial: FrozenTrial) -> list[RunningTrial]:
        running = []
        for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
            if t.number == trial.number:
                continue
            params = dict(load_trial_state(t.system_attrs, _STATE_NAMESPACE, _STATE_VERSION) or {})
            params.update(t.params)
            running.append(RunningTrial(t.number, params))
        return running

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        self._random_sampler.before_trial(study, trial)

    def after_trial(
        self,
        study: Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        if self._constraints_func is not None:
            process_constraints_after_trial(self._constraints_func, study, trial, state)
        self._random_sampler.after_trial(study, trial, state, values)

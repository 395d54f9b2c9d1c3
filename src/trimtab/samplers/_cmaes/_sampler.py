"""``CmaEsSampler``: CMA-ES over the numerical parameters, one generation per popsize trials.

Each trial the sampler asks is tagged with its generation (and restart); the trial that opens
a new generation also stores a JSON snapshot of the optimizer after ``tell``. Any sampler
instance — another worker, or a resumed study — restores the newest snapshot among finished
trials and continues the same search. Completed trials are read incrementally.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from trimtab import logging
from trimtab._study_records import StudyDirection
from trimtab._study_view import load_trial_state, view_of
from trimtab._transform import NumericalTransform
from trimtab._warnings import warn
from trimtab.distributions import BaseDistribution, FloatDistribution, IntDistribution
from trimtab.exceptions import ExperimentalWarning
from trimtab.samplers._base import BaseSampler, log_independent_sampling
from trimtab.samplers._cmaes._restart import RestartState, init_optimizer, restart_optimizer
from trimtab.samplers._cmaes._snapshot import from_snapshot, import_cmaes, to_snapshot
from trimtab.samplers._cmaes._stop import record_generation, restart_reason
from trimtab.samplers._random import RandomSampler
from trimtab.samplers._rng import SamplerRandomState
from trimtab.search_space import IntersectionSearchSpace
from trimtab.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from trimtab.study import Study

_logger = logging.get_logger(__name__)
STATE_VERSION = 1


def _experimental_argument(name: str) -> None:
    warn(
        f"Argument ``{name}`` is an experimental feature. The interface can change in the future.",
        ExperimentalWarning,
    )


class _History:
    """Finished trials usable as CMA-ES solutions, indexed by (restart, generation)."""

    def __init__(
        self, solution_value: Callable[[FrozenTrial], float | None], namespace: str
    ) -> None:
        self._solution_value = solution_value
        self._namespace = namespace
        self.n = 0
        self.solutions: dict[tuple[int, int], list[tuple[int, FrozenTrial, float]]] = {}
        self.latest: tuple[int, dict[str, Any]] | None = None  # (trial number, record)

    def add(self, trials: list[FrozenTrial]) -> None:
        for t in sorted(trials, key=lambda t: t.number):
            value = self._solution_value(t)
            if value is None:
                continue
            self.n += 1
            record = load_trial_state(t.system_attrs, self._namespace, STATE_VERSION)
            if record is None:
                continue
            slot = (int(record.get("restart", 0)), int(record["generation"]))
            self.solutions.setdefault(slot, []).append((t.number, t, value))
            if "optimizer" in record and (self.latest is None or self.latest[0] < t.number):
                self.latest = (t.number, record)


class CmaEsSampler(BaseSampler):
    """Single-objective sampler using CMA-ES (Hansen, 2016) via the ``cmaes`` library.

    Float and int parameters are sampled jointly; categorical parameters and parameters
    outside the intersection search space come from ``independent_sampler``.

    Args:
        x0: Initial mean, by parameter name (default: the centre of the search space).
        sigma0: Initial step size, in the space scaled to ``[0, 1]`` (default ``1/6``).
        n_startup_trials: Trials sampled by ``independent_sampler`` before CMA-ES starts.
        independent_sampler: Sampler for what CMA-ES does not cover (``RandomSampler``).
        warn_independent_sampling: Log when a parameter is sampled independently.
        seed: Seed for the random number generators.
        consider_pruned_trials: Use pruned trials, valued at their last intermediate value.
        restart_strategy: ``"ipop"`` or ``"bipop"`` to restart CMA-ES from a random mean, with
            a larger (or, for BIPOP, alternately a small) population, when the run has stopped
            making progress (criteria in ``_stop``); None never restarts. Optuna 5 accepts
            and ignores this deprecated argument; trimtab applies it.
        popsize: Population size (default ``4 + floor(3 ln n)``).
        inc_popsize: Population growth factor per IPOP restart (default 2).
        use_separable_cma: Use diagonal-covariance sep-CMA-ES (faster in high dimensions).
        with_margin: Use CMA-ES with margin, which keeps integer/stepped parameters moving.
        lr_adapt: Adapt the learning rate (helps on noisy or multimodal problems).
        source_trials: Trials of a similar task to warm-start the distribution (WS-CMA-ES).
    """

    def __init__(
        self,
        *,
        x0: dict[str, Any] | None = None,
        sigma0: float | None = None,
        n_startup_trials: int = 1,
        independent_sampler: BaseSampler | None = None,
        warn_independent_sampling: bool = True,
        seed: int | None = None,
        consider_pruned_trials: bool = False,
        restart_strategy: str | None = None,
        popsize: int | None = None,
        inc_popsize: int = -1,
        use_separable_cma: bool = False,
        with_margin: bool = False,
        lr_adapt: bool = False,
        source_trials: list[FrozenTrial] | None = None,
    ) -> None:
        _validate(x0, sigma0, n_startup_trials, restart_strategy, popsize, inc_popsize)
        _warn_arguments(locals())
        if source_trials is not None and (x0 is not None or sigma0 is not None):
            raise ValueError(
                "It is prohibited to pass `source_trials` argument when x0 or sigma0 is specified."
            )
        if source_trials is not None and use_separable_cma:
            raise ValueError(
                "It is prohibited to pass `source_trials` argument when using separable CMA-ES."
            )
        if lr_adapt and (use_separable_cma or with_margin):
            raise ValueError(
                "It is prohibited to pass `use_separable_cma` or `with_margin` argument when "
                "using `lr_adapt`."
            )
        if use_separable_cma and with_margin:
            raise ValueError(
                "Currently, we do not support `use_separable_cma=True` and `with_margin=True`."
            )
        self._x0 = x0
        self._sigma0 = sigma0
        self._independent_sampler = independent_sampler or RandomSampler(seed=seed)
        self._n_startup_trials = n_startup_trials
        self._warn_independent_sampling = warn_independent_sampling
        self._rng = SamplerRandomState(seed)
        self._search_space = IntersectionSearchSpace()
        self._consider_pruned_trials = consider_pruned_trials
        self._restart_strategy = restart_strategy
        self._popsize = popsize
        self._inc_popsize = 2 if inc_popsize == -1 else inc_popsize
        self._use_separable_cma = use_separable_cma
        self._with_margin = with_margin
        self._lr_adapt = lr_adapt
        self._source_trials = source_trials
        self._prefix = "sepcma" if use_separable_cma else "cmawm" if with_margin else "cma"
        # The optimizer rebuilt from a history's newest snapshot: (history, number, ...).
        self._restored: tuple[_History, int, Any, RestartState] | None = None
        self._transform: NumericalTransform | None = None
        self._lock = threading.RLock()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_lock"]
        state["_restored"] = None  # rebuilt from the study's newest snapshot on first use
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
            if not dist.single() and isinstance(dist, (FloatDistribution, IntDistribution))
        }

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        self._raise_error_if_multi_objective(study)
        if not search_space:
            return {}
        with self._lock:
            history = self._sync(study)
            if history.n < self._n_startup_trials:
                return {}
            return self._sample(study, trial, search_space, history)

    def _sample(
        self,
        study: Study,
        trial: FrozenTrial,
        search_space: dict[str, BaseDistribution],
        history: _History,
    ) -> dict[str, Any]:
        cmaes = import_cmaes()
        if self._transform is None or self._transform.search_space != search_space:
            self._transform = NumericalTransform(
                search_space, transform_step=not self._with_margin, transform_0_1=True
            )
        trans = self._transform
        optimizer, restart = self._restore(history)
        if optimizer is None:
            optimizer, restart = init_optimizer(self, trans, study.direction), RestartState()
        if optimizer.dim != len(trans.bounds):
            if self._warn_independent_sampling:
                _logger.warning(
                    "`CmaEsSampler` does not support dynamic search space. "
                    f"`{type(self._independent_sampler).__name__}` is used instead of "
                    "`CmaEsSampler`."
                )
                self._warn_independent_sampling = False
            return {}
        record: dict[str, Any] = {}
        solutions = history.solutions.get((restart.restart, optimizer.generation), [])
        if len(solutions) >= optimizer.population_size:
            sign = 1.0 if study.direction == StudyDirection.MINIMIZE else -1.0
            chosen = sorted(solutions, key=lambda s: s[0])[: optimizer.population_size]
            # Telling mutates the memoised optimizer and restart state; the memo is re-keyed to
            # this trial below, so an older snapshot is only ever rebuilt from its JSON record.
            self._restored = None
            values = np.array([sign * v for _, _, v in chosen])
            xs = np.array([self._x_of(t, trans) for _, t, _ in chosen])
            optimizer.tell(list(zip(xs, values)))
            if self._restart_strategy is not None:
                dim = len(trans.bounds)
                record_generation(restart, values, dim)
                reason = restart_reason(optimizer, restart, dim)
                if reason is not None:
                    told = np.column_stack([xs, values])
                    optimizer, restart = restart_optimizer(self, trans, optimizer, restart, told)
                    _logger.debug(f"CMA-ES restart {restart.restart} ({reason}).")
            record["optimizer"] = to_snapshot(optimizer)
            record["restart_state"] = restart.to_json()
            self._restored = (history, trial.number, optimizer, restart)
        optimizer.reseed_rng(self._rng.randint(1, 2**16) + trial.number)
        if isinstance(optimizer, cmaes.CMAwM):
            x, x_for_tell = optimizer.ask()
            record["x_for_tell"] = x_for_tell.tolist()
        else:
            x = optimizer.ask()
        record.update(generation=optimizer.generation, restart=restart.restart)
        view = view_of(study)
        view.save_trial_state(trial._trial_id, self._prefix, STATE_VERSION, record)
        view.save_trial_attr(trial._trial_id, f"{self._prefix}:generation", optimizer.generation)
        return trans.untransform(x)

    def _x_of(self, trial: FrozenTrial, trans: NumericalTransform) -> np.ndarray:
        if self._with_margin:
            record = load_trial_state(trial.system_attrs, self._prefix, STATE_VERSION)
            return np.array(record["x_for_tell"])
        return trans.transform(trial.params)

    def _restore(self, history: _History) -> tuple[Any, RestartState]:
        """The optimizer from the newest snapshot among finished trials (memoised: ``ask`` only
        uses its reseeded random state; ``tell`` drops the memo and re-keys it)."""
        if history.latest is None:
            return None, RestartState()
        number, record = history.latest
        restored = self._restored
        if restored is None or restored[0] is not history or restored[1] != number:
            optimizer = from_snapshot(record["optimizer"])
            restart = RestartState.from_json(record.get("restart_state"))
            restored = self._restored = (history, number, optimizer, restart)
        _, _, optimizer, restart = restored
        return optimizer, restart

    def _sync(self, study: Study) -> _History:
        with view_of(study).digest(
            self, lambda: _History(self._solution_value, self._prefix)
        ) as history:
            return history

    def _solution_value(self, trial: FrozenTrial) -> float | None:
        if trial.state == TrialState.COMPLETE:
            return trial.value
        if trial.state == TrialState.PRUNED and self._consider_pruned_trials:
            if trial.intermediate_values:
                return trial.intermediate_values[max(trial.intermediate_values)]
        return None

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        self._raise_error_if_multi_objective(study)
        if self._warn_independent_sampling:
            with self._lock:
                n_complete = self._sync(study).n
            if n_complete >= self._n_startup_trials:
                log_independent_sampling(
                    trial,
                    param_name,
                    "CmaEsSampler",
                    type(self._independent_sampler).__name__,
                    "dynamic search space and `CategoricalDistribution` are not supported by "
                    "`CmaEsSampler`",
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
        if trial.constraints:
            warn(
                "Constraints have been set, but CmaEsSampler will not use them for optimization.",
                UserWarning,
            )
        self._independent_sampler.after_trial(study, trial, state, values)


def _validate(
    x0: Any,
    sigma0: float | None,
    n_startup_trials: int,
    restart_strategy: str | None,
    popsize: int | None,
    inc_popsize: int,
) -> None:
    if x0 is not None and not isinstance(x0, dict):
        raise TypeError(f"`x0` must be a dict of parameter values, got {type(x0).__name__}.")
    if sigma0 is not None and not sigma0 > 0:
        raise ValueError(f"`sigma0` must be positive, got {sigma0}.")
    if n_startup_trials < 0:
        raise ValueError(f"`n_startup_trials` must be non-negative, got {n_startup_trials}.")
    if restart_strategy not in (None, "ipop", "bipop"):
        raise ValueError(
            f"`restart_strategy` must be None, 'ipop' or 'bipop', got {restart_strategy!r}."
        )
    if popsize is not None and popsize < 2:
        raise ValueError(f"`popsize` must be at least 2, got {popsize}.")
    if inc_popsize != -1 and inc_popsize < 1:
        raise ValueError(f"`inc_popsize` must be a positive integer, got {inc_popsize}.")


def _warn_arguments(args: dict[str, Any]) -> None:
    if args["restart_strategy"] is not None or args["inc_popsize"] != -1:
        warn(
            "`restart_strategy` has been deprecated in v4.4.0 of Optuna and will be removed in "
            "v6.0.0. Unlike Optuna, which ignores it, trimtab still applies it.",
            FutureWarning,
        )
    for name in ("x0", "sigma0"):
        if args[name] is not None:
            warn(
                f"`{name}` has been deprecated in v4.9.0. This feature will be removed in v6.0.0.",
                FutureWarning,
            )
    for name in ("consider_pruned_trials", "use_separable_cma", "with_margin", "lr_adapt"):
        if args[name]:
            _experimental_argument(name)
    if args["source_trials"] is not None:
        _experimental_argument("source_trials")

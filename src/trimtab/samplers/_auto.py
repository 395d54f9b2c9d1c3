"""``AutoSampler``: chooses, and switches, the sampling algorithm as the study grows.

Before each trial the sampler looks at what the finished trials reveal (the number of
objectives, whether the parameters change from trial to trial, their kinds, constraints, the
number of trials) and delegates the trial to one algorithm:

* the first ``n_startup_trials`` trials: random search;
* one objective, only float/int parameters, no conditional ones: GP-BO while fewer than
  ``gp_budget`` trials are complete, then CMA-ES warm-started from them (WS-CMA-ES), or TPE
  when the study has constraints (CMA-ES ignores them);
* categorical or conditional parameters: TPE;
* several objectives: GP-BO (numeric, at most 3 objectives) or TPE, then NSGA-II (NSGA-III
  for 4+ objectives) from ``gp_budget`` complete trials on, starting from the earlier trials.

The algorithms are ranked (random < GP < CMA-ES < TPE < NSGA-II/III) and the choice only moves
up, so workers that decide at the same moment converge. The choice is stored in the study
(sampler state ``"auto"``) and the algorithm of each trial on the trial, so a resumed study or
another worker continues with the same algorithm instead of starting over.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Hashable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from trimtab._study_view import load_trial_state, view_of
from trimtab.distributions import BaseDistribution, CategoricalDistribution
from trimtab.samplers._base import BaseSampler, process_constraints_after_trial
from trimtab.samplers._random import RandomSampler
from trimtab.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from trimtab.study import Study

_NAMESPACE = "auto"
_VERSION = 1
_RANK = {"random": 0, "gp": 1, "cmaes": 2, "tpe": 3, "nsgaii": 4, "nsgaiii": 4}
_FINISHED = (TrialState.COMPLETE, TrialState.PRUNED)


class _SpaceSummary:
    """What the finished trials of one study reveal: a digest of its view (each trial once)."""

    def __init__(self) -> None:
        self.n_finished = 0  # COMPLETE and PRUNED
        self.union: dict[str, BaseDistribution] = {}
        self.intersection: set[str] | None = None
        self.n_complete = 0
        self.constrained = False

    def add(self, trials: list[FrozenTrial]) -> None:
        for t in trials:
            if t.state not in _FINISHED:
                continue
            self.n_finished += 1
            self.n_complete += t.state == TrialState.COMPLETE
            self.union.update(t.distributions)
            names = {n for n, d in t.distributions.items() if not d.single()}
            self.intersection = names if self.intersection is None else self.intersection & names
            self.constrained = self.constrained or bool(t.constraints)

    @property
    def conditional(self) -> bool:
        varying = {n for n, d in self.union.items() if not d.single()}
        return self.intersection is not None and varying != self.intersection

    @property
    def categorical(self) -> bool:
        return any(
            isinstance(d, CategoricalDistribution) and not d.single() for d in self.union.values()
        )


class AutoSampler(BaseSampler):
    """Chooses the algorithm for each trial from what the study has revealed so far.

    GP-BO for numeric spaces and small budgets, CMA-ES for long numeric runs, TPE for
    categorical or conditional spaces (and constrained long runs), NSGA-II/III for long
    multi-objective runs; see the module documentation for the exact rules. Every choice is
    stored in the study (and each trial's algorithm on the trial), so resumed and parallel
    studies agree.

    Args:
        seed: Seed for the random number generators of the delegated samplers.
        constraints_func: Returns a finished trial's constraint values (feasible when all
            are <= 0); passed on to the delegated samplers. ``Trial.set_constraint`` works
            too.
        n_startup_trials: Random trials before the first model-based algorithm.
        gp_budget: Complete trials after which GP-BO hands over (to CMA-ES, TPE or NSGA-II).

    Raises:
        ValueError: ``n_startup_trials`` is negative or ``gp_budget`` is below 1.
    """

    def __init__(
        self,
        *,
        seed: int | None = None,
        constraints_func: Callable[[FrozenTrial], Sequence[float]] | None = None,
        n_startup_trials: int = 10,
        gp_budget: int = 250,
    ) -> None:
        for name, value, minimum in (
            ("n_startup_trials", n_startup_trials, 0),
            ("gp_budget", gp_budget, 1),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
                raise ValueError(f"`{name}` must be an int >= {minimum}, got {value!r}.")
        if constraints_func is not None and not callable(constraints_func):
            raise TypeError(f"`constraints_func` must be callable, got {constraints_func!r}.")
        self._seed = seed
        self._constraints_func = constraints_func
        self._n_startup_trials = n_startup_trials
        self._gp_budget = gp_budget
        self._lock = threading.RLock()
        self._delegates: dict[str, BaseSampler] = {}
        self._choices: dict[Hashable, str] = {}  # last known choice per study
        self._trial_choices: dict[int, str] = {}  # trial id -> algorithm, while it runs

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_lock"]
        state["_choices"], state["_trial_choices"] = {}, {}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()

    def reseed_rng(self) -> None:
        with self._lock:
            for sampler in self._delegates.values():
                sampler.reseed_rng()
            self._seed = None  # samplers created later get fresh seeds too

    # ----------------------------------------------------------------------- the choice

    def _desired(self, study: Study, summary: _SpaceSummary) -> str:
        if summary.n_finished < self._n_startup_trials:
            return "random"
        n_objectives = len(study.directions)
        mixed = summary.conditional or summary.categorical
        constrained = summary.constrained or self._constraints_func is not None
        if n_objectives > 1:
            if summary.n_complete >= self._gp_budget:
                return "nsgaii" if n_objectives < 4 else "nsgaiii"
            return "tpe" if mixed or n_objectives >= 4 else "gp"
        if mixed:
            return "tpe"
        if summary.n_complete < self._gp_budget:
            return "gp"
        return "tpe" if constrained else "cmaes"

    def _choose(self, study: Study) -> str:
        view = view_of(study)
        key = view.key
        with self._lock:
            known = self._choices.get(key, "random")
            if (known == "tpe" and len(view.directions) == 1) or _RANK[known] == 4:
                return known  # final: nothing can move the choice further up
            stored = view.load_study_state(_NAMESPACE, _VERSION) or {}
            current = stored.get("sampler", "random")
            if _RANK.get(current, -1) < _RANK[known]:
                current = known
            with view.digest(self, _SpaceSummary) as summary:
                desired = self._desired(study, summary)
                n_finished = summary.n_finished
            if _RANK[desired] > _RANK.get(current, -1):
                history = [*stored.get("history", []), [desired, n_finished]]
                view.save_study_state(
                    _NAMESPACE, _VERSION, {"sampler": desired, "history": history}
                )
                current = desired
            self._choices[key] = current
            return current

    def _delegate(self, name: str, study: Study) -> BaseSampler:
        with self._lock:
            sampler = self._delegates.get(name)
            if sampler is None:
                sampler = self._delegates[name] = self._create(name, study)
            return sampler

    def _create(self, name: str, study: Study) -> BaseSampler:
        from trimtab import samplers

        seed = None
        if self._seed is not None:
            seed = int(
                np.random.SeedSequence([self._seed, _RANK[name], len(name)]).generate_state(1)[0]
                >> 1
            )
        constraints = self._constraints_func
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # deprecated/experimental arguments we pass on
            if name == "random":
                return RandomSampler(seed=seed)
            if name == "gp":
                return samplers.GPSampler(
                    seed=seed, constraints_func=constraints, warn_independent_sampling=False
                )
            if name == "tpe":
                return samplers.TPESampler(seed=seed, constraints_func=constraints)
            if name == "nsgaii":
                return samplers.NSGAIISampler(seed=seed, constraints_func=constraints)
            if name == "nsgaiii":
                return samplers.NSGAIIISampler(seed=seed, constraints_func=constraints)
            source = [
                t
                for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
                if t.value is not None and not any(d.single() for d in t.distributions.values())
            ]
            return samplers.CmaEsSampler(
                seed=seed,
                # WS-CMA-ES fits the best 10% of the source trials: it needs at least ten.
                source_trials=source if len(source) >= 10 else None,
                warn_independent_sampling=False,
            )

    def _for_trial(self, study: Study, trial: FrozenTrial) -> BaseSampler:
        name = self._trial_choices.get(trial._trial_id)
        if name is None:  # a trial started by another process, or before a restart
            record = load_trial_state(trial.system_attrs, _NAMESPACE, _VERSION)
            name = record if record in _RANK else self._choose(study)
        return self._delegate(name, study)

    # ------------------------------------------------------------ the sampler contract

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        name = self._choose(study)
        with self._lock:
            self._trial_choices[trial._trial_id] = name
        view_of(study).save_trial_state(trial._trial_id, _NAMESPACE, _VERSION, name)
        if len(view_of(study).directions) > 1 and _RANK[name] < 4:
            # NSGA-II/III, when they take over, breed from these trials as one generation.
            from trimtab import samplers

            ga = samplers.NSGAIISampler if len(study.directions) < 4 else samplers.NSGAIIISampler
            view_of(study).save_trial_attr(trial._trial_id, ga._get_generation_key(), 0)
        self._delegate(name, study).before_trial(study, trial)

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        return self._for_trial(study, trial).infer_relative_search_space(study, trial)

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        return self._for_trial(study, trial).sample_relative(study, trial, search_space)

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        return self._for_trial(study, trial).sample_independent(
            study, trial, param_name, param_distribution
        )

    def after_trial(
        self,
        study: Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        sampler = self._for_trial(study, trial)
        with self._lock:
            self._trial_choices.pop(trial._trial_id, None)
        if self._constraints_func is not None and not _passes_constraints_on(sampler):
            process_constraints_after_trial(self._constraints_func, study, trial, state)
        sampler.after_trial(study, trial, state, values)


def _passes_constraints_on(sampler: BaseSampler) -> bool:
    """Whether ``sampler`` evaluates ``constraints_func`` itself (it was given one)."""
    return not isinstance(sampler, RandomSampler) and type(sampler).__name__ != "CmaEsSampler"

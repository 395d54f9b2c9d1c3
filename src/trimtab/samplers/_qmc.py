"""``QMCSampler``: low-discrepancy (Sobol or Halton) points through the search space."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from trimtab import _warnings, logging
from trimtab._study_view import view_of
from trimtab._transform import unit_to_value
from trimtab.distributions import BaseDistribution
from trimtab.samplers._base import BaseSampler, log_independent_sampling
from trimtab.samplers._random import RandomSampler
from trimtab.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from trimtab.study import Study

_logger = logging.get_logger(__name__)
_FINISHED_WITH_PARAMS = (TrialState.COMPLETE, TrialState.PRUNED)
_STATE_VERSION = 1
_lock = threading.Lock()


class QMCSampler(BaseSampler):
    """Quasi-Monte Carlo sampling: the k-th trial takes the k-th point of a Sobol/Halton sequence.

    The search space is that of the first finished trial (the first trial is sampled by
    ``independent_sampler``); parameters outside it also go to ``independent_sampler``.
    The sequence position is kept in the study, so workers sharing it continue one sequence.

    Args:
        qmc_type: ``"sobol"`` or ``"halton"``.
        scramble: Randomise the sequence (then give every worker the same ``seed``).
        seed: Seed of the scrambling and of the default independent sampler.
        independent_sampler: Sampler for parameters outside the QMC space.
        warn_asynchronous_seeding: Warn when ``scramble`` is on and no seed is given.
        warn_independent_sampling: Warn when a parameter falls back to the independent sampler.
    """

    def __init__(
        self,
        *,
        qmc_type: str = "sobol",
        scramble: bool = False,
        seed: int | None = None,
        independent_sampler: BaseSampler | None = None,
        warn_asynchronous_seeding: bool = True,
        warn_independent_sampling: bool = True,
    ) -> None:
        _warnings.warn_experimental("QMCSampler", "3.0.0")
        if qmc_type not in ("sobol", "halton"):
            raise ValueError(f"The `{qmc_type=}` is invalid. Choose either `halton` or `sobol`.")
        self._qmc_type = qmc_type
        self._scramble = scramble
        self._seed = int(np.random.randint(2**31)) if seed is None else seed
        self._independent_sampler = independent_sampler or RandomSampler(seed=seed)
        self._warn_independent_sampling = warn_independent_sampling
        if seed is None and scramble and warn_asynchronous_seeding:
            _logger.warning(
                "No seed is provided for `QMCSampler` and the seed is set randomly. If you are "
                "running multiple `QMCSampler`s in parallel and/or distributed environment, the "
                "same seed must be used in all samplers to ensure that resulting samples are "
                "taken from the same QMC sequence."
            )
        self._space: dict[str, BaseDistribution] | None = None

    def reseed_rng(self) -> None:
        self._independent_sampler.reseed_rng()

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        if self._space is not None:
            return self._space
        finished = study.get_trials(deepcopy=False, states=_FINISHED_WITH_PARAMS)
        if not finished:
            return {}
        self._space = dict(sorted(min(finished, key=lambda t: t.number).distributions.items()))
        return self._space

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        if not search_space:
            return {}
        point = self._next_point(study, search_space)
        return {
            name: unit_to_value(float(u), dist)
            for (name, dist), u in zip(search_space.items(), point)
        }

    def _next_point(self, study: Study, search_space: dict[str, BaseDistribution]) -> np.ndarray:
        from scipy.stats import qmc

        namespace = "qmc-" + self._sequence_key(search_space)
        with _lock:
            index = view_of(study).load_study_state(namespace, _STATE_VERSION) or 0
            view_of(study).save_study_state(namespace, _STATE_VERSION, index + 1)
            seed = self._seed if self._scramble else 0
            if self._qmc_type == "sobol":
                engine: Any = qmc.Sobol(len(search_space), scramble=self._scramble, seed=seed)
            else:
                engine = qmc.Halton(len(search_space), scramble=self._scramble, seed=seed)
            if index > 0:
                engine.fast_forward(index)
            return engine.random(1)[0]

    def _sequence_key(self, search_space: dict[str, BaseDistribution]) -> str:
        description = {
            "type": self._qmc_type,
            "space": {name: repr(dist) for name, dist in search_space.items()},
            "scramble": self._scramble,
            "seed": self._seed if self._scramble else None,
        }
        return hashlib.sha256(json.dumps(description, sort_keys=True).encode()).hexdigest()[:16]

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        if self._space is not None and self._warn_independent_sampling:
            log_independent_sampling(
                trial,
                param_name,
                "QMCSampler",
                type(self._independent_sampler).__name__,
                "dynamic search space is not supported by `QMCSampler`",
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
        self._independent_sampler.after_trial(study, trial, state, values)

"""``PartialFixedSampler``: fix some parameters, let another sampler choose the rest."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from trimtab import _warnings
from trimtab.distributions import BaseDistribution
from trimtab.samplers._base import BaseSampler
from trimtab.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from trimtab.study import Study


class PartialFixedSampler(BaseSampler):
    """Returns ``fixed_params`` for their names and delegates every other one to ``base_sampler``.

    Args:
        fixed_params: ``{name: value}`` to use in every trial.
        base_sampler: The sampler for the remaining parameters.
    """

    def __init__(self, fixed_params: dict[str, Any], base_sampler: BaseSampler) -> None:
        _warnings.warn_experimental("PartialFixedSampler", "2.4.0")
        if not isinstance(fixed_params, dict):
            raise TypeError(f"`fixed_params` must be a dict, got {type(fixed_params).__name__}.")
        self._fixed_params = fixed_params
        self._base_sampler = base_sampler

    def reseed_rng(self) -> None:
        self._base_sampler.reseed_rng()

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        space = self._base_sampler.infer_relative_search_space(study, trial)
        return {n: d for n, d in space.items() if n not in self._fixed_params}

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        return self._base_sampler.sample_relative(study, trial, search_space)

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        if param_name not in self._fixed_params:
            return self._base_sampler.sample_independent(
                study, trial, param_name, param_distribution
            )
        value = self._fixed_params[param_name]
        if not param_distribution._contains(param_distribution.to_internal_repr(value)):
            _warnings.warn(
                f"Fixed parameter '{param_name}' with value {value} is out of range for "
                f"distribution {param_distribution}."
            )
        return value

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        self._base_sampler.before_trial(study, trial)

    def after_trial(
        self,
        study: Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        self._base_sampler.after_trial(study, trial, state, values)

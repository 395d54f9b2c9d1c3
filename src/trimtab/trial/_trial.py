"""``Trial``: the live trial an objective function talks to."""

from __future__ import annotations

import copy
import datetime
from typing import TYPE_CHECKING, Any

from trimtab import _warnings
from trimtab.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
    check_distribution_compatibility,
    check_storable,
    storable_internal,
)
from trimtab.trial._base import BaseTrial, check_key, rewrapped
from trimtab.trial._constraints import constraints_from_system_attrs, new_constraint

if TYPE_CHECKING:
    from trimtab.study import Study
    from trimtab.trial._frozen import FrozenTrial

FIXED_PARAMS_KEY = "fixed_params"


class Trial(BaseTrial):
    """A trial in progress: suggests parameters, records intermediate values and attributes.

    Created by ``Study.optimize`` and ``Study.ask``; do not build one directly.
    """

    def __init__(self, study: Study, trial_id: int) -> None:
        self.study = study
        self._trial_id = trial_id
        self.storage = study.storage
        self._cached = self.storage.get_trial(trial_id)
        self._fixed_params: dict[str, Any] = self._cached.system_attrs.get(FIXED_PARAMS_KEY, {})
        self._sampling_study = study._sampling_view(self._cached)
        study.sampler.before_trial(self._sampling_study, self._cached)
        self.relative_search_space = study.sampler.infer_relative_search_space(
            self._sampling_study, self._cached
        )
        self._relative_params: dict[str, Any] | None = None

    @property
    def relative_params(self) -> dict[str, Any]:
        """The values ``sample_relative`` chose for the relative search space (lazily)."""
        if self._relative_params is None:
            self._relative_params = self.study.sampler.sample_relative(
                self._sampling_study, self._cached, self.relative_search_space
            )
        return self._relative_params

    def _suggest(self, name: str, distribution: BaseDistribution) -> Any:
        try:
            return self._suggest_checked(name, distribution)
        except (ValueError, TypeError) as err:
            raise rewrapped(err, f"Parameter {name!r}: {err}") from None

    def _suggest_checked(self, name: str, distribution: BaseDistribution) -> Any:
        cached = self._cached
        if name in cached._distributions:
            check_distribution_compatibility(cached._distributions[name], distribution)
            return cached._params[name]
        # Nothing reaches the storage that would not read back as it was written.
        check_storable(distribution)
        if name in self._fixed_params:
            value = self._fixed_value(name, distribution)
        elif distribution.single():
            value = _single_value(distribution)
        elif self._is_relative(name, distribution):
            value = self.relative_params[name]
        else:
            value = self.study.sampler.sample_independent(
                self._sampling_study, cached, name, distribution
            )
        internal = storable_internal(distribution, value)
        self.storage.set_trial_param(self._trial_id, name, internal, distribution)
        value = distribution.to_external_repr(internal)
        cached._distributions[name] = distribution
        cached._params[name] = value
        return value

    def _fixed_value(self, name: str, distribution: BaseDistribution) -> Any:
        value = self._fixed_params[name]
        internal = distribution.to_internal_repr(value)
        if not distribution._contains(internal):
            _warnings.warn(
                f"Fixed parameter '{name}' with value {value!r} is out of range for "
                f"distribution {distribution}."
            )
        return value

    def _is_relative(self, name: str, distribution: BaseDistribution) -> bool:
        # Like Optuna, the first sampled parameter always triggers ``sample_relative``, even
        # for an empty relative space: GA and CMA-ES samplers tag the trial there.
        if name not in self.relative_params:
            return False
        if name not in self.relative_search_space:
            return False
        check_distribution_compatibility(self.relative_search_space[name], distribution)
        internal = distribution.to_internal_repr(self.relative_params[name])
        return distribution._contains(internal)

    def report(self, value: float, step: int) -> None:
        """Record ``value`` as the intermediate objective value at ``step``.

        Reporting a step twice keeps the first value and warns; NaN is stored (pruners ignore
        it).

        Args:
            value: The objective's value so far (anything ``float()`` accepts).
            step: The step (epoch, iteration), a non-negative int.

        Raises:
            NotImplementedError: the study has several objectives.
            TypeError: ``value`` does not convert to float, or ``step`` to int.
            ValueError: ``step`` is negative.

        Example:
            >>> import trimtab
            >>> def objective(trial):
            ...     x = trial.suggest_float("x", 0, 1)
            ...     for epoch in range(3):
            ...         trial.report(x / (epoch + 1), epoch)
            ...         if trial.should_prune():
            ...             raise trimtab.TrialPruned()
            ...     return x
            >>> trimtab.create_study().optimize(objective, n_trials=3)
        """
        if len(self.study.directions) > 1:
            raise NotImplementedError(
                "Trial.report is not supported for multi-objective optimization."
            )
        try:
            # Anything float() accepts, as in Optuna (numpy scalars, "0.5", ...).
            value = float(value)
        except (TypeError, ValueError):
            raise TypeError(
                f"The `value` argument is of type '{type(value)}' but supposed to be a float."
            ) from None
        try:
            step = int(step)
        except (TypeError, ValueError):
            raise TypeError(
                f"The `step` argument is of type '{type(step)}' but supposed to be an int."
            ) from None
        if step < 0:
            raise ValueError(f"`{step=}` must be non-negative.")
        if step in self._cached.intermediate_values:
            _warnings.warn(
                f"The reported value is ignored because this `{step=}` is already reported."
            )
            return
        self.storage.set_trial_intermediate_value(self._trial_id, step, value)
        self._cached.intermediate_values[step] = value

    def should_prune(self) -> bool:
        """Ask the study's pruner whether to stop this trial now.

        Returns:
            True when the objective should stop, usually by ``raise trimtab.TrialPruned()``
            (see the example of :meth:`report`).

        Raises:
            NotImplementedError: the study has several objectives.
        """
        if len(self.study.directions) > 1:
            raise NotImplementedError(
                "Trial.should_prune is not supported for multi-objective optimization."
            )
        # This worker owns the running trial, so its cached record is current except for
        # system attributes, which pruners (e.g. successive halving's rungs) write themselves.
        trial = copy.copy(self._cached)
        trial._params = dict(self._cached._params)
        trial.intermediate_values = dict(self._cached.intermediate_values)
        trial._system_attrs = dict(self.storage.get_trial_system_attrs(self._trial_id))
        return bool(self.study.pruner.prune(self.study, trial))

    def set_user_attr(self, key: str, value: Any) -> None:
        """Attach a JSON-serialisable value to this trial.

        Args:
            key: The attribute's name.
            value: Any JSON-serialisable value.

        Raises:
            TypeError: ``key`` is not a str, or ``value`` is not JSON-serialisable.
            ValueError: ``key`` cannot be stored (a NUL character, a lone surrogate).
        """
        check_key(key, "A user attribute key")
        self.storage.set_trial_user_attr(self._trial_id, key, value)
        self._cached._user_attrs[key] = value

    def set_constraint(self, key: str, value: float) -> None:
        """Record a constraint value; the trial is feasible when every one is ``<= 0``."""
        stored_key = new_constraint(self._cached._system_attrs, key, value)
        if stored_key is None:
            return
        self.storage.set_trial_system_attr(self._trial_id, stored_key, float(value))
        self._cached._system_attrs[stored_key] = float(value)

    @property
    def constraints(self) -> dict[str, float]:
        return constraints_from_system_attrs(self._cached._system_attrs)

    @property
    def number(self) -> int:
        return self._cached.number

    @property
    def params(self) -> dict[str, Any]:
        return dict(self._cached._params)

    @property
    def distributions(self) -> dict[str, BaseDistribution]:
        return dict(self._cached._distributions)

    @property
    def user_attrs(self) -> dict[str, Any]:
        return dict(self._cached._user_attrs)

    @property
    def datetime_start(self) -> datetime.datetime | None:
        return self._cached.datetime_start

    def _frozen(self) -> FrozenTrial:
        return self._cached


def _single_value(distribution: BaseDistribution) -> Any:
    if isinstance(distribution, CategoricalDistribution):
        return distribution.choices[0]
    if isinstance(distribution, (FloatDistribution, IntDistribution)):
        return distribution.low
    raise TypeError(f"Unknown distribution {distribution!r}.")

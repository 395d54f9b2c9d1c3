"""``FixedTrial``: runs an objective with given parameter values, e.g. to retrain the best."""

from __future__ import annotations

import datetime
from typing import Any

from trimtab.distributions import BaseDistribution, check_distribution_compatibility
from trimtab.trial._base import BaseTrial, warn_if_outside
from trimtab.trial._constraints import constraints_from_system_attrs, new_constraint


class FixedTrial(BaseTrial):
    """A trial whose ``suggest_*`` return the values in ``params``.

    Example: ``objective(trimtab.trial.FixedTrial(study.best_params))``.

    Raises:
        ValueError: from ``suggest_*`` when a name is missing from ``params``.
    """

    def __init__(self, params: dict[str, Any], number: int = 0) -> None:
        self._params = params
        self._suggested_params: dict[str, Any] = {}
        self._distributions: dict[str, BaseDistribution] = {}
        self._user_attrs: dict[str, Any] = {}
        self._system_attrs: dict[str, Any] = {}
        self._datetime_start = datetime.datetime.now()
        self._number = number

    def _suggest(self, name: str, distribution: BaseDistribution) -> Any:
        if name not in self._params:
            raise ValueError(
                f"The value of the parameter '{name}' is not found. Please set it at the "
                "construction of the FixedTrial object."
            )
        value = self._params[name]
        warn_if_outside(name, value, distribution)
        if name in self._distributions:
            check_distribution_compatibility(self._distributions[name], distribution)
        self._suggested_params[name] = value
        self._distributions[name] = distribution
        return value

    def report(self, value: float, step: int) -> None:
        """Do nothing: a fixed trial has no study to report to."""

    def should_prune(self) -> bool:
        """Return False: a fixed trial is never pruned."""
        return False

    def set_user_attr(self, key: str, value: Any) -> None:
        self._user_attrs[key] = value

    def set_constraint(self, key: str, value: float) -> None:
        stored_key = new_constraint(self._system_attrs, key, value)
        if stored_key is not None:
            self._system_attrs[stored_key] = float(value)

    @property
    def constraints(self) -> dict[str, float]:
        return constraints_from_system_attrs(self._system_attrs)

    @property
    def params(self) -> dict[str, Any]:
        return self._suggested_params

    @property
    def distributions(self) -> dict[str, BaseDistribution]:
        return self._distributions

    @property
    def user_attrs(self) -> dict[str, Any]:
        return self._user_attrs

    @property
    def system_attrs(self) -> dict[str, Any]:
        """System attributes set on this trial (constraints)."""
        return self._system_attrs

    @property
    def datetime_start(self) -> datetime.datetime | None:
        return self._datetime_start

    @property
    def number(self) -> int:
        return self._number

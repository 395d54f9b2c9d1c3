"""``FrozenTrial``: the record of a trial, and ``create_trial`` to build one by hand."""

from __future__ import annotations

import copy
import datetime
import math
from collections.abc import Sequence
from typing import Any

from trimtab.distributions import (
    BaseDistribution,
    check_distribution_compatibility,
    check_storable,
    storable_internal,
)
from trimtab.trial._base import BaseTrial, rewrapped, warn_if_outside
from trimtab.trial._constraints import constraints_from_system_attrs, new_constraint
from trimtab.trial._state import TrialState


class FrozenTrial(BaseTrial):
    """The record of one trial: state, values, params, attributes, intermediate values.

    Storages hand these out and never change one after handing it out; treat them as
    read-only (the setters exist for Optuna compatibility, e.g. to build trials for
    ``Study.add_trial``). As a ``BaseTrial`` it can also replay an objective: ``suggest_*``
    return the recorded parameter values.

    Args:
        number: The trial's number in its study (dense from 0).
        state: Its :class:`~trimtab.trial.TrialState`.
        value: The objective value of a single-objective trial (or use ``values``).
        datetime_start: When it started (None while WAITING).
        datetime_complete: When it finished (None while unfinished).
        params: Parameter values by name (external representation).
        distributions: The distribution of each parameter.
        user_attrs: User attributes.
        system_attrs: Attributes set by samplers, pruners and storages.
        intermediate_values: Reported values by step.
        trial_id: The storage's id of the trial.
        values: The objective values, one per direction (instead of ``value``).

    Raises:
        ValueError: both ``value`` and ``values`` are given.

    Example:
        >>> import trimtab
        >>> study = trimtab.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
        >>> record = study.best_trial
        >>> record.state.name, sorted(record.params)
        ('COMPLETE', ['x'])
    """

    # Slots keep a large in-memory study small: one record per trial, nothing per instance dict.
    __slots__ = (
        "_number",
        "state",
        "_values",
        "_datetime_start",
        "datetime_complete",
        "_params",
        "_distributions",
        "_user_attrs",
        "_system_attrs",
        "intermediate_values",
        "_trial_id",
    )

    def __init__(
        self,
        number: int,
        state: TrialState,
        value: float | None,
        datetime_start: datetime.datetime | None,
        datetime_complete: datetime.datetime | None,
        params: dict[str, Any],
        distributions: dict[str, BaseDistribution],
        user_attrs: dict[str, Any],
        system_attrs: dict[str, Any],
        intermediate_values: dict[int, float],
        trial_id: int,
        *,
        values: Sequence[float] | None = None,
    ) -> None:
        if value is not None and values is not None:
            raise ValueError("Specify only one of `value` and `values`.")
        self._number = number
        self.state = state
        self._values: list[float] | None = (
            [value] if value is not None else (list(values) if values is not None else None)
        )
        self._datetime_start = datetime_start
        self.datetime_complete = datetime_complete
        self._params = params
        self._distributions = distributions
        self._user_attrs = user_attrs
        self._system_attrs = system_attrs
        self.intermediate_values = intermediate_values
        self._trial_id = trial_id

    def __deepcopy__(self, memo: dict[int, Any]) -> FrozenTrial:
        """A deep copy built field by field; immutable values (numbers, str, datetimes) are shared.

        ``copy.deepcopy`` of a list of 100,000 trials spends most of its time in generic
        reconstruction; this gives the same independent result in a fraction of the time.
        Distributions go through ``memo``, so a list copied at once copies each one once.
        """
        clone = _clone(self, memo, None)
        extra = getattr(self, "__dict__", None)  # a subclass without __slots__
        if extra:
            clone.__dict__.update(copy.deepcopy(extra, memo))
        return clone

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FrozenTrial):
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in FrozenTrial.__slots__)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, FrozenTrial):
            return NotImplemented
        return self.number < other.number

    def __le__(self, other: object) -> bool:
        if not isinstance(other, FrozenTrial):
            return NotImplemented
        return self.number <= other.number

    def __hash__(self) -> int:
        return hash((self._number, self._trial_id))

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{name}={getattr(self, name)!r}"
            for name in (
                "number",
                "state",
                "values",
                "datetime_start",
                "datetime_complete",
                "params",
                "user_attrs",
                "system_attrs",
                "intermediate_values",
                "distributions",
            )
        )
        return f"FrozenTrial({fields}, trial_id={self._trial_id}, value=None)"

    def _suggest(self, name: str, distribution: BaseDistribution) -> Any:
        if name not in self._params:
            raise ValueError(f"The value of the parameter '{name}' is not found.")
        check_distribution_compatibility(self._distributions[name], distribution)
        value = self._params[name]
        warn_if_outside(name, value, distribution)
        return value

    def report(self, value: float, step: int) -> None:
        """Do nothing: a frozen trial replays an objective without recording."""

    def should_prune(self) -> bool:
        """Return False: a frozen trial is never pruned on replay."""
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

    def _validate(self) -> None:
        """Raise ValueError if this record is inconsistent (used for hand-built trials)."""
        if self.state != TrialState.WAITING and self._datetime_start is None:
            raise ValueError(
                f"`datetime_start` is supposed to be set when the trial state is {self.state}."
            )
        if self.state.is_finished():
            if self.datetime_complete is None:
                raise ValueError("`datetime_complete` is supposed to be set for a finished trial.")
        elif self.datetime_complete is not None:
            raise ValueError("`datetime_complete` is supposed to be None for an unfinished trial.")
        if self.state == TrialState.COMPLETE:
            if self._values is None:
                raise ValueError("`value` is supposed to be set for a complete trial.")
            if any(math.isnan(v) for v in self._values):
                raise ValueError("`value` must not be NaN for a complete trial.")
        if self._params.keys() != self._distributions.keys():
            raise ValueError(
                "Inconsistent parameters "
                f"{sorted(self._params)} and distributions {sorted(self._distributions)}."
            )
        for name, value in self._params.items():
            distribution = self._distributions[name]
            try:
                check_storable(distribution)
                internal = storable_internal(distribution, value)
            except (ValueError, TypeError) as err:
                raise rewrapped(err, f"Parameter {name!r}: {err}") from None
            if not distribution._contains(internal):
                raise ValueError(f"The value {value!r} of '{name}' is not in {distribution}.")

    @property
    def number(self) -> int:
        return self._number

    @number.setter
    def number(self, value: int) -> None:
        self._number = value

    @property
    def value(self) -> float | None:
        """The objective value; raises for a multi-objective trial (use ``values``)."""
        if self._values is None:
            return None
        if len(self._values) > 1:
            raise RuntimeError(
                "This attribute is not available during multi-objective optimization."
            )
        return self._values[0]

    @value.setter
    def value(self, v: float | None) -> None:
        if self._values is not None and len(self._values) > 1:
            raise RuntimeError(
                "This attribute is not available during multi-objective optimization."
            )
        self._values = [v] if v is not None else None

    @property
    def values(self) -> list[float] | None:
        """The objective values, one per direction, or None when the trial has none."""
        return self._values

    @values.setter
    def values(self, v: Sequence[float] | None) -> None:
        self._values = list(v) if v is not None else None

    @property
    def datetime_start(self) -> datetime.datetime | None:
        return self._datetime_start

    @datetime_start.setter
    def datetime_start(self, value: datetime.datetime | None) -> None:
        self._datetime_start = value

    @property
    def params(self) -> dict[str, Any]:
        return self._params

    @params.setter
    def params(self, params: dict[str, Any]) -> None:
        self._params = params

    @property
    def distributions(self) -> dict[str, BaseDistribution]:
        return self._distributions

    @distributions.setter
    def distributions(self, value: dict[str, BaseDistribution]) -> None:
        self._distributions = value

    @property
    def user_attrs(self) -> dict[str, Any]:
        return self._user_attrs

    @user_attrs.setter
    def user_attrs(self, value: dict[str, Any]) -> None:
        self._user_attrs = value

    @property
    def system_attrs(self) -> dict[str, Any]:
        """Attributes set by samplers, pruners and storages."""
        return self._system_attrs

    @system_attrs.setter
    def system_attrs(self, value: dict[str, Any]) -> None:
        self._system_attrs = value

    @property
    def last_step(self) -> int | None:
        """The largest step with a reported intermediate value, or None."""
        return max(self.intermediate_values) if self.intermediate_values else None

    @property
    def duration(self) -> datetime.timedelta | None:
        """``datetime_complete - datetime_start`` for a finished trial, else None."""
        if self._datetime_start is not None and self.datetime_complete is not None:
            return self.datetime_complete - self._datetime_start
        return None


def copy_trials(trials: list[FrozenTrial]) -> list[FrozenTrial]:
    """``copy.deepcopy(trials)`` for a list of distinct trials, without a memo entry per trial.

    Each copy owns every dict and list it holds, so changing it (params, distributions,
    attrs, intermediate values, values, or a mutable attr value inside) cannot reach the
    originals; immutable values are shared. Distribution objects are copied once per list,
    as ``copy.deepcopy`` does: copies that shared one keep sharing the copy.
    """
    memo: dict[int, Any] = {}  # distributions and mutable attr values: copied once each
    templates: dict[int, dict[str, Any]] = {}  # id of a distributions dict -> copied values
    keep_alive = []  # the ids above stay valid while the originals live
    result = []
    for trial in trials:
        if type(trial) is not FrozenTrial:
            result.append(copy.deepcopy(trial, memo))
            continue
        source = trial._distributions
        template = templates.get(id(source))
        if template is None:
            template = templates[id(source)] = _copied_dict(source, memo)
            keep_alive.append(source)
        result.append(_clone(trial, memo, dict(template)))
    return result


def _clone(
    trial: FrozenTrial, memo: dict[int, Any], distributions: dict[str, BaseDistribution] | None
) -> FrozenTrial:
    """A copy of ``trial`` (its own dicts and lists) holding ``distributions``.

    Without ``distributions``, the copy is entered in ``memo`` first (an attr value that
    refers back to the trial then finds it) and copies the distributions through ``memo``.
    """
    clone = FrozenTrial.__new__(type(trial))
    if distributions is None:
        memo[id(trial)] = clone
        distributions = _shared_copy(trial._distributions, memo)
    clone._number = trial._number
    clone.state = trial.state
    clone._values = trial._values[:] if trial._values is not None else None
    clone._datetime_start = trial._datetime_start
    clone.datetime_complete = trial.datetime_complete
    clone._params = _copied_dict(trial._params, memo)
    clone._distributions = distributions
    clone._user_attrs = _copied_dict(trial._user_attrs, memo)
    clone._system_attrs = _copied_dict(trial._system_attrs, memo)
    clone.intermediate_values = _copied_dict(trial.intermediate_values, memo)
    clone._trial_id = trial._trial_id
    return clone


_IMMUTABLE = frozenset({int, float, str, bool, type(None), datetime.datetime})


def _shared_copy(source: dict[Any, Any], memo: dict[int, Any]) -> dict[Any, Any]:
    """``_copied_dict`` of a dict several trials may share, its values copied once.

    Storages give the finished trials of one search space a single distributions dict. Each
    copied trial still gets a dict of its own, but the first copy is kept in ``memo`` and
    later ones are shallow copies of it: the values are the same copied distributions that
    ``copy.deepcopy`` would find in ``memo``, without a lookup per value.
    """
    key = (_SHARED_COPY, id(source))
    found = memo.get(key)  # type: ignore[call-overload]
    if found is None:
        found = memo[key] = _copied_dict(source, memo)  # type: ignore[index]
        memo.setdefault(id(memo), []).append(source)  # keep it alive, as copy.deepcopy does
        return found
    return dict(found)


_SHARED_COPY = object()


def _copied_dict(source: dict[Any, Any], memo: dict[int, Any]) -> dict[Any, Any]:
    """A deep copy of ``source``: immutable values shared, others deep-copied with ``memo``."""
    if not source:
        return {}
    result = dict(source)  # keys are hashable, so shared as they are
    for key, value in result.items():
        if type(value) not in _IMMUTABLE:
            result[key] = copy.deepcopy(value, memo)
    return result


def create_trial(
    *,
    state: TrialState = TrialState.COMPLETE,
    value: float | None = None,
    values: Sequence[float] | None = None,
    params: dict[str, Any] | None = None,
    distributions: dict[str, BaseDistribution] | None = None,
    user_attrs: dict[str, Any] | None = None,
    system_attrs: dict[str, Any] | None = None,
    intermediate_values: dict[int, float] | None = None,
    constraints: dict[str, float] | None = None,
) -> FrozenTrial:
    """Build a validated ``FrozenTrial``, e.g. to add past results with ``Study.add_trial``.

    Args:
        state: COMPLETE (default), PRUNED, FAIL or WAITING.
        value: The objective value of a single-objective trial.
        values: The objective values, one per objective (instead of ``value``).
        params: Parameter values by name.
        distributions: The distribution of each parameter in ``params``.
        user_attrs: User attributes.
        system_attrs: System attributes.
        intermediate_values: Reported values by step.
        constraints: Constraint values by name (feasible when all are ``<= 0``).

    Returns:
        The record, numbered when added to a study.

    Raises:
        ValueError: the trial is inconsistent (a COMPLETE trial without a value, params
            without distributions, a value outside its distribution, ...).

    Example:
        >>> import trimtab
        >>> from trimtab.distributions import FloatDistribution
        >>> study = trimtab.create_study()
        >>> study.add_trial(
        ...     trimtab.create_trial(
        ...         params={"x": 2.0},
        ...         distributions={"x": FloatDistribution(0, 10)},
        ...         value=4.0,
        ...     )
        ... )
        >>> study.best_value
        4.0
    """
    now = datetime.datetime.now()
    is_waiting = state == TrialState.WAITING
    trial = FrozenTrial(
        number=-1,
        trial_id=-1,
        state=state,
        value=value,
        values=values,
        datetime_start=None if is_waiting else now,
        datetime_complete=now if state.is_finished() else None,
        params=dict(params or {}),
        distributions=dict(distributions or {}),
        user_attrs=dict(user_attrs or {}),
        system_attrs=dict(system_attrs or {}),
        intermediate_values=dict(intermediate_values or {}),
    )
    for key, constraint in (constraints or {}).items():
        trial.set_constraint(key, constraint)
    trial._validate()
    return trial

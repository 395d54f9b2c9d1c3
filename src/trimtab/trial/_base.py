"""The interface every trial offers to an objective function."""

from __future__ import annotations

import abc
import datetime
from collections.abc import Callable, Sequence
from typing import Any, overload

from trimtab import _warnings
from trimtab.distributions import (
    BaseDistribution,
    CategoricalChoiceType,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)

MAX_KEY_LENGTH = 512


def check_key(key: Any, what: str) -> str:
    """Return ``key`` if every storage can keep it as a name, else raise naming ``what``.

    Raises:
        TypeError: ``key`` is not a str.
        ValueError: ``key`` is longer than ``MAX_KEY_LENGTH`` (PostgreSQL and MySQL reject
            it), holds a NUL character (PostgreSQL rejects it) or a lone surrogate (not
            encodable as UTF-8, so no database or journal file can hold it).
    """
    if type(key) is str and len(key) <= MAX_KEY_LENGTH and key.isascii() and "\x00" not in key:
        return key  # the common case, checked cheaply
    if not isinstance(key, str):
        raise TypeError(f"{what} must be a str, got {key!r} of type {type(key).__name__}.")
    if len(key) > MAX_KEY_LENGTH:
        raise ValueError(
            f"{what} {key[:20]!r}... is {len(key)} characters long; storages cannot hold more "
            f"than {MAX_KEY_LENGTH} (the name columns of Optuna's RDB schema)."
        )
    if "\x00" in key:
        raise ValueError(f"{what} {key!r} contains a NUL character, which storages cannot hold.")
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(
            f"{what} {key!r} is not valid Unicode text (it holds a lone surrogate), which "
            "storages cannot hold."
        ) from None
    return key


def _check_name(name: Any) -> str:
    return check_key(name, "A parameter name")


def rewrapped(err: Exception, message: str) -> Exception:
    """``err``'s kind (ValueError or TypeError) with ``message``, for errors that add context."""
    try:
        return type(err)(message)
    except TypeError:  # a subclass with another signature (UnicodeError, ...)
        return (ValueError if isinstance(err, ValueError) else TypeError)(message)


def call_text(method: str, name: str, *args: Any, **kwargs: Any) -> str:
    """``suggest_float('lr', 0.1, 1.0, log=True)``: the call an error message points at."""
    shown = [repr(name), *(repr(a) for a in args)]
    shown += [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"{method}({', '.join(shown)})"


def _named(
    method: str, name: str, build: Callable[..., BaseDistribution], *args: Any, **kwargs: Any
) -> BaseDistribution:
    """Build a distribution; a ValueError/TypeError names the call (and so the parameter)."""
    try:
        return build(*args, **kwargs)
    except (ValueError, TypeError) as err:
        raise rewrapped(err, f"{call_text(method, name, *args, **kwargs)}: {err}") from None


def warn_if_outside(name: str, value: Any, distribution: BaseDistribution) -> None:
    """Warn that a given (fixed or recorded) value lies outside ``distribution``."""
    if not distribution._contains(distribution.to_internal_repr(value)):
        _warnings.warn(
            f"The value {value} of the parameter '{name}' is out of the range of the "
            f"distribution {distribution}."
        )


class BaseTrial(abc.ABC):
    """What an objective can ask of a trial: ``suggest_*``, ``report``, attributes.

    Subclasses implement ``_suggest``; the typed ``suggest_*`` methods build and validate the
    distribution and delegate to it.
    """

    __slots__ = ()

    @abc.abstractmethod
    def _suggest(self, name: str, distribution: BaseDistribution) -> Any:
        """Return the value of ``name`` drawn from (or already fixed in) ``distribution``."""

    def suggest_float(
        self, name: str, low: float, high: float, *, step: float | None = None, log: bool = False
    ) -> float:
        """Suggest a float in ``[low, high]``, on a grid of ``step`` or log-scaled."""
        name = _check_name(name)
        distribution = _named(
            "suggest_float", name, FloatDistribution, low, high, step=step, log=log
        )
        return float(self._suggest(name, distribution))

    def suggest_uniform(self, name: str, low: float, high: float) -> float:
        """Deprecated: use ``suggest_float(name, low, high)``."""
        _warnings.warn_deprecated("suggest_uniform", "3.0.0", "6.0.0", "suggest_float")
        return self.suggest_float(name, low, high)

    def suggest_loguniform(self, name: str, low: float, high: float) -> float:
        """Deprecated: use ``suggest_float(name, low, high, log=True)``."""
        _warnings.warn_deprecated(
            "suggest_loguniform", "3.0.0", "6.0.0", "suggest_float(..., log=True)"
        )
        return self.suggest_float(name, low, high, log=True)

    def suggest_discrete_uniform(self, name: str, low: float, high: float, q: float) -> float:
        """Deprecated: use ``suggest_float(name, low, high, step=q)``."""
        _warnings.warn_deprecated(
            "suggest_discrete_uniform", "3.0.0", "6.0.0", "suggest_float(..., step=...)"
        )
        return self.suggest_float(name, low, high, step=q)

    def suggest_int(
        self, name: str, low: int, high: int, *, step: int = 1, log: bool = False
    ) -> int:
        """Suggest an integer in ``[low, high]`` on a grid of ``step``, or log-scaled."""
        name = _check_name(name)
        distribution = _named("suggest_int", name, IntDistribution, low, high, step=step, log=log)
        return int(self._suggest(name, distribution))

    @overload
    def suggest_categorical(self, name: str, choices: Sequence[None]) -> None: ...
    @overload
    def suggest_categorical(self, name: str, choices: Sequence[bool]) -> bool: ...
    @overload
    def suggest_categorical(self, name: str, choices: Sequence[int]) -> int: ...
    @overload
    def suggest_categorical(self, name: str, choices: Sequence[float]) -> float: ...
    @overload
    def suggest_categorical(self, name: str, choices: Sequence[str]) -> str: ...
    @overload
    def suggest_categorical(
        self, name: str, choices: Sequence[CategoricalChoiceType]
    ) -> CategoricalChoiceType: ...

    def suggest_categorical(
        self, name: str, choices: Sequence[CategoricalChoiceType]
    ) -> CategoricalChoiceType:
        """Suggest one of ``choices`` (None, bool, int, float or str values)."""
        name = _check_name(name)
        distribution = _named("suggest_categorical", name, CategoricalDistribution, choices)
        return self._suggest(name, distribution)

    @abc.abstractmethod
    def report(self, value: float, step: int) -> None:
        """Report an intermediate objective value at ``step``."""

    @abc.abstractmethod
    def should_prune(self) -> bool:
        """Return True when the study's pruner decides to stop this trial."""

    @abc.abstractmethod
    def set_user_attr(self, key: str, value: Any) -> None:
        """Attach a JSON-serialisable value to the trial."""

    @abc.abstractmethod
    def set_constraint(self, key: str, value: float) -> None:
        """Record a constraint value; the trial is feasible when every one is ``<= 0``."""

    @property
    @abc.abstractmethod
    def constraints(self) -> dict[str, float]:
        """The constraint values recorded so far, by name."""

    @property
    @abc.abstractmethod
    def params(self) -> dict[str, Any]:
        """The parameters suggested so far, by name."""

    @property
    @abc.abstractmethod
    def distributions(self) -> dict[str, BaseDistribution]:
        """The distribution of each suggested parameter."""

    @property
    @abc.abstractmethod
    def user_attrs(self) -> dict[str, Any]:
        """The user attributes set so far."""

    @property
    @abc.abstractmethod
    def datetime_start(self) -> datetime.datetime | None:
        """When the trial started."""

    @property
    @abc.abstractmethod
    def number(self) -> int:
        """The trial's number, dense per study from 0."""

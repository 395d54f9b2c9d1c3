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
        """Suggest a float for the parameter ``name``.

        Args:
            name: The parameter's name, unique in the trial.
            low: The lower end of the range (inclusive).
            high: The upper end (inclusive; with ``step``, the last grid point at or below it).
            step: Only values ``low + k * step``; None for a continuous range.
            log: Sample on a log scale (``low`` must be positive; not with ``step``).

        Returns:
            The value: fixed for this trial, enqueued, or chosen by the study's sampler.

        Raises:
            ValueError: an invalid range (``low > high``, ``log`` with ``low <= 0`` or with
                ``step``, a non-positive ``step``), or ``name`` already suggested with
                another distribution; the message names the call.
            TypeError: ``name`` is not a str.

        Example:
            >>> import trimtab
            >>> def objective(trial):
            ...     lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
            ...     dropout = trial.suggest_float("dropout", 0.0, 0.5, step=0.1)
            ...     return lr * dropout
            >>> trimtab.create_study().optimize(objective, n_trials=3)
        """
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
        """Suggest an integer for the parameter ``name``.

        Args:
            name: The parameter's name, unique in the trial.
            low: The lower end of the range (inclusive).
            high: The upper end (inclusive; with ``step``, the last grid point at or below it).
            step: Only values ``low + k * step``.
            log: Sample on a log scale (``low`` must be at least 1; ``step`` must be 1).

        Returns:
            The value: fixed for this trial, enqueued, or chosen by the study's sampler.

        Raises:
            ValueError: an invalid range or step, or ``name`` already suggested with another
                distribution; the message names the call.
            TypeError: ``name`` is not a str.

        Example:
            >>> import trimtab
            >>> study = trimtab.create_study()
            >>> study.optimize(lambda t: t.suggest_int("layers", 1, 8), n_trials=3)
            >>> 1 <= study.best_params["layers"] <= 8
            True
        """
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
        """Suggest one of ``choices`` for the parameter ``name``.

        Args:
            name: The parameter's name, unique in the trial.
            choices: The candidates: None, bool, int, float or str values (store other
                objects by index or name and look them up in the objective).

        Returns:
            One of ``choices``.

        Raises:
            ValueError: ``choices`` is empty, or ``name`` was already suggested with other
                choices; the message names the call.
            TypeError: a choice is of another type, or ``name`` is not a str.

        Example:
            >>> import trimtab
            >>> losses = {"adam": 0.1, "sgd": 0.2}
            >>> study = trimtab.create_study()
            >>> study.optimize(
            ...     lambda t: losses[t.suggest_categorical("opt", ["adam", "sgd"])], n_trials=3
            ... )
        """
        name = _check_name(name)
        distribution = _named("suggest_categorical", name, CategoricalDistribution, choices)
        return self._suggest(name, distribution)

    @abc.abstractmethod
    def report(self, value: float, step: int) -> None:
        """Report an intermediate objective value at ``step`` (for the pruner and plots).

        Args:
            value: The objective's value so far.
            step: The step (epoch, iteration), a non-negative int.
        """

    @abc.abstractmethod
    def should_prune(self) -> bool:
        """Ask the study's pruner whether to stop this trial now.

        Returns:
            True when the objective should stop, usually by ``raise trimtab.TrialPruned()``.
        """

    @abc.abstractmethod
    def set_user_attr(self, key: str, value: Any) -> None:
        """Attach a JSON-serialisable value to the trial.

        Args:
            key: The attribute's name.
            value: Any JSON-serialisable value.
        """

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

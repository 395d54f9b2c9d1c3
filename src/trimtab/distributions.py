"""Search-space types: where a parameter's values may lie.

Every distribution converts between the *external* value a user sees (``0.01``, ``"adam"``) and
the *internal* float that storages keep (for a categorical, the index of the choice). The JSON
form is Optuna's, byte for byte, so databases and journals are interchangeable.
"""

from __future__ import annotations

import abc
import decimal
import fractions
import json
import math
import numbers
import warnings
from collections.abc import Callable, Sequence
from typing import Any, Union

from trimtab import _warnings

CategoricalChoiceType = Union[None, bool, int, float, str]

_CHOICE_TYPES = (type(None), bool, int, float, str)


def _as_float(value: Any, what: str) -> float:
    kind = type(value)
    if kind is float or kind is int:
        if value != value:
            raise ValueError(f"{what} must not be NaN.")
        return float(value)
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, decimal.Decimal)):
        raise TypeError(
            f"{what} must be a real number, got {value!r} of type {type(value).__name__}."
        )
    result = float(value)
    if math.isnan(result):
        raise ValueError(f"{what} must not be NaN.")
    return result


def _as_int(value: Any, what: str) -> int:
    if type(value) is int:
        return value
    if isinstance(value, bool):
        raise TypeError(f"{what} must be an integer, got a bool ({value!r}).")
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, (numbers.Real, decimal.Decimal)):
        as_float = float(value)
        if math.isfinite(as_float) and as_float == int(as_float):
            return int(as_float)
    raise TypeError(f"{what} must be an integer, got {value!r} of type {type(value).__name__}.")


class BaseDistribution(abc.ABC):
    """A parameter's domain, with conversion between external and internal values."""

    def to_external_repr(self, param_value_in_internal_repr: float) -> Any:
        """Convert an internal float to the value the objective sees."""
        return param_value_in_internal_repr

    @abc.abstractmethod
    def to_internal_repr(self, param_value_in_external_repr: Any) -> float:
        """Convert a value the objective sees to the float that storages keep."""

    @abc.abstractmethod
    def single(self) -> bool:
        """Return True when the domain holds exactly one value."""

    @abc.abstractmethod
    def _contains(self, param_value_in_internal_repr: float) -> bool:
        """Return True when the internal value lies in the domain."""

    def _asdict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BaseDistribution) or type(self) is not type(other):
            return NotImplemented
        return self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash((self.__class__,) + tuple(sorted(self.__dict__.items())))

    def __repr__(self) -> str:
        kwargs = ", ".join(f"{k}={v!r}" for k, v in sorted(self._asdict().items()))
        return f"{self.__class__.__name__}({kwargs})"


def _exact(value: float) -> fractions.Fraction:
    """The decimal a float was written as (``0.1``, not its binary expansion), exactly."""
    return fractions.Fraction(repr(value))


def _adjusted_high(low: float, high: float, step: float) -> float:
    """Lower ``high`` onto the grid ``low + k * step``, warning as Optuna does when it moves.

    The grid is computed on the decimals the user wrote, in exact rational arithmetic (a
    fixed-precision decimal context loses ``low`` next to a much larger ``high``).

    Raises:
        ValueError: the range holds more steps than a float can count, or the lowered
            ``high`` does not lie on the grid once rounded to a float (it would move again on
            every load).
    """
    if not math.isfinite((high - low) / step):
        raise ValueError(
            f"`step`={step} is too small for the range [{low}, {high}]: the number of steps "
            "overflows a float."
        )
    remainder = (_exact(high) - _exact(low)) % _exact(step)
    if remainder == 0:
        return high
    adjusted = float(_exact(high) - remainder)
    if (_exact(adjusted) - _exact(low)) % _exact(step) != 0:
        raise ValueError(
            f"The range [{low}, {high}] is not divisible by `step`={step}, and the largest "
            f"grid point below `high` cannot be represented as a float: choose `low`, `high` "
            "and `step` so that `high - low` is a multiple of `step`."
        )
    _warnings.warn(
        f"The distribution is specified by [{low}, {high}] and step={step}, but the range is "
        f"not divisible by `step`. It will be replaced by [{low}, {adjusted}]."
    )
    return adjusted


class FloatDistribution(BaseDistribution):
    """Floats in ``[low, high]``, optionally log-scaled or on a grid of ``step``.

    Args:
        low: The lower end (inclusive).
        high: The upper end (inclusive); with ``step`` it is lowered onto the grid
            ``low + k * step`` (with a warning).
        log: Log-scaled (``low`` must be positive).
        step: The grid step, or None for a continuous range.

    Raises:
        ValueError: ``low > high``; ``log`` with ``low <= 0``; ``step`` with ``log``;
            ``step <= 0``; NaN bounds.

    Example:
        >>> from trimtab.distributions import FloatDistribution
        >>> FloatDistribution(0.0, 1.0, step=0.25).single()
        False
    """

    def __init__(
        self, low: float, high: float, log: bool = False, step: None | float = None
    ) -> None:
        low = _as_float(low, "`low`")
        high = _as_float(high, "`high`")
        if not (math.isfinite(low) and math.isfinite(high)):
            raise ValueError(f"`low` and `high` must be finite, but low={low}, high={high}.")
        if log and step is not None:
            raise ValueError("The parameter `step` is not supported when `log` is true.")
        if low > high:
            raise ValueError(f"`low <= high` must hold, but low={low} > high={high}.")
        if not math.isfinite(high - low):
            raise ValueError(
                f"The range [{low}, {high}] is too wide: `high - low` overflows a float."
            )
        if log and low <= 0.0:
            raise ValueError(f"`low > 0` must hold for a log distribution, but low={low}.")
        if step is not None:
            step = _as_float(step, "`step`")
            if step <= 0 or not math.isfinite(step):
                raise ValueError(f"`step` must be a positive finite number, but step={step}.")
            high = _adjusted_high(low, high, step)
        self.step = step
        self.low = low
        self.high = high
        self.log = bool(log)

    def single(self) -> bool:
        if self.step is None:
            return self.low == self.high
        if self.low == self.high:
            return True
        return _exact(self.high) - _exact(self.low) < _exact(self.step)

    def _contains(self, param_value_in_internal_repr: float) -> bool:
        value = param_value_in_internal_repr
        if self.step is None:
            return self.low <= value <= self.high
        k = (value - self.low) / self.step
        return self.low <= value <= self.high and abs(k - round(k)) < 1.0e-8

    def to_internal_repr(self, param_value_in_external_repr: float) -> float:
        return _as_float(param_value_in_external_repr, "A float parameter value")


class IntDistribution(BaseDistribution):
    """Integers in ``[low, high]`` on a grid of ``step``, optionally log-scaled (``step == 1``).

    Args:
        low: The lower end (inclusive).
        high: The upper end (inclusive); lowered onto the grid ``low + k * step``.
        log: Log-scaled (``low`` must be at least 1, ``step`` 1).
        step: The grid step.

    Raises:
        ValueError: ``low > high``; ``log`` with ``low < 1``; ``step != 1`` with ``log``;
            ``step <= 0``.
    """

    def __init__(self, low: int, high: int, log: bool = False, step: int = 1) -> None:
        low = _as_int(low, "`low`")
        high = _as_int(high, "`high`")
        step = _as_int(step, "`step`")
        if log and step != 1:
            raise ValueError(
                "Samplers and other components in trimtab only accept step is 1 when `log` "
                f"argument is True, but step={step}."
            )
        if low > high:
            raise ValueError(f"`low <= high` must hold, but low={low} > high={high}.")
        if log and low < 1:
            raise ValueError(f"`low >= 1` must hold for a log distribution, but low={low}.")
        if step <= 0:
            raise ValueError(f"`step` must be a positive integer, but step={step}.")
        if (high - low) % step != 0:
            adjusted = high - (high - low) % step
            _warnings.warn(
                f"The distribution is specified by [{low}, {high}] and step={step}, but the "
                f"range is not divisible by `step`. It will be replaced by [{low}, {adjusted}]."
            )
            high = adjusted
        self.log = bool(log)
        self.step = step
        self.low = low
        self.high = high

    def single(self) -> bool:
        return self.low == self.high or self.high - self.low < self.step

    def _contains(self, param_value_in_internal_repr: float) -> bool:
        value = param_value_in_internal_repr
        return self.low <= value <= self.high and (value - self.low) % self.step == 0

    def to_external_repr(self, param_value_in_internal_repr: float) -> int:
        return int(param_value_in_internal_repr)

    def to_internal_repr(self, param_value_in_external_repr: int) -> float:
        value = _as_float(param_value_in_external_repr, "An int parameter value")
        return value


def _check_choice(choice: Any) -> CategoricalChoiceType:
    if isinstance(choice, _CHOICE_TYPES):
        return choice
    if hasattr(choice, "item") and hasattr(choice, "dtype") and getattr(choice, "ndim", 1) == 0:
        return _check_choice(choice.item())  # numpy scalars
    raise TypeError(
        f"Categorical choices must be None, bool, int, float or str, but {choice!r} is of type "
        f"{type(choice).__name__}. Use string keys and map them to objects in your objective."
    )


def _same_choice(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


class CategoricalDistribution(BaseDistribution):
    """One of a fixed sequence of choices (``None``, ``bool``, ``int``, ``float`` or ``str``).

    The internal representation of a choice is its index in ``choices``.

    Args:
        choices: The candidates, in order.

    Raises:
        ValueError: no choices.
        TypeError: a choice of another type.

    Example:
        >>> from trimtab.distributions import CategoricalDistribution
        >>> CategoricalDistribution(["adam", "sgd"]).to_internal_repr("sgd")
        1.0
    """

    def __init__(self, choices: Sequence[CategoricalChoiceType]) -> None:
        if isinstance(choices, (str, bytes)) or not isinstance(choices, Sequence):
            raise TypeError(f"`choices` must be a sequence such as a list, got {choices!r}.")
        if len(choices) == 0:
            raise ValueError("The `choices` must contain one or more elements.")
        self.choices = tuple(_check_choice(c) for c in choices)

    def to_external_repr(self, param_value_in_internal_repr: float) -> CategoricalChoiceType:
        return self.choices[int(param_value_in_internal_repr)]

    def to_internal_repr(self, param_value_in_external_repr: CategoricalChoiceType) -> float:
        value = param_value_in_external_repr
        for index, choice in enumerate(self.choices):
            if _same_choice(choice, value):
                return float(index)
        for index, choice in enumerate(self.choices):
            if choice == value:
                return float(index)
        raise ValueError(f"'{value!r}' not in {self.choices}.")

    def single(self) -> bool:
        return len(self.choices) == 1

    def _contains(self, param_value_in_internal_repr: float) -> bool:
        index = int(param_value_in_internal_repr)
        return 0 <= index < len(self.choices)

    def _asdict(self) -> dict[str, Any]:
        return {"choices": list(self.choices)}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CategoricalDistribution):
            return NotImplemented
        return len(self.choices) == len(other.choices) and all(
            _same_choice(a, b) for a, b in zip(self.choices, other.choices)
        )

    def __hash__(self) -> int:
        return hash((self.__class__, tuple((type(c), c) for c in self.choices)))

    def __repr__(self) -> str:
        return f"CategoricalDistribution(choices={self.choices!r})"


class UniformDistribution(FloatDistribution):
    """Deprecated: use ``FloatDistribution(low, high)``."""

    def __init__(self, low: float, high: float) -> None:
        _warnings.warn_deprecated("UniformDistribution", "3.0.0", "6.0.0", "FloatDistribution")
        super().__init__(low=low, high=high, log=False, step=None)

    def _asdict(self) -> dict[str, Any]:
        return {"low": self.low, "high": self.high}


class LogUniformDistribution(FloatDistribution):
    """Deprecated: use ``FloatDistribution(low, high, log=True)``."""

    def __init__(self, low: float, high: float) -> None:
        _warnings.warn_deprecated("LogUniformDistribution", "3.0.0", "6.0.0", "FloatDistribution")
        super().__init__(low=low, high=high, log=True, step=None)

    def _asdict(self) -> dict[str, Any]:
        return {"low": self.low, "high": self.high}


class DiscreteUniformDistribution(FloatDistribution):
    """Deprecated: use ``FloatDistribution(low, high, step=q)``."""

    def __init__(self, low: float, high: float, q: float) -> None:
        _warnings.warn_deprecated(
            "DiscreteUniformDistribution", "3.0.0", "6.0.0", "FloatDistribution"
        )
        super().__init__(low=low, high=high, step=q)

    @property
    def q(self) -> float:
        """The grid step."""
        assert self.step is not None
        return self.step

    def _asdict(self) -> dict[str, Any]:
        return {"low": self.low, "high": self.high, "q": self.step}


class IntUniformDistribution(IntDistribution):
    """Deprecated: use ``IntDistribution(low, high, step=step)``."""

    def __init__(self, low: int, high: int, step: int = 1) -> None:
        _warnings.warn_deprecated("IntUniformDistribution", "3.0.0", "6.0.0", "IntDistribution")
        super().__init__(low=low, high=high, log=False, step=step)

    def _asdict(self) -> dict[str, Any]:
        return {"low": self.low, "high": self.high, "step": self.step}


class IntLogUniformDistribution(IntDistribution):
    """Deprecated: use ``IntDistribution(low, high, log=True)``."""

    def __init__(self, low: int, high: int, step: int = 1) -> None:
        _warnings.warn_deprecated("IntLogUniformDistribution", "3.0.0", "6.0.0", "IntDistribution")
        super().__init__(low=low, high=high, log=True, step=step)

    def _asdict(self) -> dict[str, Any]:
        return {"low": self.low, "high": self.high, "step": self.step}


_BY_NAME: dict[str, type[BaseDistribution]] = {
    cls.__name__: cls
    for cls in (
        FloatDistribution,
        IntDistribution,
        CategoricalDistribution,
        UniformDistribution,
        LogUniformDistribution,
        DiscreteUniformDistribution,
        IntUniformDistribution,
        IntLogUniformDistribution,
    )
}


def distribution_to_json(dist: BaseDistribution) -> str:
    """Serialise a distribution to Optuna's JSON form.

    Args:
        dist: The distribution.

    Returns:
        ``{"name": class name, "attributes": {...}}`` as JSON text.
    """
    # Storages write one per parameter of every trial, and a study has few distinct ones:
    # keep the text of each. The key is the attributes' repr: it tells 1 from 1.0 and True,
    # which are equal but print differently.
    key = (type(dist), repr(tuple(dist.__dict__.items())))
    text = _JSON_TEXTS.get(key)
    if text is None:
        text = json.dumps({"name": dist.__class__.__name__, "attributes": dist._asdict()})
        if len(_JSON_TEXTS) >= 1024:
            _JSON_TEXTS.clear()
        _JSON_TEXTS[key] = text
    return text


_JSON_TEXTS: dict[Any, str] = {}


def json_to_distribution(json_str: str) -> BaseDistribution:
    """Parse Optuna's JSON form of a distribution (current and deprecated class names).

    Args:
        json_str: Text written by :func:`distribution_to_json` (or by Optuna).

    Returns:
        The distribution.

    Raises:
        ValueError: the text is not JSON, or names an unknown distribution.
    """
    try:
        data = json.loads(json_str)
        name, attributes = data["name"], data["attributes"]
    except (ValueError, KeyError, TypeError) as err:
        raise ValueError(f"Not a distribution in JSON form: {json_str!r}.") from err
    cls = _BY_NAME.get(name)
    if cls is None:
        raise ValueError(f"Unknown distribution class: {name!r}.")
    if cls is CategoricalDistribution:
        return CategoricalDistribution(choices=attributes["choices"])
    if cls in (FloatDistribution, IntDistribution):
        return cls(**attributes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return cls(**attributes)


def _convert_old_distribution_to_new_distribution(
    distribution: BaseDistribution, suppress_warning: bool = False
) -> BaseDistribution:
    """Return a deprecated distribution (``UniformDistribution``, ...) as its current class.

    Optuna's name for it, imported by optuna-integration (``OptunaSearchCV`` rejects
    deprecated distributions by comparing one with its conversion). Current distributions
    are returned as they are.
    """
    kind = type(distribution)
    converted: BaseDistribution
    if kind in (FloatDistribution, IntDistribution):
        return distribution
    if isinstance(distribution, FloatDistribution):
        converted = FloatDistribution(
            distribution.low, distribution.high, log=distribution.log, step=distribution.step
        )
    elif isinstance(distribution, IntDistribution):
        converted = IntDistribution(
            distribution.low, distribution.high, log=distribution.log, step=distribution.step
        )
    else:
        return distribution
    if not suppress_warning:
        _warnings.warn(
            f"{kind.__name__} is deprecated; it is handled as {converted!r}.", FutureWarning
        )
    return converted


def _from_foreign_distribution(obj: Any) -> BaseDistribution:
    """Return ``obj`` as a trimtab distribution; ``obj`` may be one of Optuna's.

    Optuna's distribution objects (``optuna.distributions.FloatDistribution`` and the rest,
    deprecated classes included) are recognised by class name and module, without importing
    Optuna, and converted through their common JSON form.

    Raises:
        TypeError: ``obj`` is neither a trimtab nor an Optuna distribution.
    """
    if isinstance(obj, BaseDistribution):
        return obj
    kind = type(obj)
    if kind.__module__.split(".")[0] == "optuna" and kind.__name__ in _BY_NAME:
        return json_to_distribution(
            json.dumps({"name": kind.__name__, "attributes": obj._asdict()})
        )
    raise TypeError(
        f"{obj!r} ({kind.__module__}.{kind.__qualname__}) is neither a trimtab nor an Optuna "
        "distribution."
    )


MAX_EXACT_INT = 2**53
"""The largest magnitude an integer parameter may have: storages keep parameter values as
64-bit floats (Optuna's RDB schema and journal format), which hold every integer exactly only
up to ``2**53``."""

_STORABLE_CACHE_SIZE = 4096
_storable: dict[tuple[type, tuple[Any, ...]], None] = {}


def check_storable(distribution: BaseDistribution) -> None:
    """Raise ValueError unless ``distribution`` reads back unchanged from its stored form.

    Every storage keeps a distribution as its JSON text and a value as a float; a
    distribution that does not survive that (an int range beyond ``MAX_EXACT_INT``, a bound
    that moves when the JSON is parsed again) would be stored and then refuse to load.

    Raises:
        ValueError: describing what would not survive.
    """
    # Keyed by the attribute values (cheaper than the distribution's own hash); values that
    # compare equal (1 and True, 0.0 and -0.0) are stored alike, so sharing an entry is safe.
    key = (type(distribution), tuple(distribution.__dict__.values()))
    if key in _storable:
        return
    if isinstance(distribution, IntDistribution):
        for what, bound in (("low", distribution.low), ("high", distribution.high)):
            if abs(bound) > MAX_EXACT_INT:
                raise ValueError(
                    f"`{what}`={bound} is beyond what storages hold exactly: integer "
                    f"parameters must lie within [-2**53, 2**53] "
                    f"([-{MAX_EXACT_INT}, {MAX_EXACT_INT}])."
                )
    text = distribution_to_json(distribution)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            loaded = json_to_distribution(text)
    except (ValueError, TypeError) as err:
        raise ValueError(
            f"{distribution} would be stored as {text}, which does not load: {err}"
        ) from None
    if loaded != distribution or type(loaded) is not type(distribution):
        raise ValueError(f"{distribution} would be stored as {text}, which loads as {loaded}.")
    if len(_storable) >= _STORABLE_CACHE_SIZE:
        _storable.clear()
    _storable[key] = None


def storable_internal(distribution: BaseDistribution, value: Any) -> float:
    """Return the internal float that stores ``value``, checking that it reads back exactly.

    Raises:
        ValueError: ``value`` is not finite, or is an integer beyond ``MAX_EXACT_INT`` (it
            would read back as another number).
        TypeError: ``value`` is not of the distribution's kind.
    """
    internal = distribution.to_internal_repr(value)
    if not math.isfinite(internal):
        raise ValueError(f"The value {value!r} is not a finite number and cannot be stored.")
    exact = int(value) if isinstance(value, numbers.Integral) else internal
    if isinstance(distribution, IntDistribution) and abs(exact) > MAX_EXACT_INT:
        raise ValueError(
            f"The value {value!r} is beyond what storages hold exactly: integer parameters "
            f"must lie within [-2**53, 2**53] ([-{MAX_EXACT_INT}, {MAX_EXACT_INT}])."
        )
    return internal


def decode_stored_param(
    trial_id: int,
    name: str,
    distribution_json: str,
    value_internal: Any,
    parse: Callable[[str], BaseDistribution] = json_to_distribution,
) -> tuple[BaseDistribution, Any] | None:
    """Read one stored parameter, or warn and return None when its record is unreadable.

    Storages call this for every parameter they load, so one damaged record (written by an
    older version, or by hand) costs that parameter, never the whole study.

    Args:
        trial_id: the storage's id of the trial, named in the warning.
        name: the parameter's name.
        distribution_json: the stored distribution, in Optuna's JSON form.
        value_internal: the stored internal value.
        parse: how to parse ``distribution_json`` (storages pass a caching parser).

    Returns:
        The distribution and the external value, or None for an unreadable record.
    """
    try:
        distribution = parse(distribution_json)
        if value_internal is None:
            raise ValueError("the value is missing")
        return distribution, distribution.to_external_repr(value_internal)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as err:
        _warnings.warn(
            f"Skipped the parameter '{name}' of the trial with trial_id {trial_id}: its stored "
            "record cannot be read "
            f"(distribution {distribution_json!r}, value {value_internal!r}): {err}. The "
            "rest of the trial is loaded without it."
        )
        return None


def check_distribution_compatibility(
    dist_old: BaseDistribution, dist_new: BaseDistribution
) -> None:
    """Raise ValueError unless a parameter may move from ``dist_old`` to ``dist_new``.

    Numeric ranges may change between trials; the kind, the log flag and categorical choices
    may not.

    Args:
        dist_old: The parameter's distribution so far.
        dist_new: The one it is suggested with now.

    Raises:
        ValueError: the two are incompatible.
    """
    if type(dist_old) is type(dist_new) and not isinstance(dist_old, CategoricalDistribution):
        if dist_old.__dict__.get("log") == dist_new.__dict__.get("log"):
            return
    if _kind(dist_old) != _kind(dist_new):
        raise ValueError(
            f"Cannot set different distribution kind to the same parameter name: "
            f"{dist_old} and {dist_new}."
        )
    if isinstance(dist_old, (FloatDistribution, IntDistribution)):
        assert isinstance(dist_new, (FloatDistribution, IntDistribution))
        if dist_old.log != dist_new.log:
            raise ValueError(
                f"Cannot set different log configuration to the same parameter name: "
                f"{dist_old} and {dist_new}."
            )
    if isinstance(dist_old, CategoricalDistribution) and dist_old != dist_new:
        raise ValueError(
            CategoricalDistribution.__name__ + " does not support dynamic value space: "
            f"{dist_old} and {dist_new}."
        )


def _kind(dist: BaseDistribution) -> type:
    for kind in (FloatDistribution, IntDistribution, CategoricalDistribution):
        if isinstance(dist, kind):
            return kind
    return type(dist)


__all__ = [
    "BaseDistribution",
    "CategoricalChoiceType",
    "CategoricalDistribution",
    "DiscreteUniformDistribution",
    "FloatDistribution",
    "IntDistribution",
    "IntLogUniformDistribution",
    "IntUniformDistribution",
    "LogUniformDistribution",
    "UniformDistribution",
    "check_distribution_compatibility",
    "distribution_to_json",
    "json_to_distribution",
]

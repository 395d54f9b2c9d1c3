"""Helpers shared by the plot data functions: argument checks, targets, scales, feasibility."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from typing import Any

from trimtab._warnings import warn
from trimtab.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from trimtab.logging import get_logger
from trimtab.study import Study, StudyDirection
from trimtab.trial import FrozenTrial

_logger = get_logger("trimtab.visualization")
_encode_string = json.encoder.encode_basestring_ascii

Target = Callable[[FrozenTrial], float]
DEFAULT_TARGET_NAME = "Objective Value"
PADDING_RATIO = 0.05


def as_study_list(study: Study | Sequence[Study]) -> list[Study]:
    """Return ``study`` as a list of studies (one study or a sequence of them).

    One study is anything that reads like one (a ``Study``, or a read-only study view such as
    the dashboard's), so it is recognised by ``get_trials`` rather than by its class.
    """
    return [study] if hasattr(study, "get_trials") else list(study)  # type: ignore[list-item]


def check_plot_args(
    study: Study | Sequence[Study], target: Target | None, target_name: str
) -> None:
    """Raise for a multi-objective study without ``target``; warn on a default ``target_name``."""
    studies = as_study_list(study)
    if target is None and any(len(s.directions) > 1 for s in studies):
        raise ValueError(
            "If the `study` is being used for multi-objective optimization, "
            "please specify the `target`."
        )
    if target is not None and target_name == DEFAULT_TARGET_NAME:
        warn("`target` is specified, but `target_name` is the default value, 'Objective Value'.")


def resolve_target(target: Target | None) -> Target:
    """Return ``target``, or a function reading the single objective value."""
    if target is not None:
        return target
    return lambda t: t.value  # type: ignore[return-value]


def filter_nonfinite(
    trials: Sequence[FrozenTrial], target: Target | None = None, with_message: bool = True
) -> tuple[list[FrozenTrial], list[float]]:
    """Return the trials whose target value is finite, and those values.

    A trial whose value is inf or nan is dropped with a log line (as Optuna does); a value
    that cannot be cast to float raises after a warning naming the trial.
    """
    get = resolve_target(target)
    kept: list[FrozenTrial] = []
    values: list[float] = []
    for trial in trials:
        raw = get(trial)
        try:
            value = float(raw)
        except (ValueError, TypeError):
            warn(f"Trial{trial.number}'s target value {raw!r} could not be cast to float.")
            raise
        if math.isfinite(value):
            kept.append(trial)
            values.append(value)
        elif with_message:
            _logger.warning(
                f"Trial {trial.number} is omitted in visualization because its objective "
                "value is inf or nan."
            )
    return kept, values


def is_log_scale(trials: Sequence[FrozenTrial], param: str) -> bool:
    """Whether ``param`` is on a log scale (decided by the first trial that has it)."""
    for trial in trials:
        dist = trial.distributions.get(param)
        if dist is not None:
            return isinstance(dist, (FloatDistribution, IntDistribution)) and dist.log
    return False


def is_numerical(trials: Sequence[FrozenTrial], param: str) -> bool:
    """Whether ``param`` takes numbers: numeric distributions, or categorical of numbers."""
    for trial in trials:
        dist = trial.distributions.get(param)
        if dist is None:
            continue
        if isinstance(dist, CategoricalDistribution):
            return all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in dist.choices
            )
        return True
    return True


def is_feasible(trial: FrozenTrial) -> bool:
    """Whether every constraint of ``trial`` is satisfied (no constraints: feasible)."""
    return all(v <= 0.0 for v in trial.constraints.values())


def is_reverse_scale(study: Study, target: Target | None) -> bool:
    """Whether a colour scale runs from high to low (a custom target, or minimisation)."""
    return target is not None or study.direction == StudyDirection.MINIMIZE


def padded_range(low: float, high: float, log: bool) -> tuple[float, float]:
    """Return ``(low, high)`` widened by 5 % of its span on each side (in log10 if ``log``)."""
    if log:
        pad = (math.log10(high) - math.log10(low)) * PADDING_RATIO
        return 10 ** (math.log10(low) - pad), 10 ** (math.log10(high) + pad)
    pad = (high - low) * PADDING_RATIO
    return low - pad, high + pad


def _json_compatible(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except TypeError:
        return str(value)


def _scalar(value: Any) -> str:
    """``json.dumps(value)`` for the common scalars, without the encoder's call overhead."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str):
        return _encode_string(value)
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        if math.isfinite(value):
            return float.__repr__(value)
        return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
    return json.dumps(value)


def _indented(value: Any, pad: str) -> str:
    """``json.dumps(value, indent=2)`` nested at ``pad``, with lines joined by ``<br>``.

    (``json.dumps`` with ``indent`` falls back to its pure-Python encoder, which made
    hover texts the slowest part of big timeline and Pareto plots.)
    """
    inner = pad + "  "
    if isinstance(value, dict) and value:
        items = [
            f"{inner}{_encode_string(str(k))}: {_indented(v, inner)}" for k, v in value.items()
        ]
        return "{<br>" + ",<br>".join(items) + f"<br>{pad}}}"
    if isinstance(value, (list, tuple)) and value:
        items = [inner + _indented(v, inner) for v in value]
        return "[<br>" + ",<br>".join(items) + f"<br>{pad}]"
    return _scalar(value)


def make_hovertext(trial: FrozenTrial) -> str:
    """Return a trial's number, values, params and user attrs as HTML-broken JSON."""
    attrs = {k: _json_compatible(v) for k, v in trial.user_attrs.items()}
    record: dict[str, Any] = {"number": trial.number, "values": trial.values}
    record["params"] = trial.params
    if attrs:
        record["user_attrs"] = attrs
    return _indented(record, "")

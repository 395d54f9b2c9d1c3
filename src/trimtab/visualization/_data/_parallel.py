"""Data of the parallel-coordinate plot: one polyline per trial across objective and params."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from trimtab._multi_objective import nondomination_ranks, trial_losses
from trimtab.distributions import CategoricalDistribution
from trimtab.study import Study
from trimtab.trial import FrozenTrial, TrialState
from trimtab.visualization._data._common import (
    DEFAULT_TARGET_NAME,
    Target,
    _logger,
    check_plot_args,
    filter_nonfinite,
    is_log_scale,
    is_numerical,
    is_reverse_scale,
)

MISSING_LABEL = "None"
_MISSING = object()


class DimensionInfo(NamedTuple):
    """One vertical axis. ``values[i]`` is trial i's position on it (log10 on a log axis,
    a category index on a categorical one, a value below ``range`` for a missing param);
    ``tickvals``/``ticktext`` label it (empty: five evenly spaced ticks)."""

    label: str
    values: tuple[float, ...]
    range: tuple[float, float]
    is_log: bool
    is_cat: bool
    tickvals: list[int | float]
    ticktext: list[str]
    has_missing: bool = False


class ParallelCoordinateInfo(NamedTuple):
    """The axes of :func:`plot_parallel_coordinate` and how lines are coloured and drawn.

    ``color_values[i]`` colours trial i (its value, or its Pareto rank when
    ``is_rank_color``); lines are drawn in ``draw_order``; ``feasibility`` is None when no
    trial has constraints (infeasible lines are dotted).
    """

    dims_objectives: list[DimensionInfo]
    dims_params: list[DimensionInfo]
    reverse_scale: bool
    colorbar_title: str
    color_values: tuple[float, ...] = ()
    is_rank_color: bool = False
    draw_order: tuple[int, ...] = ()
    feasibility: tuple[bool, ...] | None = None


def truncate_label(label: str) -> str:
    """Shorten labels of 20 characters or more to 17 plus an ellipsis."""
    return label if len(label) < 20 else f"{label[:17]}..."


def missing_position(low: float, high: float) -> float:
    """Where missing values sit: 12 % of the axis below ``low`` (1 below for a flat axis)."""
    return low - 1.0 if low == high else low - (high - low) * 0.12 / 0.88


def normalize_dimension(dim: DimensionInfo) -> np.ndarray:
    """Map a dimension's values to [0, 1] over its range (0.5 everywhere on a flat axis)."""
    low, high = dim.range
    values = np.asarray(dim.values, dtype=float)
    if low == high:
        return np.full(values.size, 0.5)
    return (values - low) / (high - low)


def _numerical_dimension(label: str, values: list[float]) -> DimensionInfo:
    value_range = (min(values), max(values)) if values else (0, 0)
    return DimensionInfo(label, tuple(values), value_range, False, False, [], [])


def _log_dimension(name: str, values: list[Any], has_missing: bool) -> DimensionInfo:
    logs = [math.log10(v) for v in values if v is not _MISSING]
    low, high = min(logs), max(logs)
    ticks: list[int | float] = list(range(math.ceil(low), math.floor(high) + 1))
    if low not in ticks:
        ticks = [low, *ticks]
    if high not in ticks:
        ticks = [*ticks, high]
    miss = missing_position(low, high) if has_missing else None
    positions = tuple(float(miss) if v is _MISSING else math.log10(v) for v in values)  # type: ignore[arg-type]
    text = [f"{10**x:.3g}" for x in ticks]
    if miss is not None:
        ticks.insert(0, miss)
        text.insert(0, MISSING_LABEL)
    lower = miss if miss is not None else low
    return DimensionInfo(
        truncate_label(name), positions, (lower, high), True, False, ticks, text, has_missing
    )  # type: ignore[arg-type]


def _categorical_dimension(
    name: str, values: list[Any], has_missing: bool, numeric: bool
) -> DimensionInfo:
    valid = [v for v in values if v is not _MISSING]
    vocab: dict[Any, int] = {}
    for v in sorted(valid) if numeric else valid:
        vocab.setdefault(v, len(vocab))
    text = [str(v) for v in vocab]
    offset = 1 if has_missing else 0
    positions = tuple(0 if v is _MISSING else vocab[v] + offset for v in values)
    if has_missing:
        text = [MISSING_LABEL] + [f"{t} (value)" if t == MISSING_LABEL else t for t in text]
    ticks: list[int | float] = list(range(len(vocab) + offset))
    return DimensionInfo(
        truncate_label(name),
        positions,
        (min(positions), max(positions)),
        False,
        True,
        ticks,
        text,
        has_missing,
    )


def _linear_dimension(name: str, values: list[Any], has_missing: bool) -> DimensionInfo:
    valid = [float(v) for v in values if v is not _MISSING]
    low, high = min(valid), max(valid)
    miss = missing_position(low, high) if has_missing else None
    positions = tuple(float(miss) if v is _MISSING else float(v) for v in values)  # type: ignore[arg-type]
    if miss is None:
        return DimensionInfo(
            truncate_label(name), positions, (low, high), False, False, [], [], False
        )  # type: ignore[arg-type]
    ticks = [low] if low == high else [float(v) for v in np.linspace(low, high, num=5)]
    return DimensionInfo(
        truncate_label(name),
        positions,  # type: ignore[arg-type]
        (miss, high),
        False,
        False,
        [miss, *ticks],
        [MISSING_LABEL] + [f"{v:.3g}" for v in ticks],
        True,
    )


def _param_dimension(trials: list[FrozenTrial], name: str) -> tuple[DimensionInfo, bool]:
    """Return the dimension of ``name`` and whether it is a numeric categorical one."""
    values = [t.params.get(name, _MISSING) for t in trials]
    has_missing = any(v is _MISSING for v in values)
    categorical = any(
        isinstance(t.distributions[name], CategoricalDistribution)
        for t in trials
        if name in t.distributions
    )
    if is_log_scale(trials, name):
        return _log_dimension(name, values, has_missing), False
    if categorical:
        numeric = is_numerical(trials, name)
        return _categorical_dimension(name, values, has_missing, numeric), numeric
    return _linear_dimension(name, values, has_missing), False


def _feasibility(trials: list[FrozenTrial]) -> tuple[bool, ...] | None:
    constraints = [t.constraints for t in trials]
    if not any(constraints):
        return None
    return tuple(bool(c) and all(v <= 0.0 for v in c.values()) for c in constraints)


def _objective_dims(
    study: Study, trials: list[FrozenTrial], target: Target | None, target_name: str
) -> tuple[list[DimensionInfo], tuple[float, ...], tuple[int, ...], str, bool]:
    if target is None and len(study.directions) > 1:
        labels = study.metric_names or [f"Objective {i}" for i in range(len(study.directions))]
        dims = [
            _numerical_dimension(label, [float(t.values[i]) for t in trials])  # type: ignore[index]
            for i, label in enumerate(labels)
        ]
        ranks = nondomination_ranks(trial_losses(trials, study.directions))
        order = tuple(np.argsort(ranks)[::-1].tolist())
        return dims, tuple(float(r) for r in ranks), order, "Pareto Rank", True
    _, values = filter_nonfinite(trials, target, with_message=False)
    dims = [_numerical_dimension(target_name, values)]
    reverse = is_reverse_scale(study, target)
    return dims, tuple(values), tuple(range(len(trials))), target_name, reverse


def _complete_trials(study: Study, target: Target | None) -> list[FrozenTrial]:
    trials = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if target is None and len(study.directions) > 1:
        n = len(study.directions)
        return [
            t for t in trials
            if t.values is not None and len(t.values) == n and all(map(math.isfinite, t.values))
        ]  # fmt: skip
    return filter_nonfinite(trials, target)[0]


def parallel_coordinate_data(
    study: Study,
    params: list[str] | None = None,
    target: Target | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> ParallelCoordinateInfo:
    """Compute the axes of :func:`plot_parallel_coordinate`.

    A multi-objective study without ``target`` gets one axis per objective and lines
    coloured by Pareto rank; otherwise one objective axis coloured by value.
    """
    if target is not None or not len(study.directions) > 1:
        check_plot_args(study, target, target_name)
    trials = _complete_trials(study, target)
    all_params = {name for t in trials for name in t.params}
    if params is not None:
        for name in params:
            if name not in all_params:
                raise ValueError(f"Parameter {name} does not exist in your study.")
        all_params = set(params)
    dims_obj, colors, order, title, reverse = _objective_dims(study, trials, target, target_name)
    is_rank = target is None and len(study.directions) > 1
    if not dims_obj:
        dims_obj = [_numerical_dimension(target_name, [])]
    if not trials:
        _logger.warning("Your study does not have any completed trials.")
        return ParallelCoordinateInfo(dims_obj, [], reverse, title, colors, is_rank, order)
    built = [_param_dimension(trials, name) for name in sorted(all_params)]
    dims = [dim for dim, _ in built]
    numeric_cats = [dim.values for dim, numeric in built if numeric]
    feasibility = _feasibility(trials)
    if numeric_cats:
        # Sort lines by the numeric categorical axes, as Optuna does.
        idx = np.lexsort(numeric_cats[::-1])
        dims_obj = [_reorder(d, idx) for d in dims_obj]
        dims = [_reorder(d, idx) for d in dims]
        colors = tuple(np.asarray(colors)[idx].tolist())
        if feasibility is not None:
            feasibility = tuple(bool(v) for v in np.asarray(feasibility)[idx])
        if is_rank:
            order = tuple(sorted(range(len(trials)), key=colors.__getitem__, reverse=True))
    return ParallelCoordinateInfo(
        dims_obj, dims, reverse, title, colors, is_rank, order, feasibility
    )


def _reorder(dim: DimensionInfo, idx: np.ndarray) -> DimensionInfo:
    return dim._replace(values=tuple(np.asarray(dim.values)[idx].tolist()))


def color_range(values: Sequence[float], is_rank_color: bool) -> tuple[float, float]:
    """The colour scale's ends: ranks get half a rank of margin, a flat scale gets 0.5."""
    if is_rank_color:
        return -0.5, max(values) + 0.5
    low, high = min(values), max(values)
    return (low - 0.5, high + 0.5) if low == high else (low, high)


def axis_ticks(dim: DimensionInfo) -> tuple[list[float], list[str]]:
    """Return an axis' tick positions (in its own units) and their labels."""
    if dim.tickvals:
        text = dim.ticktext or [f"{v:.3g}" for v in dim.tickvals]
        return [float(v) for v in dim.tickvals], text
    if dim.range[0] == dim.range[1]:
        return [float(dim.range[0])], [f"{dim.range[0]:.3g}"]
    ticks = [float(v) for v in np.linspace(*dim.range, num=5)]
    return ticks, [f"{v:.3g}" for v in ticks]

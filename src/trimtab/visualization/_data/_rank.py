"""Data of the rank plot: trials placed by two parameters, coloured by their value's rank."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from trimtab.study import Study
from trimtab.trial import FrozenTrial, TrialState
from trimtab.visualization._data._common import (
    DEFAULT_TARGET_NAME,
    Target,
    _logger,
    check_plot_args,
    is_feasible,
    is_log_scale,
    is_numerical,
    padded_range,
    resolve_target,
)

RANK_COLORMAP = "RdYlBu_r"
INFEASIBLE_RGB = (204, 204, 204)


class RankAxisInfo(NamedTuple):
    """An axis: its padded ``range`` (category positions on a categorical axis) and scale."""

    name: str
    range: tuple[float, float]
    is_log: bool
    is_cat: bool


class RankSubplotInfo(NamedTuple):
    """The trials that have both parameters: positions ``xs``/``ys`` (raw values), target
    values ``zs``, ``colors`` (n, 3) RGB in 0..255 (grey for infeasible trials), the colour
    scale positions ``color_idxs`` in [0, 1], ``feasible`` flags and ``indices``, the
    positions of these trials among the plot's complete trials."""

    xaxis: RankAxisInfo
    yaxis: RankAxisInfo
    xs: list[Any]
    ys: list[Any]
    trials: list[FrozenTrial]
    zs: np.ndarray
    colors: np.ndarray
    color_idxs: np.ndarray
    feasible: np.ndarray
    indices: np.ndarray


class RankPlotInfo(NamedTuple):
    """The subplots of :func:`plot_rank` (``[[sub(x=p0, y=p1)]]`` for two parameters, else
    ``sub_plot_infos[y][x]``), every trial's value ``zs``, colour ``colors`` and colour-scale
    position ``color_idxs`` (its value's rank scaled to [0, 1])."""

    params: list[str]
    sub_plot_infos: list[list[RankSubplotInfo]]
    target_name: str
    zs: np.ndarray
    colors: np.ndarray
    has_custom_target: bool
    color_idxs: np.ndarray


def _axis_info(trials: list[FrozenTrial], name: str) -> RankAxisInfo:
    present = [t.params[name] for t in trials if name in t.params]
    if is_log_scale(trials, name):
        low, high = padded_range(float(min(present)), float(max(present)), log=True)
        return RankAxisInfo(name, (low, high), True, False)
    if is_numerical(trials, name):
        low, high = padded_range(float(min(present)), float(max(present)), log=False)
        return RankAxisInfo(name, (low, high), False, False)
    span = len({str(v) for v in present}) - 1
    return RankAxisInfo(name, (-span * 0.05, span + span * 0.05), False, True)


def average_ranks(values: np.ndarray) -> np.ndarray:
    """Return each value's 0-based rank, ties sharing the mean of their ranks."""
    ordered = np.sort(values)
    first = np.searchsorted(ordered, values, side="left")
    last = np.searchsorted(ordered, values, side="right") - 1
    return (first + last) / 2.0


def rank_colors(color_idxs: np.ndarray) -> np.ndarray:
    """Map positions in [0, 1] to (n, 3) integer RGB on the ``RdYlBu_r`` colour scale."""
    from trimtab.visualization._data._colors import sample_rdylbu_r

    return sample_rdylbu_r(color_idxs)


Columns = dict[str, tuple[np.ndarray, np.ndarray]]


def _columns(trials: list[FrozenTrial], names: list[str]) -> Columns:
    """Per parameter: which trials have it, and its values (object array)."""
    columns: Columns = {}
    for name in names:
        values = np.empty(len(trials), dtype=object)
        values[:] = [t.params.get(name) for t in trials]
        present = np.array([name in t.params for t in trials], dtype=bool)
        columns[name] = (present, values)
    return columns


def _subplot(
    trial_array: np.ndarray,
    per_trial: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    axes: tuple[RankAxisInfo, RankAxisInfo],
    columns: Columns,
) -> RankSubplotInfo:
    zs, colors, color_idxs, feasible = per_trial
    xaxis, yaxis = axes
    (x_present, x_values), (y_present, y_values) = columns[xaxis.name], columns[yaxis.name]
    keep = np.flatnonzero(x_present & y_present)
    return RankSubplotInfo(
        xaxis,
        yaxis,
        x_values[keep].tolist(),
        y_values[keep].tolist(),
        trial_array[keep].tolist(),
        zs[keep],
        colors[keep],
        color_idxs[keep],
        feasible[keep],
        keep,
    )


def rank_data(
    study: Study,
    params: list[str] | None = None,
    target: Target | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> RankPlotInfo:
    """Compute the points of :func:`plot_rank` over complete trials."""
    check_plot_args(study, target, target_name)
    trials = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    all_params = {name for t in trials for name in t.params}
    if not trials:
        _logger.warning("Your study does not have any completed trials.")
        params = []
    elif params is None:
        params = sorted(all_params)
    else:
        for name in params:
            if name not in all_params:
                raise ValueError(f"Parameter {name} does not exist in your study.")
    if len(params) == 0:
        _logger.warning("params is an empty list.")
    get = resolve_target(target)
    zs = np.array([get(t) for t in trials], dtype=float)
    ranks = average_ranks(zs)
    color_idxs = ranks / (len(trials) - 1) if len(trials) >= 2 else np.array([0.5])
    colors = rank_colors(color_idxs)
    feasible = np.array([is_feasible(t) for t in trials], dtype=bool)
    colors[np.flatnonzero(~feasible)] = INFEASIBLE_RGB
    per_trial = (zs, colors, color_idxs, feasible)
    axes = {name: _axis_info(trials, name) for name in params}
    columns = _columns(trials, list(params))
    trial_array = np.empty(len(trials), dtype=object)
    trial_array[:] = trials

    def sub(x: str, y: str) -> RankSubplotInfo:
        return _subplot(trial_array, per_trial, (axes[x], axes[y]), columns)

    if len(params) == 2:
        grid = [[sub(params[0], params[1])]]
    else:
        grid = [[sub(x, y) for x in params] for y in params]
    return RankPlotInfo(list(params), grid, target_name, zs, colors, target is not None, color_idxs)

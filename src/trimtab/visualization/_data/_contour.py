"""Data of the contour plot: for each pair of parameters, the best value on a grid."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from trimtab._warnings import warn
from trimtab.study import Study, StudyDirection
from trimtab.trial import FrozenTrial, TrialState
from trimtab.visualization._data._common import (
    DEFAULT_TARGET_NAME,
    Target,
    _logger,
    check_plot_args,
    filter_nonfinite,
    is_feasible,
    is_log_scale,
    is_numerical,
    is_reverse_scale,
    padded_range,
)

# A numeric axis with more distinct values than this is snapped to this many evenly spaced
# grid values (log-spaced on a log axis): the grid stays small however many trials there are.
MAX_GRID_VALUES = 100


class ContourAxisInfo(NamedTuple):
    """One axis of a contour subplot.

    ``values[i]`` is trial i's value (None when the trial lacks the parameter; the value's
    ``str`` on a categorical axis). ``indices`` are the grid coordinates: sorted distinct
    values (or evenly spaced ones when there are too many), plus the padded ``range`` ends on
    numeric axes. ``cell[i]`` is the position of trial i in ``indices`` (-1 when missing) and
    ``positions[i]`` its coordinate as a float (the category's index on a categorical axis,
    nan when missing).
    """

    name: str
    range: tuple[float, float]
    is_log: bool
    is_cat: bool
    indices: list[str | float]
    values: list[str | float | None]
    cell: np.ndarray
    positions: np.ndarray


class SubContourInfo(NamedTuple):
    """One subplot: ``z[j, i]`` is the best target value at (``xaxis.indices[i]``,
    ``yaxis.indices[j]``), nan where no trial lies. ``z`` is None when nothing is drawn
    (same parameter on both axes, fewer than two distinct values, or no trial has both)."""

    xaxis: ContourAxisInfo
    yaxis: ContourAxisInfo
    z: np.ndarray | None
    constraints: list[bool]


class ContourInfo(NamedTuple):
    """The subplots of :func:`plot_contour`.

    With two parameters ``sub_plot_infos`` is ``[[sub(x=p0, y=p1)]]``, otherwise it is the
    full matrix ``sub_plot_infos[y][x]``. ``target_values[i]`` belongs to trial i of every
    axis' ``values``; ``direction`` says which of two values in one cell is kept (None: the
    last, for a custom target).
    """

    sorted_params: list[str]
    sub_plot_infos: list[list[SubContourInfo]]
    reverse_scale: bool
    target_name: str
    target_values: np.ndarray
    direction: StudyDirection | None


def _axis_info(trials: list[FrozenTrial], name: str) -> ContourAxisInfo:
    numeric = is_numerical(trials, name)
    log = is_log_scale(trials, name)
    raw = [t.params.get(name) for t in trials]
    present = np.array([name in t.params for t in trials], dtype=bool)
    if not numeric:
        values: list[str | float | None] = [str(v) if ok else None for v, ok in zip(raw, present)]
        labels = sorted({v for v in values if v is not None})  # type: ignore[type-var]
        span = len(labels) - 1
        lookup = {label: i for i, label in enumerate(labels)}
        cell = np.array([lookup[v] if v is not None else -1 for v in values], dtype=np.int64)
        pad = span * 0.05
        positions = np.where(cell >= 0, cell, np.nan).astype(float)
        axis_range = (-pad, span + pad)
        return ContourAxisInfo(name, axis_range, False, True, list(labels), values, cell, positions)
    values = list(raw)
    numbers = np.array([float(v) if ok else np.nan for v, ok in zip(raw, present)])  # type: ignore[arg-type]
    low, high = float(np.nanmin(numbers)), float(np.nanmax(numbers))
    axis_range = padded_range(low, high, log)
    distinct = np.unique(numbers[present])
    cell = np.full(len(trials), -1, dtype=np.int64)
    if distinct.size > MAX_GRID_VALUES:
        space = np.log10 if log else (lambda a: a)
        grid_pos = (space(numbers[present]) - space(low)) / (space(high) - space(low))
        cell[present] = np.rint(grid_pos * (MAX_GRID_VALUES - 1)).astype(np.int64)
        grid = np.logspace if log else np.linspace
        distinct = grid(space(low), space(high), MAX_GRID_VALUES)  # type: ignore[operator]
    else:
        cell[present] = np.searchsorted(distinct, numbers[present])
    if distinct.size < 2:
        indices = distinct.tolist()
        return ContourAxisInfo(name, axis_range, log, False, indices, values, cell, numbers)
    cell[present] += 1  # after the padded lower end
    indices = [axis_range[0], *distinct.tolist(), axis_range[1]]
    return ContourAxisInfo(name, axis_range, log, False, indices, values, cell, numbers)


def _best_grid(
    xaxis: ContourAxisInfo,
    yaxis: ContourAxisInfo,
    target_values: np.ndarray,
    direction: StudyDirection | None,
) -> np.ndarray:
    both = (xaxis.cell >= 0) & (yaxis.cell >= 0)
    nx, ny = len(xaxis.indices), len(yaxis.indices)
    z = np.full(nx * ny, np.nan)
    flat = yaxis.cell[both] * nx + xaxis.cell[both]
    values = target_values[both]
    if direction is None:  # keep the last trial's value in each cell
        last = flat.size - 1 - np.unique(flat[::-1], return_index=True)[1]
        z[flat[last]] = values[last]
    elif flat.size:
        fill = np.inf if direction == StudyDirection.MINIMIZE else -np.inf
        best = np.full(nx * ny, fill)
        ufunc = np.minimum if direction == StudyDirection.MINIMIZE else np.maximum
        ufunc.at(best, flat, values)
        z = np.where(np.isinf(best), np.nan, best)
    return z.reshape(ny, nx)


def _subplot(
    xaxis: ContourAxisInfo,
    yaxis: ContourAxisInfo,
    info_args: tuple[np.ndarray, StudyDirection | None, list[bool]],
) -> SubContourInfo:
    target_values, direction, feasible = info_args
    if xaxis.name == yaxis.name:
        return SubContourInfo(xaxis, yaxis, None, feasible)
    for axis in (xaxis, yaxis):
        if len(axis.indices) < 2:
            _logger.warning(f"Param {axis.name} unique value length is less than 2.")
            return SubContourInfo(xaxis, yaxis, None, feasible)
    z = _best_grid(xaxis, yaxis, target_values, direction)
    if np.isnan(z).all():
        warn(
            f"Contour plot will not be displayed because `{xaxis.name}` and `{yaxis.name}` "
            "cannot co-exist in `trial.params`."
        )
        return SubContourInfo(xaxis, yaxis, None, feasible)
    return SubContourInfo(xaxis, yaxis, z, feasible)


def contour_data(
    study: Study,
    params: list[str] | None = None,
    target: Target | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> ContourInfo:
    """Compute the grids of :func:`plot_contour` over complete trials with a finite target."""
    check_plot_args(study, target, target_name)
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    trials, values = filter_nonfinite(complete, target)
    all_params = {name for t in trials for name in t.params}
    if not trials:
        _logger.warning("Your study does not have any completed trials.")
        names: list[str] = []
    elif params is None:
        names = sorted(all_params)
    else:
        if len(params) <= 1:
            _logger.warning("The length of params must be greater than 1.")
        for name in params:
            if name not in all_params:
                raise ValueError(f"Parameter {name} does not exist in your study.")
        names = sorted(set(params))
    direction = None if target is not None else study.direction
    target_values = np.asarray(values, dtype=float)
    args = (target_values, direction, [is_feasible(t) for t in trials])
    axes = {name: _axis_info(trials, name) for name in names}
    if len(names) == 2:
        grid = [[_subplot(axes[names[0]], axes[names[1]], args)]]
    else:
        grid = [[_subplot(axes[x], axes[y], args) for x in names] for y in names]
    return ContourInfo(
        names, grid, is_reverse_scale(study, target), target_name, target_values, direction
    )


def _grid_positions(axis: ContourAxisInfo, n_points: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the surface grid of an axis and each trial's nearest grid index (-1: missing)."""
    low, high = axis.range
    present = axis.cell >= 0
    coords = axis.positions
    if axis.is_log:
        grid = np.logspace(np.log10(low), np.log10(high), n_points)
        coords, low, high = np.log10(coords), np.log10(low), np.log10(high)
    else:
        grid = np.linspace(low, high, n_points)
    step = (high - low) / (n_points - 1) if high > low else 1.0
    index = np.rint((np.where(present, coords, low) - low) / step).astype(np.int64)
    return grid, np.where(present, np.clip(index, 0, n_points - 1), -1)


def _harmonic_fill(known: np.ndarray, n: int) -> np.ndarray:
    """Fill the nan cells of an (n, n) grid so each is the mean of its four neighbours
    (a discrete Laplace equation with the known cells fixed)."""
    import scipy.sparse
    import scipy.sparse.linalg

    flat = known.ravel()
    unknown = np.flatnonzero(np.isnan(flat))
    if unknown.size == 0 or unknown.size == flat.size:
        return np.nan_to_num(known)
    position = np.full(flat.size, -1, dtype=np.int64)
    position[unknown] = np.arange(unknown.size)
    rows, cols = np.divmod(unknown, n)
    degree = np.zeros(unknown.size)
    rhs = np.zeros(unknown.size)
    a_rows: list[np.ndarray] = []
    a_cols: list[np.ndarray] = []
    for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
        r, c = rows + dr, cols + dc
        inside = (r >= 0) & (r < n) & (c >= 0) & (c < n)
        degree += inside
        neighbour = np.where(inside, r * n + c, 0)
        is_unknown = inside & (position[neighbour] >= 0)
        is_known = inside & ~is_unknown
        rhs[is_known] += flat[neighbour[is_known]]
        a_rows.append(np.flatnonzero(is_unknown))
        a_cols.append(position[neighbour[is_unknown]])
    diag = np.arange(unknown.size)
    row_index = np.concatenate([diag, *a_rows])
    col_index = np.concatenate([diag, *a_cols])
    data = np.concatenate([degree, -np.ones(row_index.size - diag.size)])
    matrix = scipy.sparse.csc_matrix((data, (row_index, col_index)), shape=(diag.size,) * 2)
    result = flat.copy()
    result[unknown] = scipy.sparse.linalg.spsolve(matrix, rhs)
    return result.reshape(n, n)


def contour_surface(
    sub: SubContourInfo, n_points: int = 100
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Return a smooth ``(xi, yi, zi)`` surface of a subplot for filled-contour drawing.

    Trials are snapped to an ``n_points`` x ``n_points`` grid over the axes' ranges (in log
    space on log axes, category positions on categorical ones), each takes its cell's best
    value from ``sub.z``, and the empty cells are filled harmonically (each the mean of its
    neighbours). ``zi[j, i]`` is the value at ``(xi[i], yi[j])``. None when ``sub.z`` is None.
    """
    if sub.z is None:
        return None
    xi, xcell = _grid_positions(sub.xaxis, n_points)
    yi, ycell = _grid_positions(sub.yaxis, n_points)
    both = (xcell >= 0) & (ycell >= 0)
    values = sub.z[sub.yaxis.cell[both], sub.xaxis.cell[both]]
    known = np.full(n_points * n_points, np.nan)
    known[ycell[both] * n_points + xcell[both]] = values
    return xi, yi, _harmonic_fill(known.reshape(n_points, n_points), n_points)

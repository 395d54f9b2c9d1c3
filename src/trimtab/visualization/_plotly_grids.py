"""Plotly front-end: contour, slice, rank and parallel-coordinate plots.

Subplot grids are built in one pass (traces carry their axis names and the axis settings go
into a single layout update), which keeps figures of many parameters and thousands of
trials fast to build.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from trimtab.study import Study
from trimtab.trial import FrozenTrial
from trimtab.visualization import _data
from trimtab.visualization._data._colors import BLUES, RDYLBU_R, plotly_scale, sample_scale
from trimtab.visualization._data._common import DEFAULT_TARGET_NAME
from trimtab.visualization._data._parallel import (
    axis_ticks,
    color_range,
    normalize_dimension,
)
from trimtab.visualization._data._slice import slice_points
from trimtab.visualization._plotly_imports import COLOR_SCALE, go

Target = Callable[[FrozenTrial], float]
_PARALLEL_COLOR_BINS = 64
# COLOR_SCALE as (position, colour) pairs, the form plotly keeps after validation.
_SCALE = [[i / (len(COLOR_SCALE) - 1), c] for i, c in enumerate(COLOR_SCALE)]
# The rank plot's RdYlBu_r as explicit colours (its traces skip plotly's name lookup).
_RANK_SCALE = plotly_scale(RDYLBU_R)


def _as_array(values: list[Any]) -> np.ndarray:
    """A float array for numbers, else an object array: plotly validates arrays in bulk."""
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        return np.asarray(values, dtype=str)


def _axis_points(axis: _data.ContourAxisInfo, keep: np.ndarray) -> np.ndarray:
    """The kept trials' coordinates: numbers, or category labels on a categorical axis."""
    if axis.is_cat:
        return np.asarray(axis.indices, dtype=str)[axis.cell[keep]]
    return axis.positions[keep]


def _axis_name(kind: str, index: int) -> str:
    return kind if index == 1 else f"{kind}{index}"


def _axis_settings(
    name: str, value_range: tuple[float, float], is_log: bool, is_cat: bool
) -> dict[str, Any]:
    settings: dict[str, Any] = {"range": list(value_range), "title": {"text": name}}
    if is_cat:
        settings["type"] = "category"
    if is_log:
        settings.update(range=[math.log10(v) for v in value_range], type="log")
    return settings


def _trace(kind: str, **props: Any) -> dict[str, Any]:
    """A trace as a plain dict (grid figures are assembled without plotly's validation)."""
    return {"type": kind, **props}


def _grid_figure(
    g: Any,
    shape: tuple[int, int],
    traces: list[tuple[int, int, dict[str, Any]]],
    axes: dict[str, Any],
    *,
    title: str,
    shared: tuple[bool, bool] = (True, True),
    spacing: tuple[float, float] | None = None,
) -> Any:
    """A ``rows`` x ``cols`` subplot figure from ``(row, col, trace)`` and axis settings.

    Lays the grid out as ``make_subplots`` does (domains, anchors, shared axes matching the
    bottom row / first column) but builds the figure from plain dicts in one step, without
    re-validating every trace: with 10 parameters and 10,000 trials, plotly's per-property
    validation would otherwise dominate the time.
    """
    rows, cols = shape
    h_space, v_space = spacing or (0.2 / cols, 0.3 / rows)
    width = (1.0 - (cols - 1) * h_space) / cols
    height = (1.0 - (rows - 1) * v_space) / rows
    layout: dict[str, Any] = {"title": {"text": title}}
    for row in range(1, rows + 1):
        for col in range(1, cols + 1):
            k = (row - 1) * cols + col
            x0, y1 = (col - 1) * (width + h_space), 1.0 - (row - 1) * (height + v_space)
            xaxis: dict[str, Any] = {"domain": [x0, x0 + width], "anchor": _axis_name("y", k)}
            yaxis: dict[str, Any] = {"domain": [y1 - height, y1], "anchor": _axis_name("x", k)}
            if shared[0] and row < rows:
                xaxis.update(matches=_axis_name("x", (rows - 1) * cols + col), showticklabels=False)
            if shared[1] and col > 1:
                yaxis.update(matches=_axis_name("y", (row - 1) * cols + 1), showticklabels=False)
            layout[_axis_name("xaxis", k)] = xaxis | axes.get(_axis_name("xaxis", k), {})
            layout[_axis_name("yaxis", k)] = yaxis | axes.get(_axis_name("yaxis", k), {})
    data = []
    for row, col, trace in traces:
        k = (row - 1) * cols + col
        data.append(trace | {"xaxis": _axis_name("x", k), "yaxis": _axis_name("y", k)})
    return g.Figure(data=data, layout=layout, _validate=False)


def plot_contour(
    study: Study,
    params: list[str] | None = None,
    *,
    target: Target | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> Any:
    """Plot the objective over each pair of parameters as a contour (a matrix for 3+).

    Args:
        study: The study.
        params: The parameters to plot (default: all; at least two).
        target: The value to plot instead of the objective (needed for multi-objective).
        target_name: The colour bar title.
    """
    g = go()
    info = _data.contour_data(study, params, target, target_name)
    names = info.sorted_params
    if len(names) <= 1:
        return g.Figure(data=[], layout=g.Layout(title="Contour Plot"))
    if len(names) == 2:
        sub = info.sub_plot_infos[0][0]
        figure = g.Figure(
            data=_contour_traces(sub, info, True),
            layout={
                "title": {"text": "Contour Plot"},
                "xaxis": _axis_settings(names[0], *sub.xaxis[1:4]),  # type: ignore[arg-type]
                "yaxis": _axis_settings(names[1], *sub.yaxis[1:4]),  # type: ignore[arg-type]
            },
            _validate=False,
        )
        return figure
    n = len(names)
    traces: list[tuple[int, int, dict[str, Any]]] = []
    axes: dict[str, Any] = {}
    showscale = True
    for xi, x_name in enumerate(names):
        for yi, y_name in enumerate(names):
            sub = info.sub_plot_infos[yi][xi]
            parts = _contour_traces(sub, info, showscale) if xi != yi else [_trace("scatter")]
            showscale = showscale and (xi == yi or sub.z is None)
            traces.extend((yi + 1, xi + 1, t) for t in parts)
            index = yi * n + xi + 1
            x_set = _axis_settings(x_name, sub.xaxis.range, sub.xaxis.is_log, sub.xaxis.is_cat)
            y_set = _axis_settings(y_name, sub.yaxis.range, sub.yaxis.is_log, sub.yaxis.is_cat)
            if yi != n - 1:
                del x_set["title"]
            if xi != 0:
                del y_set["title"]
            axes[_axis_name("xaxis", index)] = x_set
            axes[_axis_name("yaxis", index)] = y_set
    return _grid_figure(g, (n, n), traces, axes, title="Contour Plot")


def _contour_traces(
    sub: _data.SubContourInfo, info: _data.ContourInfo, showscale: bool
) -> list[dict[str, Any]]:
    if sub.z is None:
        return [_trace("contour"), _trace("scatter"), _trace("scatter")]
    contour = _trace(
        "contour",
        x=_as_array(sub.xaxis.indices),
        y=_as_array(sub.yaxis.indices),
        z=sub.z,
        colorbar={"title": {"text": info.target_name}},
        colorscale=_SCALE,
        connectgaps=True,
        contours={"coloring": "heatmap"},
        hoverinfo="none",
        line={"smoothing": 1.3},
        reversescale=info.reverse_scale,
        showscale=showscale,
    )
    both = (sub.xaxis.cell >= 0) & (sub.yaxis.cell >= 0)
    feasible = np.asarray(sub.constraints, dtype=bool)
    traces = [contour]
    for ok, color, name in (
        (True, "black", "Feasible Trial"),
        (False, "#cccccc", "Infeasible Trial"),
    ):
        keep = np.flatnonzero(both & (feasible == ok))
        traces.append(
            _trace(
                "scatter",
                x=_axis_points(sub.xaxis, keep),
                y=_axis_points(sub.yaxis, keep),
                marker={"line": {"width": 2.0, "color": "Gray"}, "color": color},
                mode="markers",
                name=name,
                showlegend=False,
            )
        )
    return traces


def plot_slice(
    study: Study,
    params: list[str] | None = None,
    *,
    target: Target | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> Any:
    """Plot the objective against each parameter, one subplot per parameter.

    Args:
        study: The study.
        params: The parameters to plot (default: all).
        target: The value to plot instead of the objective (needed for multi-objective).
        target_name: The y-axis title.
    """
    g = go()
    info = _data.slice_data(study, params, target, target_name)
    if not info.subplots:
        return g.Figure(data=[], layout=g.Layout(title="Slice Plot"))
    n = len(info.subplots)
    traces: list[tuple[int, int, dict[str, Any]]] = []
    axes: dict[str, Any] = {}
    for col, sub in enumerate(info.subplots, start=1):
        parts = _slice_traces(sub, showscale=col == 1)
        traces.extend((1, col, t) for t in parts)
        x_set: dict[str, Any] = {"title": {"text": sub.param_name}}
        if not sub.is_numerical:
            labels = [repr(v) for v in sub.x_labels or ()]
            x_set.update(type="category", categoryorder="array", categoryarray=labels)
        elif sub.is_log:
            x_set["type"] = "log"
        axes[_axis_name("xaxis", col)] = x_set
    axes["yaxis"] = {"title": {"text": info.target_name}}
    if n == 1:
        layout = {"title": {"text": "Slice Plot"}, **axes}
        return g.Figure(data=[t for _, _, t in traces], layout=layout, _validate=False)
    figure = _grid_figure(g, (1, n), traces, axes, title="Slice Plot", shared=(False, True))
    if n > 3:
        figure.update_layout(width=300 * n)
    return figure


def _slice_traces(sub: _data.SliceSubplotInfo, showscale: bool) -> list[dict[str, Any]]:
    good, bad = slice_points(sub)
    marker = {
        "line": {"width": 0.5, "color": "Grey"},
        "color": good.trial_numbers.astype(float),
        "colorscale": _SCALE,
        "colorbar": {"title": {"text": "Trial"}, "x": 1.0, "xpad": 40},
        "showscale": showscale,
    }
    traces = [
        _trace(
            "scatter", x=good.x, y=good.y, mode="markers",
            name="Feasible Trial", marker=marker, showlegend=False,
        )
    ]  # fmt: skip
    if len(bad.x):
        traces.append(
            _trace(
                "scatter", x=bad.x, y=bad.y, mode="markers",
                name="Infeasible Trial", marker={"color": "#cccccc"}, showlegend=False,
            )
        )  # fmt: skip
    return traces


def plot_rank(
    study: Study,
    params: list[str] | None = None,
    *,
    target: Target | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> Any:
    """Plot trials over each pair of parameters, coloured by the rank of their value.

    Args:
        study: The study.
        params: The parameters to plot (default: all).
        target: The value to rank instead of the objective (needed for multi-objective).
        target_name: Shown in the title and hover text.
    """
    g = go()
    info = _data.rank_data(study, params, target, target_name)
    title = f"Rank ({info.target_name})"
    names = info.params
    if not names:
        return g.Figure(data=[], layout=g.Layout(title=title))
    hover = _rank_hover(info)
    n = len(names)
    # Rank plots hold every trial in every subplot: traces are plain dicts of arrays.
    pairs = [(0, 1)] if n == 2 else [(y, x) for x in range(n) for y in range(n)]
    traces: list[tuple[int, int, dict[str, Any]]] = []
    axes: dict[str, Any] = {}
    for yi, xi in pairs:
        sub = info.sub_plot_infos[0][0] if n == 2 else info.sub_plot_infos[yi][xi]
        row, col = (1, 1) if n == 2 else (yi + 1, xi + 1)
        traces.extend((row, col, t) for t in _rank_traces(sub, info, hover))
        index = (row - 1) * (1 if n == 2 else n) + col
        x_set = _axis_settings(sub.xaxis.name, sub.xaxis.range, sub.xaxis.is_log, sub.xaxis.is_cat)
        y_set = _axis_settings(sub.yaxis.name, sub.yaxis.range, sub.yaxis.is_log, sub.yaxis.is_cat)
        if n != 2 and yi != n - 1:
            del x_set["title"]
        if n != 2 and xi != 0:
            del y_set["title"]
        axes[_axis_name("xaxis", index)] = x_set
        axes[_axis_name("yaxis", index)] = y_set
    if n == 2:
        layout = {"title": {"text": title}, **axes}
        figure = g.Figure(data=[t for _, _, t in traces], layout=layout, _validate=False)
    else:
        figure = _grid_figure(g, (n, n), traces, axes, title=title, spacing=(0.08 / n, 0.08 / n))
    figure.add_trace(_rank_colorbar(g, info.zs))
    return figure


def _rank_hover(info: _data.RankPlotInfo) -> np.ndarray:
    """Per complete trial: its number, value and (custom target) objectives, as floats.

    Hover labels read these as ``customdata``: numeric arrays stay cheap with 10,000
    trials in every subplot, where per-point strings would not.
    """
    n_objectives = 0
    columns: dict[int, list[float]] = {}
    for sub in (s for row in info.sub_plot_infos for s in row):
        for index, trial, z in zip(sub.indices.tolist(), sub.trials, sub.zs.tolist()):
            if index not in columns:
                objectives = list(trial.values or []) if info.has_custom_target else []
                n_objectives = max(n_objectives, len(objectives))
                columns[index] = [float(trial.number), z, *objectives]
    data = np.full((len(info.zs), 2 + n_objectives), np.nan)
    for index, row in columns.items():
        data[index, : len(row)] = row
    return data


def _rank_template(sub: _data.RankSubplotInfo, info: _data.RankPlotInfo, n_columns: int) -> str:
    lines = ["Trial #%{customdata[0]}", f"{sub.xaxis.name}: %{{x}}", f"{sub.yaxis.name}: %{{y}}"]
    lines.append(f"<b>{info.target_name}: %{{customdata[1]}}</b>")
    lines += [f"Objective #{i}: %{{customdata[{i + 2}]}}" for i in range(n_columns - 2)]
    return "<br>".join(lines) + "<extra></extra>"


def _rank_traces(
    sub: _data.RankSubplotInfo, info: _data.RankPlotInfo, hover: np.ndarray
) -> list[dict[str, Any]]:
    traces = []
    template = _rank_template(sub, info, hover.shape[1])
    for ok in (True, False):
        keep = np.flatnonzero(sub.feasible == ok)
        if not ok and keep.size == 0:
            continue
        marker: dict[str, Any] = {"line": {"width": 0.5, "color": "Grey"}}
        if ok:
            marker.update(color=sub.color_idxs[keep], colorscale=_RANK_SCALE, cmin=0, cmax=1)
        else:
            marker["color"] = "rgb(204, 204, 204)"
        traces.append(
            {
                "type": "scatter",
                "x": _rank_points(sub.xs, keep, sub.xaxis.is_cat),
                "y": _rank_points(sub.ys, keep, sub.yaxis.is_cat),
                "marker": marker,
                "mode": "markers",
                "showlegend": False,
                "hovertemplate": template,
                "customdata": hover[sub.indices[keep]],
            }
        )
    return traces


def _rank_points(values: list[Any], keep: np.ndarray, categorical: bool) -> np.ndarray:
    if categorical:
        return np.array([str(values[i]) for i in keep], dtype=str)
    return np.asarray(values, dtype=float)[keep]


def _rank_colorbar(g: Any, zs: np.ndarray) -> Any:
    stops = [0, 0.25, 0.5, 0.75, 1]
    quantiles = np.quantile(np.sort(zs), stops) if zs.size else np.full(5, np.nan)
    labels = ["min.", "25%", "50%", "75%", "max."]
    text = [f"{label} ({value:3g})" for label, value in zip(labels, quantiles)]
    return g.Scatter(
        x=[None],
        y=[None],
        mode="markers",
        marker={
            "colorscale": _RANK_SCALE,
            "showscale": True,
            "cmin": 0,
            "cmax": 1,
            "colorbar": {"thickness": 10, "tickvals": stops, "ticktext": text},
        },
        hoverinfo="none",
        showlegend=False,
    )


def plot_parallel_coordinate(
    study: Study,
    params: list[str] | None = None,
    *,
    target: Target | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> Any:
    """Plot each trial as a line across the objective(s) and the parameters.

    Lines are coloured by value (by Pareto rank for a multi-objective study without
    ``target``); infeasible trials are dotted. Lines of similar colour share one trace.

    Args:
        study: The study.
        params: The parameters to plot (default: all).
        target: The value to plot instead of the objective(s).
        target_name: The objective axis' label.
    """
    g = go()
    info = _data.parallel_coordinate_data(study, params, target, target_name)
    layout = g.Layout(
        title={"text": "Parallel Coordinate Plot", "y": 1, "yanchor": "bottom", "yref": "paper"}
    )
    if not info.dims_params or not info.dims_objectives[0].values:
        return g.Figure(data=[], layout=layout)
    dims = info.dims_objectives + info.dims_params
    low, high = color_range(info.color_values, info.is_rank_color)
    traces = _parallel_line_traces(g, info, dims, (low, high))
    colorbar: dict[str, Any] = {"title": info.colorbar_title}
    if info.is_rank_color:
        colorbar["tickvals"] = list(range(int(max(info.color_values)) + 1))
    if info.feasibility is not None:
        for name, dash in (("Feasible", "solid"), ("Infeasible", "dot")):
            traces.append(
                g.Scatter(
                    x=[None],
                    y=[None],
                    mode="lines",
                    line={"color": "#2F3B52", "dash": dash, "width": 2},
                    name=name,
                    showlegend=True,
                    hoverinfo="skip",
                )
            )
    traces.append(
        g.Scatter(
            x=[None, None],
            y=[None, None],
            mode="markers",
            marker={
                "color": [low, high],
                "cmin": low,
                "cmax": high,
                "colorscale": COLOR_SCALE,
                "reversescale": info.reverse_scale,
                "showscale": True,
                "colorbar": colorbar,
            },
            showlegend=False,
            hoverinfo="skip",
        )
    )
    layout.update(_parallel_layout(dims))
    return g.Figure(data=traces, layout=layout)


def _parallel_line_traces(
    g: Any,
    info: _data.ParallelCoordinateInfo,
    dims: list[_data.DimensionInfo],
    color_limits: tuple[float, float],
) -> list[Any]:
    low, high = color_limits
    ys = np.column_stack([normalize_dimension(d) for d in dims])  # (n_trials, n_dims)
    colors = np.asarray(info.color_values, dtype=float)
    position = np.full(colors.size, 0.5) if low == high else (colors - low) / (high - low)
    if info.reverse_scale:
        position = 1.0 - position
    bins = np.minimum((position * _PARALLEL_COLOR_BINS).astype(int), _PARALLEL_COLOR_BINS - 1)
    feasible = np.ones(colors.size, dtype=bool)
    if info.feasibility is not None:
        feasible = np.asarray(info.feasibility, dtype=bool)
    order = np.asarray(info.draw_order, dtype=np.int64)
    rank_in_order = np.empty(order.size)
    rank_in_order[order] = np.arange(order.size)
    keys = sorted(
        {(int(b), bool(f)) for b, f in zip(bins, feasible)},
        key=lambda k: rank_in_order[(bins == k[0]) & (feasible == k[1])].mean(),
    )
    n_dims = len(dims)
    texts = [[f"{d.label}: {_format_value(d, v)}" for v in d.values] for d in dims]
    traces = []
    for bin_index, ok in keys:
        members = order[(bins[order] == bin_index) & (feasible[order] == ok)]
        x = np.tile(np.append(np.arange(n_dims, dtype=float), np.nan), members.size)
        y = np.column_stack([ys[members], np.full(members.size, np.nan)]).ravel()
        hover = np.array(
            [t for m in members for t in [*(texts[d][m] for d in range(n_dims)), ""]], dtype=str
        )
        color = sample_scale(BLUES, np.array([(bin_index + 0.5) / _PARALLEL_COLOR_BINS]))[0]
        traces.append(
            g.Scatter(
                x=x,
                y=y,
                text=hover,
                mode="lines",
                line={
                    "color": f"rgb({color[0]:.0f},{color[1]:.0f},{color[2]:.0f})",
                    "dash": "solid" if ok else "dot",
                    "width": 1.2,
                },
                opacity=0.5,
                showlegend=False,
                hovertemplate="%{text}<extra></extra>",
                connectgaps=False,
            )
        )
    return traces


def _format_value(dim: _data.DimensionInfo, value: float) -> str:
    for tick, text in zip(dim.tickvals, dim.ticktext):
        if math.isclose(value, tick):
            return text
    return f"{10**value:.3g}" if dim.is_log else f"{value:.3g}"


def _parallel_layout(dims: list[_data.DimensionInfo]) -> dict[str, Any]:
    annotations = []
    for axis_id, dim in enumerate(dims):
        ticks, text = axis_ticks(dim)
        positions = normalize_dimension(dim._replace(values=tuple(ticks)))
        for y, label in zip(positions, text):
            annotations.append(
                {
                    "x": axis_id,
                    "y": float(y),
                    "text": label,
                    "showarrow": False,
                    "xanchor": "right",
                    "xshift": -4,
                    "font": {"size": 10, "color": "#555"},
                }
            )
    x_values = list(range(len(dims)))
    shapes = [
        {
            "type": "line",
            "x0": i,
            "x1": i,
            "y0": 0,
            "y1": 1,
            "line": {"color": "#888", "width": 1},
            "layer": "below",
        }
        for i in x_values
    ]
    return {
        "xaxis": {
            "tickmode": "array",
            "tickvals": x_values,
            "ticktext": [d.label for d in dims],
            "range": (-0.2, len(dims) - 0.8),
            "showgrid": False,
            "zeroline": False,
        },
        "yaxis": {"range": (-0.08, 1.08), "visible": False, "fixedrange": True},
        "annotations": annotations,
        "shapes": shapes,
        "hovermode": "closest",
        "plot_bgcolor": "white",
        "legend": {"orientation": "h", "x": 1, "xanchor": "right", "y": 1, "yanchor": "bottom"},
    }

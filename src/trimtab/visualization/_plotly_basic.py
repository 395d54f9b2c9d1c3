"""Plotly front-end: history, intermediate values, EDF, timeline, hypervolume, importances,
Pareto front. Each ``plot_*`` computes its data with ``_data`` and renders it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from trimtab._warnings import warn_experimental
from trimtab.study import Study
from trimtab.trial import FrozenTrial, TrialState
from trimtab.visualization import _data
from trimtab.visualization._data._common import DEFAULT_TARGET_NAME, _logger, make_hovertext
from trimtab.visualization._plotly_imports import go

if TYPE_CHECKING:
    from trimtab.importance import BaseImportanceEvaluator

Target = Callable[[FrozenTrial], float]
_TIMELINE_COLORS = {
    "COMPLETE": "blue",
    "FAIL": "red",
    "PRUNED": "orange",
    "RUNNING": "green",
    "WAITING": "gray",
}


def plot_optimization_history(
    study: Study | Sequence[Study],
    *,
    target: Target | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
    error_bar: bool = False,
) -> Any:
    """Plot each trial's objective value and the best value so far.

    Args:
        study: A study, or several (one series each; their mean with ``error_bar``).
        target: The value to plot instead of the objective (needed for multi-objective).
        target_name: The y-axis title.
        error_bar: Plot the mean and standard deviation over the studies.

    Returns:
        A ``plotly.graph_objects.Figure``.
    """
    g = go()
    infos = _data.optimization_history_data(study, target, target_name, error_bar)
    layout = g.Layout(
        title="Optimization History Plot", xaxis={"title": "Trial"}, yaxis={"title": target_name}
    )
    traces: list[Any] = []
    for numbers, values_info, best_info in infos:
        traces.extend(_history_traces(g, numbers, values_info, best_info))
    return g.Figure(data=traces, layout=layout)


def _history_traces(
    g: Any,
    numbers: list[int],
    values_info: _data.ValuesInfo,
    best_info: _data.ValuesInfo | None,
) -> list[Any]:
    states = values_info.states
    infeasible_idx = [i for i, s in enumerate(states) if s == _data.ValueState.Infeasible]
    if values_info.stds is None:
        error_y = None
        feasible_idx = [i for i, s in enumerate(states) if s == _data.ValueState.Feasible]
        xs = [numbers[i] for i in feasible_idx]
        ys = [values_info.values[i] for i in feasible_idx]
        bad_x = [numbers[i] for i in infeasible_idx]
        bad_y = [values_info.values[i] for i in infeasible_idx]
    else:
        if any(s != _data.ValueState.Feasible for s in states):
            _logger.warning(
                "Your study contains infeasible trials. In optimization history plot, "
                "error bars are calculated for only feasible trial values."
            )
        error_y = {"type": "data", "array": values_info.stds, "visible": True}
        xs, ys, bad_x, bad_y = numbers, values_info.values, [], []
    traces = [g.Scatter(x=xs, y=ys, error_y=error_y, mode="markers", name=values_info.label_name)]
    if best_info is not None:
        traces.append(
            g.Scatter(x=numbers, y=best_info.values, name=best_info.label_name, mode="lines")
        )
        if best_info.stds is not None:
            best = np.asarray(best_info.values)
            std = np.asarray(best_info.stds)
            traces.append(
                g.Scatter(
                    x=numbers, y=best + std, mode="lines", line={"width": 0.01}, showlegend=False
                )
            )
            traces.append(
                g.Scatter(
                    x=numbers,
                    y=best - std,
                    mode="none",
                    showlegend=False,
                    fill="tonexty",
                    fillcolor="rgba(255,0,0,0.2)",
                )
            )
    traces.append(
        g.Scatter(
            x=bad_x,
            y=bad_y,
            error_y=error_y,
            mode="markers",
            name="Infeasible Trial",
            marker={"color": "#cccccc"},
            showlegend=False,
        )
    )
    return traces


_MAX_TRACES = 1000
# Plotly's default colour cycle: trial i's line takes colour i % 10, as with one trace each.
_COLORWAY = [
    "#636efa", "#EF553B", "#00cc96", "#ab63fa", "#FFA15A",
    "#19d3f3", "#FF6692", "#B6E880", "#FF97FF", "#FECB52",
]  # fmt: skip


def plot_intermediate_values(study: Study) -> Any:
    """Plot the intermediate values reported by each trial (grey: infeasible trials).

    Up to 1,000 trials get a trace each, as in Optuna. Beyond that, lines of one colour
    share a trace (broken between trials, hover naming the trial), which keeps both
    building and drawing the figure fast.
    """
    g = go()
    info = _data.intermediate_values_data(study)
    layout = g.Layout(
        title="Intermediate Values Plot",
        xaxis={"title": "Step"},
        yaxis={"title": "Intermediate Value"},
        showlegend=False,
    )
    if len(info.trial_infos) > _MAX_TRACES:
        return g.Figure(data=_merged_lines(info), layout=layout, _validate=False)
    marker = {"maxdisplayed": 10}
    # One trace per trial, as Optuna draws it; built as plain dicts and not re-validated
    # (every value is a number from the study).
    traces = [
        {
            "type": "scatter",
            "x": [step for step, _ in t.sorted_intermediate_values],
            "y": [value for _, value in t.sorted_intermediate_values],
            "mode": "lines+markers",
            "marker": marker if t.feasible else {**marker, "color": "#CCCCCC"},
            "name": f"Trial{t.trial_number}",
        }
        for t in info.trial_infos
    ]
    return g.Figure(data=traces, layout=layout, _validate=False)


def _merged_lines(info: _data.IntermediatePlotInfo) -> list[dict[str, Any]]:
    groups: dict[str, list[_data.IntermediateTrialInfo]] = {}
    for i, t in enumerate(info.trial_infos):
        groups.setdefault(_COLORWAY[i % 10] if t.feasible else "#CCCCCC", []).append(t)
    traces = []
    for color, members in groups.items():
        xs: list[float | None] = []
        ys: list[float | None] = []
        names: list[str] = []
        for t in members:
            xs += [step for step, _ in t.sorted_intermediate_values] + [None]
            ys += [value for _, value in t.sorted_intermediate_values] + [None]
            names += [f"Trial{t.trial_number}"] * (len(t.sorted_intermediate_values) + 1)
        traces.append(
            {
                "type": "scatter",
                "x": np.array(xs, dtype=float),
                "y": np.array(ys, dtype=float),
                "text": np.array(names, dtype=object),
                "hovertemplate": "%{text}<br>step %{x}: %{y}<extra></extra>",
                "mode": "lines",
                "line": {"color": color, "width": 1},
                "opacity": 0.7,
                "connectgaps": False,
            }
        )
    return traces


def plot_edf(
    study: Study | Sequence[Study],
    *,
    target: Target | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> Any:
    """Plot the empirical distribution function of the objective values of each study."""
    g = go()
    layout = g.Layout(
        title="Empirical Distribution Function Plot",
        xaxis={"title": target_name},
        yaxis={"title": "Cumulative Probability"},
    )
    info = _data.edf_data(study, target, target_name)
    if not info.lines:
        return g.Figure(data=[], layout=layout)
    traces = [
        g.Scatter(x=info.x_values, y=line.y_values, name=line.study_name, mode="lines")
        for line in info.lines
    ]
    figure = g.Figure(data=traces, layout=layout)
    figure.update_yaxes(range=[0, 1])
    return figure


def plot_timeline(study: Study, n_recent_trials: int | None = None) -> Any:
    """Plot each trial's run time as a horizontal bar, coloured by state.

    Args:
        study: The study.
        n_recent_trials: Only the most recent trials (a positive int), or all.
    """
    if n_recent_trials is not None and n_recent_trials <= 0:
        raise ValueError("n_recent_trials must be a positive integer or None.")
    g = go()
    info = _data.timeline_data(study, n_recent_trials)
    figure = g.Figure()
    for state in sorted(TrialState, key=lambda s: s.name):
        bars = [b for b in info.bars if b.state == state]
        if state == TrialState.COMPLETE:
            _add_bars(g, figure, [b for b in bars if b.infeasible], "#cccccc", "INFEASIBLE")
            bars = [b for b in bars if not b.infeasible]
        _add_bars(g, figure, bars, _TIMELINE_COLORS[state.name], state.name)
    figure.update_xaxes(type="date")
    figure.update_layout(
        g.Layout(title="Timeline Plot", xaxis={"title": "Datetime"}, yaxis={"title": "Trial"})
    )
    figure.update_layout(showlegend=True)
    return figure


def _add_bars(
    g: Any, figure: Any, bars: list[_data.TimelineBarInfo], color: str, name: str
) -> None:
    if not bars:
        return
    figure.add_trace(
        g.Bar(
            name=name,
            x=np.array([(b.complete - b.start).total_seconds() * 1000 for b in bars]),
            y=np.array([b.number for b in bars]),
            base=np.array([b.start.isoformat() for b in bars], dtype=str),
            text=np.array([b.hovertext for b in bars], dtype=str),
            hovertemplate="%{text}<extra>" + name + "</extra>",
            orientation="h",
            marker={"color": color},
            textposition="none",
        )
    )


def plot_hypervolume_history(study: Study, reference_point: Sequence[float]) -> Any:
    """Plot the hypervolume of the Pareto front after each trial (multi-objective).

    Args:
        study: A multi-objective study.
        reference_point: One value per objective, worse than the points to count.
    """
    warn_experimental("trimtab.visualization.plot_hypervolume_history", "3.3.0")
    g = go()
    info = _data.hypervolume_history_data(study, reference_point)
    layout = g.Layout(
        title="Hypervolume History Plot", xaxis={"title": "Trial"}, yaxis={"title": "Hypervolume"}
    )
    trace = g.Scatter(x=info.trial_numbers, y=info.values, mode="lines+markers")
    return g.Figure(data=trace, layout=layout)


def plot_param_importances(
    study: Study,
    evaluator: BaseImportanceEvaluator | None = None,
    params: list[str] | None = None,
    *,
    target: Target | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> Any:
    """Plot parameter importances as horizontal bars (one series per objective).

    Args:
        study: An optimized study.
        evaluator: The importance evaluator (default: PED-ANOVA).
        params: The parameters to assess (default: all).
        target: The value to explain (default: each objective).
        target_name: The series name.
    """
    g = go()
    infos = _data.param_importances_data(study, evaluator, params, target, target_name)
    layout = g.Layout(
        title="Hyperparameter Importances",
        xaxis={"title": "Hyperparameter Importance"},
        yaxis={"title": "Hyperparameter"},
    )
    bars = [
        g.Bar(
            x=info.importance_values,
            y=info.param_names,
            name=info.target_name,
            text=info.importance_labels,
            textposition="outside",
            cliponaxis=False,
            hovertemplate=[
                f"{name} ({dist}): {value}<extra></extra>"
                for name, dist, value in zip(
                    info.param_names, info.distribution_names, info.importance_values
                )
            ],
            orientation="h",
        )
        for info in infos
        if info.importance_values
    ]
    return g.Figure(bars, layout)


def plot_pareto_front(
    study: Study,
    *,
    target_names: list[str] | None = None,
    include_dominated_trials: bool = True,
    constraints_func: Callable[[FrozenTrial], Sequence[float]] | None = None,
    targets: Callable[[FrozenTrial], Sequence[float]] | None = None,
) -> Any:
    """Plot the Pareto front of a 2- or 3-objective study (or of 2-3 ``targets``).

    Args:
        study: A multi-objective study.
        target_names: Axis titles (default: metric names or ``Objective i``).
        include_dominated_trials: Also plot the dominated feasible trials.
        constraints_func: Deprecated; constraints are read from the trials.
        targets: Map a trial to the 2 or 3 values to plot.
    """
    g = go()
    info = _data.pareto_front_data(
        study, target_names, include_dominated_trials, constraints_func, targets
    )
    groups: list[tuple[str, _data._pareto.TrialsWithValues, dict[str, Any]]] = []
    if info.has_constraints:
        groups.append(("Infeasible Trial", info.infeasible_trials_with_values, _GREY))
    dominated_name = "Feasible Trial" if info.has_constraints else "Trial"
    dominated = info.non_best_trials_with_values
    best = info.best_trials_with_values
    groups.append((dominated_name, dominated, _number_marker(dominated, "Blues", "Trial", None)))
    bar_x = 1.1 if include_dominated_trials else 1
    groups.append(("Best Trial", best, _number_marker(best, "Reds", "Best Trial", bar_x)))
    names = [info.target_names[i] for i in info.axis_order]
    data = [_pareto_scatter(g, info, points, label, marker) for label, points, marker in groups]
    if info.n_targets == 2:
        layout = g.Layout(title="Pareto-front Plot", xaxis_title=names[0], yaxis_title=names[1])
    else:
        scene = {"xaxis_title": names[0], "yaxis_title": names[1], "zaxis_title": names[2]}
        layout = g.Layout(title="Pareto-front Plot", scene=scene)
    return g.Figure(data=data, layout=layout)


_GREY: dict[str, Any] = {"color": "#cccccc"}


def _number_marker(
    points: _data._pareto.TrialsWithValues, scale: str, title: str, bar_x: float | None
) -> dict[str, Any]:
    colorbar: dict[str, Any] = {"title": title}
    if bar_x is not None:
        colorbar.update(x=bar_x, xpad=40)
    return {
        "line": {"width": 0.5, "color": "Grey"},
        "color": np.array([t.number for t, _ in points], dtype=float),
        "colorscale": scale,
        "colorbar": colorbar,
    }


def _pareto_scatter(
    g: Any,
    info: _data.ParetoFrontInfo,
    points: _data._pareto.TrialsWithValues,
    label: str,
    marker: dict[str, Any],
) -> Any:
    axes = {
        axis: np.array([values[index] for _, values in points], dtype=float)
        for axis, index in zip("xyz", info.axis_order)
    }
    common = {
        "text": np.array([make_hovertext(t) for t, _ in points], dtype=str),
        "mode": "markers",
        "hovertemplate": "%{text}<extra>" + label + "</extra>",
        "marker": marker,
        "showlegend": False,
    }
    if info.n_targets == 2:
        return g.Scatter(x=axes["x"], y=axes["y"], **common)
    return g.Scatter3d(x=axes["x"], y=axes["y"], z=axes["z"], **common)

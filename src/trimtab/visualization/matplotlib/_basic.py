"""Matplotlib front-end: history, intermediate values, EDF, timeline, hypervolume,
importances and Pareto front, drawn from the records of ``trimtab.visualization._data``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from trimtab.study import Study
from trimtab.trial import FrozenTrial, TrialState
from trimtab.visualization import _data
from trimtab.visualization._data._common import DEFAULT_TARGET_NAME, _logger
from trimtab.visualization.matplotlib._imports import start

if TYPE_CHECKING:
    from trimtab.importance import BaseImportanceEvaluator

Target = Callable[[FrozenTrial], float]


def plot_optimization_history(
    study: Study | Sequence[Study],
    *,
    target: Target | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
    error_bar: bool = False,
) -> Any:
    """Plot each trial's objective value and the best value so far; returns the Axes.

    Same arguments as :func:`trimtab.visualization.plot_optimization_history`.
    """
    plt = start("plot_optimization_history", "2.2.0")
    infos = _data.optimization_history_data(study, target, target_name, error_bar)
    plt.style.use("ggplot")
    _, ax = plt.subplots(tight_layout=True)
    ax.set_title("Optimization History Plot")
    ax.set_xlabel("Trial")
    ax.set_ylabel(target_name)
    cmap = plt.get_cmap("tab10")
    single = len(infos) == 1
    for i, (numbers, values_info, best_info) in enumerate(infos):
        states = values_info.states
        if values_info.stds is not None:
            if any(s != _data.ValueState.Feasible for s in states):
                _logger.warning(
                    "Your study contains infeasible trials. In optimization history plot, "
                    "error bars are calculated for only feasible trial values."
                )
            ax.errorbar(
                x=numbers, y=values_info.values, yerr=values_info.stds, capsize=5, fmt="o",
                color="tab:blue",
            )  # fmt: skip
            xs, ys, bad_x, bad_y = numbers, values_info.values, [], []
        else:
            good = [j for j, s in enumerate(states) if s == _data.ValueState.Feasible]
            bad = [j for j, s in enumerate(states) if s == _data.ValueState.Infeasible]
            xs, ys = [numbers[j] for j in good], [values_info.values[j] for j in good]
            bad_x, bad_y = [numbers[j] for j in bad], [values_info.values[j] for j in bad]
        color = cmap(0) if single else cmap(2 * i)
        ax.scatter(x=xs, y=ys, color=color, alpha=1, label=values_info.label_name)
        if best_info is not None:
            best_color = cmap(3) if single else cmap(2 * i + 1)
            ax.plot(
                numbers, best_info.values, color=best_color, alpha=0.5, label=best_info.label_name
            )
            if best_info.stds is not None:
                best, std = np.asarray(best_info.values), np.asarray(best_info.stds)
                ax.fill_between(x=numbers, y1=best - std, y2=best + std, color="tab:red", alpha=0.4)
            ax.legend()
        ax.scatter(x=bad_x, y=bad_y, color="#cccccc")
    ax.legend(bbox_to_anchor=(1.05, 1.0), loc="upper left")
    return ax


def plot_intermediate_values(study: Study) -> Any:
    """Plot the intermediate values reported by each trial; returns the Axes.

    All lines form one collection (fast for thousands of trials); the legend names each
    trial when there are 2 to 20 of them.
    """
    plt = start("plot_intermediate_values", "2.2.0")
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    info = _data.intermediate_values_data(study)
    plt.style.use("ggplot")
    _, ax = plt.subplots(tight_layout=True)
    ax.set_title("Intermediate Values Plot")
    ax.set_xlabel("Step")
    ax.set_ylabel("Intermediate Value")
    if not info.trial_infos:
        return ax
    cmap = plt.get_cmap("tab20")
    colors = [cmap(i % 20) if t.feasible else "#CCCCCC" for i, t in enumerate(info.trial_infos)]
    lines = [np.asarray(t.sorted_intermediate_values, dtype=float) for t in info.trial_infos]
    ax.add_collection(LineCollection(lines, colors=colors, alpha=0.7))
    points = np.concatenate(lines)
    point_colors = [c for c, line in zip(colors, lines) for _ in range(len(line))]
    ax.scatter(points[:, 0], points[:, 1], c=point_colors, marker=".", alpha=0.7)
    ax.autoscale_view()
    if 2 <= len(info.trial_infos) <= 20:
        handles = [
            Line2D([0], [0], color=c, marker=".", alpha=0.7, label=f"Trial{t.trial_number}")
            for c, t in zip(colors, info.trial_infos)
        ]
        ax.legend(handles=handles, bbox_to_anchor=(1.05, 1), loc="upper left", borderaxespad=0.0)
    return ax


def plot_edf(
    study: Study | Sequence[Study],
    *,
    target: Target | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> Any:
    """Plot the empirical distribution function of each study's values; returns the Axes."""
    plt = start("plot_edf", "2.2.0")
    plt.style.use("ggplot")
    _, ax = plt.subplots()
    ax.set_title("Empirical Distribution Function Plot")
    ax.set_xlabel(target_name)
    ax.set_ylabel("Cumulative Probability")
    ax.set_ylim(0, 1)
    info = _data.edf_data(study, target, target_name)
    cmap = plt.get_cmap("tab20")
    for i, line in enumerate(info.lines):
        ax.plot(info.x_values, line.y_values, color=cmap(i), alpha=0.7, label=line.study_name)
    if len(info.lines) >= 2:
        ax.legend()
    return ax


_TIMELINE_COLORS = {
    "COMPLETE": "tab:blue",
    "FAIL": "tab:red",
    "PRUNED": "tab:orange",
    "INFEASIBLE": "#CCCCCC",
    "RUNNING": "tab:green",
    "WAITING": "tab:gray",
}


def _bar_key(bar: _data.TimelineBarInfo) -> str:
    infeasible = bar.state == TrialState.COMPLETE and bar.infeasible
    return "INFEASIBLE" if infeasible else bar.state.name


def plot_timeline(study: Study, n_recent_trials: int | None = None) -> Any:
    """Plot each trial's run time as a horizontal bar coloured by state; returns the Axes."""
    if n_recent_trials is not None and n_recent_trials <= 0:
        raise ValueError("n_recent_trials must be a positive integer or None.")
    plt = start("plot_timeline", "3.2.0")
    import matplotlib
    import matplotlib.dates
    import matplotlib.patches
    import matplotlib.ticker
    from matplotlib.collections import PolyCollection

    info = _data.timeline_data(study, n_recent_trials)
    plt.style.use("ggplot")
    fig, ax = plt.subplots()
    ax.set_title("Timeline Plot")
    ax.set_xlabel("Datetime")
    ax.set_ylabel("Trial")
    if not info.bars:
        return ax
    # One collection of rectangles (in matplotlib date units) instead of a patch per bar.
    starts = matplotlib.dates.date2num([b.start for b in info.bars])
    ends = matplotlib.dates.date2num([b.complete for b in info.bars])
    numbers = np.array([b.number for b in info.bars], dtype=float)
    lows, highs = numbers - 0.4, numbers + 0.4
    boxes = np.stack(
        [
            np.column_stack([starts, lows]),
            np.column_stack([starts, highs]),
            np.column_stack([ends, highs]),
            np.column_stack([ends, lows]),
        ],
        axis=1,
    )
    colors = [_TIMELINE_COLORS[_bar_key(b)] for b in info.bars]
    ax.add_collection(PolyCollection(list(boxes), facecolors=colors, edgecolors="none"))
    ax.xaxis_date()
    ax.set_ylim(numbers.min() - 0.8, numbers.max() + 0.8)
    present = {_bar_key(b) for b in info.bars}
    handles = [
        matplotlib.patches.Patch(color=color, label=key)
        for key, color in _TIMELINE_COLORS.items()
        if key in present
    ]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.05, 1.0))
    fig.tight_layout()
    first = min(b.start for b in info.bars)
    last = max(b.complete for b in info.bars)
    margin = (last - first) * 0.05
    ax.set_xlim(right=last + margin, left=first - margin)
    ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%H:%M:%S"))
    fig.autofmt_xdate()
    return ax


def plot_hypervolume_history(study: Study, reference_point: Sequence[float]) -> Any:
    """Plot the Pareto front's hypervolume after each trial; returns the Axes."""
    plt = start("plot_hypervolume_history", "3.3.0")
    info = _data.hypervolume_history_data(study, reference_point)
    plt.style.use("ggplot")
    _, ax = plt.subplots()
    ax.set_title("Hypervolume History Plot")
    ax.set_xlabel("Trial")
    ax.set_ylabel("Hypervolume")
    ax.plot(info.trial_numbers, info.values, marker="o", color=plt.get_cmap("tab10")(0), alpha=0.5)
    return ax


def plot_param_importances(
    study: Study,
    evaluator: BaseImportanceEvaluator | None = None,
    params: list[str] | None = None,
    *,
    target: Target | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> Any:
    """Plot parameter importances as horizontal bars; returns the Axes."""
    plt = start("plot_param_importances", "2.2.0")
    infos = _data.param_importances_data(study, evaluator, params, target, target_name)
    plt.style.use("ggplot")
    _, ax = plt.subplots()
    ax.set_title("Hyperparameter Importances", loc="left")
    ax.set_xlabel("Hyperparameter Importance")
    ax.set_ylabel("Hyperparameter")
    height = 0.8 / len(infos)
    for i, info in enumerate(infos):
        if not info.importance_values:
            continue
        pos = np.arange(len(info.param_names))
        offset = height * i
        ax.barh(
            pos + offset,
            info.importance_values,
            height=height,
            align="center",
            label=info.target_name,
            color=plt.get_cmap("tab20c")(i),
        )
        for j, (value, label) in enumerate(zip(info.importance_values, info.importance_labels)):
            ax.text(value, j + offset, label, va="center")
        ax.set_yticks(pos + offset / 2, info.param_names)
    values = [v for info in infos for v in info.importance_values]
    if values:  # leave room for the labels right of the longest bar
        ax.set_xlim(0, max(values) * 1.15)
    if ax.has_data():
        ax.legend(loc="best")
    return ax


def plot_pareto_front(
    study: Study,
    *,
    target_names: list[str] | None = None,
    include_dominated_trials: bool = True,
    constraints_func: Callable[[FrozenTrial], Sequence[float]] | None = None,
    targets: Callable[[FrozenTrial], Sequence[float]] | None = None,
) -> Any:
    """Plot the Pareto front in 2-D or 3-D; returns the Axes (``Axes3D`` for 3 targets)."""
    plt = start("plot_pareto_front", "2.8.0")
    info = _data.pareto_front_data(
        study, target_names, include_dominated_trials, constraints_func, targets
    )
    plt.style.use("ggplot")
    if info.n_targets == 2:
        _, ax = plt.subplots()
    else:
        ax = plt.figure().add_subplot(projection="3d")
    ax.set_title("Pareto-front Plot")
    names = [info.target_names[i] for i in info.axis_order]
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    if info.n_targets == 3:
        ax.set_zlabel(names[2])
    cmap = plt.get_cmap("tab10")
    trial_label = "Trial"
    groups: list[tuple[_data._pareto.TrialsWithValues, Any, str]] = []
    if info.infeasible_trials_with_values:
        groups.append((info.infeasible_trials_with_values, "#cccccc", "Infeasible Trial"))
        trial_label = "Feasible Trial"
    groups.append((info.non_best_trials_with_values, cmap(0), trial_label))
    groups.append((info.best_trials_with_values, cmap(3), "Best Trial"))
    for points, color, label in groups:
        if not points:
            continue
        coords = [np.array([v[i] for _, v in points], dtype=float) for i in info.axis_order]
        ax.scatter(*coords, color=color, label=label)
    if ax.has_data():
        ax.legend()
    return ax

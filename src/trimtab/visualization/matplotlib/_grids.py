"""Matplotlib front-end: contour, slice, rank and parallel-coordinate plots."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from trimtab.study import Study
from trimtab.trial import FrozenTrial
from trimtab.visualization import _data
from trimtab.visualization._data._common import DEFAULT_TARGET_NAME, padded_range
from trimtab.visualization._data._slice import slice_points
from trimtab.visualization.matplotlib._imports import start

Target = Callable[[FrozenTrial], float]
CONTOUR_POINT_NUM = 100


def _surface_points(n_params: int) -> int:
    """Surface resolution per axis: Optuna's 100, coarser in big matrices of small plots."""
    return CONTOUR_POINT_NUM if n_params <= 3 else max(40, 300 // n_params)


def plot_contour(
    study: Study,
    params: list[str] | None = None,
    *,
    target: Target | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> Any:
    """Plot the objective over pairs of parameters as filled contours.

    Same arguments as :func:`trimtab.visualization.plot_contour`. Returns an Axes for two
    parameters, else an (n, n) array of Axes.
    """
    plt = start("plot_contour", "2.2.0")
    info = _data.contour_data(study, params, target, target_name)
    names = info.sorted_params
    if len(names) <= 1:
        return plt.subplots()[1]
    plt.style.use("ggplot")
    cmap = plt.get_cmap("Blues" if info.reverse_scale else "Blues_r").reversed()
    if len(names) == 2:
        fig, axs = plt.subplots()
        axs.set_title("Contour Plot")
        filled = _contour_subplot(axs, info.sub_plot_infos[0][0], cmap, CONTOUR_POINT_NUM)
        targets = axs
    else:
        fig, axs = plt.subplots(len(names), len(names))
        fig.suptitle("Contour Plot")
        filled = None
        for yi in range(len(names)):
            for xi in range(len(names)):
                sub = info.sub_plot_infos[yi][xi]
                drawn = _contour_subplot(axs[yi, xi], sub, cmap, _surface_points(len(names)))
                filled = filled or drawn
        targets = axs
    if filled is not None:
        fig.colorbar(filled, ax=targets).set_label(target_name)
    return axs


def _set_axis(ax: Any, axis: _data.ContourAxisInfo, which: str) -> None:
    getattr(ax, f"set_{which}lim")(*axis.range)
    if axis.is_cat:
        getattr(ax, f"set_{which}ticks")(range(len(axis.indices)))
        getattr(ax, f"set_{which}ticklabels")(axis.indices)
    else:
        getattr(ax, f"set_{which}scale")("log" if axis.is_log else "linear")


def _contour_subplot(ax: Any, sub: _data.SubContourInfo, cmap: Any, n_points: int) -> Any:
    ax.label_outer()
    if len(sub.xaxis.indices) < 2 or len(sub.yaxis.indices) < 2:
        return None
    ax.set(xlabel=sub.xaxis.name, ylabel=sub.yaxis.name)
    _set_axis(ax, sub.xaxis, "x")
    _set_axis(ax, sub.yaxis, "y")
    surface = _data.contour_surface(sub, n_points)
    if surface is None:
        return None
    xi, yi, zi = surface
    ax.contour(xi, yi, zi, 15, linewidths=0.5, colors="k")
    filled = ax.contourf(xi, yi, zi, 15, cmap=cmap)
    both = (sub.xaxis.cell >= 0) & (sub.yaxis.cell >= 0)
    feasible = np.asarray(sub.constraints, dtype=bool)
    for ok, color in ((True, "black"), (False, "#cccccc")):
        keep = np.flatnonzero(both & (feasible == ok))
        xs, ys = sub.xaxis.positions[keep], sub.yaxis.positions[keep]
        ax.scatter(xs, ys, marker="o", c=color, s=20, edgecolors="grey", linewidth=2.0)
    return filled


def plot_slice(
    study: Study,
    params: list[str] | None = None,
    *,
    target: Target | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> Any:
    """Plot the objective against each parameter; returns an Axes or an array of Axes.

    Same arguments as :func:`trimtab.visualization.plot_slice`.
    """
    plt = start("plot_slice", "2.2.0")
    import matplotlib

    info = _data.slice_data(study, params, target, target_name)
    if not info.subplots:
        return plt.subplots()[1]
    cmap = plt.get_cmap("Blues")
    plt.style.use("ggplot")
    n = len(info.subplots)
    if n == 1:
        fig, axs = plt.subplots()
        axs.set_title("Slice Plot")
        scatter = _slice_subplot(axs, info.subplots[0], cmap, info.target_name)
    else:
        width, height = matplotlib.rcParams["figure.figsize"]
        fig, axs = plt.subplots(1, n, sharey=True, figsize=(width / 2 * n, height))
        fig.suptitle("Slice Plot")
        for ax, sub in zip(axs, info.subplots):
            scatter = _slice_subplot(ax, sub, cmap, info.target_name)
    fig.colorbar(scatter, ax=axs).set_label("Trial")
    return axs


def _slice_subplot(ax: Any, sub: _data.SliceSubplotInfo, cmap: Any, target_name: str) -> Any:
    ax.set(xlabel=sub.param_name, ylabel=target_name)
    good, bad = slice_points(sub)
    xs = np.concatenate([good.x, bad.x])
    if sub.is_log:
        ax.set_xscale("log")
    if not sub.is_numerical:
        width = len(set(xs.tolist())) - 1
        ax.set_xlim(-width * 0.05, width + width * 0.05)
    elif xs.size:
        ax.set_xlim(*padded_range(float(xs.min()), float(xs.max()), sub.is_log))
    scatter = ax.scatter(
        good.x, good.y, c=good.trial_numbers.astype(float), cmap=cmap, edgecolors="grey"
    )
    ax.scatter(bad.x, bad.y, c="#cccccc", label="Infeasible Trial")
    ax.label_outer()
    return scatter


def plot_rank(
    study: Study,
    params: list[str] | None = None,
    *,
    target: Target | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> Any:
    """Plot trials over pairs of parameters coloured by the rank of their value.

    Same arguments as :func:`trimtab.visualization.plot_rank`. Returns an Axes for one or
    two parameters, else an (n, n) array of Axes.
    """
    plt = start("plot_rank", "3.2.0")
    info = _data.rank_data(study, params, target, target_name)
    plt.style.use("ggplot")
    title = f"Rank ({info.target_name})"
    n = len(info.params)
    if n == 0:
        _, ax = plt.subplots()
        ax.set_title(title)
        return ax
    if n <= 2:
        fig, axs = plt.subplots()
        axs.set_title(title)
        collection = _rank_subplot(axs, info.sub_plot_infos[0][0], True, True)
    else:
        fig, axs = plt.subplots(n, n)
        fig.suptitle(title)
        for yi in range(n):
            for xi in range(n):
                sub = info.sub_plot_infos[yi][xi]
                collection = _rank_subplot(axs[yi, xi], sub, yi == n - 1, xi == 0)
    stops = [0, 0.25, 0.5, 0.75, 1]
    quantiles = np.quantile(np.sort(info.zs), stops)
    labels = ["min.", "25%", "50%", "75%", "max."]
    collection.set_cmap(plt.get_cmap("RdYlBu_r"))
    bar = fig.colorbar(collection, ax=axs, ticks=stops)
    bar.ax.set_yticklabels([f"{lab} ({v:3g})" for lab, v in zip(labels, quantiles)])
    bar.outline.set_edgecolor("gray")
    return axs


def _rank_subplot(ax: Any, sub: _data.RankSubplotInfo, x_label: bool, y_label: bool) -> Any:
    if x_label:
        ax.set_xlabel(sub.xaxis.name)
    if y_label:
        ax.set_ylabel(sub.yaxis.name)
    for axis, which in ((sub.xaxis, "x"), (sub.yaxis, "y")):
        if not axis.is_cat:
            getattr(ax, f"set_{which}lim")(*axis.range)
        if axis.is_log:
            getattr(ax, f"set_{which}scale")("log")
    return ax.scatter(
        x=_points(sub.xs, sub.xaxis.is_cat),
        y=_points(sub.ys, sub.yaxis.is_cat),
        c=sub.colors / 255,
        edgecolors="grey",
    )


def _points(values: list[Any], categorical: bool) -> np.ndarray:
    """Values as an array (strings on a categorical axis): matplotlib converts lists slowly."""
    if categorical:
        return np.array([str(v) for v in values])
    return np.asarray(values, dtype=float)

"""Matplotlib front-end: the parallel-coordinate plot, as one LineCollection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from trimtab.study import Study
from trimtab.trial import FrozenTrial
from trimtab.visualization import _data
from trimtab.visualization._data._common import DEFAULT_TARGET_NAME
from trimtab.visualization.matplotlib._imports import start

Target = Callable[[FrozenTrial], float]


def plot_parallel_coordinate(
    study: Study,
    params: list[str] | None = None,
    *,
    target: Target | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> Any:
    """Plot each trial as a line across the objective and the parameters; returns the Axes.

    Same arguments as :func:`trimtab.visualization.plot_parallel_coordinate`.
    """
    plt = start("plot_parallel_coordinate", "2.2.0")
    from matplotlib.collections import LineCollection
    from matplotlib.colors import BoundaryNorm
    from matplotlib.lines import Line2D

    info = _data.parallel_coordinate_data(study, params, target, target_name)
    fig, ax = plt.subplots()
    cmap = plt.get_cmap("Blues_r" if info.reverse_scale else "Blues")
    ax.set_title("Parallel Coordinate Plot", y=1.03)
    ax.spines["top"].set_visible(False)
    ax.spines["bottom"].set_visible(False)
    first = info.dims_objectives[0]
    others = info.dims_objectives[1:] + info.dims_params
    if not others or not first.values:
        return ax
    low, high = first.range
    constant = low == high
    if constant:
        pad = abs(low) * 0.05 if low != 0.0 else 0.5
        low, high = low - pad, high + pad
    order = np.asarray(info.draw_order, dtype=np.int64)
    segments = _segments(first, others, order, (low, high))
    ax.set_xlim(0, len(others))
    ax.set_ylim(low, high)
    if constant:
        ax.set_yticks([first.range[0]])
    lines = LineCollection(list(segments), cmap=cmap)
    if info.feasibility is not None:
        feasible = np.asarray(info.feasibility, dtype=bool)[order]
        lines.set_linestyle(["solid" if ok else "dotted" for ok in feasible])
        handles = [
            Line2D([0], [0], color="#2F3B52", linestyle=style, label=label)  # type: ignore[arg-type]
            for label, style in (("Feasible", "solid"), ("Infeasible", "dotted"))
        ]
        ax.legend(
            handles=handles, loc="lower right", bbox_to_anchor=(1.0, 1.02), ncol=2, frameon=False
        )
    colors = np.asarray(info.color_values, dtype=float)[order]
    lines.set_array(colors)
    if info.is_rank_color:
        lines.set_norm(BoundaryNorm(np.arange(-0.5, int(colors.max()) + 1.5), cmap.N))
    bar = fig.colorbar(lines, pad=0.1, ax=ax)
    if info.is_rank_color:
        bar.set_ticks(list(range(int(colors.max()) + 1)))
    bar.set_label(info.colorbar_title)
    ax.set_xticks(range(len(others) + 1))
    ax.set_xticklabels([d.label for d in info.dims_objectives + info.dims_params], rotation=330)
    for i, dim in enumerate(others):
        _twin_axis(ax, dim, (i + 1) / len(others))
    ax.add_collection(lines)
    return ax


def _segments(
    first: _data.DimensionInfo,
    others: list[_data.DimensionInfo],
    order: np.ndarray,
    limits: tuple[float, float],
) -> np.ndarray:
    """Polylines (n_trials, n_axes, 2) in draw order, every axis rescaled onto ``limits``
    (the first objective's range), a flat axis drawn at its middle."""
    low, high = limits
    columns = [np.asarray(first.values, dtype=float)[order]]
    for dim in others:
        lo, hi = dim.range
        values = np.asarray(dim.values, dtype=float)[order]
        mid = (high - low) / 2 + low
        columns.append(
            np.full(order.size, mid) if hi == lo else (values - lo) / (hi - lo) * (high - low) + low
        )
    ys = np.column_stack(columns)
    xs = np.arange(len(others) + 1, dtype=float)
    return np.stack([np.broadcast_to(xs, ys.shape), ys], axis=-1)


def _twin_axis(ax: Any, dim: _data.DimensionInfo, position: float) -> None:
    twin = ax.twinx()
    if dim.is_log and not dim.has_missing:
        twin.set_ylim(10 ** dim.range[0], 10 ** dim.range[1])
        twin.set_yscale("log")
    else:
        twin.set_ylim(*dim.range)
    twin.spines["top"].set_visible(False)
    twin.spines["bottom"].set_visible(False)
    twin.xaxis.set_visible(False)
    twin.spines["right"].set_position(("axes", position))
    if dim.is_cat or dim.has_missing:
        twin.set_yticks(dim.tickvals)
        twin.set_yticklabels(dim.ticktext)

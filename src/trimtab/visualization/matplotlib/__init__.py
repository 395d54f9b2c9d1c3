"""Matplotlib versions of every plot in :mod:`trimtab.visualization` (same arguments).

Each function returns the matplotlib ``Axes`` (or an array of them for subplot grids) and,
as in Optuna, warns that the Matplotlib back-end is experimental. matplotlib is imported
only when a plot is drawn: ``pip install "trimtab[visualization]"``.
"""

from __future__ import annotations

from trimtab.visualization.matplotlib._basic import (
    plot_edf,
    plot_hypervolume_history,
    plot_intermediate_values,
    plot_optimization_history,
    plot_param_importances,
    plot_pareto_front,
    plot_timeline,
)
from trimtab.visualization.matplotlib._grids import plot_contour, plot_rank, plot_slice
from trimtab.visualization.matplotlib._imports import is_available
from trimtab.visualization.matplotlib._parallel import plot_parallel_coordinate
from trimtab.visualization.matplotlib._terminator import plot_terminator_improvement

__all__ = [
    "is_available",
    "plot_contour",
    "plot_edf",
    "plot_hypervolume_history",
    "plot_intermediate_values",
    "plot_optimization_history",
    "plot_parallel_coordinate",
    "plot_param_importances",
    "plot_pareto_front",
    "plot_rank",
    "plot_slice",
    "plot_terminator_improvement",
    "plot_timeline",
]

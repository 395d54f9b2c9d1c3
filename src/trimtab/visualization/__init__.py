"""Plots of a study, with Plotly (this module) or Matplotlib (``.matplotlib``).

Both front-ends render the plain records computed by ``trimtab.visualization._data`` (see
that package for what each plot shows); neither plotly nor matplotlib is imported until a
plot is drawn. Install them with ``pip install "trimtab[visualization]"``.
"""

from __future__ import annotations

from trimtab.visualization import matplotlib
from trimtab.visualization._plotly_basic import (
    plot_edf,
    plot_hypervolume_history,
    plot_intermediate_values,
    plot_optimization_history,
    plot_param_importances,
    plot_pareto_front,
    plot_timeline,
)
from trimtab.visualization._plotly_grids import (
    plot_contour,
    plot_parallel_coordinate,
    plot_rank,
    plot_slice,
)
from trimtab.visualization._plotly_imports import is_available
from trimtab.visualization._plotly_terminator import plot_terminator_improvement

__all__ = [
    "is_available",
    "matplotlib",
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

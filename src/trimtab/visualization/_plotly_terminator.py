"""Plotly front-end of the terminator-improvement plot."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trimtab._warnings import warn_experimental
from trimtab.study import Study
from trimtab.visualization import _data
from trimtab.visualization._data._common import _logger
from trimtab.visualization._plotly_imports import go

if TYPE_CHECKING:
    from trimtab.terminator import BaseErrorEvaluator, BaseImprovementEvaluator

_EARLY_OPACITY = 0.25


def plot_terminator_improvement(
    study: Study,
    plot_error: bool = False,
    improvement_evaluator: BaseImprovementEvaluator | None = None,
    error_evaluator: BaseErrorEvaluator | None = None,
    min_n_trials: int = 20,
) -> Any:
    """Plot the room left for improvement after each trial (and the error, if asked).

    Evaluating the improvement after every trial fits one GP per trial with the default
    ``RegretBoundEvaluator``, which takes a while on long studies.

    Args:
        study: A single-objective study.
        plot_error: Also plot the error evaluator's value.
        improvement_evaluator: Default ``RegretBoundEvaluator()``.
        error_evaluator: Default ``CrossValidationErrorEvaluator()`` (``StaticErrorEvaluator(0)``
            with a ``BestValueStagnationEvaluator``).
        min_n_trials: Improvements before this many trials are drawn lighter.

    Returns:
        A ``plotly.graph_objects.Figure``.

    Raises:
        ValueError: the study is multi-objective.
    """
    warn_experimental("trimtab.visualization.plot_terminator_improvement", "3.2.0")
    g = go()
    info = _data.terminator_improvement_data(
        study, plot_error, improvement_evaluator, error_evaluator, min_n_trials
    )
    figure = g.Figure(
        layout=g.Layout(
            title="Terminator Improvement Plot",
            xaxis={"title": "Trial"},
            yaxis={"title": "Terminator Improvement"},
        )
    )
    n = len(info.trial_numbers)
    if n == 0:
        _logger.warning("There are no complete trials.")
        return figure
    cut = min_n_trials
    figure.add_trace(
        _improvement_trace(
            g, info.trial_numbers[: cut + 1], info.improvements[: cut + 1], _EARLY_OPACITY,
            showlegend=n <= cut,
        )
    )
    if n > cut:
        figure.add_trace(
            _improvement_trace(g, info.trial_numbers[cut:], info.improvements[cut:], 1.0, True)
        )
    if info.errors is not None:
        red = "rgb(239, 85, 59)"
        figure.add_trace(
            g.Scatter(
                x=info.trial_numbers, y=info.errors, mode="markers+lines", name="Error",
                marker={"color": red}, line={"color": red},
            )
        )
    else:
        figure.add_trace(g.Scatter())  # Optuna adds an empty trace: same trace count
    figure.update_yaxes(range=info.y_range)
    return figure


def _improvement_trace(
    g: Any, numbers: list[int], values: list[float], opacity: float, showlegend: bool
) -> Any:
    color = f"rgba(99, 110, 250, {opacity})"
    return g.Scatter(
        x=numbers, y=values, mode="markers+lines", marker={"color": color},
        line={"color": color}, name="Terminator Improvement", showlegend=showlegend,
        legendgroup="improvement",
    )

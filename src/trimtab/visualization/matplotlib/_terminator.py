"""Matplotlib front-end of the terminator-improvement plot."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trimtab.study import Study
from trimtab.visualization import _data
from trimtab.visualization._data._common import _logger
from trimtab.visualization.matplotlib._imports import start

if TYPE_CHECKING:
    from trimtab.terminator import BaseErrorEvaluator, BaseImprovementEvaluator

_EARLY_ALPHA = 0.25


def plot_terminator_improvement(
    study: Study,
    plot_error: bool = False,
    improvement_evaluator: BaseImprovementEvaluator | None = None,
    error_evaluator: BaseErrorEvaluator | None = None,
    min_n_trials: int = 20,
) -> Any:
    """Plot the room left for improvement after each trial (and the error); returns the Axes.

    Same arguments as :func:`trimtab.visualization.plot_terminator_improvement`.
    """
    plt = start("plot_terminator_improvement", "3.2.0")
    info = _data.terminator_improvement_data(
        study, plot_error, improvement_evaluator, error_evaluator, min_n_trials
    )
    plt.style.use("ggplot")
    _, ax = plt.subplots()
    ax.set_title("Terminator Improvement Plot")
    ax.set_xlabel("Trial")
    ax.set_ylabel("Terminator Improvement")
    cmap = plt.get_cmap("tab10")
    n = len(info.trial_numbers)
    if n == 0:
        _logger.warning("There are no complete trials.")
        return ax
    cut = min_n_trials
    ax.plot(
        info.trial_numbers[: cut + 1], info.improvements[: cut + 1], marker="o", color=cmap(0),
        alpha=_EARLY_ALPHA, label="Terminator Improvement" if n <= cut else None,
    )
    if n > cut:
        ax.plot(
            info.trial_numbers[cut:], info.improvements[cut:], marker="o", color=cmap(0),
            label="Terminator Improvement",
        )
    if info.errors is not None:
        ax.plot(info.trial_numbers, info.errors, marker="o", color=cmap(3), label="Error")
    ax.legend()
    ax.set_ylim(info.y_range)
    return ax

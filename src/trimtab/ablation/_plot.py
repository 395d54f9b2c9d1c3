"""The effects of an ablation as a forest plot: one row per variant, its interval, a line at 0.

``plot_ablation`` draws with Plotly, ``plot_ablation_matplotlib`` with Matplotlib; both
draw the records of :func:`~trimtab.ablation.ablation_effects`. Install the libraries with
``pip install "trimtab[visualization]"``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from trimtab.ablation._stats import FactorEffect, ablation_effects

if TYPE_CHECKING:
    from trimtab.study import Study
    from trimtab.trial import FrozenTrial

_SIGNIFICANT = "#d62728"
_NOT_SIGNIFICANT = "#1f77b4"
_HINT = 'is required for ablation plots: pip install "trimtab[visualization]"'


def _finite(x: float, fallback: float) -> float:
    return x if math.isfinite(x) else fallback


def _title(name: str, test: str, confidence: float) -> str:
    return f"Ablation '{name}': effect vs base ({confidence:.0%} CI, {test})"


def plot_ablation(
    study: Study,
    name: str = "ablation",
    *,
    test: str = "welch",
    confidence: float = 0.95,
    target: Callable[[FrozenTrial], float] | None = None,
    target_name: str = "Objective Value",
) -> Any:
    """Plot each variant's effect and confidence interval with Plotly.

    Args:
        study: The study the design ran in.
        name: The design's name.
        test: ``"welch"``, ``"mannwhitney"`` or ``"paired"``.
        confidence: The confidence level of the intervals.
        target: The number to compare (default: the objective value).
        target_name: The axis label.

    Returns:
        A ``plotly.graph_objects.Figure``; significant effects are red.
    """
    try:
        import plotly.graph_objects as go
    except ImportError as err:
        raise ImportError(f"Plotly {_HINT}") from err
    effects = ablation_effects(study, name, test=test, confidence=confidence, target=target)
    figure = go.Figure()
    for significant in (False, True):
        rows = [e for e in effects if e.significant == significant]
        figure.add_trace(
            go.Scatter(
                x=[e.effect for e in rows],
                y=[e.variant for e in rows],
                mode="markers",
                name="significant" if significant else "not significant",
                marker={"color": _SIGNIFICANT if significant else _NOT_SIGNIFICANT, "size": 10},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [_finite(e.ci_high - e.effect, 0.0) for e in rows],
                    "arrayminus": [_finite(e.effect - e.ci_low, 0.0) for e in rows],
                },
                customdata=[[e.n, e.p_value] for e in rows],
                hovertemplate="%{y}: %{x:.4g} (n=%{customdata[0]}, p=%{customdata[1]:.3g})"
                "<extra></extra>",
            )
        )
    figure.add_vline(x=0.0, line_dash="dash", line_color="gray")
    figure.update_layout(
        title=_title(name, test, confidence),
        xaxis_title=f"{target_name}: variant − base",
        yaxis={"autorange": "reversed", "type": "category"},
    )
    return figure


def plot_ablation_matplotlib(
    study: Study,
    name: str = "ablation",
    *,
    test: str = "welch",
    confidence: float = 0.95,
    target: Callable[[FrozenTrial], float] | None = None,
    target_name: str = "Objective Value",
) -> Any:
    """Plot each variant's effect and confidence interval with Matplotlib.

    Args:
        study: The study the design ran in.
        name: The design's name.
        test: ``"welch"``, ``"mannwhitney"`` or ``"paired"``.
        confidence: The confidence level of the intervals.
        target: The number to compare (default: the objective value).
        target_name: The axis label.

    Returns:
        A ``matplotlib.axes.Axes``; significant effects are red.
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:
        raise ImportError(f"Matplotlib {_HINT}") from err
    effects: list[FactorEffect] = ablation_effects(
        study, name, test=test, confidence=confidence, target=target
    )
    _, ax = plt.subplots(figsize=(7, 1.0 + 0.5 * max(len(effects), 1)))
    for row, e in enumerate(effects):
        low = _finite(e.effect - e.ci_low, 0.0)
        high = _finite(e.ci_high - e.effect, 0.0)
        color = _SIGNIFICANT if e.significant else _NOT_SIGNIFICANT
        ax.errorbar(e.effect, row, xerr=[[low], [high]], fmt="o", color=color, capsize=4)
    ax.axvline(0.0, color="gray", linestyle="--")
    ax.set_yticks(range(len(effects)), [e.variant for e in effects])
    ax.invert_yaxis()
    ax.set_xlabel(f"{target_name}: variant − base")
    ax.set_title(_title(name, test, confidence))
    return ax

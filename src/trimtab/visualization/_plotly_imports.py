"""Lazy access to plotly, with an error naming the extra to install."""

from __future__ import annotations

from types import ModuleType

_INSTALL_HINT = 'Plotly is required for trimtab.visualization: pip install "trimtab[visualization]"'


def is_available() -> bool:
    """Return whether plotly can be imported (the Plotly plotting functions need it)."""
    try:
        import plotly  # noqa: F401
    except ImportError:
        return False
    return True


def go() -> ModuleType:
    """Return ``plotly.graph_objects``; raise ImportError naming the extra when missing."""
    try:
        import plotly.graph_objects
    except ImportError as err:
        raise ImportError(_INSTALL_HINT) from err
    return plotly.graph_objects


COLOR_SCALE = [
    "rgb(247,251,255)", "rgb(222,235,247)", "rgb(198,219,239)", "rgb(158,202,225)",
    "rgb(107,174,214)", "rgb(66,146,198)", "rgb(33,113,181)", "rgb(8,81,156)", "rgb(8,48,107)",
]  # fmt: skip

"""Lazy access to matplotlib, with an error naming the extra to install."""

from __future__ import annotations

from types import ModuleType

from trimtab._warnings import warn_experimental

_INSTALL_HINT = (
    "Matplotlib is required for trimtab.visualization.matplotlib: "
    'pip install "trimtab[visualization]"'
)


def plt() -> ModuleType:
    """Return ``matplotlib.pyplot``; raise ImportError naming the extra when missing."""
    try:
        import matplotlib.pyplot
    except ImportError as err:
        raise ImportError(_INSTALL_HINT) from err
    return matplotlib.pyplot


def start(name: str, since: str) -> ModuleType:
    """Warn that ``name`` is experimental (as Optuna does) and return ``pyplot``."""
    warn_experimental(f"trimtab.visualization.matplotlib.{name}", since)
    return plt()


def is_available() -> bool:
    """Return whether matplotlib is installed (the Matplotlib plotting functions need it)."""
    warn_experimental("trimtab.visualization.matplotlib.is_available", "2.2.0")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True

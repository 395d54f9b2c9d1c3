"""Deprecation and experimental warnings that point at the user's line."""

from __future__ import annotations

import os
import sys
import warnings

from trimtab.exceptions import ExperimentalWarning

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _user_stacklevel() -> int:
    """Return the ``stacklevel`` of the first frame outside the trimtab package."""
    level = 1
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


def warn(message: str, category: type[Warning] = UserWarning) -> None:
    """Emit ``message`` attributed to the first stack frame outside trimtab."""
    warnings.warn(message, category, stacklevel=_user_stacklevel())


def warn_deprecated(name: str, since: str, removed: str, instead: str | None = None) -> None:
    """Warn that ``name`` is deprecated, naming its replacement when there is one."""
    text = f"{name} has been deprecated in v{since}. This feature will be removed in v{removed}."
    if instead:
        text += f" Use {instead} instead."
    warn(text, FutureWarning)


def warn_experimental(name: str, since: str) -> None:
    """Warn that ``name`` is experimental."""
    warn(
        f"{name} is experimental (supported from v{since}). "
        "The interface can change in the future.",
        ExperimentalWarning,
    )

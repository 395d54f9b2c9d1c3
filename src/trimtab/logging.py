"""trimtab's logger, with Optuna's verbosity API and line format.

Lines look like ``[I 2024-01-12 03:10:22,378] Trial 0 finished with value: ...``. The default
handler writes INFO and above to stderr, as Optuna's does, because users rely on those lines.
"""

from __future__ import annotations

import logging
import sys
import threading
from logging import CRITICAL, DEBUG, ERROR, FATAL, INFO, WARN, WARNING

_ROOT_NAME = "trimtab"
_lock = threading.Lock()
_default_handler: logging.Handler | None = None


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        record.levelletter = record.levelname[:1]
        return super().format(record)


def _root() -> logging.Logger:
    return logging.getLogger(_ROOT_NAME)


def _configure_root() -> None:
    global _default_handler
    with _lock:
        if _default_handler is not None:
            return
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_Formatter("[%(levelletter)s %(asctime)s] %(message)s"))
        _default_handler = handler
        root = _root()
        root.addHandler(handler)
        root.setLevel(INFO)
        root.propagate = False


def get_logger(name: str) -> logging.Logger:
    """Return a logger below trimtab's root logger, configuring the root on first use."""
    _configure_root()
    return logging.getLogger(name)


def get_verbosity() -> int:
    """Return the level of trimtab's root logger (e.g. ``trimtab.logging.INFO``)."""
    _configure_root()
    return _root().getEffectiveLevel()


def set_verbosity(verbosity: int) -> None:
    """Set the level of trimtab's root logger, e.g. ``set_verbosity(trimtab.logging.WARNING)``."""
    _configure_root()
    _root().setLevel(verbosity)


def disable_default_handler() -> None:
    """Stop writing log lines to stderr."""
    _configure_root()
    assert _default_handler is not None
    _root().removeHandler(_default_handler)


def enable_default_handler() -> None:
    """Write log lines to stderr again (the default)."""
    _configure_root()
    assert _default_handler is not None
    _root().addHandler(_default_handler)


def disable_propagation() -> None:
    """Keep trimtab's records away from the root logger (the default)."""
    _configure_root()
    _root().propagate = False


def enable_propagation() -> None:
    """Pass trimtab's records on to the root logger's handlers too."""
    _configure_root()
    _root().propagate = True


__all__ = [
    "CRITICAL",
    "DEBUG",
    "ERROR",
    "FATAL",
    "INFO",
    "WARN",
    "WARNING",
    "disable_default_handler",
    "disable_propagation",
    "enable_default_handler",
    "enable_propagation",
    "get_logger",
    "get_verbosity",
    "set_verbosity",
]

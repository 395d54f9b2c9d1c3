"""Optuna's module path ``optuna.terminator.callback`` (re-exports)."""

from trimtab.terminator._callback import TerminatorCallback

__all__ = ["TerminatorCallback"]

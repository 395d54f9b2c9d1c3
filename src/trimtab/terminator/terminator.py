"""Optuna's module path ``optuna.terminator.terminator`` (re-exports)."""

from trimtab.terminator._terminator import BaseTerminator, Terminator

__all__ = ["BaseTerminator", "Terminator"]

"""Optuna's module path ``optuna.terminator.improvement.emmr`` (re-exports)."""

from trimtab.terminator._emmr import EMMREvaluator

__all__ = ["EMMREvaluator"]

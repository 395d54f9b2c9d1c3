"""Optuna's module path ``optuna.terminator.median_erroreval`` (re-exports)."""

from trimtab.terminator._erroreval import MedianErrorEvaluator

__all__ = ["MedianErrorEvaluator"]

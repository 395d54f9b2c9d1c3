"""Optuna's module path ``optuna.terminator.erroreval`` (re-exports)."""

from trimtab.terminator._erroreval import (
    BaseErrorEvaluator,
    CrossValidationErrorEvaluator,
    StaticErrorEvaluator,
    report_cross_validation_scores,
)

__all__ = [
    "BaseErrorEvaluator",
    "CrossValidationErrorEvaluator",
    "StaticErrorEvaluator",
    "report_cross_validation_scores",
]

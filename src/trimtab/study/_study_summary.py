"""Optuna's module path ``optuna.study._study_summary`` (re-export)."""

from trimtab.study._summary import StudySummary

__all__ = ["StudySummary"]

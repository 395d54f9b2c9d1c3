"""Optuna's module path ``optuna.study._study_direction`` (re-export)."""

from trimtab._study_records import StudyDirection

__all__ = ["StudyDirection"]

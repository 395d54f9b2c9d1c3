"""Optuna's module path ``optuna.study._frozen`` (re-export)."""

from trimtab._study_records import FrozenStudy

__all__ = ["FrozenStudy"]

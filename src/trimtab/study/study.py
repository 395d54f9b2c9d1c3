"""Optuna's module path ``optuna.study.study`` (re-exports, for code that imports from it)."""

from trimtab.study._functions import (
    copy_study,
    create_study,
    delete_study,
    get_all_study_names,
    get_all_study_summaries,
    load_study,
)
from trimtab.study._optimize import ObjectiveFuncType
from trimtab.study._study import Study

__all__ = [
    "ObjectiveFuncType",
    "Study",
    "copy_study",
    "create_study",
    "delete_study",
    "get_all_study_names",
    "get_all_study_summaries",
    "load_study",
]

"""Studies: create, load and optimise."""

from trimtab._study_records import FrozenStudy, StudyDirection
from trimtab.study._callbacks import MaxTrialsCallback
from trimtab.study._functions import (
    copy_study,
    create_study,
    delete_study,
    get_all_study_names,
    get_all_study_summaries,
    load_study,
)
from trimtab.study._study import Study
from trimtab.study._summary import StudySummary

__all__ = [
    "FrozenStudy",
    "MaxTrialsCallback",
    "Study",
    "StudyDirection",
    "StudySummary",
    "copy_study",
    "create_study",
    "delete_study",
    "get_all_study_names",
    "get_all_study_summaries",
    "load_study",
]

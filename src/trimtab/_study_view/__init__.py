"""The study as samplers, pruners and search spaces see it: one small read-only view.

Everything below ``trimtab.study`` reads a study through a ``StudyView`` (directions, name,
trials, an incremental ``trials_since``, the shared columnar ``history``, per-consumer
``digest``\\ s of finished trials, and the versioned state calls) instead of reaching into
``Study``'s storage. ``Study.view`` hands out its implementation (``StorageStudyView``); a
pruner that restricts what samplers see (Hyperband's brackets) returns a ``SubsetView`` of it
from ``BasePruner.sampling_subset``. This package imports only trial and study records;
numpy is imported when a ``history`` is first asked for (``TrialHistory`` lives in
``trimtab._study_view._history``).
"""

from trimtab._study_view._base import Digest, FinishedTrials, SubsetView
from trimtab._study_view._best import best_feasible_trial
from trimtab._study_view._protocol import StudyLike, StudyView, view_of
from trimtab._study_view._state import load_trial_state
from trimtab._study_view._storage import StorageStudyView

__all__ = [
    "Digest",
    "FinishedTrials",
    "StorageStudyView",
    "StudyLike",
    "StudyView",
    "SubsetView",
    "best_feasible_trial",
    "load_trial_state",
    "view_of",
]

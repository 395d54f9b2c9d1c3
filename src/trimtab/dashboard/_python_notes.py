"""``save_note`` / ``get_note``: a study's or trial's Markdown note from Python.

The notes are the dashboard's (and optuna-dashboard's): same keys, same versions, so a note
saved here shows in the page and an edit open in the page sees the new version.
"""

from __future__ import annotations

from trimtab.dashboard._notes import MAX_NOTE, read_note
from trimtab.dashboard._notes import save_note as _save_versioned
from trimtab.study import Study
from trimtab.trial import Trial


def _owner(study_or_trial: Study | Trial) -> tuple[Study, int | None]:
    if isinstance(study_or_trial, Study):
        return study_or_trial, None
    if isinstance(study_or_trial, Trial):
        return study_or_trial.study, study_or_trial._trial_id
    raise TypeError(
        f"study_or_trial must be a Study or a Trial, got {type(study_or_trial).__name__}."
    )


def save_note(study_or_trial: Study | Trial, body: str) -> None:
    """Replace the Markdown note of a study or of a (running) trial.

    Args:
        study_or_trial: The study, or the trial an objective function receives.
        body: The note, in Markdown (at most 1,000,000 characters).

    Raises:
        TypeError: ``study_or_trial`` is neither a study nor a trial, or ``body`` not a str.
        ValueError: ``body`` is too long.
    """
    study, trial_id = _owner(study_or_trial)
    if not isinstance(body, str):
        raise TypeError(f"body must be a str, got {type(body).__name__}.")
    if len(body) > MAX_NOTE:
        raise ValueError(f"body: a note is limited to {MAX_NOTE} characters.")
    storage, study_id = study.storage, study.study_id
    version = read_note(storage.get_study_system_attrs(study_id), trial_id, html=False).version
    _save_versioned(storage, study_id, trial_id, version + 1, body, html=False)


def get_note(study_or_trial: Study | Trial) -> str:
    """Return the Markdown note of a study or trial ("" when none was saved).

    Raises:
        TypeError: ``study_or_trial`` is neither a study nor a trial.
    """
    study, trial_id = _owner(study_or_trial)
    attrs = study.storage.get_study_system_attrs(study.study_id)
    return read_note(attrs, trial_id, html=False).body

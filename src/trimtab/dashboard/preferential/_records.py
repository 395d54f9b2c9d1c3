"""Where a preferential study keeps its answers: optuna-dashboard's study system attributes.

``preference:is_preferential`` marks the study, ``preference:n_generate`` says how many
candidates to show at once, ``preference:values<uuid>`` holds one answer's
``[[better, worse], ...]`` trial numbers (undone: ``[]``), ``preference:skip_trial:<id>``
marks a trial the person skipped, and ``preference:component`` says what the compare page
shows of each trial.
"""

from __future__ import annotations

import uuid
from typing import Any

from trimtab.samplers._gp._preferential import (
    PREFERENCE_PREFIX,
    SKIP_PREFIX,
    preferences_from_attrs,
)
from trimtab.storages import BaseStorage
from trimtab.trial import TrialState

IS_PREFERENTIAL = "preference:is_preferential"
N_GENERATE = "preference:n_generate"
FEEDBACK_COMPONENT = "preference:component"

__all__ = [
    "FEEDBACK_COMPONENT",
    "IS_PREFERENTIAL",
    "N_GENERATE",
    "PREFERENCE_PREFIX",
    "SKIP_PREFIX",
    "preferences_from_attrs",
    "record_preferences",
    "skipped_trial_ids",
    "undo_preference",
]


def record_preferences(storage: BaseStorage, study_id: int, pairs: list[tuple[int, int]]) -> str:
    """Store one answer (``(better, worse)`` trial numbers) and return its id; the compared
    trials become COMPLETE (with zero values, as optuna-dashboard does)."""
    answer_id = str(uuid.uuid4())
    storage.set_study_system_attr(study_id, PREFERENCE_PREFIX + answer_id, [list(p) for p in pairs])
    n_objectives = len(storage.get_study_directions(study_id))
    numbers = {n for pair in pairs for n in pair}
    for number in sorted(numbers):
        trial_id = storage.get_trial_id_from_study_id_trial_number(study_id, number)
        if storage.get_trial(trial_id).state == TrialState.RUNNING:
            storage.set_trial_state_values(trial_id, TrialState.COMPLETE, [0.0] * n_objectives)
    return answer_id


def undo_preference(storage: BaseStorage, study_id: int, answer_id: str) -> None:
    """Withdraw one answer (its record becomes ``[]``).

    Raises:
        KeyError: no answer has that id.
    """
    key = PREFERENCE_PREFIX + answer_id
    if key not in storage.get_study_system_attrs(study_id):
        raise KeyError(f"No preference {answer_id!r} in this study.")
    storage.set_study_system_attr(study_id, key, [])


def skipped_trial_ids(system_attrs: dict[str, Any]) -> set[int]:
    """Return the ids of the trials the person skipped."""
    ids = set()
    for key in system_attrs:
        if key.startswith(SKIP_PREFIX) and key[len(SKIP_PREFIX) :].isdigit():
            ids.add(int(key[len(SKIP_PREFIX) :]))
    return ids

"""``StudySummary``: one line of ``get_all_study_summaries``."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from trimtab._study_records import StudyDirection, StudyRecord
from trimtab.trial import FrozenTrial


class StudySummary(StudyRecord):
    """A study's name, directions, best trial, attributes, trial count and start time."""

    def __init__(
        self,
        study_name: str,
        direction: StudyDirection | None,
        best_trial: FrozenTrial | None,
        user_attrs: dict[str, Any],
        n_trials: int,
        datetime_start: datetime.datetime | None,
        study_id: int,
        *,
        directions: Sequence[StudyDirection] | None = None,
        system_attrs: dict[str, Any] | None = None,
    ) -> None:
        self.study_name = study_name
        self._set_directions(direction, directions)
        self.best_trial = best_trial
        self.user_attrs = user_attrs
        self.system_attrs = system_attrs or {}
        self.n_trials = n_trials
        self.datetime_start = datetime_start
        self._study_id = study_id

"""``StudySummary``: one line of ``get_all_study_summaries``."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from trimtab._study_records import StudyDirection
from trimtab.trial import FrozenTrial


class StudySummary:
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
        if (direction is None) == (directions is None):
            raise ValueError("Specify exactly one of `direction` and `directions`.")
        self.study_name = study_name
        self._directions = [direction] if direction is not None else list(directions or [])
        self.best_trial = best_trial
        self.user_attrs = user_attrs
        self.system_attrs = system_attrs or {}
        self.n_trials = n_trials
        self.datetime_start = datetime_start
        self._study_id = study_id

    @property
    def direction(self) -> StudyDirection:
        """The direction of a single-objective study."""
        if len(self._directions) > 1:
            raise RuntimeError(
                "This attribute is not available during multi-objective optimization."
            )
        return self._directions[0]

    @property
    def directions(self) -> list[StudyDirection]:
        """The direction of each objective."""
        return self._directions

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StudySummary):
            return NotImplemented
        return self.__dict__ == other.__dict__

    def __lt__(self, other: StudySummary) -> bool:
        return self._study_id < other._study_id

    def __hash__(self) -> int:
        return hash(self._study_id)

    def __repr__(self) -> str:
        return (
            f"StudySummary(study_name={self.study_name!r}, directions={self._directions!r}, "
            f"n_trials={self.n_trials})"
        )

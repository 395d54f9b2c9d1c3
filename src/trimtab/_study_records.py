"""Study-level records that storages hand out: directions and frozen studies.

They live outside ``trimtab.study`` so that storages can use them without importing the
optimisation machinery (``trimtab.study`` re-exports both).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any

from trimtab._foreign import optuna_member_name


class StudyDirection(enum.IntEnum):
    """Whether an objective is minimised or maximised."""

    NOT_SET = 0
    MINIMIZE = 1
    MAXIMIZE = 2

    def __repr__(self) -> str:
        return f"StudyDirection.{self.name}"

    # Equal to the Optuna member of the same name (real Optuna installed next to trimtab).
    def __eq__(self, other: object) -> bool:
        if isinstance(other, int):
            return int.__eq__(self, other)
        foreign = optuna_member_name(other, "StudyDirection")
        return NotImplemented if foreign is None else foreign == self.name

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return NotImplemented if equal is NotImplemented else not equal

    __hash__ = enum.IntEnum.__hash__


class StudyRecord:
    """What ``FrozenStudy`` and ``StudySummary`` share: a named study's directions and id."""

    study_name: str
    _directions: list[StudyDirection]
    _study_id: int

    def _set_directions(
        self, direction: StudyDirection | None, directions: Sequence[StudyDirection] | None
    ) -> None:
        if (direction is None) == (directions is None):
            raise ValueError("Specify exactly one of `direction` and `directions`.")
        self._directions = [direction] if direction is not None else list(directions or [])

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

    @property
    def study_id(self) -> int:
        """The study's id in the storage it was read from (Optuna's private ``_study_id``)."""
        return self._study_id

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.__dict__ == other.__dict__

    def __lt__(self, other: StudyRecord) -> bool:
        return self._study_id < other._study_id

    def __hash__(self) -> int:
        return hash(self._study_id)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(study_name={self.study_name!r}, "
            f"directions={self._directions!r}, study_id={self._study_id})"
        )


class FrozenStudy(StudyRecord):
    """A study's stored description: name, directions, attributes, id."""

    def __init__(
        self,
        study_name: str,
        direction: StudyDirection | None,
        user_attrs: dict[str, Any],
        system_attrs: dict[str, Any],
        study_id: int,
        *,
        directions: Sequence[StudyDirection] | None = None,
    ) -> None:
        self.study_name = study_name
        self._set_directions(direction, directions)
        self.user_attrs = user_attrs
        self.system_attrs = system_attrs
        self._study_id = study_id

"""``SubsetView``: a view showing only some of a study's trials (Hyperband's brackets).

Reads are filtered by trial number; writes (state records, trial attributes) go to the whole
study. A subset has its own finished-trial log and digests, so caches of different subsets
never mix.
"""

from __future__ import annotations

from collections.abc import Callable, Container
from typing import TYPE_CHECKING, Any

from trimtab._study_records import StudyDirection
from trimtab._study_view._base import FinishedTrials
from trimtab.trial import TrialState

if TYPE_CHECKING:
    from trimtab.trial import FrozenTrial


class SubsetView(FinishedTrials):
    """``parent`` restricted to the trials whose number satisfies ``member``.

    Args:
        parent: The view of the whole study.
        member: ``member(number)``; its answer for a number must never change (it is cached).
    """

    def __init__(self, parent: FinishedTrials, member: Callable[[int], bool]) -> None:
        super().__init__()
        self._parent: Any = parent
        self._member = member
        self._known: dict[int, bool] = {}
        self._parent_row = 0

    def _is_member(self, number: int) -> bool:
        answer = self._known.get(number)
        if answer is None:
            answer = self._known[number] = bool(self._member(number))
        return answer

    def _filter(self, trials: list[FrozenTrial]) -> list[FrozenTrial]:
        return [t for t in trials if self._is_member(t.number)]

    @property
    def study_name(self) -> str:
        return self._parent.study_name  # type: ignore[no-any-return]

    @property
    def directions(self) -> list[StudyDirection]:
        return self._parent.directions  # type: ignore[no-any-return]

    def get_trials(
        self, deepcopy: bool = True, states: Container[TrialState] | None = None
    ) -> list[FrozenTrial]:
        return self._filter(self._parent.get_trials(deepcopy=deepcopy, states=states))

    def best_trial(self) -> FrozenTrial:
        directions = self.directions
        if len(directions) > 1:
            raise RuntimeError("Best trial can be obtained only for single-objective optimization.")
        trials = self.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if not trials:
            raise ValueError("No trials are completed yet.")
        pick = max if directions[0] == StudyDirection.MAXIMIZE else min
        return pick(trials, key=lambda t: t.values[0])  # type: ignore[index]

    def trials_since(self, cursor: int) -> tuple[list[FrozenTrial], int]:
        trials, cursor = self._parent.trials_since(cursor)
        return self._filter(trials), cursor

    def _newly_finished(self) -> list[FrozenTrial]:
        new, self._parent_row = self._parent.finished_since(self._parent_row)
        return self._filter(new)

    def load_study_state(self, namespace: str, version: int) -> Any:
        return self._parent.load_study_state(namespace, version)

    def save_study_state(self, namespace: str, version: int, state: Any) -> None:
        self._parent.save_study_state(namespace, version, state)

    def save_trial_state(self, trial_id: int, namespace: str, version: int, state: Any) -> None:
        self._parent.save_trial_state(trial_id, namespace, version, state)

    def save_trial_attr(self, trial_id: int, key: str, value: Any) -> None:
        self._parent.save_trial_attr(trial_id, key, value)

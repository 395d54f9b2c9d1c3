"""A study restricted to a subset of its trials, for ``BasePruner.sampling_view``.

``SubsetStudy`` is a real ``Study`` whose storage is a ``SubsetStorage``: every read of the
study's trials (``get_trials``, ``trials``, ``best_trial``, ``_get_trials_since`` and the
storage's own ``get_all_trials`` & co.) sees only the member trials, and every write goes to
the real storage. Because the view's ``_storage`` is a distinct, long-lived object per subset,
caches keyed by ``(id(study._storage), study._study_id)`` keep one entry per subset and never
mix trials of different subsets.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Container
from typing import TYPE_CHECKING, Any, cast

from trimtab._study_records import StudyDirection
from trimtab.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from trimtab.storages import BaseStorage
    from trimtab.study import Study


class SubsetStorage:
    """Delegates to ``storage`` but shows only ``study_id``'s trials whose number is a member.

    Args:
        storage: The real storage.
        study_id: The study whose trials are filtered; other studies are shown unfiltered.
        member: ``member(number)`` is True for the trials to show; it must not change its
            answer for a number once given (answers are cached).
    """

    def __init__(self, storage: BaseStorage, study_id: int, member: Callable[[int], bool]) -> None:
        self.__dict__.update(_storage=storage, _study_id=study_id, _member=member, _known={})

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.__dict__["_storage"], name)

    def _is_member(self, number: int) -> bool:
        known: dict[int, bool] = self._known
        answer = known.get(number)
        if answer is None:
            answer = known[number] = bool(self._member(number))
        return answer

    def _filter(self, study_id: int, trials: list[FrozenTrial]) -> list[FrozenTrial]:
        if study_id != self._study_id:
            return trials
        return [t for t in trials if self._is_member(t.number)]

    def get_all_trials(
        self,
        study_id: int,
        deepcopy: bool = True,
        states: Container[TrialState] | None = None,
    ) -> list[FrozenTrial]:
        trials = self._storage.get_all_trials(study_id, deepcopy=deepcopy, states=states)
        return self._filter(study_id, trials)

    def get_trials_since(self, study_id: int, cursor: int) -> tuple[list[FrozenTrial], int]:
        trials, cursor = self._storage.get_trials_since(study_id, cursor)
        return self._filter(study_id, trials), cursor

    def get_n_trials(
        self, study_id: int, state: tuple[TrialState, ...] | TrialState | None = None
    ) -> int:
        states = (state,) if isinstance(state, TrialState) else state
        return len(self.get_all_trials(study_id, deepcopy=False, states=states))

    def get_best_trial(self, study_id: int) -> FrozenTrial:
        if study_id != self._study_id:
            return self._storage.get_best_trial(study_id)
        directions = self._storage.get_study_directions(study_id)
        if len(directions) > 1:
            raise RuntimeError("Best trial can be obtained only for single-objective optimization.")
        trials = self.get_all_trials(study_id, deepcopy=False, states=(TrialState.COMPLETE,))
        if not trials:
            raise ValueError("No trials are completed yet.")
        pick = max if directions[0] == StudyDirection.MAXIMIZE else min
        return pick(trials, key=lambda t: t.values[0])  # type: ignore[index]


def subset_study(study: Study, storage: SubsetStorage) -> Study:
    """``study`` seen through ``storage`` (a ``SubsetStorage``); its ``stop`` stops ``study``."""
    view_class: Any = _subset_study_class()
    return cast("Study", view_class(study, storage))


@functools.cache
def _subset_study_class() -> type:
    # Imported here: ``trimtab.study`` imports the pruners package.
    from trimtab.study import Study

    class SubsetStudy(Study):
        def __init__(self, study: Study, storage: SubsetStorage) -> None:
            # No Study.__init__: the view shares the study's name, id, sampler, pruner and
            # thread-local state, and only swaps the storage it reads trials from.
            self.__dict__.update(study.__dict__)
            self._storage = cast("BaseStorage", storage)
            self._study = study

        def stop(self) -> None:
            self._study.stop()

    return SubsetStudy

"""``StorageStudyView``: the view of one study stored in a storage (what ``Study.view`` is)."""

from __future__ import annotations

from collections.abc import Container
from typing import TYPE_CHECKING, Any

from trimtab._study_view._base import FinishedTrials
from trimtab._study_view._state import state_key, state_record, unwrap_state

if TYPE_CHECKING:
    from trimtab._study_records import StudyDirection
    from trimtab.storages import BaseStorage
    from trimtab.trial._frozen import FrozenTrial
    from trimtab.trial._state import TrialState


class StorageStudyView(FinishedTrials):
    """Reads study ``study_id`` from ``storage``; writes only state records and trial attrs.

    Args:
        storage: Any ``BaseStorage``; the incremental read is ``get_trials_since``.
        study_id: The study's id in ``storage``.
        study_name: The study's name.
        directions: The direction of each objective.
    """

    def __init__(
        self,
        storage: BaseStorage,
        study_id: int,
        study_name: str,
        directions: list[StudyDirection],
    ) -> None:
        super().__init__()
        self._storage = storage
        self._study_id = study_id
        self._study_name = study_name
        self._directions = list(directions)
        self._init_log()

    def _init_log(self) -> None:
        self._cursor = 0
        self._seen: set[int] = set()
        self._unfinished: set[int] = set()

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        self._init_log()

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        del state["_cursor"], state["_seen"], state["_unfinished"]
        return state

    @property
    def study_name(self) -> str:
        return self._study_name

    @property
    def directions(self) -> list[StudyDirection]:
        return list(self._directions)

    def get_trials(
        self, deepcopy: bool = True, states: Container[TrialState] | None = None
    ) -> list[FrozenTrial]:
        return self._storage.get_all_trials(self._study_id, deepcopy=deepcopy, states=states)

    def best_trial(self) -> FrozenTrial:
        return self._storage.get_best_trial(self._study_id)

    def trials_since(self, cursor: int) -> tuple[list[FrozenTrial], int]:
        return self._storage.get_trials_since(self._study_id, cursor)

    def _newly_finished(self) -> list[FrozenTrial]:
        changed, self._cursor = self._storage.get_trials_since(self._study_id, self._cursor)
        if not changed:
            return changed
        seen, unfinished = self._seen, self._unfinished
        new = []
        for t in changed:
            if not t.state.is_finished():
                unfinished.add(t.number)
            elif t.number not in seen:
                new.append(t)
                seen.add(t.number)
                unfinished.discard(t.number)
        return new

    def unfinished_seen(self) -> bool:
        """Whether the reads so far saw trials that have not finished (WAITING or RUNNING).

        A consumer that shows unfinished trials too (the dashboard) reads them again only
        when this is True; it is brought up by the same reads that feed the digests.
        """
        with self._lock:
            return bool(self._unfinished)

    def system_attrs(self) -> dict[str, Any]:
        return dict(self._storage.get_study_system_attrs(self._study_id))

    def load_study_state(self, namespace: str, version: int) -> Any:
        attrs = self._storage.get_study_system_attrs(self._study_id)
        return unwrap_state(attrs.get(state_key(namespace)), version)

    def save_study_state(self, namespace: str, version: int, state: Any) -> None:
        self._storage.set_study_system_attr(
            self._study_id, state_key(namespace), state_record(version, state)
        )

    def save_trial_state(self, trial_id: int, namespace: str, version: int, state: Any) -> None:
        self._storage.set_trial_system_attr(
            trial_id, state_key(namespace), state_record(version, state)
        )

    def save_trial_attr(self, trial_id: int, key: str, value: Any) -> None:
        self._storage.set_trial_system_attr(trial_id, key, value)

"""``CachedStudyView``: a study as the dashboard's cache holds it, through the study view.

The chart functions of ``trimtab.visualization._data`` and the ablation report read a study
through ``get_trials``, ``directions``, ``metric_names`` and the system attributes. The
dashboard hands them this read-only ``StudyView`` over its ``StudyCache`` (or a sample of it),
so a chart costs no storage read of trials and needs no ``Study`` (no sampler, no writes).
"""

from __future__ import annotations

from collections.abc import Container
from typing import TYPE_CHECKING, Any

from trimtab._study_view import FinishedTrials

if TYPE_CHECKING:
    import numpy as np

    from trimtab._study_records import StudyDirection
    from trimtab.dashboard._cache import StudyCache
    from trimtab.trial import FrozenTrial, TrialState

# Optuna's key for the objectives' names (``Study.set_metric_names``).
_METRIC_NAMES_KEY = "study:metric_names"


class CachedStudyView(FinishedTrials):
    """The trials of ``cache`` (or of the trial numbers ``numbers``), read-only.

    Args:
        cache: The dashboard's cache of the study; read under its lock by the caller.
        numbers: Only these trial numbers (a sample of a large study); all trials if None.
    """

    def __init__(self, cache: StudyCache, numbers: np.ndarray | None = None) -> None:
        super().__init__()
        self._name = cache.view.study_name
        self._cache = cache
        self._directions = list(cache.directions)
        self._attrs = cache.view.system_attrs()
        if numbers is None:
            self._trials = cache.all_trials()
        else:  # numbers of read trials, so never None
            self._trials = [cache.trials[int(i)] for i in numbers]  # type: ignore[misc]
        self._reported = False

    @property
    def study_name(self) -> str:
        return self._name

    @property
    def directions(self) -> list[StudyDirection]:
        return list(self._directions)

    @property
    def direction(self) -> StudyDirection:
        """The direction of a single-objective study."""
        if len(self._directions) != 1:
            raise RuntimeError("This study has several objectives: use `directions`.")
        return self._directions[0]

    @property
    def metric_names(self) -> list[str] | None:
        """The objectives' names set with ``set_metric_names``, or None."""
        return self._attrs.get(_METRIC_NAMES_KEY)

    def get_trials(
        self, deepcopy: bool = True, states: Container[TrialState] | None = None
    ) -> list[FrozenTrial]:
        # Cached records are shared and never changed: a copy is not needed to read them.
        if states is None:
            return list(self._trials)
        return [t for t in self._trials if t.state in states]

    def best_trial(self) -> FrozenTrial:
        from trimtab.trial import TrialState

        if len(self._directions) != 1:
            raise RuntimeError("A study with several objectives has best_trials, not best_trial.")
        complete = [t for t in self._trials if t.state == TrialState.COMPLETE]
        if not complete:
            raise ValueError("No trials are completed yet.")
        pick = min if self._directions[0].name == "MINIMIZE" else max
        return pick(complete, key=lambda t: t.values[0])  # type: ignore[index]  # COMPLETE

    def trials_since(self, cursor: int) -> tuple[list[FrozenTrial], int]:
        # A snapshot never changes: everything is new to cursor 0, nothing after.
        return (list(self._trials), 1) if cursor == 0 else ([], cursor)

    def _newly_finished(self) -> list[FrozenTrial]:
        if self._reported:
            return []
        self._reported = True
        return [t for t in self._trials if t.state.is_finished()]

    def system_attrs(self) -> dict[str, Any]:
        return dict(self._attrs)

    def load_study_state(self, namespace: str, version: int) -> Any:
        from trimtab._study_view._state import state_key, unwrap_state

        return unwrap_state(self._attrs.get(state_key(namespace)), version)

    def save_study_state(self, namespace: str, version: int, state: Any) -> None:
        raise PermissionError("The dashboard's study view is read-only.")

    def save_trial_state(self, trial_id: int, namespace: str, version: int, state: Any) -> None:
        raise PermissionError("The dashboard's study view is read-only.")

    def save_trial_attr(self, trial_id: int, key: str, value: Any) -> None:
        raise PermissionError("The dashboard's study view is read-only.")

"""The per-study cache: incremental reads, cursor log, columns."""

from __future__ import annotations

from typing import Any

import numpy as np
from dashboard_support import add_trials, make_study

from trimtab.dashboard._cache import StudyCache
from trimtab.storages import BaseStorage, InMemoryStorage
from trimtab.trial import TrialState


class CountingStorage(InMemoryStorage):
    """Counts how many trials the cache reads."""

    def __init__(self) -> None:
        super().__init__()
        self.read = 0

    def get_trials_since(self, study_id: int, cursor: int) -> Any:
        trials, new = super().get_trials_since(study_id, cursor)
        self.read += len(trials)
        return trials, new


def test_finished_trials_are_read_once() -> None:
    storage = CountingStorage()
    study = make_study(storage, "c", n=100)
    cache = StudyCache(storage, study._study_id)
    cache.refresh(force=True)
    assert storage.read == 100
    for _ in range(3):
        cache.refresh(force=True)
    assert storage.read == 100
    add_trials(storage, study._study_id, 5, start=100)
    cache.refresh(force=True)
    assert storage.read == 105 and cache.n_trials() == 105
    assert [t.number for t in cache.changed_since(100)] == [100, 101, 102, 103, 104]


def test_columns_match_trials(storage: BaseStorage) -> None:
    study = make_study(storage, "col", n=20)
    cache = StudyCache(storage, study._study_id)
    cache.refresh(force=True)
    trials = storage.get_all_trials(study._study_id)
    np.testing.assert_array_equal(cache.params["x"][:20], [t.params["x"] for t in trials])
    choices = cache.param_info["opt"].choices
    assert [choices[int(i)] for i in cache.params["opt"][:20]] == [t.params["opt"] for t in trials]
    values = [t.values[0] if t.values else np.nan for t in trials]
    np.testing.assert_array_equal(cache.values[:20, 0], values)
    assert cache.state_counts()["PRUNED"] == 2


def test_default_get_trials_since_still_works() -> None:
    class Plain(InMemoryStorage):
        def get_trials_since(self, study_id: int, cursor: int) -> Any:
            return BaseStorage.get_trials_since(self, study_id, cursor)

    storage = Plain()
    study = make_study(storage, "p", n=10)
    cache = StudyCache(storage, study._study_id)
    cache.refresh(force=True)
    cursor = cache.seq
    cache.refresh(force=True)
    assert cache.changed_since(cursor) == []
    trial = study.ask()
    cache.refresh(force=True)
    assert [t.state for t in cache.changed_since(cursor)] == [TrialState.RUNNING]
    study.tell(trial, 1.0)
    cache.refresh(force=True)
    assert cache.trials[10].state == TrialState.COMPLETE  # type: ignore[union-attr]


def test_refresh_is_throttled() -> None:
    storage = CountingStorage()
    study = make_study(storage, "t", n=3)
    cache = StudyCache(storage, study._study_id, min_interval=60.0)
    cache.refresh()
    add_trials(storage, study._study_id, 2, start=3)
    cache.refresh()
    assert cache.n_trials() == 3
    cache.refresh(force=True)
    assert cache.n_trials() == 5


def test_running_trials_are_read_again_until_they_finish() -> None:
    storage = InMemoryStorage()
    study = make_study(storage, "r", n=5)
    cache = StudyCache(storage, study._study_id)
    cache.refresh(force=True)
    trial = study.ask()
    trial.report(0.5, step=0)
    cache.refresh(force=True)
    assert cache.trials[5].intermediate_values == {0: 0.5}  # type: ignore[union-attr]
    trial.report(0.25, step=1)  # no state change: the running trial is read again
    cache.refresh(force=True)
    assert cache.trials[5].intermediate_values == {0: 0.5, 1: 0.25}  # type: ignore[union-attr]
    study.tell(trial, 1.0)
    cache.refresh(force=True)
    assert cache.trials[5].state == TrialState.COMPLETE  # type: ignore[union-attr]
    assert cache.state_counts()["RUNNING"] == 0 and cache.n_trials() == 6

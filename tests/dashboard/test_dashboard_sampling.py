"""Point charts of big studies draw a sample that keeps best-so-far trials and outliers."""

from __future__ import annotations

import numpy as np
from dashboard_support import make_client

import trimtab
from trimtab.dashboard._cache import StudyCache
from trimtab.dashboard._sampling import POINT_LIMIT, representative_numbers, sample_numbers
from trimtab.distributions import FloatDistribution
from trimtab.storages import InMemoryStorage
from trimtab.trial import TrialState, create_trial


def _study(n: int, direction: str = "minimize", seed: int = 0) -> tuple[InMemoryStorage, int]:
    storage = InMemoryStorage()
    study = trimtab.create_study(storage=storage, direction=direction)
    rng = np.random.default_rng(seed)
    values = rng.normal(size=n)
    if n > 2003:
        values[[1001, 2003]] = [80.0, -90.0]  # two outliers (complete trials)
    dist = {"x": FloatDistribution(0, 1)}
    for i, value in enumerate(values):
        failed = i % 17 == 5
        trial = create_trial(
            state=TrialState.FAIL if failed else TrialState.COMPLETE,
            value=None if failed else float(value),
            params={"x": float(rng.random())},
            distributions=dist,
        )
        storage.create_new_trial(study._study_id, template_trial=trial)
    return storage, study._study_id


def test_sample_keeps_every_improvement_best_worst_and_outliers() -> None:
    storage, sid = _study(8000)
    cache = StudyCache(storage, sid)
    cache.refresh(force=True)
    numbers, total = sample_numbers(cache, None, limit=500)  # type: ignore[misc]
    complete = np.flatnonzero(cache.state[: cache.n] == int(TrialState.COMPLETE))
    assert total == len(complete) and 500 <= len(numbers) <= 600
    assert np.all(np.diff(numbers) > 0) and np.isin(numbers, complete).all()
    values = cache.values[complete, 0]
    improved = complete[values < np.concatenate([[np.inf], np.minimum.accumulate(values)[:-1]])]
    assert np.isin(improved, numbers).all()
    assert cache.values[numbers, 0].min() == values.min() == -90.0
    assert cache.values[numbers, 0].max() == values.max() == 80.0
    again, _ = sample_numbers(cache, None, limit=500)  # type: ignore[misc]
    np.testing.assert_array_equal(numbers, again)
    assert sample_numbers(cache, None, limit=len(complete)) is None


def test_maximize_keeps_the_running_maximum() -> None:
    storage, sid = _study(5000, direction="maximize", seed=1)
    cache = StudyCache(storage, sid)
    cache.refresh(force=True)
    numbers, _ = sample_numbers(cache, None, limit=300)  # type: ignore[misc]
    complete = np.flatnonzero(cache.state[: cache.n] == int(TrialState.COMPLETE))
    values = cache.values[complete, 0]
    improved = complete[values > np.concatenate([[-np.inf], np.maximum.accumulate(values)[:-1]])]
    assert np.isin(improved, numbers).all()


def test_representative_sample_ignores_values() -> None:
    storage, sid = _study(5000)
    cache = StudyCache(storage, sid)
    cache.refresh(force=True)
    numbers, total = representative_numbers(cache, 500)  # type: ignore[misc]
    assert len(numbers) == 500 and total == cache.state_counts()["COMPLETE"]
    # Evenly spread over the study, not bunched at its start or end.
    assert abs(np.median(numbers) - 2500) < 500


def test_big_study_history_is_sampled_and_its_best_line_exact() -> None:
    n = POINT_LIMIT + 1500
    storage, sid = _study(n)
    client = make_client(storage)
    answer = client.get(f"/api/studies/{sid}/charts/history").json()
    sampled = answer["extra"]["sampled"]
    info = answer["data"][0]
    assert sampled["of"] == sum(1 for t in storage.get_all_trials(sid) if t.values)
    assert sampled["shown"] == len(info["trial_numbers"]) < sampled["of"]
    trials = storage.get_all_trials(sid)
    best = np.inf
    running = {}
    for t in trials:
        if t.values:
            best = min(best, t.values[0])
        running[t.number] = best
    drawn = info["best_values_info"]["values"]
    assert [running[i] for i in info["trial_numbers"]] == drawn
    slice_answer = client.get(f"/api/studies/{sid}/charts/slice").json()
    assert slice_answer["extra"]["sampled"]["shown"] == sampled["shown"]
    small_storage, small_sid = _study(50)
    small = make_client(small_storage).get(f"/api/studies/{small_sid}/charts/history").json()
    assert "sampled" not in small["extra"]

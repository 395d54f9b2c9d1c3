"""The bulk paths of ``RDBStorage``: ``add_trials`` in one batch, the first read of a study.

Trials written by ``Study.add_trials`` (one transaction, executemany) must read back exactly
like trials written one by one with ``add_trial``, through trimtab's bulk read and through
Optuna 5.0's own reader, on every RDB backend.
"""

from __future__ import annotations

import copy
import datetime
import math
import os
import time
from typing import Any

import pytest
from storage_backends import RDB_BACKENDS
from storage_servers import storage_url

import trimtab
from trimtab.distributions import (
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from trimtab.storages import RDBStorage
from trimtab.storages._rdb._trials import LocalTimes, from_db_datetime
from trimtab.trial import FrozenTrial, TrialState, create_trial

_SPACES = [
    {
        "lr": FloatDistribution(1e-5, 1e-1, log=True),
        "x": FloatDistribution(-10.0, 10.0),
        "units": IntDistribution(1, 512, log=True),
        "opt": CategoricalDistribution(["adam", "sgd", None, True, 2.5]),
    },
    {
        "x": FloatDistribution(-10.0, 10.0),
        "q": FloatDistribution(0.0, 1.0, step=0.25),
        "n": IntDistribution(-20, 20, step=4),
    },
    {},
]


def _templates(n: int) -> list[FrozenTrial]:
    """Trials of every state, three search spaces, ±inf values, NaN steps, nested attrs."""
    trials = []
    start = datetime.datetime(2026, 3, 29, 0, 30, 0, 123456)
    for k in range(n):
        space = _SPACES[k % len(_SPACES)]
        params = {
            "lr": 10 ** (-5 + (k % 40) / 10),
            "x": (k * 37 % 200) / 10 - 10,
            "units": 1 + k % 512,
            "opt": ["adam", "sgd", None, True, 2.5][k % 5],
            "q": [0.0, 0.25, 0.5, 0.75, 1.0][k % 5],
            "n": -20 + 4 * (k % 11),
        }
        state = [TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL, TrialState.WAITING][k % 4]
        value = [1.5 * k, math.inf, -math.inf][k % 3] if state == TrialState.COMPLETE else None
        trial = create_trial(
            state=state,
            value=value,
            params={name: params[name] for name in space} if state != TrialState.WAITING else {},
            distributions=space if state != TrialState.WAITING else {},
            user_attrs={"k": k, "tags": ["a", {"b": [k, None]}]} if k % 2 else {},
            system_attrs={"fixed_params": {"x": k}} if k % 3 == 0 else {},
            intermediate_values={0: 0.5, 3: math.nan, 7: -math.inf} if k % 4 == 1 else {},
        )
        if state != TrialState.WAITING:
            # Hours apart, across the start of European summer time on 2026-03-29.
            trial.datetime_start = start + datetime.timedelta(minutes=29 * k)
            if state.is_finished():
                trial.datetime_complete = trial.datetime_start + datetime.timedelta(seconds=k)
        trials.append(trial)
    return trials


def _record(trial: Any, with_datetimes: bool = True) -> tuple[Any, ...]:
    """What a user sees of a trial (NaN compared as a string)."""

    def numbers(values: Any) -> Any:
        return repr(values)

    dists = {name: repr(dist) for name, dist in trial.distributions.items()}
    record = (
        trial.number,
        trial.state.name,
        numbers(trial.values),
        trial.params,
        dists,
        trial.user_attrs,
        trial.system_attrs,
        numbers(trial.intermediate_values),
    )
    if with_datetimes:
        record += (trial.datetime_start, trial.datetime_complete)
    return record


def _fresh(url: str) -> Any:
    return trimtab.load_study(study_name="bulk", storage=url)


@pytest.mark.parametrize("backend", RDB_BACKENDS)
def test_add_trials_reads_back_like_one_by_one_writes(backend: str, tmp_path: Any) -> None:
    url = storage_url(backend, tmp_path)
    templates = _templates(24)
    bulk = trimtab.create_study(study_name="bulk", storage=url)
    single = trimtab.create_study(study_name="single", storage=url)
    bulk.add_trials(templates)
    for trial in templates:
        single.add_trial(trial)

    # A cold process: a new storage object reads each study in bulk.
    bulk_read = _fresh(url).trials
    single_read = trimtab.load_study(study_name="single", storage=url).trials
    assert [_record(t) for t in bulk_read] == [_record(t) for t in single_read]
    # MySQL's DATETIME keeps whole seconds (as with Optuna); the others keep microseconds.
    exact_times = backend != "mysql"
    expected = [(n, *_record(t, exact_times)[1:]) for n, t in enumerate(templates)]
    assert [_record(t, exact_times) for t in bulk_read] == expected
    if not exact_times:
        for read, written in zip(bulk_read, templates):
            if written.datetime_start is not None:
                assert abs(read.datetime_start - written.datetime_start).total_seconds() <= 1

    # Single reads (get_trial) agree with the bulk read.
    storage = RDBStorage(url)
    for trial in bulk_read[:8]:
        assert _record(storage.get_trial(trial._trial_id)) == _record(trial)
    storage.engine.dispose()


@pytest.mark.parametrize("backend", RDB_BACKENDS)
def test_optuna_reads_what_add_trials_wrote(backend: str, tmp_path: Any) -> None:
    optuna = pytest.importorskip("optuna")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    url = storage_url(backend, tmp_path)
    trimtab.create_study(study_name="bulk", storage=url).add_trials(_templates(32))

    theirs = optuna.load_study(study_name="bulk", storage=url).trials
    ours = _fresh(url).trials
    assert len(theirs) == len(ours) == 32
    assert [_record(t) for t in theirs] == [_record(t) for t in ours]
    assert [t._trial_id for t in theirs] == [t._trial_id for t in ours]


@pytest.mark.parametrize("backend", RDB_BACKENDS)
def test_reads_after_the_first_see_new_and_changed_trials(backend: str, tmp_path: Any) -> None:
    url = storage_url(backend, tmp_path)
    study = trimtab.create_study(study_name="bulk", storage=url)
    study.add_trials(_templates(12))
    reader = _fresh(url)
    assert len(reader.get_trials(deepcopy=False)) == 12
    waiting = [t.number for t in reader.trials if t.state == TrialState.WAITING]

    study.add_trials(_templates(5))
    # The WAITING trials of both batches (3 + 1) run first, then one new trial.
    study.optimize(lambda t: t.suggest_float("x", -10.0, 10.0), n_trials=len(waiting) + 2)
    again = reader.get_trials(deepcopy=False)
    assert [_record(t) for t in again] == [_record(t) for t in _fresh(url).trials]
    assert all(again[n].state == TrialState.COMPLETE for n in waiting)
    assert len(again) == 12 + 5 + 1


def test_deep_copies_are_independent_of_the_cache(tmp_path: Any) -> None:
    url = storage_url("sqlite", tmp_path)
    trimtab.create_study(study_name="bulk", storage=url).add_trials(_templates(12))
    study = _fresh(url)
    copies = study.trials
    cached = study.get_trials(deepcopy=False)
    assert copies == cached and all(a is not b for a, b in zip(copies, cached))
    copies[1].user_attrs["tags"][1]["b"].append("changed")
    copies[1].params["x"] = 99.0
    copies[1].distributions["x"] = FloatDistribution(0.0, 100.0)
    copies[1].intermediate_values[0] = 42.0
    assert study.get_trials(deepcopy=False)[1] == _fresh(url).trials[1]
    # Finished trials of one search space share a distributions dict in the cache, not in copies.
    assert cached[4].distributions is cached[10].distributions
    assert copies[4].distributions == cached[4].distributions
    assert copies[4].distributions is not copies[10].distributions


def test_changing_every_field_of_every_copy_leaves_later_reads_unchanged(tmp_path: Any) -> None:
    url = storage_url("sqlite", tmp_path)
    trimtab.create_study(study_name="bulk", storage=url).add_trials(_templates(16))
    study = _fresh(url)
    before = [_record(t) for t in study.trials]
    for trial in study.trials:  # each read is a new list of copies, changed through and through
        trial.params["x"] = 99.0
        trial.params.pop("lr", None)
        for dist in trial.distributions.values():  # the distribution objects themselves too
            dist.__dict__.clear()
        trial.distributions["new"] = IntDistribution(0, 1)
        trial.user_attrs["k"] = "changed"
        for value in trial.user_attrs.values():
            if isinstance(value, list):
                value[1]["b"].append("changed")
                value.append("changed")
        trial.system_attrs.setdefault("fixed_params", {})["x"] = "changed"
        trial.system_attrs["extra"] = [1]
        trial.intermediate_values[0] = 42.0
        trial.intermediate_values.pop(3, None)
        if trial.values is not None:
            trial._values.append(1.0)  # type: ignore[union-attr]
        trial.datetime_complete = None
        trial.state = TrialState.FAIL
    assert [_record(t) for t in study.trials] == before
    assert [_record(t) for t in study.get_trials(deepcopy=False)] == before
    assert [_record(t) for t in _fresh(url).trials] == before


def test_copies_share_their_distribution_objects_as_the_originals_do(tmp_path: Any) -> None:
    url = storage_url("sqlite", tmp_path)
    trimtab.create_study(study_name="bulk", storage=url).add_trials(_templates(12))
    study = _fresh(url)
    cached, copies = study.get_trials(deepcopy=False), study.trials
    # One read: a distribution object shared by two originals is one copy, new to the read.
    assert copies[4].distributions["x"] is copies[10].distributions["x"]
    assert copies[4].distributions["x"] is not cached[4].distributions["x"]
    assert copies[4].distributions["x"] is not study.trials[4].distributions["x"]
    # The same as the generic deep copy.
    assert copy.deepcopy(cached) == copies


@pytest.mark.parametrize("backend", RDB_BACKENDS)
def test_a_rejected_batch_writes_nothing(backend: str, tmp_path: Any) -> None:
    url = storage_url(backend, tmp_path)
    study = trimtab.create_study(study_name="bulk", storage=url)
    study.add_trials(_templates(3))
    clash = create_trial(value=1.0, params={"x": 1}, distributions={"x": IntDistribution(0, 5)})
    with pytest.raises(ValueError):
        study.add_trials([*_templates(4), clash])  # "x" is a float in the study
    inconsistent = _templates(4)
    inconsistent[0].values = None  # a COMPLETE trial without a value
    with pytest.raises(ValueError, match="value"):
        study.add_trials(inconsistent)
    within = [
        create_trial(value=1.0, params={"y": 1.0}, distributions={"y": FloatDistribution(0, 2)}),
        create_trial(
            value=1.0, params={"y": "a"}, distributions={"y": CategoricalDistribution(["a"])}
        ),
    ]
    with pytest.raises(ValueError):
        study.add_trials(within)
    assert len(_fresh(url).trials) == 3


def test_local_times_match_the_per_value_conversion() -> None:
    """Hour-cached UTC offsets equal ``astimezone`` across daylight-saving changes."""
    if not hasattr(time, "tzset"):
        pytest.skip("needs time.tzset")
    saved = os.environ.get("TZ")
    try:
        for zone in ("Europe/Berlin", "Australia/Lord_Howe", "America/St_Johns", "UTC"):
            os.environ["TZ"] = zone
            time.tzset()
            local = LocalTimes()
            for start in (datetime.datetime(2026, 3, 29), datetime.datetime(2026, 10, 4)):
                for minutes in range(0, 6 * 60 * 24, 7):
                    value = start + datetime.timedelta(minutes=minutes, microseconds=minutes)
                    assert local.convert(value) == from_db_datetime(value), (zone, value)
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved
        time.tzset()

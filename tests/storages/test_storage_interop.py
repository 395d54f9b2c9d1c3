"""Databases and journals are interchangeable with Optuna 5.0.0, both ways."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import pytest

import trimtab
from trimtab.storages import BaseStorage

optuna = pytest.importorskip("optuna")
optuna.logging.set_verbosity(optuna.logging.WARNING)
trimtab.logging.set_verbosity(trimtab.logging.WARNING)


def _canonical_float(value: float) -> str:
    return "nan" if math.isnan(value) else repr(float(value))


def _canonical(trial: Any) -> tuple[Any, ...]:
    """Everything a trial records, in a form equal across the two libraries."""
    return (
        trial.number,
        trial.state.name,
        None if trial.values is None else [_canonical_float(v) for v in trial.values],
        trial.params,
        {
            k: (type(d).__name__, json.dumps(d._asdict(), sort_keys=True))
            for k, d in trial.distributions.items()
        },
        list(trial.params),
        trial.user_attrs,
        trial.system_attrs,
        {k: _canonical_float(v) for k, v in trial.intermediate_values.items()},
        trial.datetime_start,
        trial.datetime_complete,
    )


def _fill(lib: Any, storage: Any) -> None:
    """Write the same kinds of records with either library."""
    study = lib.create_study(
        storage=storage, study_name="interop", sampler=lib.samplers.RandomSampler(seed=1)
    )
    study.set_user_attr("owner", {"name": "ünï", "tags": [1, 2]})

    def objective(trial: Any) -> float:
        x = trial.suggest_float("x", -5, 5)
        trial.suggest_int("n", 1, 64, log=True)
        trial.suggest_float("q", 0, 1, step=0.25)
        kind = trial.suggest_categorical("kind", ["a", None, 2, 1.5, True])
        trial.set_user_attr("kind", repr(kind))
        for step in range(3):
            trial.report([x, float("nan"), float("inf")][step], step)
        if trial.number == 1:
            raise lib.TrialPruned()
        if trial.number == 2:
            raise RuntimeError("fails")
        return float("inf") if trial.number == 3 else x**2

    study.optimize(objective, n_trials=6, catch=(RuntimeError,))
    study.ask()  # left RUNNING
    study.enqueue_trial({"x": 1.0}, user_attrs={"queued": True})
    multi = lib.create_study(
        storage=storage, study_name="interop-mo", directions=["minimize", "maximize"]
    )
    multi.add_trial(
        lib.trial.create_trial(
            values=[float("-inf"), 1.0],
            params={"y": 2},
            distributions={"y": lib.distributions.IntDistribution(0, 3)},
        )
    )


def _snapshot(lib: Any, storage: Any) -> dict[str, Any]:
    result = {}
    for name in ("interop", "interop-mo"):
        study = lib.load_study(study_name=name, storage=storage)
        result[name] = (
            [d.name for d in study.directions],
            study.user_attrs,
            [_canonical(t) for t in study.get_trials(deepcopy=False)],
        )
    return result


def _open(lib: Any, backend: str, location: str) -> Any:
    if backend in ("sqlite", "postgresql", "mysql"):
        return lib.storages.RDBStorage(location)
    journal = lib.storages.journal
    if backend == "journal_file":
        return journal.JournalStorage(journal.JournalFileBackend(location))
    from storage_backends import REDIS_URL

    return journal.JournalStorage(journal.JournalRedisBackend(REDIS_URL, prefix=location))


def _close(storage: Any) -> None:
    engine = getattr(storage, "engine", None)
    if engine is not None:
        engine.dispose()


@pytest.mark.filterwarnings("ignore::Warning")
@pytest.mark.parametrize("writer", ["trimtab", "optuna"])
def test_storage_is_interchangeable_with_optuna(
    storage_factory: Callable[..., tuple[BaseStorage, str]], backend: str, writer: str
) -> None:
    _, location = storage_factory()
    libs = {"trimtab": trimtab, "optuna": optuna}
    reader = "optuna" if writer == "trimtab" else "trimtab"
    write_storage = _open(libs[writer], backend, location)
    _fill(libs[writer], write_storage)
    expected = _snapshot(libs[writer], write_storage)
    read_storage = _open(libs[reader], backend, location)
    assert _snapshot(libs[reader], read_storage) == expected
    # The reader continues the study: numbers go on, the enqueued trial runs first.
    study = libs[reader].load_study(study_name="interop", storage=read_storage)
    study.optimize(lambda t: t.suggest_float("x", -5, 5) ** 2, n_trials=2)
    trials = study.get_trials(deepcopy=False)
    assert [t.number for t in trials] == list(range(9))
    assert trials[7].state.name == "COMPLETE" and trials[7].params == {"x": 1.0}
    assert trials[7].user_attrs == {"queued": True}
    reopened = _open(libs[writer], backend, location)
    again = _snapshot(libs[writer], reopened)
    assert again["interop"][2][:6] == expected["interop"][2][:6]
    assert len(again["interop"][2]) == 9
    for storage in (write_storage, read_storage, reopened):
        _close(storage)

"""A stored record that cannot be read costs that parameter, never the whole study.

Issue 12, case 2: a distribution that did not survive its JSON form was stored, and the study
then refused to load on every backend. Writes now check the final distribution first (see
tests/test_distributions.py); these tests plant records such a bug (or an older version)
left behind and load them through a fresh storage.
"""

from __future__ import annotations

import datetime
import warnings
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy
from storage_backends import RDB_BACKENDS, open_storage

import trimtab
from trimtab.storages import BaseStorage

BAD_FLOAT = (
    '{"name": "FloatDistribution", "attributes": '
    '{"low": 2.2e-309, "high": 0.0, "step": 904184.9, "log": false}}'
)
BAD_CATEGORY = '{"name": "CategoricalDistribution", "attributes": {"choices": ["a"]}}'


@pytest.fixture(autouse=True)
def quiet() -> None:
    trimtab.logging.set_verbosity(trimtab.logging.WARNING)


def _objective(trial: trimtab.Trial) -> float:
    return trial.suggest_float("x", 0, 1) + trial.suggest_int("n", 0, 3)


def _plant_rdb(url: str, trial_id: int) -> None:
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sqlalchemy.text(
                "UPDATE trial_params SET distribution_json = :bad "
                "WHERE trial_id = :tid AND param_name = 'x'"
            ),
            {"bad": BAD_FLOAT, "tid": trial_id},
        )
        conn.execute(
            sqlalchemy.text(
                "UPDATE trial_params SET distribution_json = :bad, param_value = 5 "
                "WHERE trial_id = :tid AND param_name = 'n'"
            ),
            {"bad": BAD_CATEGORY, "tid": trial_id},
        )
    engine.dispose()


def _plant_journal(storage: Any, study_id: int, trial_id: int) -> None:
    now = datetime.datetime.now(datetime.timezone.utc).isoformat()
    storage._backend.append_logs(
        [
            {
                "op_code": 5,
                "worker_id": "planted",
                "trial_id": trial_id,
                "param_name": "x",
                "param_value_internal": 0.0,
                "distribution": BAD_FLOAT,
            },
            {
                "op_code": 5,
                "worker_id": "planted",
                "trial_id": trial_id,
                "param_name": "n",
                "param_value_internal": 5.0,
                "distribution": BAD_CATEGORY,
            },
            {
                "op_code": 6,
                "worker_id": "planted",
                "trial_id": trial_id,
                "state": 1,
                "values": [1.0],
                "datetime_complete": now,
            },
            {
                "op_code": 4,
                "worker_id": "planted",
                "study_id": study_id,
                "datetime_start": now,
                "datetime_complete": now,
                "state": 1,
                "values": [2.0],
                "params": {"x": 0.0, "n": 1.0},
                "distributions": {
                    "x": BAD_FLOAT,
                    "n": trimtab.distributions.distribution_to_json(
                        trimtab.distributions.IntDistribution(0, 3)
                    ),
                },
            },
        ]
    )


def test_an_unreadable_param_is_skipped_with_a_warning_naming_it(
    backend: str, storage_factory: Callable[..., tuple[BaseStorage, str]]
) -> None:
    storage, location = storage_factory()
    study = trimtab.create_study(
        storage=storage, study_name="s", sampler=trimtab.samplers.RandomSampler(seed=0)
    )
    study.optimize(_objective, n_trials=3)
    before = study.trials
    if backend in RDB_BACKENDS:
        _plant_rdb(location, before[0]._trial_id)
        expected_params = [t.params for t in before]
        expected_params[0] = {}
    else:
        running = study.ask()
        _plant_journal(storage, study._study_id, running._trial_id)
        expected_params = [t.params for t in before] + [{}, {"n": 1}]

    with pytest.warns(UserWarning) as caught:
        loaded = trimtab.load_study(study_name="s", storage=open_storage(backend, location))
        trials = loaded.trials
    messages = [str(w.message) for w in caught]
    assert any("parameter 'x' of the trial with trial_id" in m for m in messages), messages
    assert [t.params for t in trials] == expected_params
    assert [t.values for t in trials[:3]] == [t.values for t in before]
    # The study goes on: new trials are sampled and stored as usual.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded.optimize(_objective, n_trials=2)
        assert len(loaded.trials) == len(expected_params) + 2

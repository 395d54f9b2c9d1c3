"""Stale-trial failing and the retry callback: study behaviour, reachable under Optuna's paths."""

from __future__ import annotations

import ast
import time
import warnings
from pathlib import Path

import trimtab
from trimtab.storages import RDBStorage
from trimtab.study import _stale_trials
from trimtab.trial import TrialState

STORAGES = Path(trimtab.__file__).parent / "storages"


def test_optuna_paths_resolve_to_the_one_implementation_in_study() -> None:
    import trimtab.storages._callbacks as optuna_callbacks_path

    assert trimtab.storages.fail_stale_trials is _stale_trials.fail_stale_trials
    assert trimtab.storages.RetryFailedTrialCallback is _stale_trials.RetryFailedTrialCallback
    assert (
        trimtab.storages.RetryHeartbeatStaleTrialCallback
        is _stale_trials.RetryHeartbeatStaleTrialCallback
    )
    assert optuna_callbacks_path.RetryFailedTrialCallback is _stale_trials.RetryFailedTrialCallback


def test_storages_import_nothing_from_study_and_define_one_callback_type() -> None:
    definitions = []
    for path in STORAGES.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("trimtab.study"), path
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "StaleTrialCallback" for t in node.targets
            ):
                definitions.append(path.name)
    assert definitions == ["_heartbeat.py"]


def test_a_stale_trial_is_failed_once_and_retried_from_the_storage_path(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # experimental / deprecated-name warnings
        retry = trimtab.storages.RetryFailedTrialCallback(max_retry=1)
        storage = RDBStorage(
            f"sqlite:///{tmp_path / 'stale.db'}",
            heartbeat_interval=1,
            grace_period=1,
            heartbeat_stale_trial_callback=retry,
        )
    study = trimtab.create_study(storage=storage, study_name="stale")
    trial = study.ask()
    trial.suggest_int("n", 0, 9)
    storage.record_heartbeat(trial._trial_id)
    time.sleep(2.1)
    trimtab.storages.fail_stale_trials(study)
    trimtab.storages.fail_stale_trials(study)  # already failed: no second retry
    failed, waiting = study.get_trials(deepcopy=False)
    assert failed.state == TrialState.FAIL
    assert waiting.state == TrialState.WAITING and waiting.params == failed.params
    assert waiting.system_attrs["failed_trial"] == failed.number


def test_without_heartbeats_nothing_is_failed() -> None:
    study = trimtab.create_study()
    study.ask()
    trimtab.storages.fail_stale_trials(study)
    assert [t.state for t in study.get_trials(deepcopy=False)] == [TrialState.RUNNING]

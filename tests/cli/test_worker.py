"""``trimtab worker``: workers started from the command line on one shared study."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import trimtab
from trimtab.cli import main
from trimtab.trial import TrialState

TESTS = str(Path(__file__).resolve().parents[1])


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([TESTS, *sys.path])}


def test_worker_creates_or_loads_the_study_and_runs_its_trials(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(TESTS)
    storage = f"sqlite:///{tmp_path / 'w.db'}"
    args = ["worker", "--storage", storage, "--study-name", "w", "--n-trials", "3"]
    objective = ["--objective", "execution.objectives:two_objectives"]
    assert main([*args, *objective, "--direction", "minimize", "--direction", "maximize"]) == 0
    assert main([*args, *objective]) == 0
    study = trimtab.load_study(study_name="w", storage=storage)
    assert [t.state for t in study.trials] == [TrialState.COMPLETE] * 6
    assert len(study.directions) == 2


@pytest.mark.parametrize(
    ("objective", "message"),
    [
        ("no_colon", "must look like 'pkg.module:func'"),
        ("no_such_module_xyz:f", "cannot import 'no_such_module_xyz'"),
        ("os.path:no_such_function", "has no 'no_such_function'"),
        ("os:sep", "is not callable"),
    ],
)
def test_worker_names_a_bad_objective(
    tmp_path: Any, caplog: pytest.LogCaptureFixture, objective: str, message: str
) -> None:
    storage = f"sqlite:///{tmp_path / 'w.db'}"
    trimtab.create_study(study_name="w", storage=storage)
    trimtab.logging.enable_propagation()
    try:
        code = main(
            ["worker", "--storage", storage, "--study-name", "w", "--objective", objective,
             "--n-trials", "1"]
        )  # fmt: skip
    finally:
        trimtab.logging.disable_propagation()
    assert code == 1 and message in caplog.text
    assert trimtab.load_study(study_name="w", storage=storage).trials == []


@pytest.mark.slow
def test_a_killed_worker_trial_is_failed_by_heartbeat_and_retried(tmp_path: Any) -> None:
    storage = f"sqlite:///{tmp_path / 'w.db'}"
    trimtab.create_study(study_name="w", storage=storage)
    command = [
        os.path.join(os.path.dirname(sys.executable), "trimtab"), "worker",
        "--storage", storage, "--study-name", "w",
        "--objective", "execution.objectives:slow_with_pid",
        "--heartbeat-interval", "1", "--grace-period", "2",
    ]  # fmt: skip
    victim = subprocess.Popen([*command, "--n-trials", "100"], env=_env())
    survivor = subprocess.Popen([*command, "--n-trials", "20"], env=_env())
    try:
        study = trimtab.load_study(study_name="w", storage=storage)
        deadline = time.monotonic() + 60
        killed: int | None = None
        while killed is None and time.monotonic() < deadline:
            for trial in study.get_trials(states=(TrialState.RUNNING,)):
                if trial.user_attrs.get("pid") == victim.pid and "x" in trial.params:
                    os.kill(victim.pid, signal.SIGKILL)
                    killed = trial.number
                    break
            time.sleep(0.05)
        assert killed is not None
        assert survivor.wait(timeout=120) == 0
    finally:
        for process in (victim, survivor):
            if process.poll() is None:
                process.kill()
    trials = trimtab.load_study(study_name="w", storage=storage).trials
    assert trials[killed].state == TrialState.FAIL
    retry = next(t for t in trials if t.system_attrs.get("failed_trial") == killed)
    assert retry.state == TrialState.COMPLETE and retry.params == trials[killed].params
    assert TrialState.RUNNING not in [t.state for t in trials]

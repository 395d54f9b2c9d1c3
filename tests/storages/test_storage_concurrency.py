"""Many worker processes on one study, and a worker killed mid-trial (real processes)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import trimtab
from trimtab.storages import BaseStorage, RetryHeartbeatStaleTrialCallback
from trimtab.trial import TrialState

_WORKER = str(Path(__file__).with_name("storage_worker.py"))
trimtab.logging.set_verbosity(trimtab.logging.WARNING)


def _start(args: dict[str, Any]) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent)}
    return subprocess.Popen(
        [sys.executable, _WORKER, json.dumps(args)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _run_workers(n_procs: int, go: Path, args: dict[str, Any]) -> None:
    procs = [_start(args) for _ in range(n_procs)]
    time.sleep(0.5)
    go.touch()
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        assert "Traceback" not in err, err


def _check_many_processes(
    storage_factory: Callable[..., tuple[BaseStorage, str]],
    backend: str,
    tmp_path: Path,
    n_procs: int,
    n_trials: int,
) -> None:
    storage, location = storage_factory()
    name = f"concurrent-{uuid.uuid4().hex[:8]}"
    trimtab.create_study(storage=storage, study_name=name)
    args = {"backend": backend, "location": location, "study": name, "mode": "optimize"}
    _run_workers(
        n_procs, tmp_path / "go", {**args, "n_trials": n_trials, "go": str(tmp_path / "go")}
    )
    trials = trimtab.load_study(study_name=name, storage=storage).trials
    assert sorted(t.number for t in trials) == list(range(n_procs * n_trials))
    for trial in trials:
        assert trial.state == TrialState.COMPLETE
        assert set(trial.params) == {"x", "i", "c"}
        assert trial.value == trial.params["x"] * trial.params["x"]
        assert trial.intermediate_values == {0: trial.params["x"], 1: trial.params["x"] / 2}
        assert "pid" in trial.user_attrs
    assert len({t.user_attrs["pid"] for t in trials}) > 1


# The default run covers one backend of each kind; the slow step runs every backend at scale.
_QUICK = ["sqlite", "postgresql", "journal_file"]


@pytest.mark.parametrize("backend", _QUICK, indirect=True)
def test_many_processes_number_trials_densely(
    storage_factory: Callable[..., tuple[BaseStorage, str]], backend: str, tmp_path: Path
) -> None:
    _check_many_processes(storage_factory, backend, tmp_path, n_procs=8, n_trials=10)


@pytest.mark.slow
def test_many_processes_number_trials_densely_at_scale(
    storage_factory: Callable[..., tuple[BaseStorage, str]], backend: str, tmp_path: Path
) -> None:
    _check_many_processes(storage_factory, backend, tmp_path, n_procs=8, n_trials=250)


@pytest.mark.parametrize("backend", ["sqlite", "journal_redis"], indirect=True)
def test_enqueued_trials_run_exactly_once(
    storage_factory: Callable[..., tuple[BaseStorage, str]], backend: str, tmp_path: Path
) -> None:
    _check_enqueued(storage_factory, backend, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["postgresql", "mysql", "journal_file"], indirect=True)
def test_enqueued_trials_run_exactly_once_other_backends(
    storage_factory: Callable[..., tuple[BaseStorage, str]], backend: str, tmp_path: Path
) -> None:
    _check_enqueued(storage_factory, backend, tmp_path)


def _check_enqueued(
    storage_factory: Callable[..., tuple[BaseStorage, str]], backend: str, tmp_path: Path
) -> None:
    storage, location = storage_factory()
    name = f"queue-{uuid.uuid4().hex[:8]}"
    study = trimtab.create_study(storage=storage, study_name=name)
    for i in range(200):
        study.enqueue_trial({"i": i})
    out = tmp_path / "executed.txt"
    args = {"backend": backend, "location": location, "study": name, "mode": "drain"}
    _run_workers(4, tmp_path / "go", {**args, "go": str(tmp_path / "go"), "out": str(out)})
    executed = [line.split() for line in out.read_text().splitlines()]
    enqueued = Counter(int(number) for number, _ in executed if int(number) < 200)
    assert enqueued == Counter(range(200))
    trials = study.get_trials(deepcopy=False)
    assert all(t.state == TrialState.COMPLETE for t in trials)
    assert [t.params["i"] for t in trials[:200]] == list(range(200))


@pytest.mark.parametrize("backend", ["sqlite", "journal_file"], indirect=True)
def test_grid_sampler_over_processes_runs_each_point_once(
    storage_factory: Callable[..., tuple[BaseStorage, str]], backend: str, tmp_path: Path
) -> None:
    storage, location = storage_factory()
    name = f"grid-{uuid.uuid4().hex[:8]}"
    trimtab.create_study(storage=storage, study_name=name)
    args = {"backend": backend, "location": location, "study": name, "mode": "grid"}
    _run_workers(4, tmp_path / "go", {**args, "n_trials": 24, "go": str(tmp_path / "go")})
    trials = trimtab.load_study(study_name=name, storage=storage).trials
    # Trials 0..23 take grid points 0..23; workers that start a trial before they see the grid
    # done re-evaluate a point (Optuna's GridSampler does the same, with a warning).
    first = [t for t in trials if t.number < 24]
    assert all(t.state == TrialState.COMPLETE for t in first)
    points = [(t.params["a"], t.params["b"]) for t in first]
    assert sorted(points) == sorted((a, b) for a in range(8) for b in (0.5, 1.5, 2.5))


@pytest.mark.parametrize("backend", ["sqlite", "postgresql", "journal_file"], indirect=True)
def test_killed_worker_trial_is_failed_and_retried(
    storage_factory: Callable[..., tuple[BaseStorage, str]], backend: str, tmp_path: Path
) -> None:
    storage, location = storage_factory()
    name = f"killed-{uuid.uuid4().hex[:8]}"
    trimtab.create_study(storage=storage, study_name=name)
    marker = tmp_path / "running.txt"
    proc = _start(
        {
            "backend": backend,
            "location": location,
            "study": name,
            "mode": "hang",
            "out": str(marker),
        }
    )
    deadline = time.monotonic() + 60
    while not marker.exists() or not marker.read_text():
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(1.2)  # let a heartbeat land
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    from storage_backends import open_storage

    with pytest.warns(Warning):
        recovering = open_storage(
            backend,
            location,
            heartbeat_interval=1,
            grace_period=1,
            heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback(max_retry=2),
        )
    study = trimtab.load_study(study_name=name, storage=recovering)
    assert study.trials[0].state == TrialState.RUNNING  # the log/database stays readable
    time.sleep(2.5)
    study.optimize(lambda t: t.suggest_float("x", -10, 10) ** 2, n_trials=1)
    first, retry = study.get_trials(deepcopy=False)
    assert first.state == TrialState.FAIL
    assert retry.state == TrialState.COMPLETE
    assert retry.params == first.params
    assert retry.system_attrs["failed_trial"] == 0
    assert retry.system_attrs["retry_history"] == [0]
    engine = getattr(recovering, "engine", None)
    if engine is not None:
        engine.dispose()

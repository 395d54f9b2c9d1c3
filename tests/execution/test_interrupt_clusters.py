"""Ctrl-C under the Ray and Dask executors: running trials end FAIL, finished ones stay."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

import pytest

import trimtab
from trimtab.execution import FAIL_REASON_KEY
from trimtab.trial import TrialState

pytestmark = pytest.mark.slow

_SCRIPT = """
import sys, time
import trimtab

def objective(trial):
    time.sleep(0.5)
    return trial.suggest_float("x", 0, 1)

if __name__ == "__main__":
    engine, storage = sys.argv[1], sys.argv[2]
    study = trimtab.create_study(storage=storage, study_name="ctrl-c")
    if engine == "ray":
        import ray
        from trimtab.execution import RayExecutor
        ray.init(address="local", num_cpus=2, include_dashboard=False)
        executor = RayExecutor()
    else:
        from distributed import Client, LocalCluster
        from trimtab.execution import DaskExecutor
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
        executor = DaskExecutor(Client(cluster))
    study.optimize(objective, n_trials=1000, n_jobs=2, executor=executor)
"""


@pytest.mark.parametrize("engine", ["dask", "ray"])
def test_ctrl_c_fails_running_trials_and_keeps_finished_ones(engine: str, tmp_path: Any) -> None:
    script = tmp_path / "interrupted.py"
    script.write_text(_SCRIPT)
    storage = f"sqlite:///{tmp_path / 'ctrl-c.db'}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen(
        [sys.executable, str(script), engine, storage], env=env, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            time.sleep(0.5)
            try:
                study = trimtab.load_study(study_name="ctrl-c", storage=storage)
            except KeyError:
                continue
            if len(study.get_trials(states=(TrialState.COMPLETE,))) >= 3:
                break
        os.kill(process.pid, signal.SIGINT)  # Ctrl-C reaches the coordinator
        assert process.wait(timeout=120) != 0
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            try:
                os.killpg(process.pid, signal.SIGKILL)  # clean up the cluster's leftovers
            except ProcessLookupError:
                pass
    trials = trimtab.load_study(study_name="ctrl-c", storage=storage).trials
    states = [t.state for t in trials]
    assert TrialState.RUNNING not in states
    assert states.count(TrialState.COMPLETE) >= 3
    failed = [t for t in trials if t.state == TrialState.FAIL]
    assert 1 <= len(failed) <= 2
    assert all("KeyboardInterrupt" in t.system_attrs[FAIL_REASON_KEY] for t in failed)

"""The Dask executor on real clusters: a LocalCluster, and a scheduler plus two workers
started from the command line. Worker processes are SIGKILLed for real."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import cloudpickle
import pytest

import trimtab
from trimtab.execution import FAIL_REASON_KEY, DaskExecutor
from trimtab.pruners import MedianPruner
from trimtab.samplers import RandomSampler
from trimtab.trial import TrialState

from . import objectives

cloudpickle.register_pickle_by_value(objectives)  # Dask workers do not import the tests


def _count(study: trimtab.Study, state: TrialState) -> int:
    return sum(t.state == state for t in study.trials)


def test_missing_dask_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if it were not installed
    with pytest.raises(ImportError, match=r'pip install "trimtab\[dask\]"'):
        DaskExecutor("tcp://127.0.0.1:8786")


def test_unreachable_scheduler_is_a_clear_error_and_starts_nothing() -> None:
    study = trimtab.create_study()
    executor = DaskExecutor("tcp://127.0.0.1:9", connect_timeout=1.0)
    with pytest.raises(ConnectionError, match="Could not reach the Dask scheduler"):
        study.optimize(objectives.gil_bound, n_trials=3, n_jobs=2, executor=executor)
    assert study.trials == []


@pytest.fixture(scope="module")
def local_client() -> Iterator[Any]:
    from distributed import Client, LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        with Client(cluster) as client:
            yield client


@pytest.mark.slow
def test_local_cluster_runs_gil_bound_trials_on_both_workers(local_client: Any) -> None:
    study = trimtab.create_study(sampler=RandomSampler(seed=0))
    study.optimize(objectives.gil_bound, n_trials=16, n_jobs=2, executor=DaskExecutor(local_client))
    assert _count(study, TrialState.COMPLETE) == 16
    assert [t.number for t in study.trials] == list(range(16))
    assert len({t.user_attrs["pid"] for t in study.trials}) == 2


@pytest.mark.slow
def test_local_cluster_pruning_and_multi_objective(local_client: Any) -> None:
    study = trimtab.create_study(
        sampler=RandomSampler(seed=0), pruner=MedianPruner(n_startup_trials=3)
    )
    study.optimize(
        objectives.pruned_half, n_trials=16, n_jobs=2, executor=DaskExecutor(local_client)
    )
    assert _count(study, TrialState.PRUNED) >= 3
    assert _count(study, TrialState.PRUNED) + _count(study, TrialState.COMPLETE) == 16
    multi = trimtab.create_study(directions=["minimize", "maximize"])
    multi.optimize(
        objectives.two_objectives, n_trials=8, n_jobs=2, executor=DaskExecutor(local_client)
    )
    assert _count(multi, TrialState.COMPLETE) == 8 and multi.best_trials


@pytest.mark.slow
def test_local_cluster_objective_error_is_raised_with_its_remote_traceback(
    local_client: Any,
) -> None:
    def objective(trial: Any) -> float:
        trial.suggest_float("x", 0, 1)
        raise KeyError("missing in worker")

    study = trimtab.create_study()
    with pytest.raises(KeyError, match="missing in worker") as info:
        study.optimize(objective, n_trials=5, n_jobs=1, executor=DaskExecutor(local_client))
    assert "in objective" in str(info.value.__cause__)
    assert [t.state for t in study.trials] == [TrialState.FAIL]
    study.optimize(lambda t: [1, 2], n_trials=2, executor=DaskExecutor(local_client))
    assert _count(study, TrialState.FAIL) == 3  # a non-number (a pair) fails with the reason


@pytest.fixture(scope="module")
def cli_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A scheduler and two ``dask worker`` processes started from the command line."""
    from distributed import Client

    folder = tmp_path_factory.mktemp("dask-cli")
    scheduler_file = str(folder / "scheduler.json")
    dask = os.path.join(os.path.dirname(sys.executable), "dask")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    processes = [
        subprocess.Popen(
            [
                dask,
                "scheduler",
                "--scheduler-file",
                scheduler_file,
                "--port",
                "0",
                "--dashboard-address",
                ":0",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    deadline = time.monotonic() + 60
    while not os.path.exists(scheduler_file) and time.monotonic() < deadline:
        time.sleep(0.2)
    for _ in range(2):
        processes.append(
            subprocess.Popen(
                [
                    dask,
                    "worker",
                    "--scheduler-file",
                    scheduler_file,
                    "--nthreads",
                    "1",
                    "--no-dashboard",
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    try:
        with Client(scheduler_file=scheduler_file, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
            yield client
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.mark.slow
def test_cli_cluster_sigkilled_worker_fails_its_trial_and_the_study_continues(
    cli_cluster: Any,
) -> None:
    study = trimtab.create_study()
    study.optimize(
        objectives.kill_self_on_trial(3),
        n_trials=10,
        n_jobs=2,
        executor=DaskExecutor(cli_cluster, max_retries=1),
    )
    trials = study.trials
    assert len(trials) == 11
    assert _count(study, TrialState.COMPLETE) == 10 and _count(study, TrialState.FAIL) == 1
    assert trials[3].state == TrialState.FAIL
    assert "worker died" in trials[3].system_attrs[FAIL_REASON_KEY]
    retry = next(t for t in trials if t.system_attrs.get("failed_trial") == 3)
    assert retry.params == trials[3].params and retry.state == TrialState.COMPLETE
    cli_cluster.wait_for_workers(2, timeout=60)


@pytest.mark.slow
def test_cli_cluster_trial_timeout_fails_the_trial_and_restarts_its_worker(
    cli_cluster: Any,
) -> None:
    study = trimtab.create_study()
    study.optimize(
        objectives.hang_on_trial(1, 120.0),
        n_trials=4,
        n_jobs=2,
        executor=DaskExecutor(cli_cluster, trial_timeout=3.0),
    )
    trials = study.trials
    assert _count(study, TrialState.COMPLETE) == 3 and trials[1].state == TrialState.FAIL
    assert "trial_timeout=3.0" in trials[1].system_attrs[FAIL_REASON_KEY]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(trials[1].user_attrs["pid"], 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        pytest.fail("the hung worker process was not restarted")
    cli_cluster.wait_for_workers(2, timeout=60)

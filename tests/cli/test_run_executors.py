"""``trimtab run --executor ray|dask``: programs run as cluster tasks on real local clusters,
reports stream back to the coordinator (pruning works), logs become trial artifacts, and
Ctrl-C stops every program."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from run_helpers import PYTHON, Runner, alive, script

import trimtab
from trimtab.artifacts import FileSystemArtifactStore, download_artifact, get_all_artifact_meta
from trimtab.trial import TrialState

# Loss falls with the step and grows with x: with x enqueued in increasing order, the median
# pruner stops the later (worse) trials at their first reports once 3 trials have finished.
STEPS = """
import os, sys, time
x = float(sys.argv[1])
print(f"parent {os.getppid()}", file=sys.stderr)
for step in range(6):
    print(f"step {step} loss={x + 1 / (step + 1)}", flush=True)
    time.sleep(0.05)
print(f"score: {x}")
"""
ARGS = (
    "--n-trials",
    "6",
    "--param",
    "x=float:0:1",
    *[arg for x in range(6) for arg in ("--enqueue", f"x={x / 10}")],
    "--value",
    "score: {value}",
    "--report",
    "step {step} loss={value}",
    "--pruner",
    "median",
    "--pruner-kwargs",
    '{"n_startup_trials": 3}',
    "--jobs",
    "2",
)


def _check_pruning_run(runner: Runner, artifact_dir: Path) -> None:
    study = runner.study()
    trials = study.trials
    assert len(trials) == 6
    states = [t.state for t in trials]
    assert states[:3] == [TrialState.COMPLETE] * 3, states
    assert TrialState.PRUNED in states[3:], states
    for trial in trials:
        assert trial.intermediate_values, trial.number  # reports reached the coordinator
        if trial.state == TrialState.COMPLETE:
            assert trial.value == trial.params["x"]
        logs = {m.filename: m for m in get_all_artifact_meta(trial, storage=study._storage)}
        assert set(logs) == {"stdout.log", "stderr.log"}, trial.number
        path = artifact_dir / f"{trial.number}.stdout"
        download_artifact(
            artifact_store=FileSystemArtifactStore(artifact_dir),
            artifact_id=logs["stdout.log"].artifact_id,
            file_path=str(path),
        )
        assert path.read_text() == runner.trial_log(trial.number)
        assert path.read_text().startswith("step 0 loss=")


@pytest.fixture(scope="module")
def local_ray() -> Iterator[Any]:
    import ray

    if ray.is_initialized():
        pytest.skip("Ray is already initialised in this process")
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.mark.slow
def test_ray_runs_programs_as_tasks_with_pruning_and_log_artifacts(
    runner: Runner, tmp_path: Path, local_ray: Any
) -> None:
    program = script(tmp_path, "steps.py", STEPS)
    artifacts = tmp_path / "artifacts"
    result = runner(
        *ARGS,
        "--executor",
        "ray",
        "--cpus-per-trial",
        "1",
        "--artifact-dir",
        str(artifacts),
        command=[PYTHON, program, "{x}"],
    )
    assert result.code == 0, result.log_text
    _check_pruning_run(runner, artifacts)
    # The programs were started by Ray's worker processes, not by this one.
    parents = {int(runner.trial_log(n, "stderr").split()[1]) for n in range(6)}
    assert os.getpid() not in parents


@pytest.mark.slow
def test_dask_local_cluster_runs_programs_with_pruning_and_log_artifacts(
    runner: Runner, tmp_path: Path
) -> None:
    program = script(tmp_path, "steps.py", STEPS)
    artifacts = tmp_path / "artifacts"
    result = runner(
        *ARGS,
        "--executor",
        "dask",
        "--artifact-dir",
        str(artifacts),
        command=[PYTHON, program, "{x}"],
    )
    assert result.code == 0, result.log_text
    _check_pruning_run(runner, artifacts)


LONG = """
import os, sys, time, subprocess
child = subprocess.Popen(["sleep", "120"])
with open(sys.argv[1], "a") as file:
    file.write(f"{os.getpid()} {child.pid}\\n")
for step in range(10000):
    time.sleep(0.1)
"""


@pytest.mark.slow
@pytest.mark.parametrize("executor", ["dask", "ray"])
def test_ctrl_c_stops_every_program_on_the_cluster_and_fails_the_trials(
    tmp_path: Path, executor: str
) -> None:
    program = script(tmp_path, "long.py", LONG)
    pids = tmp_path / "pids"
    url = f"sqlite:///{tmp_path}/run.db"
    command = [
        sys.executable,
        "-c",
        "import sys; from trimtab.cli import main; sys.exit(main())",
        "run",
        "--storage",
        url,
        "--study-name",
        "s",
        "--n-trials",
        "2",
        "--jobs",
        "2",
        "--param",
        "x=float:0:1",
        "--executor",
        executor,
        *(["--cluster-address", "local"] if executor == "ray" else []),
        "--log-dir",
        str(tmp_path / "logs"),
        "--",
        PYTHON,
        program,
        str(pids),
        "{x}",
    ]
    env = {**os.environ, "PYTHONPATH": str(Path(trimtab.__file__).parents[1])}
    run = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while len(_pids(pids)) < 4 and time.monotonic() < deadline and run.poll() is None:
            time.sleep(0.2)
        started = _pids(pids)
        assert len(started) == 4, run.stderr.read().decode()[-3000:] if run.poll() else started
        run.send_signal(signal.SIGINT)
        code = run.wait(timeout=90)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    assert code == 130, run.stderr.read().decode()[-3000:] if run.stderr else code
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in started) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in started if alive(pid)]
    trials = trimtab.load_study(study_name="s", storage=url).trials
    assert [t.state for t in trials] == [TrialState.FAIL] * 2


def _pids(path: Path) -> list[int]:
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def test_per_trial_resources_reach_the_ray_and_dask_executors(tmp_path: Path) -> None:
    from argparse import ArgumentParser

    from trimtab.cli._run._arguments import configure
    from trimtab.cli._run._command import _executor

    parser = ArgumentParser()
    configure(parser)
    args = parser.parse_args(
        ["--executor", "ray", "--gpus-per-trial", "0.5", "--cpus-per-trial", "2", "--", "x"]
    )
    args.max_retries = 2
    with _executor(args) as ray_executor:
        assert (ray_executor.num_cpus, ray_executor.num_gpus) == (2.0, 0.5)
        assert ray_executor.max_retries == 2
    args = parser.parse_args(
        ["--executor", "dask", "--cluster-address", "tcp://127.0.0.1:9", "--gpus-per-trial", "1"]
    )
    with _executor(args) as dask_executor:
        assert dask_executor.resources == {"GPU": 1.0}


def test_cluster_flags_without_a_cluster_executor_are_refused(
    runner: Runner, tmp_path: Path
) -> None:
    program = script(tmp_path, "steps.py", STEPS)
    result = runner(
        "--param", "x=float:0:1", "--gpus-per-trial", "1", command=[PYTHON, program, "{x}"]
    )
    assert result.code != 0
    assert (
        "--gpus-per-trial need(s) --executor ray or --executor dask" in result.err + result.log_text
    )
    result = runner(
        "--param",
        "x=float:0:1",
        "--executor",
        "ray",
        "--cpus-per-trial",
        "-1",
        command=[PYTHON, program, "{x}"],
    )
    assert "--cpus-per-trial must be 0 or more, got -1.0." in result.err + result.log_text

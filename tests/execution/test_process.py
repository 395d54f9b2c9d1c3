"""The process executor, run as a user would: real worker processes, real kills."""

from __future__ import annotations

import datetime
import logging as std_logging
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import pytest

import trimtab
from trimtab.execution import FAIL_REASON_KEY, ProcessExecutor
from trimtab.pruners import MedianPruner
from trimtab.samplers import RandomSampler, TPESampler
from trimtab.trial import TrialState

from . import objectives


def _states(study: trimtab.Study) -> dict[str, int]:
    counts: dict[str, int] = {}
    for trial in study.trials:
        counts[trial.state.name] = counts.get(trial.state.name, 0) + 1
    return counts


def _assert_dense(study: trimtab.Study) -> None:
    numbers = [t.number for t in study.trials]
    assert numbers == list(range(len(numbers)))


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Any:
    trimtab.logging.enable_propagation()
    try:
        with caplog.at_level(std_logging.INFO, logger="trimtab"):
            yield caplog
    finally:
        trimtab.logging.disable_propagation()


def test_gil_bound_objective_runs_in_two_processes_with_an_in_memory_storage() -> None:
    study = trimtab.create_study(sampler=TPESampler(seed=1, n_startup_trials=5))
    study.optimize(objectives.gil_bound, n_trials=24, n_jobs=2, executor="process")
    assert _states(study) == {"COMPLETE": 24}
    _assert_dense(study)
    pids = {t.user_attrs["pid"] for t in study.trials}
    assert len(pids) == 2 and os.getpid() not in pids
    assert all(-5 <= t.params["x"] <= 5 and t.params["y"] in range(4) for t in study.trials)
    assert study.best_value == min(t.value for t in study.trials)


def test_lambdas_closures_callbacks_and_study_reads_work_in_workers() -> None:
    study = trimtab.create_study(sampler=RandomSampler(seed=0))
    study.set_user_attr("scale", 3)
    offset = 10.0
    seen: list[int] = []

    def objective(trial: Any) -> float:
        x = trial.suggest_categorical("c", ["a", "b"])
        assert trial.study.directions == [trimtab.study.StudyDirection.MINIMIZE]
        assert trial.study.study_name == study.study_name
        try:
            assert trial.study.best_value >= offset
        except ValueError:  # no trial finished yet: the same error as in-process
            pass
        trial.set_user_attr("c_again", trial.params["c"])
        return offset + trial.study.user_attrs["scale"] * (x == "a")

    study.optimize(
        objective,
        n_trials=6,
        n_jobs=2,
        executor="process",
        callbacks=[lambda s, t: seen.append(t.number)],
    )
    assert sorted(seen) == list(range(6))
    assert all(t.user_attrs["c_again"] == t.params["c"] for t in study.trials)
    assert {t.value for t in study.trials} <= {10.0, 13.0}
    study.optimize(lambda t: t.suggest_int("k", 1, 1) * 2.0, n_trials=2, executor="process")
    assert [t.value for t in study.trials[-2:]] == [2.0, 2.0]


def test_median_pruner_prunes_in_workers() -> None:
    study = trimtab.create_study(
        sampler=RandomSampler(seed=0), pruner=MedianPruner(n_startup_trials=3)
    )
    study.optimize(objectives.pruned_half, n_trials=20, n_jobs=2, executor="process")
    counts = _states(study)
    assert counts.get("PRUNED", 0) >= 3 and counts["COMPLETE"] >= 3
    assert sum(counts.values()) == 20
    pruned = [t for t in study.trials if t.state == TrialState.PRUNED]
    assert all(t.intermediate_values and t.value is not None for t in pruned)


def test_multi_objective_study_runs_in_workers() -> None:
    study = trimtab.create_study(directions=["minimize", "maximize"])
    study.optimize(objectives.two_objectives, n_trials=10, n_jobs=2, executor="process")
    assert _states(study) == {"COMPLETE": 10}
    assert all(len(t.values) == 2 for t in study.trials)
    assert study.best_trials


def test_sigkilled_worker_fails_its_trial_and_the_study_continues(tmp_path: Any) -> None:
    storage = f"sqlite:///{tmp_path / 'kill.db'}"
    study = trimtab.create_study(storage=storage)
    study.optimize(objectives.kill_self_on_trial(3), n_trials=10, n_jobs=2, executor="process")
    trials = trimtab.load_study(study_name=study.study_name, storage=storage).trials
    assert [t.state for t in trials].count(TrialState.FAIL) == 1
    assert len(trials) == 10 and _states(study)["COMPLETE"] == 9
    killed = trials[3]
    assert killed.state == TrialState.FAIL
    assert "SIGKILL" in killed.system_attrs[FAIL_REASON_KEY]
    assert "x" in killed.params


def test_a_trial_sent_ahead_to_a_killed_worker_runs_on_its_replacement() -> None:
    # Short trials: each worker holds its next trial while it runs one; killing it mid-run
    # fails only the running trial, and the one sent ahead runs on the new worker.
    study = trimtab.create_study(sampler=RandomSampler(seed=0))
    study.optimize(objectives.kill_self_on_trial(9), n_trials=30, n_jobs=2, executor="process")
    trials = study.trials
    assert _states(study) == {"COMPLETE": 29, "FAIL": 1}
    _assert_dense(study)
    assert trials[9].state == TrialState.FAIL
    assert "SIGKILL" in trials[9].system_attrs[FAIL_REASON_KEY]
    assert all(t.datetime_start <= t.datetime_complete for t in trials)


def test_max_retries_reruns_a_killed_trial_with_the_same_params() -> None:
    study = trimtab.create_study()
    study.optimize(
        objectives.kill_self_on_trial(2),
        n_trials=6,
        n_jobs=2,
        executor=ProcessExecutor(max_retries=1),
    )
    trials = study.trials
    assert len(trials) == 7 and _states(study) == {"COMPLETE": 6, "FAIL": 1}
    retry = next(t for t in trials if t.system_attrs.get("failed_trial") == 2)
    assert retry.state == TrialState.COMPLETE
    assert retry.params == trials[2].params
    assert retry.system_attrs["retry_history"] == [2]


def test_objective_error_fails_the_trial_logs_the_remote_traceback_and_is_raised(
    logs: Any,
) -> None:
    def objective(trial: Any) -> float:
        x = trial.suggest_float("x", 0, 1)
        if trial.number == 1:
            raise ZeroDivisionError("boom in worker")
        return x

    study = trimtab.create_study()
    with pytest.raises(ZeroDivisionError, match="boom in worker"):
        study.optimize(objective, n_trials=20, n_jobs=1, executor="process")
    assert [t.state for t in study.trials] == [TrialState.COMPLETE, TrialState.FAIL]
    failure = next(r for r in logs.records if "Trial 1 failed" in r.getMessage())
    assert "ZeroDivisionError('boom in worker')" in failure.getMessage()
    remote = failure.exc_text or ""
    assert "Traceback (most recent call last)" in remote and ", in objective" in remote
    assert "ZeroDivisionError: boom in worker" in remote
    study.optimize(objective, n_trials=3, executor="process", catch=(ZeroDivisionError,))
    assert len(study.trials) == 5


def test_non_number_return_fails_with_the_reason(logs: Any) -> None:
    study = trimtab.create_study()
    study.optimize(lambda t: "not a number", n_trials=2, n_jobs=2, executor="process")
    assert _states(study) == {"FAIL": 2}
    messages = " ".join(r.getMessage() for r in logs.records)
    assert "could not be cast to float" in messages


def test_an_unpicklable_return_value_fails_its_trial_not_the_worker(logs: Any) -> None:
    study = trimtab.create_study()
    study.optimize(lambda t: lambda: 1.0, n_trials=2, n_jobs=2, executor="process")
    assert _states(study) == {"FAIL": 2}
    messages = " ".join(r.getMessage() for r in logs.records)
    assert "could not be cast to float" in messages
    assert "worker process" not in messages


def test_trial_timeout_kills_the_worker_and_fails_only_that_trial() -> None:
    study = trimtab.create_study()
    study.optimize(
        objectives.hang_on_trial(1, 60.0),
        n_trials=5,
        n_jobs=2,
        executor=ProcessExecutor(trial_timeout=1.5),
    )
    trials = study.trials
    assert _states(study) == {"COMPLETE": 4, "FAIL": 1}
    hung = trials[1]
    assert "trial_timeout=1.5" in hung.system_attrs[FAIL_REASON_KEY]
    with pytest.raises(ProcessLookupError):
        os.kill(hung.user_attrs["pid"], 0)


def test_study_stop_and_timeout_end_the_loop() -> None:
    def objective(trial: Any) -> float:
        if trial.number == 3:
            trial.study.stop()
        return 0.0

    study = trimtab.create_study()
    study.optimize(objective, n_trials=100, n_jobs=2, executor="process")
    # Running trials finish, and so do the short trials already sent ahead (one per worker).
    assert 4 <= len(study.trials) <= 8
    assert all(t.state == TrialState.COMPLETE for t in study.trials)
    started = datetime.datetime.now()
    study.optimize(objectives.hang_on_trial(-1, 0), timeout=1.5, n_jobs=2, executor="process")
    late = started + datetime.timedelta(seconds=1.6)
    assert len(study.trials) > 6
    assert all(t.datetime_start < late for t in study.trials)
    assert all(t.state == TrialState.COMPLETE for t in study.trials)


def test_seeded_sequential_process_run_reproduces_the_in_process_run() -> None:
    in_process = trimtab.create_study(sampler=TPESampler(seed=3, n_startup_trials=4))
    in_process.optimize(objectives.gil_bound, n_trials=8)
    remote = trimtab.create_study(sampler=TPESampler(seed=3, n_startup_trials=4))
    remote.optimize(objectives.gil_bound, n_trials=8, executor="process")
    assert [t.params for t in remote.trials] == [t.params for t in in_process.trials]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"executor": "gpu-farm"}, ValueError, "Unknown executor 'gpu-farm'"),
        ({"executor": 3}, TypeError, "executor"),
        ({"executor": "process", "n_jobs": 0}, ValueError, "n_jobs"),
        ({"executor": "process", "n_jobs": -2}, ValueError, "n_jobs"),
    ],
)
def test_bad_executor_arguments_start_nothing(kwargs: dict, error: type, match: str) -> None:
    study = trimtab.create_study()
    with pytest.raises(error, match=match):
        study.optimize(objectives.gil_bound, n_trials=3, **kwargs)
    assert study.trials == []


def test_unshippable_objective_is_named_before_any_trial_starts() -> None:
    lock = threading.Lock()

    def holds_a_lock(trial: Any) -> float:
        with lock:
            return 1.0

    study = trimtab.create_study()
    with pytest.raises(TypeError, match="holds_a_lock cannot be sent to the evaluators"):
        study.optimize(holds_a_lock, n_trials=3, n_jobs=2, executor="process")
    assert study.trials == []


@pytest.mark.parametrize(
    "kwargs", [{"trial_timeout": 0}, {"max_retries": -1}, {"start_method": "teleport"}]
)
def test_bad_process_executor_arguments(kwargs: dict) -> None:
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        ProcessExecutor(**kwargs)


_INTERRUPTED_SCRIPT = """
import os, sys, time
import trimtab

def objective(trial):
    trial.set_user_attr("pid", os.getpid())
    time.sleep(0.3)
    return trial.suggest_float("x", 0, 1)

if __name__ == "__main__":
    study = trimtab.create_study(storage=sys.argv[1], study_name="ctrl-c")
    study.optimize(objective, n_trials=1000, n_jobs=2, executor="process")
"""


def test_ctrl_c_stops_workers_fails_running_trials_and_keeps_finished_ones(
    tmp_path: Any,
) -> None:
    script = tmp_path / "interrupted.py"
    script.write_text(_INTERRUPTED_SCRIPT)
    storage = f"sqlite:///{tmp_path / 'ctrl-c.db'}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen(
        [sys.executable, str(script), storage], env=env, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            time.sleep(0.2)
            try:
                study = trimtab.load_study(study_name="ctrl-c", storage=storage)
            except KeyError:
                continue
            if len(study.get_trials(states=(TrialState.COMPLETE,))) >= 3:
                break
        os.killpg(process.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
        assert process.wait(timeout=30) != 0
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    trials = trimtab.load_study(study_name="ctrl-c", storage=storage).trials
    states = [t.state for t in trials]
    assert TrialState.RUNNING not in states
    assert states.count(TrialState.COMPLETE) >= 3
    failed = [t for t in trials if t.state == TrialState.FAIL]
    assert 1 <= len(failed) <= 2
    assert all("KeyboardInterrupt" in t.system_attrs[FAIL_REASON_KEY] for t in failed)
    time.sleep(0.5)
    worker_pids = {t.user_attrs["pid"] for t in trials if "pid" in t.user_attrs}
    assert len(worker_pids) == 2
    for pid in worker_pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_progress_bar_counts_trials_finished_in_workers(capsys: pytest.CaptureFixture) -> None:
    study = trimtab.create_study()
    study.optimize(
        objectives.two_objectives_sum, n_trials=5, n_jobs=2, executor="process",
        show_progress_bar=True,
    )  # fmt: skip
    err = capsys.readouterr().err
    assert "5/5" in err and "Best trial" in err


@pytest.mark.parametrize("n_jobs", [1, 2])  # 2: trials are sent to the workers ahead
def test_errors_of_calls_not_waited_for_fail_their_trial_and_not_the_next(n_jobs: int) -> None:
    # report/set_user_attr do not wait for the coordinator's answer; an error they raise there
    # still fails their trial (as in-process), and no stale answer reaches the next trial.
    study = trimtab.create_study(sampler=RandomSampler(seed=0))

    def objective(trial: Any) -> float:
        x = trial.suggest_float("x", 0, 1)
        trial.report(x, 0)
        if trial.number % 2 == 0:
            trial.report("not a number", 1)  # raises in the coordinator
        trial.set_user_attr("number", trial.number)
        return x

    study.optimize(objective, n_trials=6, n_jobs=n_jobs, executor="process", catch=(Exception,))
    states = [t.state for t in study.trials]
    assert states == [TrialState.FAIL, TrialState.COMPLETE] * 3
    assert "TypeError" in study.trials[0].system_attrs[FAIL_REASON_KEY]
    for trial in study.trials:
        assert trial.intermediate_values[0] == trial.params["x"]
        if trial.state == TrialState.COMPLETE:
            assert trial.user_attrs == {"number": trial.number}


_COUNTED_MODULE = """
import os

with open(os.environ["IMPORT_LOG"], "a") as log:
    log.write(f"{os.getpid()}\\n")
"""

_WARM_START_SCRIPT = """
import sys

import counted_import
import trimtab


def objective(trial):
    return trial.suggest_float("x", 0, 1)


if __name__ == "__main__":
    trimtab.logging.set_verbosity(trimtab.logging.ERROR)
    study = trimtab.create_study()
    study.optimize(objective, n_trials=6, n_jobs=3, executor="process")
    assert len(study.trials) == 6
"""


def test_workers_do_not_each_rerun_the_main_scripts_imports(tmp_path: Any) -> None:
    (tmp_path / "counted_import.py").write_text(_COUNTED_MODULE)
    script = tmp_path / "main.py"
    script.write_text(_WARM_START_SCRIPT)
    log = tmp_path / "imports.log"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path]),
        "IMPORT_LOG": str(log),
    }
    subprocess.run([sys.executable, str(script)], env=env, check=True, timeout=120)
    # Once in the script, once in the fork server the three workers are forked from.
    assert len(log.read_text().split()) == 2

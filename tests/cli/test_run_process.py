"""``trimtab run`` stops programs for good: pruning, timeouts, Ctrl-C, odd output, many runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from run_helpers import PYTHON, Runner, alive, script, shell_script

import trimtab
from trimtab.trial import TrialState

STUBBORN = """
import os, signal, subprocess, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
child = subprocess.Popen(["sleep", "60"])
with open(sys.argv[1], "a") as file:
    file.write(f"{os.getpid()} {child.pid}\\n")
for step in range(1000):
    print(f"step {step} loss={float(sys.argv[2]) + 1 / (step + 1)}", flush=True)
    time.sleep(0.02)
"""


TRIMTAB = [sys.executable, "-c", "import sys; from trimtab.cli import main; sys.exit(main())"]


def _pids(path: Path) -> list[int]:
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def test_pruned_program_ignoring_sigterm_and_its_children_are_killed(
    runner: Runner, tmp_path: Path
) -> None:
    program = script(tmp_path, "stubborn.py", STUBBORN)
    pids = tmp_path / "pids"
    start = time.monotonic()
    result = runner(
        "--n-trials",
        "1",
        "--param",
        "x=float:0:1",
        "--enqueue",
        "x=1",
        "--report",
        "step {step} loss={value}",
        "--pruner",
        "threshold",
        "--pruner-kwargs",
        '{"upper": 1.5}',
        "--grace-period",
        "0.5",
        command=[PYTHON, program, str(pids), "{x}"],
    )
    assert result.code == 0, result.log_text
    trial = runner.study().trials[0]
    assert trial.state == TrialState.PRUNED
    assert 0.5 <= time.monotonic() - start < 20  # waited the grace period, then SIGKILL
    assert len(_pids(pids)) == 2
    assert not any(alive(pid) for pid in _pids(pids))


def test_trial_timeout_fails_the_trial_and_stops_everything(runner: Runner, tmp_path: Path) -> None:
    program = shell_script(
        tmp_path, "hang.sh", 'sleep 60 &\necho "$! $$" > "$1"\nprintf "score: 1"\nwait\n'
    )
    pids = tmp_path / "pids"
    start = time.monotonic()
    result = runner(
        "--n-trials",
        "1",
        "--param",
        "x=int:0:1",
        "--trial-timeout",
        "0.5",
        "--value",
        "score: {value}",
        command=[program, str(pids), "{x}"],
    )
    assert time.monotonic() - start < 20
    trial = runner.study().trials[0]
    assert trial.state == TrialState.FAIL
    assert trial.system_attrs["run:fail_reason"] == "timed out after 0.5 s"
    assert result.code == 1
    assert not any(alive(pid) for pid in _pids(pids))


def test_children_left_behind_by_a_finished_program_are_stopped(
    runner: Runner, tmp_path: Path
) -> None:
    program = shell_script(tmp_path, "bg.sh", 'sleep 60 &\necho "$!" > "$1"\necho 7\n')
    pids = tmp_path / "pids"
    start = time.monotonic()
    result = runner("--n-trials", "1", "--param", "x=int:0:1", command=[program, str(pids), "{x}"])
    assert result.code == 0, result.log_text
    assert runner.study().trials[0].value == 7
    assert time.monotonic() - start < 20
    assert not alive(_pids(pids)[0])


def test_binary_output_and_lines_without_newline(runner: Runner, tmp_path: Path) -> None:
    program = script(
        tmp_path,
        "binary.py",
        """
        import os, sys, time
        out = sys.stdout.buffer
        out.write(os.urandom(3_000_000).replace(b"\\n", b"x"))  # one 3 MB "line"
        out.write(b"\\nscore: 3\\n")
        out.write(b"score: 4")  # the last value, never followed by a newline
        out.flush()
    """,
    )
    result = runner(
        "--n-trials",
        "1",
        "--param",
        "x=int:0:1",
        "--value",
        "score: {value}",
        command=[PYTHON, program, "{x}"],
    )
    assert result.code == 0, result.log_text
    assert runner.study().trials[0].value == 4
    log = Path(runner.log_dir) / "s" / "trial-0" / "stdout.log"
    assert log.stat().st_size == 3_000_000 + len(b"\nscore: 3\nscore: 4")


def test_missing_program_is_an_error_before_anything_runs(runner: Runner) -> None:
    result = runner(
        "--n-trials", "1", "--param", "x=int:0:1", command=["no-such-program-here", "{x}"]
    )
    assert result.code == 1
    assert "The command 'no-such-program-here' was not found on PATH." in result.log_text
    assert trimtab.get_all_study_names(runner.url) == []


def test_ctrl_c_stops_every_program_and_fails_their_trials(tmp_path: Path) -> None:
    program = script(tmp_path, "stubborn.py", STUBBORN)
    pids = tmp_path / "pids"
    url = f"sqlite:///{tmp_path}/run.db"
    command = [
        *TRIMTAB,
        "run",
        "--storage",
        url,
        "--study-name",
        "c",
        "--n-trials",
        "10",
        "--jobs",
        "2",
        "--param",
        "x=float:0:1",
        "--grace-period",
        "0.5",
        "--log-dir",
        str(tmp_path / "logs"),
        "--",
        PYTHON,
        program,
        str(pids),
        "{x}",
    ]
    env = {**os.environ, "PYTHONPATH": str(Path(trimtab.__file__).parents[1])}
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while len(_pids(pids)) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(_pids(pids)) == 4, process.stderr.read() if process.poll() is not None else ""
    process.send_signal(signal.SIGINT)
    code = process.wait(timeout=30)
    stderr = process.stderr.read()
    assert code == 130, stderr
    assert "Interrupted" in stderr
    trials = trimtab.load_study(study_name="c", storage=url).trials
    assert [t.state for t in trials] == [TrialState.FAIL, TrialState.FAIL]
    assert all(t.system_attrs["run:fail_reason"] == "interrupted" for t in trials)
    assert not any(alive(pid) for pid in _pids(pids))


def test_killed_run_keeps_every_finished_trial(runner: Runner, tmp_path: Path) -> None:
    # trimtab run logs a trial while the next program runs; a SIGKILL then must still find
    # every finished trial stored, only the running one RUNNING, and the study usable.
    marker = tmp_path / "hanging"
    program = shell_script(
        tmp_path,
        "hang.sh",
        f"""
        if [ "$TRIMTAB_TRIAL_NUMBER" -ge 3 ]; then echo $$ > {marker}.tmp; mv {marker}.tmp {marker}
        exec sleep 60; fi
        echo "$1"
        """,
    )
    command = [*TRIMTAB, "run", "--storage", runner.url, "--study-name", "s", "--n-trials", "10"]
    command += ["--param", "x=float:0:1", "--log-dir", runner.log_dir, "--", program, "{x}"]
    env = {**os.environ, "PYTHONPATH": str(Path(trimtab.__file__).parents[1])}
    with (tmp_path / "stderr").open("w") as stderr:
        process = subprocess.Popen(command, env=env, stderr=stderr)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.02)
        assert marker.exists(), (tmp_path / "stderr").read_text()
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if marker.exists():
            os.kill(int(marker.read_text()), signal.SIGKILL)
    trials = runner.study().trials
    assert [t.state for t in trials] == [TrialState.COMPLETE] * 3 + [TrialState.RUNNING]
    assert all(t.value == t.params["x"] for t in trials[:3])
    assert "Trial 1 finished with value" in (tmp_path / "stderr").read_text()
    marker.unlink()
    result = runner("--n-trials", "2", "--param", "x=float:0:1", command=["echo", "{x}"])
    assert result.code == 0, result.log_text
    assert [t.state for t in runner.study().trials][4:] == [TrialState.COMPLETE] * 2


@pytest.mark.slow
def test_several_runs_share_one_study(tmp_path: Path) -> None:
    program = script(
        tmp_path, "quick.py", "import sys, time\ntime.sleep(0.1)\nprint(sys.argv[1])\n"
    )
    url = f"sqlite:///{tmp_path}/run.db"
    command = [
        *TRIMTAB,
        "run",
        "--storage",
        url,
        "--study-name",
        "shared",
        "--n-trials",
        "4",
        "--param",
        "x=float:0:1",
        "--log-dir",
        str(tmp_path / "logs"),
        "--",
        PYTHON,
        program,
        "{x}",
    ]
    env = {**os.environ, "PYTHONPATH": str(Path(trimtab.__file__).parents[1])}
    # The schema exists already: two processes creating a fresh SQLite file at once race on
    # CREATE TABLE, a storage matter. Both still create/load the study at the same instant.
    trimtab.storages.RDBStorage(url)
    runs = [subprocess.Popen(command, env=env, stderr=subprocess.PIPE) for _ in range(2)]
    codes = [run.wait(timeout=120) for run in runs]
    assert codes == [0, 0], [run.stderr.read()[-3000:] for run in runs if run.stderr]
    trials = trimtab.load_study(study_name="shared", storage=url).trials
    assert sorted(t.number for t in trials) == list(range(8))
    assert all(t.state == TrialState.COMPLETE and t.value == t.params["x"] for t in trials)
    logs = sorted(os.listdir(tmp_path / "logs" / "shared"))
    assert len(logs) == 8


@pytest.mark.slow
def test_program_calling_trimtab_tell_finishes_its_trial_once(
    runner: Runner, tmp_path: Path
) -> None:
    # The environment is all `trimtab tell` needs (study, trial number); the tell is handed to
    # trimtab run, which finishes the trial with it (it wins over the output) and tells once.
    program = script(
        tmp_path,
        "tells.py",
        f"""
        import os, subprocess, sys
        print("score: 99")
        told = ["--values", "0.5"] if sys.argv[1] == "0" else ["--state", "pruned"]
        subprocess.run({TRIMTAB!r} + ["tell", "--study-name", os.environ["TRIMTAB_STUDY_NAME"],
                        "--trial-number", os.environ["TRIMTAB_TRIAL_NUMBER"], *told], check=True)
    """,
    )
    result = runner(
        "--n-trials",
        "2",
        "--param",
        "x=int:0:1",
        "--enqueue",
        "x=0",
        "--enqueue",
        "x=1",
        "--value",
        "score: {value}",
        command=[PYTHON, program, "{x}"],
    )
    assert result.code == 0, result.log_text
    first, second = runner.study().trials
    assert first.state == TrialState.COMPLETE and first.value == 0.5
    assert second.state == TrialState.PRUNED
    assert first.system_attrs["run:told_by_program"] is True

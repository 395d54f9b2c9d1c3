"""``trimtab run`` end to end: real programs, parameters in, values out, failures recorded."""

from __future__ import annotations

import json
from pathlib import Path

from run_helpers import PYTHON, Runner, script, shell_script

import trimtab
from trimtab.trial import TrialState

ECHO_ARGS = """
import json, os, sys
env = {k: v for k, v in os.environ.items() if k.startswith("TRIMTAB_")}
print(json.dumps({"argv": sys.argv[1:], "env": env}))
print("score: 1.5")
"""


def test_parameters_reach_the_program_as_arguments_and_environment(
    runner: Runner, tmp_path: Path
) -> None:
    program = script(tmp_path, "echo_args.py", ECHO_ARGS)
    result = runner(
        "--n-trials",
        "3",
        "--param",
        "lr=float:1e-5:1e-1:log",
        "--param",
        "layers=int:1:4",
        "--param",
        "opt=cat:adam,sgd",
        "--param",
        "drop=float:0:0.5:step=0.1",
        "--value",
        "score: {value}",
        command=[
            PYTHON,
            program,
            "--lr={lr}",
            "--layers",
            "{layers}",
            "{opt}",
            "{drop}",
            "n{trial_number}",
            "{{lr}}",
        ],
    )
    assert result.code == 0, result.log_text
    trials = runner.study().trials
    assert [t.state for t in trials] == [TrialState.COMPLETE] * 3
    for trial in trials:
        seen = json.loads(runner.trial_log(trial.number).splitlines()[0])
        p = trial.params
        assert seen["argv"] == [
            f"--lr={p['lr']!r}",
            "--layers",
            str(p["layers"]),
            p["opt"],
            repr(p["drop"]),
            f"n{trial.number}",
            "{lr}",
        ]
        env = seen["env"]
        assert env["TRIMTAB_PARAM_LR"] == repr(p["lr"])
        assert env["TRIMTAB_PARAM_OPT"] == p["opt"]
        assert env["TRIMTAB_TRIAL_NUMBER"] == str(trial.number)
        assert env["TRIMTAB_STUDY_NAME"] == "s"
        assert env["TRIMTAB_STORAGE"] == runner.url
        assert json.loads(env["TRIMTAB_PARAMS"]) == p
        assert trial.value == 1.5
        assert 1e-5 <= p["lr"] <= 1e-1 and p["layers"] in range(1, 5)
        assert round(p["drop"] * 10, 9) == round(p["drop"] * 10)
    assert any("Trial 2 finished with value: 1.5 and parameters:" in m for m in result.logs)
    assert json.loads(result.out.strip())["value"] == 1.5


def test_every_trial_is_logged_once_in_order_with_the_best_so_far(runner: Runner) -> None:
    # With --jobs 1 a trial is logged while the next program runs: the lines keep their order,
    # and the last trial's line and callbacks are not lost when the run ends (or a trial fails).
    result = runner(
        "--n-trials", "4", "--param", "x=int:0:9", "--enqueue", "x=3", "--enqueue", "x=1",
        "--enqueue", "x=2", "--enqueue", "x=0", command=["sh", "-c", "test {x} != 2 && echo {x}"],
    )  # fmt: skip
    assert result.code == 0, result.log_text
    lines = [m for m in result.logs if m.startswith("Trial ")]
    assert [line.split()[1] for line in lines] == ["0", "1", "2", "2", "3"]
    assert "Best is trial 0 with value: 3.0" in lines[0]
    assert "Best is trial 1 with value: 1.0" in lines[1]
    assert "failed" in lines[2] and "failed" in lines[3]
    assert "Best is trial 3 with value: 0.0" in lines[4]
    assert "Finished 4 trials of study 's' (3 complete, 1 fail)." in result.logs


def test_trials_are_sampled_as_study_optimize_samples_them(runner: Runner) -> None:
    # Each trial is sampled once the previous one's result is stored: a seeded TPE proposes
    # exactly what it proposes to Study.optimize with the same objective.
    kwargs = {"seed": 1, "n_startup_trials": 2}
    result = runner(
        "--n-trials", "6", "--param", "x=float:-1:1", "--sampler", "TPESampler",
        "--sampler-kwargs", json.dumps(kwargs), command=["echo", "{x}"],
    )  # fmt: skip
    assert result.code == 0, result.log_text
    study = trimtab.create_study(sampler=trimtab.samplers.TPESampler(**kwargs))
    study.optimize(lambda trial: trial.suggest_float("x", -1, 1), n_trials=6)
    assert [t.params["x"] for t in runner.study().trials] == [t.params["x"] for t in study.trials]


def test_shell_script_program_reads_parameters_from_the_environment(
    runner: Runner, tmp_path: Path
) -> None:
    program = shell_script(
        tmp_path, "train.sh", 'echo "loss=$(( TRIMTAB_PARAM_X * TRIMTAB_PARAM_X ))"\n'
    )
    result = runner(
        "--n-trials",
        "4",
        "--param",
        "x=int:-3:3",
        "--value-regex",
        r"loss=(\d+)",
        "--enqueue",
        "x=0",
        "--enqueue",
        '{"x": 2}',
        command=[program, "$TRIMTAB_PARAM_X"],
    )
    assert result.code == 0, result.log_text
    assert not any("does not appear in the command" in m for m in result.logs)
    trials = runner.study().trials
    assert [(t.params["x"], t.value) for t in trials[:2]] == [(0, 0.0), (2, 4.0)]
    assert all(t.value == t.params["x"] ** 2 for t in trials)


def test_json_lines_several_objectives_and_number_line_default(
    runner: Runner, tmp_path: Path
) -> None:
    program = script(
        tmp_path,
        "mo.py",
        """
        import json, sys
        x = float(sys.argv[1])
        print(json.dumps({"step": 0, "loss": x * x, "acc": 1 - x}))
        print(f"accuracy is {1 - x}", file=sys.stderr)
    """,
    )
    result = runner(
        "--n-trials",
        "3",
        "--param",
        "x=float:0:1",
        "--value-json",
        "loss",
        "--value",
        "accuracy is {value}",
        "--direction",
        "minimize",
        "--direction",
        "maximize",
        command=[PYTHON, program, "{x}"],
    )
    assert result.code == 0, result.log_text
    study = runner.study()
    assert [d.name for d in study.directions] == ["MINIMIZE", "MAXIMIZE"]
    for trial in study.trials:
        x = trial.params["x"]
        assert trial.values == [x * x, 1 - x]
    plain = script(tmp_path, "plain.py", "print('starting')\nprint(' 0.25 ')\nprint('done')\n")
    result = runner(
        "--n-trials", "1", "--param", "x=float:0:1", study="plain", command=[PYTHON, plain, "{x}"]
    )
    assert result.code == 0 and runner.study("plain").trials[0].value == 0.25


def test_reports_feed_the_pruner_and_a_pruned_program_is_stopped(
    runner: Runner, tmp_path: Path
) -> None:
    program = script(
        tmp_path,
        "epochs.py",
        """
        import sys, time
        x = float(sys.argv[1])
        for epoch in range(50):
            print(f"epoch {epoch} val_loss={x + 1.0 / (epoch + 1):.5f}", flush=True)
            time.sleep(0.01)
        print(f"final {x}")
    """,
    )
    result = runner(
        "--n-trials",
        "2",
        "--param",
        "x=float:0:10",
        "--report",
        "epoch {step} val_loss={value}",
        "--value-regex",
        r"final (\S+)",
        "--pruner",
        "threshold",
        "--pruner-kwargs",
        '{"upper": 5.0}',
        "--enqueue",
        "x=1",
        "--enqueue",
        "x=8",
        command=[PYTHON, program, "{x}"],
    )
    trials = runner.study().trials
    assert trials[0].state == TrialState.COMPLETE and trials[0].value == 1.0
    assert len(trials[0].intermediate_values) == 50
    pruned = trials[1]
    assert pruned.state == TrialState.PRUNED
    assert pruned.last_step == 0 and pruned.intermediate_values == {0: 9.0}
    assert "Trial 1 pruned." in result.log_text
    assert runner.trial_log(1).count("epoch") < 50  # stopped well before it would finish


def test_failures_keep_exit_code_stderr_tail_and_logs(runner: Runner, tmp_path: Path) -> None:
    program = script(
        tmp_path,
        "fail.py",
        """
        import sys
        print("working")
        print("Traceback: something broke", file=sys.stderr)
        sys.exit(int(sys.argv[1]))
    """,
    )
    result = runner(
        "--n-trials",
        "2",
        "--param",
        "code=cat:3,0",
        "--grid",
        "--value",
        "score: {value}",
        command=[PYTHON, program, "{code}"],
    )
    assert result.code == 1  # every trial failed
    by_code = {t.params["code"]: t for t in runner.study().trials}
    failed = by_code[3]
    assert failed.state == TrialState.FAIL
    attrs = failed.system_attrs
    assert attrs["run:exit_code"] == 3
    assert "something broke" in attrs["run:stderr_tail"]
    assert attrs["run:log_dir"].endswith(f"trial-{failed.number}")
    assert "exited with code 3" in attrs["run:fail_reason"]
    assert runner.trial_log(failed.number, "stderr") == "Traceback: something broke\n"
    # Exit code 0 but nothing matched: the message names the pattern and where to look.
    silent = by_code[0]
    reason = silent.system_attrs["run:fail_reason"]
    assert "no value matched --value 'score: {value}' in the output" in reason
    assert f"trial-{silent.number}/stdout.log" in reason
    assert any("no value matched --value 'score: {value}'" in m for m in result.logs)


def test_values_that_are_not_numbers_fail_the_trial(runner: Runner, tmp_path: Path) -> None:
    program = script(tmp_path, "nan.py", "print('score: pending')\nprint('score: 1.0')\n")
    result = runner(
        "--n-trials",
        "1",
        "--param",
        "x=float:0:1",
        "--value",
        "score: {value}",
        command=[PYTHON, program, "{x}"],
    )
    trial = runner.study().trials[0]
    assert trial.state == TrialState.FAIL
    assert (
        "matched 'pending' on line 1 of stdout, which is not a number"
        in (trial.system_attrs["run:fail_reason"])
    )
    assert result.code == 1


def test_jobs_run_programs_at_once(runner: Runner, tmp_path: Path) -> None:
    program = script(
        tmp_path,
        "slow.py",
        """
        import os, sys, time
        open(os.path.join(sys.argv[1], os.environ["TRIMTAB_TRIAL_NUMBER"]), "w").close()
        time.sleep(0.6)
        print(len(os.listdir(sys.argv[1])))
    """,
    )
    marks = tmp_path / "marks"
    marks.mkdir()
    result = runner(
        "--n-trials",
        "4",
        "--jobs",
        "4",
        "--param",
        "x=float:0:1",
        command=[PYTHON, program, str(marks), "{x}"],
    )
    assert result.code == 0, result.log_text
    values = [t.value for t in runner.study().trials]
    assert len(values) == 4 and max(values) >= 3  # started together, not one after another


def test_dry_run_prints_commands_and_starts_nothing(runner: Runner, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    result = runner(
        "--dry-run",
        "--n-trials",
        "3",
        "--param",
        "opt=cat:adam,sgd",
        "--grid",
        command=["touch", str(marker), "--opt", "{opt}"],
    )
    assert result.code == 0
    lines = result.out.strip().splitlines()
    assert lines[0].startswith("Dry run: the first 2 trials")
    assert sorted(line.split()[-1] for line in lines[1:]) == ["adam", "sgd"]
    assert lines[1].startswith(f"trial 0: touch {marker} --opt ")
    assert not marker.exists()
    assert not (tmp_path / "run.db").exists()


def test_progress_bar_shows_the_best_value(runner: Runner, tmp_path: Path) -> None:
    program = shell_script(tmp_path, "value.sh", 'echo "$1"\n')
    result = runner(
        "--n-trials",
        "2",
        "--progress-bar",
        "--param",
        "x=int:3:4",
        "--enqueue",
        "x=3",
        command=[program, "{x}"],
    )
    assert result.code == 0, result.log_text
    assert "Best trial: 0. Best value: 3" in result.err
    assert "2/2" in result.err


def test_trial_logs_become_artifacts_listed_by_the_dashboard(
    runner: Runner, tmp_path: Path
) -> None:
    from starlette.testclient import TestClient

    from trimtab.artifacts import FileSystemArtifactStore
    from trimtab.dashboard import create_app

    program = shell_script(tmp_path, "talk.sh", 'echo "score: $1"\necho "warn $1" >&2\nexit $2\n')
    artifacts = tmp_path / "artifacts"
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
        "--artifact-dir",
        str(artifacts),
        command=[program, "{x}", "{x}"],
    )
    assert result.code == 0
    study = runner.study()
    assert [t.state for t in study.trials] == [TrialState.COMPLETE, TrialState.FAIL]
    client = TestClient(
        create_app(study._storage, artifact_store=FileSystemArtifactStore(artifacts))
    )
    for trial in study.trials:
        listed = client.get(f"/api/studies/{study._study_id}/trials/{trial.number}/artifacts")
        files = {a["filename"]: a for a in listed.json()["artifacts"]}
        assert set(files) == {"stdout.log", "stderr.log"}
        assert files["stdout.log"]["preview"] == "text"
        body = client.get(files["stderr.log"]["url"])
        assert body.status_code == 200 and body.content == f"warn {trial.number}\n".encode()

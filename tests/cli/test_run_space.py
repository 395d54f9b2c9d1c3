"""``trimtab run``'s search space and bad input: specs, space files, grid, enqueue, messages."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from run_helpers import PYTHON, Runner, script

from trimtab.cli._run._space import build_space, parse_param
from trimtab.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from trimtab.exceptions import CLIUsageError


def test_every_distribution_kind() -> None:
    space = build_space(
        [
            "lr=float:1e-5:1e-1:log",
            "drop=float:0:0.5:step=0.1",
            "u=float:-1:1",
            "layers=int:1:8",
            "batch=int:16:256:log",
            "width=int:2:10:step=2",
            "opt=cat:adam,sgd",
            "size=cat:16,32,1e3",
        ],
        None,
    )
    assert space["lr"].distribution == FloatDistribution(1e-5, 1e-1, log=True)
    assert space["drop"].distribution == FloatDistribution(0, 0.5, step=0.1)
    assert space["u"].distribution == FloatDistribution(-1, 1)
    assert space["layers"].distribution == IntDistribution(1, 8)
    assert space["batch"].distribution == IntDistribution(16, 256, log=True)
    assert space["width"].distribution == IntDistribution(2, 10, step=2)
    assert space["opt"].distribution == CategoricalDistribution(["adam", "sgd"])
    # Numbers stay numbers when their text round-trips; the command gets the text back.
    assert space["size"].distribution == CategoricalDistribution([16, 32, "1e3"])
    assert [space["size"].text(c) for c in (16, 32, "1e3")] == ["16", "32", "1e3"]
    assert space["lr"].env_name == "TRIMTAB_PARAM_LR"


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("lr", "--param 'lr': missing '='"),
        ("lr=float:1e-5", "--param 'lr=float:1e-5': a float needs LOW:HIGH"),
        ("lr=floot:0:1", "--param 'lr=floot:0:1': unknown kind 'floot'"),
        ("lr=float:a:1", "--param 'lr=float:a:1': 'a' is not a number"),
        ("n=int:1:2.5", "--param 'n=int:1:2.5': '2.5' is not an int"),
        ("lr=float:0:1:log", "--param 'lr=float:0:1:log': "),
        ("lr=float:1:0", "--param 'lr=float:1:0': "),
        ("lr=float:0:1:lgo", "unknown option 'lgo' (use 'log' or 'step=S')"),
        ("opt=cat:", "a categorical needs choices"),
        ("opt=cat:a,a", "the choices repeat a value"),
        ("9x=int:0:1", "'9x' is not a valid parameter name"),
    ],
)
def test_malformed_param_names_the_flag_and_the_problem(spec: str, problem: str) -> None:
    with pytest.raises(CLIUsageError) as info:
        parse_param(spec)
    assert problem in str(info.value)


def test_malformed_param_on_the_command_line(runner: Runner) -> None:
    result = runner("--param", "lr=float:1e-5", command=["true", "{lr}"])
    assert result.code == 1
    assert "--param 'lr=float:1e-5': a float needs LOW:HIGH" in result.log_text


def test_space_files_yaml_and_toml(runner: Runner, tmp_path: Path) -> None:
    yaml_file = tmp_path / "space.yaml"
    yaml_file.write_text(
        "lr: {type: float, low: 1e-5, high: 1e-1, log: true}\n"
        "layers: int:1:4\n"
        "opt: {type: categorical, choices: [adam, sgd]}\n"
        "drop: {type: float, low: 0, high: 0.5, step: 0.25}\n"
    )
    space = build_space([], str(yaml_file))
    assert space["lr"].distribution == FloatDistribution(1e-5, 1e-1, log=True)
    assert space["layers"].distribution == IntDistribution(1, 4)
    assert space["opt"].distribution == CategoricalDistribution(["adam", "sgd"])
    assert space["drop"].grid_values() == [0.0, 0.25, 0.5]
    if sys.version_info >= (3, 11):
        toml_file = tmp_path / "space.toml"
        toml_file.write_text(
            '[lr]\ntype = "float"\nlow = 1e-5\nhigh = 0.1\nlog = true\n\n'
            '[opt]\ntype = "categorical"\nchoices = ["adam", "sgd"]\n'
        )
        assert build_space(["n=int:0:3"], str(toml_file)).keys() == {"lr", "opt", "n"}
    bad = tmp_path / "bad.yaml"
    bad.write_text("lr: {type: float, low: 1}\n")
    with pytest.raises(CLIUsageError, match="'lr': needs type float/int/categorical and low"):
        build_space([], str(bad))
    with pytest.raises(CLIUsageError, match="Parameter 'layers' is defined twice"):
        build_space(["layers=int:0:1"], str(yaml_file))
    program = script(tmp_path, "p.py", "import sys\nprint(len(sys.argv))\n")
    result = runner(
        "--space",
        str(yaml_file),
        "--n-trials",
        "2",
        command=[PYTHON, program, "{lr}", "{layers}", "{opt}", "{drop}"],
    )
    assert result.code == 0, result.log_text
    assert [t.value for t in runner.study().trials] == [5, 5]


def test_grid_runs_every_combination_once(runner: Runner, tmp_path: Path) -> None:
    program = script(
        tmp_path, "p.py", "import sys\nprint(int(sys.argv[1]) * 10 + int(sys.argv[2]))\n"
    )
    result = runner(
        "--grid",
        "--param",
        "a=cat:1,2,3",
        "--param",
        "b=int:0:2:step=2",
        command=[PYTHON, program, "{a}", "{b}"],
    )
    assert result.code == 0, result.log_text
    assert sorted(t.value for t in runner.study().trials) == [10, 12, 20, 22, 30, 32]
    result = runner("--grid", "--param", "x=float:0:1", command=["true", "{x}"], study="g2")
    assert result.code == 1
    assert "--grid needs a finite set of values, but parameter 'x' is a continuous float" in (
        result.log_text
    )


@pytest.mark.parametrize(
    ("args", "command", "message"),
    [
        ([], ["true", "{lr}"], "No parameters: give --param"),
        (
            ["--param", "x=int:0:1"],
            ["true", "{y}"],
            "The command uses the placeholder {y}, but there is no parameter 'y'",
        ),
        (["--param", "x=int:0:1"], [], "No command to run: put it after '--'"),
        (
            ["--param", "x=int:0:1", "--value", "score"],
            ["true", "{x}"],
            "--value 'score': a pattern needs exactly one {value}",
        ),
        (
            ["--param", "x=int:0:1", "--value-regex", "(a)(b"],
            ["true", "{x}"],
            "--value-regex '(a)(b': not a valid regular expression",
        ),
        (
            [
                "--param",
                "x=int:0:1",
                "--value",
                "a {value}",
                "--value",
                "b {value}",
                "--direction",
                "maximize",
            ],
            ["true", "{x}"],
            "1 --direction for 2 objective value(s)",
        ),
        (
            [
                "--param",
                "x=int:0:1",
                "--value",
                "a {value}",
                "--value",
                "b {value}",
                "--direction",
                "minimize",
                "--direction",
                "maximize",
                "--report",
                "r {value}",
            ],
            ["true", "{x}"],
            "--report works with one objective only",
        ),
        (
            ["--param", "x=int:0:1", "--enqueue", "y=1"],
            ["true", "{x}"],
            "--enqueue 'y=1': no parameter 'y'",
        ),
        (
            ["--param", "x=int:0:1", "--enqueue", "x=5"],
            ["true", "{x}"],
            "--enqueue 'x=5': 5 is outside parameter 'x'",
        ),
        (
            ["--param", "x=int:0:1", "--pruner", "nosuch"],
            ["true", "{x}"],
            "--pruner nosuch: no such class in trimtab.pruners",
        ),
        (
            ["--param", "x=int:0:1", "--sampler-kwargs", "{"],
            ["true", "{x}"],
            "--sampler-kwargs: not valid JSON",
        ),
        (
            ["--param", "x=int:0:1"],
            ["./missing.sh", "{x}"],
            "The command './missing.sh' does not exist.",
        ),
    ],
)
def test_bad_input_is_an_error_before_anything_runs(
    runner: Runner, args: list[str], command: list[str], message: str
) -> None:
    result = runner(*args, command=command)
    assert result.code == 1
    assert message in result.log_text
    assert not Path(runner.url[len("sqlite:///") :]).exists()


def test_parameter_missing_from_the_command_warns(runner: Runner, tmp_path: Path) -> None:
    result = runner(
        "--dry-run", "--param", "x=int:0:1", "--param", "unused=int:0:1", command=["true", "{x}"]
    )
    assert result.code == 0
    assert (
        "Parameter 'unused' does not appear in the command; the program gets it only as the "
        "environment variable TRIMTAB_PARAM_UNUSED." in result.logs
    )
    assert not any("'x'" in m for m in result.logs)

"""``trimtab ablate`` end to end: real ``trimtab`` processes running a real program."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import trimtab
from trimtab.ablation import ablation_effects, load_design

TRIMTAB = [sys.executable, "-c", "import sys; from trimtab.cli import main; sys.exit(main())"]
# lr below 0.005 costs 1.0; layers does nothing; every seed shifts all variants alike.
PROGRAM = """
import random, sys, time
lr, layers, seed = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
time.sleep(0.05)
print("loss:", (1.0 if lr < 0.005 else 0.0) + random.Random(seed).gauss(0, 0.1))
"""


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(Path(trimtab.__file__).parents[1])}


def _trimtab(args: list[str], cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*TRIMTAB, *args],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=240,
        **kwargs,
    )


def _tune(tmp_path: Path) -> str:
    (tmp_path / "train.py").write_text(textwrap.dedent(PROGRAM))
    url = f"sqlite:///{tmp_path / 'tune.db'}"
    tuned = _trimtab(
        ["run", "--storage", url, "--study-name", "tune", "--n-trials", "3"]
        + ["--param", "lr=float:1e-4:1e-1:log", "--param", "layers=int:1:4"]
        + ["--enqueue", "lr=0.01,layers=3", "--enqueue", "lr=0.02,layers=3"]
        + ["--value", "loss: {value}", "--", sys.executable, "train.py", "{lr}", "{layers}", "0"],
        tmp_path,
    )
    assert tuned.returncode == 0, tuned.stderr[-2000:]
    return url


ABLATE = ["--factor", "lr=0.001", "--factor", "layers=1", "--n-repeats", "4"]
COMMAND = [
    "--value",
    "loss: {value}",
    "--",
    sys.executable,
    "train.py",
    "{lr}",
    "{layers}",
    "{seed}",
]


def test_ablate_a_tuned_study_and_report_the_effects(tmp_path: Path) -> None:
    url = _tune(tmp_path)
    study = trimtab.load_study(study_name="tune", storage=url)
    best = study.best_params
    result = _trimtab(
        ["ablate", "--storage", url, "--study-name", "tune", *ABLATE, "--jobs", "2", *COMMAND],
        tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.strip().splitlines()
    assert lines[0].split()[:4] == ["variant", "n", "mean", "effect"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert rows["lr=0.001"][1] == "4" and rows["lr=0.001"][-1] == "yes"
    assert rows["layers=1"][-1] == "no"
    study = trimtab.load_study(study_name="tune", storage=url)
    assert load_design(study).base == best
    runs = [t for t in study.trials if "ablation:variant" in t.user_attrs]
    assert Counter(t.user_attrs["ablation:variant"] for t in runs) == {
        "base": 4,
        "lr=0.001": 4,
        "layers=1": 4,
    }
    # The program received the seed: the same seed gives the base and layers=1 the same loss.
    by_key = {(t.user_attrs["ablation:variant"], t.params["seed"]): t.value for t in runs}
    assert all(by_key[("base", s)] == by_key[("layers=1", s)] for s in range(4))
    effect = {e.variant: e for e in ablation_effects(study, test="paired")}
    assert abs(effect["lr=0.001"].effect - 1.0) < 1e-9


def test_two_ablate_processes_share_the_design(tmp_path: Path) -> None:
    url = _tune(tmp_path)
    args = ["ablate", "--storage", url, "--study-name", "tune", *ABLATE, "--pairs", *COMMAND]
    workers = [
        subprocess.Popen(
            [*TRIMTAB, *args],
            cwd=tmp_path,
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for worker in workers:
        _, err = worker.communicate(timeout=240)
        assert worker.returncode == 0, err[-2000:]
    study = trimtab.load_study(study_name="tune", storage=url)
    # Both may have enqueued the design at the same moment: the later copy is withdrawn.
    kept = [t for t in study.trials if "ablation:duplicate_of" not in t.system_attrs]
    runs = Counter(
        (t.user_attrs["ablation:variant"], t.params["seed"])
        for t in kept
        if "ablation:variant" in t.user_attrs
    )
    assert len(runs) == 4 * 4 and set(runs.values()) == {1}  # 4 variants x 4 seeds, once each
    assert len(kept) == 3 + 16 and all(t.state.name == "COMPLETE" for t in kept)


def test_bad_input_is_refused_before_anything_is_enqueued(tmp_path: Path) -> None:
    url = _tune(tmp_path)
    base = ["ablate", "--storage", url, "--study-name", "tune"]
    cases = {
        "No --factor": [*COMMAND],
        "no parameter 'width'": ["--factor", "width=3", *COMMAND],
        "outside parameter 'lr'": ["--factor", "lr=5", *COMMAND],
        "placeholder {depth}": ["--factor", "lr=0.001", "--", "echo", "{depth}"],
        "--n-repeats must be at least 1": ["--factor", "lr=0.001", "--n-repeats", "0", *COMMAND],
        "does not change the base": ["--base", "lr=0.01,layers=3", "--factor", "lr=0.01", *COMMAND],
    }
    for message, extra in cases.items():
        result = _trimtab([*base, *extra], tmp_path)
        assert result.returncode == 1, message
        assert message in result.stderr, (message, result.stderr[-1500:])
    assert len(trimtab.load_study(study_name="tune", storage=url).trials) == 3
    fresh = _trimtab(
        ["ablate", "--storage", url, "--study-name", "new", *ABLATE, *COMMAND], tmp_path
    )
    assert fresh.returncode == 1 and "give --param (or --space) and --base" in fresh.stderr

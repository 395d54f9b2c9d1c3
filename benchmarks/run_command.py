"""``trimtab run`` per-trial overhead against a hand-written ``subprocess`` objective.

200 trials of a trivial program (``echo score: X``, or a one-line Python program with
``--program python``), all on a fresh SQLite file with ``RandomSampler(seed=0)``, measured in
one run:

- *process start*: the program alone, started 200 times with ``subprocess.run`` (the floor);
- *optuna objective*: Optuna 5.0 ``study.optimize`` with the objective people write by hand
  (``subprocess.run`` + a regex on the output);
- *trimtab objective*: the same hand-written objective on trimtab;
- *trimtab run*: ``trimtab run --param x=float:0:1 --value 'score: {value}' -- echo score: {x}``,
  which also keeps per-trial logs, a process group, a deadline and the TRIMTAB_* environment.

Each library case is a fresh interpreter; its per-trial time is (wall time of 200 trials − wall
time of 0 trials) / 200, so interpreter start and imports are not counted. The median of
``--rounds`` runs is shown. The target: trimtab run's per-trial time exceeds the hand-written
Optuna objective's by less than 10% of the process start cost. Run
``python -m benchmarks.run_command`` from the repository root.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HAND_WRITTEN = """
import re, subprocess, sys
import {lib} as lib
lib.logging.set_verbosity(lib.logging.INFO)
program = {program!r}
pattern = re.compile(r"score: (\\S+)")

def objective(trial):
    x = trial.suggest_float("x", 0.0, 1.0)
    out = subprocess.run([*program, f"score: {{x!r}}"], capture_output=True, text=True).stdout
    return float(pattern.search(out).group(1))

study = lib.create_study(storage=sys.argv[1], sampler=lib.samplers.RandomSampler(seed=0))
study.optimize(objective, n_trials=int(sys.argv[2]))
"""
TRIMTAB_RUN = "import sys; from trimtab.cli import main; sys.exit(main(sys.argv[1:]))"
PROGRAMS = {
    "echo": ["echo"],
    "python": [sys.executable, "-S", "-c", "import sys; print(sys.argv[1])"],
}


def _wall(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def _hand_written(
    lib: str, program: list[str], n: int, workdir: Path, env: dict[str, str]
) -> float:
    code = HAND_WRITTEN.format(lib=lib, program=program)
    db = workdir / f"{lib}-{n}-{time.monotonic_ns()}.db"
    return _wall([sys.executable, "-c", code, f"sqlite:///{db}", str(n)], env)


def _trimtab_run(program: list[str], n: int, workdir: Path, env: dict[str, str]) -> float:
    db = workdir / f"run-{n}-{time.monotonic_ns()}.db"
    argv = [
        sys.executable, "-c", TRIMTAB_RUN, "run", "--storage", f"sqlite:///{db}",
        "--n-trials", str(n), "--sampler", "RandomSampler", "--sampler-kwargs", '{"seed": 0}',
        "--param", "x=float:0:1", "--value", "score: {value}", "--log-dir",
        str(workdir / "logs"), "--no-progress-bar", "--", *program, "score: {x}",
    ]  # fmt: skip
    return _wall(argv, env)


def _process_start(program: list[str], n: int) -> float:
    start = time.perf_counter()
    for i in range(n):
        subprocess.run([*program, f"score: {i / n!r}"], capture_output=True, text=True)
    return (time.perf_counter() - start) / n


def measure(program: list[str], n: int, rounds: int) -> dict[str, float]:
    """Median per-trial seconds of each case."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    cases = {
        "optuna objective": lambda k, d: _hand_written("optuna", program, k, d, env),
        "trimtab objective": lambda k, d: _hand_written("trimtab", program, k, d, env),
        "trimtab run": lambda k, d: _trimtab_run(program, k, d, env),
    }
    samples: dict[str, list[float]] = {name: [] for name in ["process start", *cases]}
    with tempfile.TemporaryDirectory() as directory:
        workdir = Path(directory)
        for _ in range(rounds):
            samples["process start"].append(_process_start(program, n))
            for name, case in cases.items():
                samples[name].append((case(n, workdir) - case(0, workdir)) / n)
    return {name: statistics.median(values) for name, values in samples.items()}


def report(name: str, times: dict[str, float]) -> None:
    start, optuna, run = times["process start"], times["optuna objective"], times["trimtab run"]
    print(f"\nprogram: {name}")
    print(f"{'case':<20}{'ms/trial':>10}{'overhead ms':>13}{'vs optuna objective':>22}")
    for case, seconds in times.items():
        ratio = "" if case == "process start" else f"{seconds / optuna:.3f}x"
        overhead = "" if case == "process start" else f"{(seconds - start) * 1e3:.3f}"
        print(f"{case:<20}{seconds * 1e3:>10.3f}{overhead:>13}{ratio:>22}")
    own = run - times["trimtab objective"]
    print(
        f"trimtab run - trimtab objective = {own * 1e3:+.3f} ms/trial = {own / start:+.1%} of "
        "the process start cost (the run machinery itself: logs, process group, parsing)"
    )
    extra = run - optuna
    verdict = "met" if extra <= 0.10 * start else "NOT met"
    print(
        f"trimtab run - optuna objective = {extra * 1e3:+.3f} ms/trial = "
        f"{extra / start:+.1%} of the process start cost ({start * 1e3:.3f} ms); "
        f"target (< +10%): {verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--program", choices=[*PROGRAMS, "all"], default="all")
    args = parser.parse_args()
    names = list(PROGRAMS) if args.program == "all" else [args.program]
    for name in names:
        report(name, measure(PROGRAMS[name], args.trials, args.rounds))


if __name__ == "__main__":
    main()

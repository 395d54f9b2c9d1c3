"""``trimtab run`` per-trial time against the cost of starting the program itself.

200 trials of a trivial program (``echo score: X``, or a one-line Python program with
``--program python``), ``RandomSampler(seed=0)``, every case in one run:

- *process start*: the floor. The program started 200 times through the very path
  ``trimtab run`` uses (``trimtab.cli._run._process.Program``: its own session, both pipes read
  with ``select``, per-trial log files), with nothing else around it;
- *trimtab run*: ``trimtab run --param x=float:0:1 --value 'score: {value}' -- echo score: {x}``
  on a SQLite file, on in-memory SQLite and on a journal file;
- *optuna objective* / *trimtab objective*: the objective people write by hand
  (``subprocess.run`` + a regex on the output) in Optuna 5.0 and in trimtab, on a SQLite file.

Each case runs in a fresh interpreter and times itself from the inside: its per-trial time is
(time of N trials - time of 0 trials) / N, so interpreter start, imports and opening the
storage are not counted. Wall time is what a user waits; CPU time is the coordinator's own
(the Python process, not the programs it starts), which does not grow with the machine's load.
For the cases that start programs through
``Program`` the *gap* is also shown: the coordinator's median CPU from one program's end to the
next one's start. Work in that gap adds to every trial's wall time; work elsewhere (``trimtab
run`` logs a trial and runs its callbacks while the next program runs) can use another core.
The median of ``--rounds`` runs is shown. The target: trimtab run's per-trial wall time is at
most 1.1 x the process start's. Run ``python -m benchmarks.run_command`` from the repository
root.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

# Every case is this driver: it runs BODY (which defines ``work(n)``) for 3 trials untimed (so
# lazy imports and first-use set-up are done), then for 0 and for N trials, and writes the
# in-process CPU and wall seconds of both to the file argv[1].
DRIVER = """
import json, resource, sys, time
{body}
out, n = sys.argv[1], int(sys.argv[2])
work(3)
times = {{}}
for k in (0, n):
    reset_gaps()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu, wall = time.process_time(), time.perf_counter()
    work(k)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    programs = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
    times[k] = (time.process_time() - cpu, time.perf_counter() - wall, programs, gap_median())
with open(out, "w") as file:
    json.dump(times, file)
"""
# Cases that start programs through ``Program`` also time the gap: the coordinator's CPU (its
# main thread) from one program's end to the next one's start, the part of its work no other
# core can take off the trial's wall time. Unlike wall time it does not grow with the load.
GAPS = """
import statistics
from trimtab.cli._run import _process
gaps, _ended = [], []
_start, _exit = _process.Program.__init__, _process.Program.__exit__

def _timed_start(self, *args, **kwargs):
    if _ended:
        gaps.append(time.thread_time() - _ended.pop())
    _start(self, *args, **kwargs)

def _timed_exit(self, *exc):
    _exit(self, *exc)
    _ended[:] = [time.thread_time()]

_process.Program.__init__, _process.Program.__exit__ = _timed_start, _timed_exit

def reset_gaps():
    gaps.clear()
    _ended.clear()

def gap_median():
    return statistics.median(gaps) if gaps else None
"""
NO_GAPS = """
def reset_gaps():
    pass

def gap_median():
    return None
"""
PROCESS_START = """
import os
from pathlib import Path
from trimtab.cli._run._process import Interrupt, Program
program, root = {program!r}, Path({workdir!r}) / "start-logs"
interrupt = Interrupt()
environ = dict(os.environ)

def work(n):
    for i in range(n):
        env = {{**environ, "TRIMTAB_TRIAL_NUMBER": str(i)}}
        argv = [*program, f"score: {{i / max(n, 1)!r}}"]
        with Program(argv, env, root / f"t-{{i}}", interrupt) as p:
            for _ in p.lines(None):
                pass
"""
HAND_WRITTEN = """
import re, subprocess
import {lib} as lib
lib.logging.set_verbosity(lib.logging.INFO)
program = {program!r}
pattern = re.compile(r"score: (\\S+)")

def objective(trial):
    x = trial.suggest_float("x", 0.0, 1.0)
    out = subprocess.run([*program, f"score: {{x!r}}"], capture_output=True, text=True).stdout
    return float(pattern.search(out).group(1))

def work(n):
    study = lib.create_study(
        storage={storage!r}.format(n=n), sampler=lib.samplers.RandomSampler(seed=0)
    )
    study.optimize(objective, n_trials=n)
"""
TRIMTAB_RUN = """
from trimtab.cli import main
argv = {argv!r}

def work(n):
    storage = {storage!r}.format(n=n)
    main(["run", "--storage", storage, "--n-trials", str(n), *argv])
"""
PROGRAMS = {
    "echo": ["echo"],
    "python": [sys.executable, "-S", "-c", "import sys; print(sys.argv[1])"],
}
Case = Callable[[Path, dict[str, str], int], str]


def _run_flags(program: list[str], workdir: Path) -> list[str]:
    return [
        "--sampler", "RandomSampler", "--sampler-kwargs", '{"seed": 0}', "--param",
        "x=float:0:1", "--value", "score: {value}", "--log-dir", str(workdir / "logs"),
        "--no-progress-bar", "--", *program, "score: {x}",
    ]  # fmt: skip


def cases(program: list[str]) -> dict[str, Case]:
    """Each case's driver body, given a scratch directory and a unique tag."""

    def run(kind: str) -> Case:
        def body(workdir: Path, tag: str) -> str:
            storage = {
                "sqlite": f"sqlite:///{workdir}/run-{tag}-{{n}}.db",
                "memory": "sqlite:///:memory:",
                "journal": f"{workdir}/run-{tag}-{{n}}.log",
            }[kind]
            return TRIMTAB_RUN.format(argv=_run_flags(program, workdir), storage=storage)

        return body

    def hand_written(lib: str) -> Case:
        def body(workdir: Path, tag: str) -> str:
            storage = f"sqlite:///{workdir}/{lib}-{tag}-{{n}}.db"
            return HAND_WRITTEN.format(lib=lib, program=program, storage=storage)

        return body

    return {
        "process start": lambda d, t: PROCESS_START.format(program=program, workdir=str(d)),
        "trimtab run sqlite": run("sqlite"),
        "trimtab run memory": run("memory"),
        "trimtab run journal": run("journal"),
        "trimtab objective": hand_written("trimtab"),
        "optuna objective": hand_written("optuna"),
    }


def _measure_case(body: str, n: int, workdir: Path, env: dict[str, str]) -> dict[str, float]:
    out = workdir / f"times-{time.monotonic_ns()}.json"
    probe = GAPS if "trimtab.cli" in body else NO_GAPS
    code = DRIVER.format(body=probe + body)
    argv = [sys.executable, "-c", code, str(out), str(n)]
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    times = {int(k): v for k, v in json.loads(out.read_text()).items()}
    (cpu0, wall0, prog0, _), (cpu, wall, prog, gap) = times[0], times[n]
    return {
        "wall": (wall - wall0) / n,
        "cpu": (cpu - cpu0) / n,
        "programs": (prog - prog0) / n,
        "gap": float("nan") if gap is None else gap,
    }


def measure(program: list[str], n: int, rounds: int) -> dict[str, dict[str, float]]:
    """Median per-trial seconds (wall, coordinator CPU, programs' CPU) of each case."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    samples: dict[str, list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as directory:
        workdir = Path(directory)
        for r in range(rounds):
            for name, case in cases(program).items():
                body = case(workdir, f"{r}-{len(samples.get(name, []))}")
                samples.setdefault(name, []).append(_measure_case(body, n, workdir, env))
    return {
        name: {key: statistics.median(s[key] for s in runs) for key in runs[0]}
        for name, runs in samples.items()
    }


def report(name: str, times: dict[str, dict[str, float]]) -> None:
    start = times["process start"]
    optuna = times["optuna objective"]["wall"]
    print(f"\nprogram: {name}")
    header = f"{'case':<22}{'wall ms':>9}{'x start':>9}{'cpu ms':>9}{'+cpu ms':>9}"
    print(f"{header}{'programs cpu ms':>17}{'gap cpu ms':>12}{'wall vs optuna':>16}")
    for case, t in times.items():
        print(
            f"{case:<22}{t['wall'] * 1e3:>9.3f}{t['wall'] / start['wall']:>8.3f}x"
            f"{t['cpu'] * 1e3:>9.3f}{(t['cpu'] - start['cpu']) * 1e3:>9.3f}"
            f"{t['programs'] * 1e3:>17.3f}{t['gap'] * 1e3:>12.3f}{t['wall'] / optuna:>15.3f}x"
        )
    print(
        "(x start: wall time per trial over the process start's; +cpu ms: coordinator CPU per "
        "trial beyond what starting and reading the program costs it; gap cpu ms: median "
        "coordinator CPU from one program's end to the next one's start, which another core "
        "cannot hide)"
    )
    for case in ("trimtab run sqlite", "trimtab run memory", "trimtab run journal"):
        ratio = times[case]["wall"] / start["wall"]
        verdict = "met" if ratio <= 1.1 else "NOT met"
        print(f"{case}: {ratio:.3f} x the process start cost; target (<= 1.1 x): {verdict}")


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

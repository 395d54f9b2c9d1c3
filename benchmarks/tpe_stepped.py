"""TPE on integer and stepped dimensions: trimtab's TPE vs Optuna 5.0's, paired in one run.

Five small problems where the good set's bandwidth on a stepped dimension decides the result:
one where a coarse integer dimension (7 values) must move off the value the good set agrees
on (``int-trap``), and four where integer precision matters (wide integer ranges, a log-scaled
integer, a stepped float, six integers). Each problem runs ``--seeds`` seeds with both samplers
(their defaults: trimtab's TPE is multivariate, Optuna's univariate); the table gives medians,
how many runs end at or above ``stuck`` (the trap's "never left the wrong value") and a
two-sided Mann-Whitney U p-value.

Run: ``python -m benchmarks.tpe_stepped --seeds 30`` (``--json out.json`` keeps the scores).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from benchmarks._functions import print_table, verdict  # noqa: E402


def int_trap(t: Any) -> float:
    """The optimum is y = 0; a good set that settles on y = 1 must still try y = 0."""
    x = t.suggest_float("x", -10.0, 10.0)
    y = t.suggest_int("y", -3, 3)
    return (x - 2.0) ** 2 + abs(y)


def two_ints(t: Any) -> float:
    x = t.suggest_int("x", -50, 50)
    y = t.suggest_int("y", -50, 50)
    return float((x - 7) ** 2 + (y + 13) ** 2)


def log_int_float(t: Any) -> float:
    n = t.suggest_int("n", 1, 1024, log=True)
    x = t.suggest_float("x", 0.0, 1.0)
    return math.log(n / 37.0) ** 2 + (x - 0.3) ** 2


def ints_stepped_float(t: Any) -> float:
    a = t.suggest_int("a", -20, 20)
    b = t.suggest_int("b", -20, 20)
    c = t.suggest_float("c", -5.0, 5.0, step=0.5)
    return float((a - 3) ** 2 + (b + 4) ** 2 + (c - 1.5) ** 2)


def six_ints(t: Any) -> float:
    return float(sum((t.suggest_int(f"k{i}", -10, 10) - (i - 2)) ** 2 for i in range(6)))


@dataclass(frozen=True)
class Problem:
    name: str
    objective: Callable[[Any], float]
    n_trials: int
    stuck: float


PROBLEMS = [
    Problem("int-trap", int_trap, 40, 1.0),
    Problem("2 ints [-50,50]", two_ints, 50, 1.0),
    Problem("log-int+float", log_int_float, 40, 0.01),
    Problem("2 ints+stepped float", ints_stepped_float, 50, 1.0),
    Problem("6 ints", six_ints, 60, 4.0),
]


def run_one(lib_name: str, problem: Problem, seed: int) -> tuple[float, float]:
    """Best value of one study, and its CPU seconds."""
    lib = importlib.import_module(lib_name)
    lib.logging.set_verbosity(lib.logging.ERROR)
    cpu = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = lib.create_study(sampler=lib.samplers.TPESampler(seed=seed))
        study.optimize(problem.objective, n_trials=problem.n_trials)
    return float(study.best_value), time.process_time() - cpu


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=30)
    parser.add_argument("--only", default=None, help="problems whose name contains this")
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    start = time.time()
    rows, results = [], []
    for problem in PROBLEMS:
        if args.only and args.only not in problem.name:
            continue
        scores: dict[str, list[float]] = {"trimtab": [], "optuna": []}
        cpu: dict[str, float] = {"trimtab": 0.0, "optuna": 0.0}
        for seed in range(args.seeds):
            for lib in scores:
                value, seconds = run_one(lib, problem, seed)
                scores[lib].append(value)
                cpu[lib] += seconds
        ours, theirs = np.array(scores["trimtab"]), np.array(scores["optuna"])
        p, outcome = verdict(ours, theirs, "min")
        rows.append({
            "problem": problem.name, "trials": problem.n_trials,
            "trimtab median": f"{np.median(ours):.4g}",
            "optuna median": f"{np.median(theirs):.4g}",
            f"stuck (trimtab/optuna of {args.seeds})":
                f"{int((ours >= problem.stuck).sum())}/{int((theirs >= problem.stuck).sum())}",
            "p": f"{p:.3g}", "verdict": outcome,
            "CPU s trimtab/optuna": f"{cpu['trimtab']:.1f}/{cpu['optuna']:.1f}",
        })
        results.append({"problem": problem.name, "n_trials": problem.n_trials, "p": p,
                        "verdict": outcome, **scores})
    print(f"seeds 0..{args.seeds - 1}, {time.time() - start:.0f} s wall\n")
    print_table(rows)
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"seeds": args.seeds, "problems": results}, out, indent=1)


if __name__ == "__main__":
    main()

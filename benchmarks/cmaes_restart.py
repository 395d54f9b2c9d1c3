"""CMA-ES restarts on multimodal functions: trimtab's ``restart_strategy`` settings vs Optuna.

Each function runs ``--trials`` trials for ``--seeds`` seeds with trimtab's ``CmaEsSampler``
under every restart strategy (None, which is trial-for-trial Optuna's sampler, "ipop",
"bipop") and with Optuna 5.0's ``CmaEsSampler`` (which ignores ``restart_strategy``). The table
gives median best values and two-sided Mann-Whitney U p-values of each strategy against None.

Run: ``python -m benchmarks.cmaes_restart --seeds 5 --trials 1000`` (``--only`` picks functions
by name; ``--no-optuna`` leaves Optuna out: its sampler is trimtab's default trial for trial,
which ``tests/samplers/test_cmaes.py`` checks, and at these budgets its study is the slow part).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from benchmarks import quality_problems  # noqa: E402
from benchmarks._functions import Objective, print_table, rastrigin, verdict  # noqa: E402

FUNCTIONS: dict[str, Callable[[int], Objective]] = {
    "rastrigin-10d": rastrigin(10),
    "rastrigin-rotated-6d": quality_problems.rastrigin_rotated(6),
    "gallagher21-8d": quality_problems.gallagher(8),
}
STRATEGIES = ["none", "ipop", "bipop"]


def run_one(library: str, strategy: str, function: str, seed: int, n_trials: int) -> float:
    lib = importlib.import_module(library)
    lib.logging.set_verbosity(lib.logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kwargs: dict[str, Any] = {"seed": seed}
        if strategy != "none":
            kwargs["restart_strategy"] = strategy
        study = lib.create_study(sampler=lib.samplers.CmaEsSampler(**kwargs))
        study.optimize(FUNCTIONS[function](seed), n_trials=n_trials)
    return float(study.best_value)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--trials", type=int, default=1500)
    parser.add_argument("--only", default=None, help="functions whose name contains this")
    parser.add_argument("--no-optuna", action="store_true")
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    rows, out = [], []
    names = STRATEGIES if args.no_optuna else [*STRATEGIES, "optuna"]
    for function in FUNCTIONS:
        if args.only and args.only not in function:
            continue
        runs: dict[str, list[float]] = {}
        cpu: dict[str, float] = {}
        for name in names:
            start = time.process_time()
            library, strategy = ("optuna", "none") if name == "optuna" else ("trimtab", name)
            runs[name] = [
                run_one(library, strategy, function, s, args.trials) for s in range(args.seeds)
            ]
            cpu[name] = (time.process_time() - start) / args.seeds
        base = np.array(runs["none"])
        row: dict[str, Any] = {"function": function, "trials": args.trials}
        for name in names:
            row[name] = f"{np.median(runs[name]):.3g}"
        for name in ("ipop", "bipop"):
            p, outcome = verdict(np.array(runs[name]), base, "min")
            row[f"{name} vs none"] = f"{outcome} p={p:.3g}"
        row["CPU s/run"] = "/".join(f"{name} {cpu[name]:.1f}" for name in names)
        rows.append(row)
        out.append({"function": function, "runs": runs})
    print(f"seeds 0..{args.seeds - 1}, {args.trials} trials; median best value\n")
    print_table(rows)
    if args.json:
        with open(args.json, "w") as stored:
            json.dump({"seeds": args.seeds, "trials": args.trials, "functions": out}, stored,
                      indent=1)


if __name__ == "__main__":
    main()

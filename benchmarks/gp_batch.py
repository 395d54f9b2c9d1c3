"""GPSampler with workers that ask together: batches of ``--batch`` asks before any tell.

Each function runs ``--trials`` trials in batches for seeds 0..``--seeds``-1; the table gives the
median best value and the median over batches of the smallest distance between two points of
a batch (in the unit box; 0 means workers evaluated the same point). ``--optuna`` adds Optuna
5.0's GPSampler, which believes each running trial's predicted mean (slow here: torch).

Run: ``python -m benchmarks.gp_batch --seeds 6``.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import importlib  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from benchmarks._functions import print_table, verdict  # noqa: E402


def branin(u: np.ndarray) -> float:
    x, y = -5.0 + 15.0 * u[0], 15.0 * u[1]
    return float((y - 5.1 / (4 * math.pi**2) * x**2 + 5 / math.pi * x - 6) ** 2
                 + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x) + 10 - 0.397887)


_H3_A = np.array([[3, 10, 30], [0.1, 10, 35], [3, 10, 30], [0.1, 10, 35]])
_H3_P = 1e-4 * np.array([[3689, 1170, 2673], [4699, 4387, 7470], [1091, 8732, 5547],
                         [381, 5743, 8828]])
_H3_C = np.array([1.0, 1.2, 3.0, 3.2])


def hartmann3(u: np.ndarray) -> float:
    return float(3.86278 - np.sum(_H3_C * np.exp(-np.sum(_H3_A * (u - _H3_P) ** 2, axis=1))))


FUNCTIONS: dict[str, tuple[int, Callable[[np.ndarray], float]]] = {
    "branin-2d": (2, branin),
    "hartmann-3d": (3, hartmann3),
}


def run_one(library: str, function: str, seed: int, trials: int, batch: int) -> tuple[float, float]:
    """Best value, and the median smallest in-batch distance, of one study."""
    lib = importlib.import_module(library)
    lib.logging.set_verbosity(lib.logging.ERROR)
    dim, f = FUNCTIONS[function]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = lib.create_study(sampler=lib.samplers.GPSampler(seed=seed))
        gaps = []
        for _ in range(trials // batch):
            pending = [study.ask() for _ in range(batch)]
            points = np.array([[t.suggest_float(f"x{i}", 0, 1) for i in range(dim)]
                               for t in pending])
            distances = np.sqrt(((points[:, None] - points[None]) ** 2).sum(axis=2))
            gaps.append(distances[~np.eye(batch, dtype=bool)].min())
            for trial, point in zip(pending, points):
                study.tell(trial, f(point))
    return float(study.best_value), float(np.median(gaps[1:]))  # batch 0: random start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--trials", type=int, default=32)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--optuna", action="store_true")
    args = parser.parse_args(argv)
    libraries = ["trimtab", "optuna"] if args.optuna else ["trimtab"]
    rows = []
    for function in FUNCTIONS:
        best: dict[str, list[float]] = {}
        row: dict[str, Any] = {"function": function, "trials": args.trials, "batch": args.batch}
        for library in libraries:
            cpu = time.process_time()
            runs = [run_one(library, function, s, args.trials, args.batch)
                    for s in range(args.seeds)]
            best[library] = [r[0] for r in runs]
            row[f"{library} median best"] = f"{np.median(best[library]):.3g}"
            row[f"{library} in-batch gap"] = f"{np.median([r[1] for r in runs]):.3g}"
            row[f"{library} CPU s/run"] = f"{(time.process_time() - cpu) / args.seeds:.1f}"
        if args.optuna:
            p, outcome = verdict(np.array(best["trimtab"]), np.array(best["optuna"]), "min")
            row["vs optuna"] = f"{outcome} p={p:.3g}"
        rows.append(row)
    print(f"seeds 0..{args.seeds - 1}\n")
    print_table(rows)


if __name__ == "__main__":
    main()

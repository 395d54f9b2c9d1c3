"""Per-trial sampler overhead of GP, CMA-ES and NSGA-II: trimtab vs Optuna 5.0.0.

- GP: a study is filled with ``N`` completed trials of a smooth function, in a 6-D mixed space
  with a categorical and in its 5-D part without it (there trimtab also fits a GP to
  power-warped values and keeps the better one); one trial is sampled untimed (lazy imports,
  the first cold fit), then the next ``K`` trials are sampled and timed; reported at N = 100,
  300 and 1,000 (``--quick``: 100 and 300). Optuna's GPSampler needs torch; without it that column
  reads "n/a".
- CMA-ES (10-D) and NSGA-II (2 objectives, 10-D): a whole study of ``N`` trials (5,000;
  ``--quick``: 2,000) with a trivial objective; reported is the mean time per trial over the
  last 10% of the study, where history-dependent costs are largest.

Both libraries run in the same process, interleaved, with in-memory storage. The machine may
be shared: read the ratios, not the absolute times. Run ``python -m benchmarks.overhead_models``.
"""

from __future__ import annotations

import argparse
import math
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np


def _gp_space(lib: Any, categorical: bool) -> dict[str, Any]:
    d = lib.distributions
    space = {
        "x0": d.FloatDistribution(-3, 3),
        "x1": d.FloatDistribution(-3, 3),
        "x2": d.FloatDistribution(1e-4, 1.0, log=True),
        "x3": d.FloatDistribution(0, 1),
        "n": d.IntDistribution(1, 64),
        "c": d.CategoricalDistribution(["a", "b", "c"]),
    }
    if not categorical:
        del space["c"]
    return space


def _gp_value(p: dict[str, Any]) -> float:
    return (
        math.sin(p["x0"]) * math.cos(p["x1"]) + (math.log10(p["x2"]) + 2) ** 2 / 4
        + (p["x3"] - 0.3) ** 2 + ((p["n"] - 40) / 32) ** 2 + (p.get("c", "b") != "b")
    )


def _gp_objective(categorical: bool) -> Callable[[Any], float]:
    def objective(trial: Any) -> float:
        p: dict[str, Any] = {
            "x0": trial.suggest_float("x0", -3, 3),
            "x1": trial.suggest_float("x1", -3, 3),
            "x2": trial.suggest_float("x2", 1e-4, 1.0, log=True),
            "x3": trial.suggest_float("x3", 0, 1),
            "n": trial.suggest_int("n", 1, 64),
        }
        if categorical:
            p["c"] = trial.suggest_categorical("c", ["a", "b", "c"])
        return _gp_value(p)

    return objective


def _filled_study(lib: Any, sampler: Any, n: int, categorical: bool, seed: int = 0) -> Any:
    rng = np.random.RandomState(seed)
    study = lib.create_study(sampler=sampler)
    space = _gp_space(lib, categorical)
    trials = []
    for _ in range(n):
        params = {
            "x0": float(rng.uniform(-3, 3)), "x1": float(rng.uniform(-3, 3)),
            "x2": float(math.exp(rng.uniform(math.log(1e-4), 0))), "x3": float(rng.uniform()),
            "n": int(rng.randint(1, 65)), "c": ["a", "b", "c"][rng.randint(3)],
        }
        if not categorical:
            del params["c"]
        trials.append(lib.trial.create_trial(
            value=_gp_value(params), params=params, distributions=space
        ))
    study.add_trials(trials)
    return study


def _time_next_trials(study: Any, objective: Callable[[Any], Any], k: int) -> float:
    # One untimed trial first: lazy imports and the first (cold) hyperparameter fit.
    study.optimize(objective, n_trials=1)
    start = time.perf_counter()
    study.optimize(objective, n_trials=k)
    return (time.perf_counter() - start) / k


def gp_rows(sizes: list[int], k: int, optuna_max: int) -> list[dict[str, str]]:
    import optuna

    import trimtab

    try:
        import torch  # noqa: F401

        has_torch = True
    except ImportError:
        has_torch = False
    rows = []
    for categorical, label in ((True, "mixed"), (False, "continuous")):
        objective = _gp_objective(categorical)
        for n in sizes:
            study = _filled_study(trimtab, trimtab.samplers.GPSampler(seed=0), n, categorical)
            ours = _time_next_trials(study, objective, k)
            theirs = math.nan
            if has_torch and n <= optuna_max:
                study = _filled_study(optuna, optuna.samplers.GPSampler(seed=0), n, categorical)
                theirs = _time_next_trials(study, objective, k)
            rows.append(_row(f"GP {label}, per trial at {n} trials", ours, theirs))
    return rows


def _study_tail_time(
    lib: Any, sampler: Any, objective: Any, n: int, directions: list[str]
) -> float:
    study = lib.create_study(sampler=sampler, directions=directions)
    stamps: list[float] = []
    study.optimize(
        objective, n_trials=n, callbacks=[lambda s, t: stamps.append(time.perf_counter())]
    )
    tail = stamps[-(n // 10):]
    return (tail[-1] - tail[0]) / (len(tail) - 1)


def _cma_objective(trial: Any) -> float:
    return float(sum((trial.suggest_float(f"x{i}", -5, 5) - 1) ** 2 for i in range(10)))


def _nsga_objective(trial: Any) -> tuple[float, float]:
    x = [trial.suggest_float(f"x{i}", 0, 1) for i in range(10)]
    g = 1 + 9 * sum(x[1:]) / 9
    return x[0], g * (1 - math.sqrt(x[0] / g))


def evolutionary_rows(n: int) -> list[dict[str, str]]:
    import optuna

    import trimtab

    rows = []
    cases: list[tuple[str, Callable[[Any], Any], Any, list[str]]] = [
        ("CMA-ES", lambda lib: lib.samplers.CmaEsSampler(seed=0), _cma_objective, ["minimize"]),
        ("NSGA-II", lambda lib: lib.samplers.NSGAIISampler(seed=0), _nsga_objective,
         ["minimize", "minimize"]),
    ]
    for name, make, objective, directions in cases:
        ours = _study_tail_time(trimtab, make(trimtab), objective, n, directions)
        theirs = _study_tail_time(optuna, make(optuna), objective, n, directions)
        rows.append(_row(f"{name}, per trial at {n} trials", ours, theirs))
    return rows


def _row(name: str, ours: float, theirs: float) -> dict[str, str]:
    ratio = "n/a" if math.isnan(theirs) else f"{theirs / ours:.1f}x"
    return {
        "measure": name,
        "trimtab (ms)": f"{ours * 1e3:.1f}",
        "optuna (ms)": "n/a" if math.isnan(theirs) else f"{theirs * 1e3:.1f}",
        "optuna / trimtab": ratio,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller studies")
    parser.add_argument("--gp-trials", type=int, default=None, help="timed GP trials per size")
    parser.add_argument(
        "--optuna-gp-max", type=int, default=1000,
        help="largest study size at which Optuna's GP is timed (it is slow)",
    )
    args = parser.parse_args(argv)
    for lib_name in ("trimtab", "optuna"):
        lib = __import__(lib_name)
        lib.logging.set_verbosity(lib.logging.ERROR)
    warnings.simplefilter("ignore")
    sizes = [100, 300] if args.quick else [100, 300, 1000]
    k = args.gp_trials or (3 if args.quick else 5)
    rows = gp_rows(sizes, k, args.optuna_gp_max)
    rows += evolutionary_rows(2000 if args.quick else 5000)
    headers = list(rows[0])
    widths = [max(len(h), *(len(r[h]) for r in rows)) for h in headers]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths)))
    for row in rows:
        print("  ".join(row[h].ljust(w) for h, w in zip(headers, widths)), flush=True)


if __name__ == "__main__":
    main()

"""Terminator evaluator cost per trial: trimtab vs Optuna 5.0.0.

The ``TerminatorCallback`` evaluates the improvement once after every trial, so its cost per
trial is one ``evaluate`` call on the whole study. For each study size N (100, 300 and 1,000
complete trials; ``--quick``: 50 and 100) the same trials — a 6-D mixed space (log float,
int, categorical) with a smooth noisy objective — are built in both libraries, and each
evaluator's ``evaluate`` is timed on them (median of ``--repeat`` calls, after one untimed
warm-up call): ``RegretBoundEvaluator`` (the default, a GP on the best half of the trials)
and ``EMMREvaluator`` (two GPs on all trials). Optuna's evaluators need torch; without it
the Optuna column reads "n/a". trimtab fits GP hyperparameters on at most 200 trials (the
GP on all of them), which is why its cost stays flat while Optuna's grows.

Both libraries run in the same process, interleaved. The machine may be shared: read the
ratios, not the absolute times. Run ``python -m benchmarks.terminator [--quick]``.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
import warnings
from typing import Any

import numpy as np

from benchmarks._functions import print_table


def _trials(lib: Any, n: int, seed: int = 0) -> list[Any]:
    d = lib.distributions
    space = {
        "x0": d.FloatDistribution(-3, 3),
        "x1": d.FloatDistribution(-3, 3),
        "lr": d.FloatDistribution(1e-4, 1.0, log=True),
        "u": d.FloatDistribution(0, 1),
        "n": d.IntDistribution(1, 64),
        "c": d.CategoricalDistribution(["a", "b", "c"]),
    }
    rng = np.random.default_rng(seed)
    trials = []
    for _ in range(n):
        p = {
            "x0": float(rng.uniform(-3, 3)), "x1": float(rng.uniform(-3, 3)),
            "lr": float(10 ** rng.uniform(-4, 0)), "u": float(rng.uniform()),
            "n": int(rng.integers(1, 65)), "c": ["a", "b", "c"][int(rng.integers(3))],
        }
        value = (
            math.sin(p["x0"]) * math.cos(p["x1"]) + (math.log10(p["lr"]) + 2) ** 2 / 4
            + (p["u"] - 0.3) ** 2 + ((p["n"] - 40) / 32) ** 2 + (p["c"] != "b")
            + float(rng.normal(0, 0.05))
        )
        trials.append(lib.trial.create_trial(params=p, distributions=space, value=value))
    return trials


def _time(lib: Any, kind: str, trials: list[Any], repeat: int) -> float:
    term = lib.terminator
    direction = lib.study.StudyDirection.MINIMIZE
    times = []
    for i in range(repeat + 1):
        evaluator = term.RegretBoundEvaluator(seed=i) if kind == "regret bound" else \
            term.EMMREvaluator(seed=i)
        start = time.perf_counter()
        evaluator.evaluate(trials, direction)
        if i:  # the first call warms up imports and caches
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def _optuna() -> Any | None:
    try:
        import optuna
        import optuna.terminator  # noqa: F401
        import torch  # noqa: F401
    except ImportError:
        return None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="50 and 100 trials only")
    parser.add_argument("--repeat", type=int, default=3, help="timed calls per cell")
    args = parser.parse_args(argv)
    import trimtab
    import trimtab.terminator  # noqa: F401

    trimtab.logging.set_verbosity(trimtab.logging.WARNING)
    optuna = _optuna()
    sizes = [50, 100] if args.quick else [100, 300, 1000]
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for kind in ("regret bound", "EMMR"):
            for n in sizes:
                ours = _time(trimtab, kind, _trials(trimtab, n), args.repeat)
                row = {"evaluator": kind, "trials": n, "trimtab s/trial": f"{ours:.3f}"}
                if optuna is None:
                    row.update({"optuna s/trial": "n/a", "optuna/trimtab": "n/a"})
                else:
                    theirs = _time(optuna, kind, _trials(optuna, n), args.repeat)
                    row.update({"optuna s/trial": f"{theirs:.3f}",
                                "optuna/trimtab": f"{theirs / ours:.1f}x"})
                rows.append(row)
                print(row, flush=True)
    print()
    print_table(rows)


if __name__ == "__main__":
    main()

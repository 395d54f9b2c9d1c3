"""Optimisation quality of the model-based and evolutionary samplers vs Optuna 5.0.0.

GP-BO (continuous, mixed and constrained problems, 30-100 trials), CMA-ES (10-40-D continuous
problems, 500-2,000 trials; also trimtab's IPOP and BIPOP restarts on multimodal and unimodal
problems against Optuna with the same argument, which it ignores since 4.4) and NSGA-II/III
(2 and 3 objectives, continuous, mixed, HPO-like and constrained problems; hypervolume of the
feasible trials). Both libraries run every problem with the same budget and seeds, interleaved
in one process; the table shows the medians and a two-sided Mann-Whitney U test (p < 0.05):
"win" means trimtab is significantly better.

BLAS/OpenMP are limited to one thread (set below, before numpy loads): on a shared machine
Optuna's torch-based GP is otherwise many times slower, and one thread is its best case.

Run: ``python -m benchmarks.quality_models`` (``--quick`` for fewer seeds and smaller budgets,
``--only TEXT`` to filter problems, ``--comparison NAME`` for one sampler).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from benchmarks._functions import (  # noqa: E402
    Objective,
    ackley,
    best_feasible,
    floats,
    hartmann6,
    print_table,
    rastrigin,
    rosenbrock,
    sphere,
    styblinski_tang,
    verdict,
)


@dataclass
class Problem:
    """``make(seed)`` returns the objective; ``score(study)`` the number compared."""

    name: str
    make: Callable[[int], Objective]
    n_trials: int
    quick_trials: int
    directions: Sequence[str] = ("minimize",)
    score: Callable[[Any], float] | None = None
    better: str = "min"
    tags: tuple[str, ...] = ()


@dataclass
class Comparison:
    """A trimtab sampler and its Optuna counterpart, run on problems with any of ``tags``."""

    name: str
    trimtab: Callable[[Any, int], Any]
    optuna: Callable[[Any, int], Any]
    tags: tuple[str, ...]
    seeds: int
    quick_seeds: int
    optuna_key: str | None = None
    """Comparisons with the same key run the same Optuna sampler: its scores are reused."""


def schwefel(d: int) -> Callable[[int], Objective]:
    """Deceptive: the best basins lie far apart, near the box corners."""

    def f(t: Any) -> float:
        x = floats(t, d, -500.0, 500.0)
        return float(418.9829 * d - np.sum(x * np.sin(np.sqrt(np.abs(x)))))

    return lambda seed: f


def levy(d: int) -> Callable[[int], Objective]:
    def f(t: Any) -> float:
        w = 1.0 + (floats(t, d, -10.0, 10.0) - 1.0) / 4.0
        inner = np.sum((w[:-1] - 1) ** 2 * (1 + 10 * np.sin(math.pi * w[:-1] + 1) ** 2))
        last = (w[-1] - 1) ** 2 * (1 + np.sin(2 * math.pi * w[-1]) ** 2)
        return float(np.sin(math.pi * w[0]) ** 2 + inner + last)

    return lambda seed: f


def gallagher(d: int, peaks: int = 21) -> Callable[[int], Objective]:
    """BBOB f22-like: ``peaks`` rotated, ill-conditioned Gaussian peaks; one instance per seed.

    Peak 1 (height 10) is the optimum (value 0); the others are 1.1-9.1 high. Unlike BBOB,
    there is no oscillation transform or boundary penalty.
    """

    def make(seed: int) -> Objective:
        rng = np.random.RandomState(10_000 + seed)
        centres = rng.uniform(-4.9, 4.9, (peaks, d))
        centres[0] = rng.uniform(-3.92, 3.92, d)
        heights = np.r_[10.0, 1.1 + 8.0 * np.arange(peaks - 1) / (peaks - 2)]
        alphas = 1000.0 ** (2.0 * rng.permutation(peaks - 1) / (peaks - 2))
        alphas = np.r_[1000.0, alphas]
        scales = np.array([
            a ** (rng.permutation(d) / (d - 1)) / a**0.25 for a in alphas
        ])  # per-peak axis weights (condition number a), shape (peaks, d)
        rotation = np.linalg.qr(rng.standard_normal((d, d)))[0]

        def f(t: Any) -> float:
            z = (floats(t, d, -5.0, 5.0) - centres) @ rotation.T
            quad = np.sum(scales * z**2, axis=1) / (2.0 * d)
            return float(10.0 - np.max(heights * np.exp(-quad)))

        return f

    return make


def branin(seed: int) -> Objective:
    def f(t: Any) -> float:
        x, y = t.suggest_float("x", -5, 10), t.suggest_float("y", 0, 15)
        b = 5.1 / (4 * math.pi**2)
        value = (y - b * x**2 + 5 / math.pi * x - 6) ** 2
        return value + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x) + 10 - 0.397887

    return f


def mixed(seed: int) -> Objective:
    """Floats, a log float, ints, a stepped float and a categorical with an interaction."""

    def f(t: Any) -> float:
        x = t.suggest_float("x", -3, 3)
        lr = t.suggest_float("lr", 1e-5, 1e-1, log=True)
        n = t.suggest_int("n", 1, 32)
        q = t.suggest_float("q", 0.0, 1.0, step=0.1)
        kind = t.suggest_categorical("kind", ["a", "b", "c", "d"])
        shift = {"a": 0.0, "b": 1.0, "c": -1.0, "d": 2.0}[kind]
        return (
            (x - shift) ** 2 + (math.log10(lr) + 3.0) ** 2 + 0.05 * (n - 20) ** 2
            + 2 * (q - 0.3) ** 2 + (0.0 if kind == "c" else 0.5)
        )

    return f


def hpo_like(seed: int) -> Objective:
    """A synthetic validation loss over a typical neural-net search space.

    Log-scaled learning rate and weight decay whose optimum depends on the optimiser,
    log-int width, int depth, batch size on a power-of-two-like log grid, dropout. Far from
    the optimum the loss saturates at chance level (a plateau), and learning rates beyond
    the optimiser's stability limit diverge to that plateau.
    """

    def f(t: Any) -> float:
        opt = t.suggest_categorical("optimizer", ["sgd", "adam", "rmsprop"])
        lr = t.suggest_float("lr", 1e-6, 1.0, log=True)
        wd = t.suggest_float("weight_decay", 1e-7, 1e-1, log=True)
        layers = t.suggest_int("n_layers", 1, 8)
        units = t.suggest_int("n_units", 8, 1024, log=True)
        batch = t.suggest_int("batch_size", 16, 512, log=True)
        dropout = t.suggest_float("dropout", 0.0, 0.6)
        best_lr = {"sgd": -1.5, "adam": -3.2, "rmsprop": -3.6}[opt]
        # Linear scaling rule: the best learning rate grows with the batch size.
        log_lr = math.log10(lr) - 0.5 * math.log10(batch / 64)
        if log_lr > best_lr + 1.5:
            return 2.303
        z = (
            (log_lr - best_lr) ** 2 + 0.15 * (math.log10(wd) + 4.5) ** 2
            + ((math.log2(units) - 8.0) / 2.5) ** 2 * (1.0 + 0.3 * dropout)
            + 0.08 * (layers - 4) ** 2 + 3.0 * (dropout - 0.25) ** 2
        )
        return 0.08 + (0.05 if opt == "sgd" else 0.0) + 2.2 * (1.0 - math.exp(-z / 4.0))

    return f


def constrained(seed: int) -> Objective:
    """A bowl whose optimum lies outside the feasible disc."""

    def f(t: Any) -> float:
        x = floats(t, 3, -2.0, 2.0)
        t.set_constraint("disc", float(np.sum(x**2)) - 1.5)
        return float(np.sum((x - 1.0) ** 2))

    return f


def zdt1(d: int) -> Callable[[int], Objective]:
    def f(t: Any) -> tuple[float, float]:
        x = floats(t, d, 0.0, 1.0)
        g = 1 + 9 * float(np.mean(x[1:]))
        return float(x[0]), g * (1 - math.sqrt(x[0] / g))

    return lambda seed: f


def zdt2_mixed(seed: int) -> Objective:
    def f(t: Any) -> tuple[float, float]:
        x0 = t.suggest_float("x0", 0.0, 1.0)
        rest = np.array([t.suggest_int(f"n{i}", 0, 10) / 10 for i in range(5)])
        g = 1 + 9 * float(np.mean(rest))
        return x0, g * (1 - (x0 / g) ** 2)

    return f


def dtlz2(d: int) -> Callable[[int], Objective]:
    def f(t: Any) -> tuple[float, float, float]:
        x = floats(t, d, 0.0, 1.0)
        g = float(np.sum((x[2:] - 0.5) ** 2))
        a, b = x[0] * math.pi / 2, x[1] * math.pi / 2
        return (
            (1 + g) * math.cos(a) * math.cos(b),
            (1 + g) * math.cos(a) * math.sin(b),
            (1 + g) * math.sin(a),
        )

    return lambda seed: f


def c2_dtlz2(d: int) -> Callable[[int], Objective]:
    """DTLZ2 (3 objectives) whose front is feasible only near its corners and its centre
    (C2-DTLZ2 of Jain & Deb, 2014, radius 0.4)."""
    objectives = dtlz2(d)(0)

    def f(t: Any) -> tuple[float, float, float]:
        values = np.array(objectives(t))
        corners = [
            (values[i] - 1) ** 2 + float(np.sum(np.delete(values, i) ** 2)) - 0.16
            for i in range(3)
        ]
        centre = float(np.sum((values - 1 / math.sqrt(3)) ** 2)) - 0.16
        t.set_constraint("c2", min(*corners, centre))
        return float(values[0]), float(values[1]), float(values[2])

    return lambda seed: f


def osy(seed: int) -> Objective:
    """Osyczka & Kundu's problem: 6 variables, 2 objectives, 6 inequality constraints."""

    def f(t: Any) -> tuple[float, float]:
        x1, x2 = t.suggest_float("x1", 0, 10), t.suggest_float("x2", 0, 10)
        x3, x4 = t.suggest_float("x3", 1, 5), t.suggest_float("x4", 0, 6)
        x5, x6 = t.suggest_float("x5", 1, 5), t.suggest_float("x6", 0, 10)
        for name, value in (
            ("c1", 2 - x1 - x2), ("c2", x1 + x2 - 6), ("c3", x2 - x1 - 2),
            ("c4", x1 - 3 * x2 - 2), ("c5", (x3 - 3) ** 2 + x4 - 4),
            ("c6", 4 - (x5 - 3) ** 2 - x6),
        ):
            t.set_constraint(name, value)
        f1 = -(25 * (x1 - 2) ** 2 + (x2 - 2) ** 2 + (x3 - 1) ** 2 + (x4 - 4) ** 2
               + (x5 - 1) ** 2)
        return f1, x1**2 + x2**2 + x3**2 + x4**2 + x5**2 + x6**2

    return f


_OPTIMIZER_LR = {"sgd": -1.5, "momentum": -2.0, "adam": -3.0, "rmsprop": -3.5}


def hpo_mixed(seed: int) -> Objective:
    """A synthetic model-tuning problem: validation error vs. model cost, over a log float,
    (log) ints, a stepped float and categoricals, as in a typical HPO search space."""

    def f(t: Any) -> tuple[float, float]:
        lr = t.suggest_float("lr", 1e-5, 1e-1, log=True)
        optimizer = t.suggest_categorical("optimizer", list(_OPTIMIZER_LR))
        layers = t.suggest_int("layers", 1, 8)
        units = t.suggest_int("units", 8, 1024, log=True)
        dropout = t.suggest_float("dropout", 0.0, 0.5, step=0.05)
        batch = t.suggest_categorical("batch", [16, 32, 64, 128, 256])
        activation = t.suggest_categorical("activation", ["relu", "tanh", "gelu"])
        capacity = layers * units
        error = (
            0.05 + 0.4 / math.sqrt(1 + capacity / 64)
            + 0.08 * (math.log10(lr) - _OPTIMIZER_LR[optimizer]) ** 2
            + 0.3 * (dropout - 0.1 - 0.2 * min(capacity / 4096, 1.0)) ** 2
            + 0.01 * abs(math.log2(batch) - 6) + (0.02 if activation == "tanh" else 0.0)
        )
        cost = capacity * (1 + 0.1 * layers) / 8192 * (64 / batch) ** 0.3
        return error, math.log10(1 + 100 * cost)

    return f


def _hypervolume(reference: Sequence[float]) -> Callable[[Any], float]:
    def score(study: Any) -> float:
        from trimtab.hypervolume import compute_hypervolume

        points = np.array(
            [
                t.values for t in study.trials
                if t.values is not None and all(v <= 0 for v in t.constraints.values())
            ],
            dtype=float,
        ).reshape(-1, len(reference))
        return float(compute_hypervolume(points, np.asarray(reference, dtype=float)))

    return score


PROBLEMS: list[Problem] = [
    Problem("branin-2d", branin, 40, 30, tags=("gp",)),
    Problem("hartmann-6d", hartmann6, 60, 40, tags=("gp",)),
    Problem("mixed-5d", mixed, 60, 40, tags=("gp",)),
    Problem("constrained-3d", constrained, 40, 30, score=best_feasible, tags=("gp",)),
    Problem("rosenbrock-4d", rosenbrock(4), 60, 40, tags=("gp",)),
    Problem("styblinski-tang-10d", styblinski_tang(10), 100, 60, tags=("gp",)),
    Problem("levy-12d", levy(12), 100, 60, tags=("gp",)),
    Problem("hpo-like-7d", hpo_like, 60, 40, tags=("gp",)),
    Problem("zdt1-4d (GP, 2 obj)", zdt1(4), 40, 30, ("minimize", "minimize"),
            _hypervolume([1.1, 11.0]), "max", ("gp-mo",)),
    Problem("sphere-10d", sphere(10), 500, 500, tags=("cma", "unimodal")),
    Problem("rosenbrock-20d", rosenbrock(20), 2000, 1000, tags=("cma", "unimodal")),
    Problem("rastrigin-10d", rastrigin(10), 2000, 1000, tags=("cma", "multimodal")),
    Problem("ackley-40d", ackley(40), 2000, 1000, tags=("cma", "multimodal")),
    Problem("schwefel-10d", schwefel(10), 2000, 1000, tags=("multimodal",)),
    Problem("levy-20d", levy(20), 2000, 1000, tags=("multimodal",)),
    Problem("gallagher21-10d", gallagher(10), 2000, 1000, tags=("multimodal",)),
    Problem("zdt1-10d", zdt1(10), 1000, 500, ("minimize", "minimize"),
            _hypervolume([1.1, 11.0]), "max", ("mo2",)),
    Problem("zdt2-mixed", zdt2_mixed, 1000, 500, ("minimize", "minimize"),
            _hypervolume([1.1, 11.0]), "max", ("mo2",)),
    Problem("dtlz2-6d (3 obj)", dtlz2(6), 1000, 500, ("minimize",) * 3,
            _hypervolume([1.5, 1.5, 1.5]), "max", ("mo3",)),
    Problem("c2-dtlz2-6d (3 obj)", c2_dtlz2(6), 1000, 500, ("minimize",) * 3,
            _hypervolume([1.5, 1.5, 1.5]), "max", ("mo3",)),
    Problem("osy-constrained", osy, 1000, 500, ("minimize", "minimize"),
            _hypervolume([0.0, 80.0]), "max", ("mo2",)),
    Problem("hpo-mixed", hpo_mixed, 500, 300, ("minimize", "minimize"),
            _hypervolume([1.0, 2.5]), "max", ("mo2",)),
]

COMPARISONS: list[Comparison] = [
    Comparison("GP", lambda lib, s: lib.samplers.GPSampler(seed=s),
               lambda lib, s: lib.samplers.GPSampler(seed=s), ("gp", "gp-mo"), 10, 5),
    Comparison("CMA-ES", lambda lib, s: lib.samplers.CmaEsSampler(seed=s),
               lambda lib, s: lib.samplers.CmaEsSampler(seed=s), ("cma",), 10, 6, "cma"),
    # Optuna 5 accepts ``restart_strategy`` but ignores it (deprecated since 4.4): its runs
    # with the argument are its default CMA-ES runs, so they share the "cma" scores.
    *(
        Comparison(
            f"CMA-ES+{strategy.upper()}",
            lambda lib, s, r=strategy: lib.samplers.CmaEsSampler(seed=s, restart_strategy=r),
            lambda lib, s, r=strategy: lib.samplers.CmaEsSampler(seed=s, restart_strategy=r),
            ("multimodal", "unimodal"), 10, 6, "cma",
        )
        for strategy in ("ipop", "bipop")
    ),
    Comparison("NSGA-II", lambda lib, s: lib.samplers.NSGAIISampler(seed=s),
               lambda lib, s: lib.samplers.NSGAIISampler(seed=s), ("mo2", "mo3"), 10, 6),
    Comparison("NSGA-III", lambda lib, s: lib.samplers.NSGAIIISampler(seed=s),
               lambda lib, s: lib.samplers.NSGAIIISampler(seed=s), ("mo3",), 10, 6),
]


def run_one(lib_name: str, comparison: Comparison, problem: Problem, seed: int,
            n_trials: int) -> float:
    """Run one study and return its score."""
    lib = __import__(lib_name)
    lib.logging.set_verbosity(lib.logging.ERROR)
    factory = comparison.trimtab if lib_name == "trimtab" else comparison.optuna
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = lib.create_study(sampler=factory(lib, seed), directions=list(problem.directions))
        study.optimize(problem.make(seed), n_trials=n_trials)
    if problem.score is not None:
        return problem.score(study)
    return float(study.best_value)


_OPTUNA_RUNS: dict[tuple[str, str, int, int], tuple[float, float]] = {}


def _run_timed(
    name: str, comparison: Comparison, problem: Problem, seed: int, n_trials: int
) -> tuple[float, float]:
    """(score, seconds) of one run; Optuna runs are shared by comparisons with one key."""
    key = (comparison.optuna_key or comparison.name, problem.name, seed, n_trials)
    if name == "optuna" and key in _OPTUNA_RUNS:
        return _OPTUNA_RUNS[key]
    start = time.perf_counter()
    result = run_one(name, comparison, problem, seed, n_trials), time.perf_counter() - start
    if name == "optuna":
        _OPTUNA_RUNS[key] = result
    return result


def compare(comparison: Comparison, problem: Problem, seeds: int, quick: bool) -> dict[str, Any]:
    """Run both libraries ``seeds`` times, interleaved; return medians and the verdict."""
    n_trials = problem.quick_trials if quick else problem.n_trials
    scores: dict[str, list[float]] = {"trimtab": [], "optuna": []}
    seconds = {"trimtab": 0.0, "optuna": 0.0}
    for seed in range(seeds):
        for name in ("optuna", "trimtab") if seed % 2 else ("trimtab", "optuna"):
            score, elapsed = _run_timed(name, comparison, problem, seed, n_trials)
            scores[name].append(score)
            seconds[name] += elapsed
    ours, theirs = np.array(scores["trimtab"]), np.array(scores["optuna"])
    p, result = verdict(ours, theirs, problem.better)
    return {
        "sampler": comparison.name,
        "problem": problem.name,
        "trials": n_trials,
        "trimtab median": f"{np.median(ours):.4g}",
        "optuna median": f"{np.median(theirs):.4g}",
        "better": problem.better,
        "p": f"{p:.3f}",
        "result": result,
        "time ratio (optuna/trimtab)": f"{seconds['optuna'] / max(seconds['trimtab'], 1e-9):.1f}x",
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer seeds, smaller budgets")
    parser.add_argument("--seeds", type=int, default=None, help="override the number of seeds")
    parser.add_argument("--only", default=None, help="run problems whose name contains this")
    parser.add_argument(
        "--comparison", default=None, help="run only these comparisons (comma-separated)"
    )
    args = parser.parse_args(argv)
    rows = []
    start = time.time()
    for comparison in COMPARISONS:
        if args.comparison and comparison.name not in args.comparison.split(","):
            continue
        seeds = args.seeds or (comparison.quick_seeds if args.quick else comparison.seeds)
        for problem in PROBLEMS:
            if not set(problem.tags) & set(comparison.tags):
                continue
            if args.only and args.only not in problem.name:
                continue
            rows.append(compare(comparison, problem, seeds, args.quick))
            print(
                f"  [{time.time() - start:6.0f}s] {rows[-1]['sampler']} {rows[-1]['problem']}: "
                f"{rows[-1]['result']}",
                flush=True,
            )
    if not rows:
        print("No problem matched.")
        return
    print("\nMann-Whitney U, two-sided, p < 0.05 (seeds per comparison: see --seeds)\n")
    print_table(rows)
    for name in dict.fromkeys(r["sampler"] for r in rows):
        verdicts = [r["result"] for r in rows if r["sampler"] == name]
        print(
            f"\n{name}: {verdicts.count('win')} wins / {verdicts.count('tie')} ties / "
            f"{verdicts.count('loss')} losses (trimtab vs Optuna 5.0.0)"
        )


if __name__ == "__main__":
    main()

"""Optimisation quality: trimtab's samplers vs Optuna 5.0.0's, same problems, budgets and seeds.

For every registered comparison (a trimtab sampler and its Optuna counterpart) and every
problem, both run ``seeds`` times with the same budget; the score is the best value found (the
noiseless value of the best-reported trial for noisy problems, the best feasible value for
constrained ones, the hypervolume for multi-objective ones). The table shows medians and a
two-sided Mann-Whitney U test (p < 0.05): "win" means trimtab is significantly better.

Extend by appending to ``PROBLEMS`` (a ``Problem``) and ``COMPARISONS`` (a ``Comparison``;
``problems`` picks problems by tag). Run with ``python -m benchmarks.quality`` (``--quick``
for fewer seeds, ``--only NAME`` to filter problems, ``--comparison NAME``).
"""

from __future__ import annotations

import argparse
import math
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from benchmarks._functions import (
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
    """A benchmark problem.

    ``make(seed)`` returns the objective (seed only feeds noise); ``score(study)`` turns a
    finished study into a number; ``better`` is "min" or "max" for that number.
    """

    name: str
    make: Callable[[int], Objective]
    n_trials: int
    directions: Sequence[str] = ("minimize",)
    score: Callable[[Any], float] | None = None
    better: str = "min"
    tags: tuple[str, ...] = ("single",)


@dataclass
class Comparison:
    """A trimtab sampler and its Optuna counterpart, run on problems with any of ``tags``."""

    name: str
    trimtab: Callable[[Any, int], Any]  # (trimtab module, seed) -> sampler
    optuna: Callable[[Any, int], Any]  # (optuna module, seed) -> sampler
    tags: tuple[str, ...] = ("single",)
    exclude: tuple[str, ...] = field(default_factory=tuple)


# ---------------------------------------------------------------- continuous test functions


# ------------------------------------------------------ integer, log, categorical, conditional


def int_log(seed: int) -> Objective:
    """A network-shaped surrogate: ints, stepped ints, log floats, log ints."""

    def f(t: Any) -> float:
        layers = t.suggest_int("layers", 1, 8)
        units = t.suggest_int("units", 16, 1024, log=True)
        lr = t.suggest_float("lr", 1e-5, 1e-1, log=True)
        wd = t.suggest_float("wd", 1e-6, 1e-2, log=True)
        batch = t.suggest_int("batch", 16, 256, step=16)
        dropout = t.suggest_float("dropout", 0.0, 0.5, step=0.05)
        return (
            (math.log10(lr) + 2.7) ** 2
            + 0.5 * (math.log10(wd) + 4.2) ** 2
            + 0.3 * (layers - 3) ** 2
            + (math.log2(units) - 7.5) ** 2 / 4
            + ((batch - 96) / 64) ** 2
            + 4 * (dropout - 0.15) ** 2
        )

    return f


def categorical_conditional(seed: int) -> Objective:
    """Choose a model family; each family has its own (conditional) parameters."""

    def f(t: Any) -> float:
        family = t.suggest_categorical("family", ["linear", "tree", "kernel", "knn"])
        scale = t.suggest_categorical("scaler", ["none", "standard", "minmax"])
        penalty = {"none": 0.3, "standard": 0.0, "minmax": 0.1}[scale]
        if family == "linear":
            c = t.suggest_float("linear_c", 1e-4, 1e2, log=True)
            return 1.0 + penalty + 0.2 * (math.log10(c) - 0.5) ** 2
        if family == "tree":
            depth = t.suggest_int("depth", 1, 16)
            leaf = t.suggest_int("min_leaf", 1, 64, log=True)
            crit = t.suggest_categorical("criterion", ["gini", "entropy", "log_loss"])
            return (
                0.6
                + penalty
                + 0.02 * (depth - 7) ** 2
                + 0.05 * (math.log2(leaf) - 2) ** 2
                + (0.1 if crit == "gini" else 0.0)
            )
        if family == "kernel":
            c = t.suggest_float("svm_c", 1e-3, 1e3, log=True)
            g = t.suggest_float("svm_gamma", 1e-4, 1e1, log=True)
            return penalty + 0.1 * (math.log10(c) - 1.5) ** 2 + 0.15 * (math.log10(g) + 2) ** 2
        k = t.suggest_int("k", 1, 50)
        weights = t.suggest_categorical("weights", ["uniform", "distance"])
        return 0.8 + penalty + 0.002 * (k - 12) ** 2 + (0.05 if weights == "uniform" else 0.0)

    return f


def categorical_only(seed: int) -> Objective:
    """Eight categorical parameters with interactions (a discrete landscape)."""
    rng = np.random.RandomState(1234)
    tables = [rng.uniform(0, 1, size=(5,)) for _ in range(8)]
    pair = rng.uniform(0, 1, size=(5, 5))

    def f(t: Any) -> float:
        idx = [t.suggest_categorical(f"c{i}", ["a", "b", "c", "d", "e"]) for i in range(8)]
        k = ["abcde".index(v) for v in idx]
        return float(sum(tab[j] for tab, j in zip(tables, k)) + 2 * pair[k[0], k[1]])

    return f


# ------------------------------------------------------------------------------------ noisy


def _noisy_sphere_value(params: dict[str, float]) -> float:
    return float(sum((v - 1.3) ** 2 for v in params.values()))


def noisy_sphere(seed: int) -> Objective:
    def f(t: Any) -> float:
        rng = np.random.RandomState(seed * 100003 + t.number)
        x = floats(t, 5, -5.0, 5.0)
        return float(np.sum((x - 1.3) ** 2)) + rng.normal(0.0, 2.0)

    return f


def _noiseless_best(study: Any) -> float:
    return _noisy_sphere_value(study.best_params)


# ----------------------------------------------------------------- scikit-learn, real data


def _cv_error(model: Any, x: np.ndarray, y: np.ndarray) -> float:
    from sklearn.model_selection import cross_val_score

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return 1.0 - float(np.mean(cross_val_score(model, x, y, cv=3)))


def sklearn_svc(seed: int) -> Objective:
    from sklearn.datasets import load_breast_cancer
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    x, y = load_breast_cancer(return_X_y=True)
    x = StandardScaler().fit_transform(x)

    def f(t: Any) -> float:
        c = t.suggest_float("C", 1e-3, 1e3, log=True)
        gamma = t.suggest_float("gamma", 1e-5, 1e1, log=True)
        return _cv_error(SVC(C=c, gamma=gamma), x, y)

    return f


def sklearn_tree(seed: int) -> Objective:
    from sklearn.datasets import load_wine
    from sklearn.tree import DecisionTreeClassifier

    x, y = load_wine(return_X_y=True)

    def f(t: Any) -> float:
        model = DecisionTreeClassifier(
            max_depth=t.suggest_int("max_depth", 1, 12),
            min_samples_split=t.suggest_int("min_samples_split", 2, 32, log=True),
            min_samples_leaf=t.suggest_int("min_samples_leaf", 1, 16),
            criterion=t.suggest_categorical("criterion", ["gini", "entropy", "log_loss"]),
            max_features=t.suggest_categorical("max_features", [None, "sqrt", "log2"]),
            random_state=0,
        )
        return _cv_error(model, x, y)

    return f


def sklearn_enet(seed: int) -> Objective:
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import ElasticNet
    from sklearn.model_selection import cross_val_score

    x, y = load_diabetes(return_X_y=True)

    def f(t: Any) -> float:
        model = ElasticNet(
            alpha=t.suggest_float("alpha", 1e-5, 10.0, log=True),
            l1_ratio=t.suggest_float("l1_ratio", 0.0, 1.0),
            fit_intercept=t.suggest_categorical("fit_intercept", [True, False]),
            max_iter=2000,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scores = cross_val_score(model, x, y, cv=3, scoring="neg_mean_squared_error")
        return float(-np.mean(scores)) / 1000.0

    return f


# ------------------------------------------------------------- multi-objective, constrained


def zdt1(seed: int) -> Objective:
    def f(t: Any) -> tuple[float, float]:
        x = floats(t, 6, 0.0, 1.0)
        g = 1 + 9 * float(np.mean(x[1:]))
        return float(x[0]), g * (1 - math.sqrt(x[0] / g))

    return f


def _hypervolume(reference: Sequence[float]) -> Callable[[Any], float]:
    def score(study: Any) -> float:
        from trimtab.hypervolume import compute_hypervolume

        points = np.array([t.values for t in study.best_trials], dtype=float)
        if len(points) == 0:
            return 0.0
        return float(compute_hypervolume(points, np.asarray(reference, dtype=float)))

    return score


def constrained_rosen(seed: int) -> Objective:
    """Rosenbrock-like bowl whose optimum lies outside a disc: feasible region is x.x <= 1.5."""

    def f(t: Any) -> float:
        x = floats(t, 4, -2.0, 2.0)
        t.set_constraint("disc", float(np.sum(x**2)) - 1.5)
        t.set_constraint("half_plane", float(-x[0] - x[1]))
        return float(np.sum((x - 1.0) ** 2) + 0.5 * np.sum(np.abs(x[1:] - x[:-1])))

    return f


PROBLEMS: list[Problem] = [
    Problem("sphere-2d", sphere(2), 60),
    Problem("rosenbrock-5d", rosenbrock(5), 100),
    Problem("styblinski-tang-10d", styblinski_tang(10), 100),
    Problem("sphere-20d", sphere(20), 150),
    Problem("ackley-10d (multimodal)", ackley(10), 100),
    Problem("rastrigin-5d (multimodal)", rastrigin(5), 100),
    Problem("hartmann-6d", hartmann6, 100),
    Problem("int+log+step", int_log, 100),
    Problem("categorical-conditional", categorical_conditional, 100),
    Problem("categorical-8x5", categorical_only, 100),
    Problem("noisy-sphere-5d", noisy_sphere, 100, score=_noiseless_best),
    Problem("sklearn-svc-breast-cancer", sklearn_svc, 60, tags=("single", "sklearn")),
    Problem("sklearn-tree-wine", sklearn_tree, 60, tags=("single", "sklearn")),
    Problem("sklearn-enet-diabetes", sklearn_enet, 60, tags=("single", "sklearn")),
    Problem(
        "zdt1-6d (hypervolume)",
        zdt1,
        100,
        directions=("minimize", "minimize"),
        score=_hypervolume([1.1, 11.0]),
        better="max",
        tags=("multi",),
    ),
    Problem("constrained-4d", constrained_rosen, 100, score=best_feasible, tags=("constrained",)),
]

COMPARISONS: list[Comparison] = [
    Comparison(
        "TPE",
        trimtab=lambda lib, seed: lib.samplers.TPESampler(seed=seed),
        optuna=lambda lib, seed: lib.samplers.TPESampler(seed=seed),
        tags=("single", "multi", "constrained"),
    ),
]


def run_one(lib_name: str, comparison: Comparison, problem: Problem, seed: int) -> float:
    """Run one study and return its score."""
    lib = __import__(lib_name)
    lib.logging.set_verbosity(lib.logging.ERROR)
    factory = comparison.trimtab if lib_name == "trimtab" else comparison.optuna
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sampler = factory(lib, seed)
        study = lib.create_study(sampler=sampler, directions=list(problem.directions))
        study.optimize(problem.make(seed), n_trials=problem.n_trials)
    if problem.score is not None:
        return problem.score(study)
    return float(study.best_value)


def compare(comparison: Comparison, problem: Problem, seeds: int) -> dict[str, Any]:
    """Run both libraries ``seeds`` times on ``problem``; return medians and the verdict."""
    scores: dict[str, list[float]] = {"trimtab": [], "optuna": []}
    for seed in range(seeds):
        for name in ("optuna", "trimtab") if seed % 2 else ("trimtab", "optuna"):
            scores[name].append(run_one(name, comparison, problem, seed))
    ours, theirs = np.array(scores["trimtab"]), np.array(scores["optuna"])
    p, result = verdict(ours, theirs, problem.better)
    return {
        "sampler": comparison.name,
        "problem": problem.name,
        "trials": problem.n_trials,
        "trimtab median": f"{np.median(ours):.4g}",
        "optuna median": f"{np.median(theirs):.4g}",
        "better": problem.better,
        "p": f"{p:.3f}",
        "result": result,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="10 seeds instead of 20")
    parser.add_argument("--seeds", type=int, default=None, help="override the number of seeds")
    parser.add_argument("--only", default=None, help="run problems whose name contains this")
    parser.add_argument("--comparison", default=None, help="run only this comparison")
    args = parser.parse_args(argv)
    seeds = args.seeds or (10 if args.quick else 20)
    rows = []
    start = time.time()
    for comparison in COMPARISONS:
        if args.comparison and comparison.name != args.comparison:
            continue
        for problem in PROBLEMS:
            if not set(problem.tags) & set(comparison.tags) or problem.name in comparison.exclude:
                continue
            if args.only and args.only not in problem.name:
                continue
            rows.append(compare(comparison, problem, seeds))
            print(
                f"  [{time.time() - start:6.0f}s] {rows[-1]['sampler']} {rows[-1]['problem']}: "
                f"{rows[-1]['result']}",
                flush=True,
            )
    if not rows:
        print("No problem matched.")
        return
    print(f"\n{seeds} seeds per problem; Mann-Whitney U, two-sided, p < 0.05\n")
    print_table(rows)
    for name in {r["sampler"] for r in rows}:
        verdicts = [r["result"] for r in rows if r["sampler"] == name]
        print(
            f"\n{name}: {verdicts.count('win')} wins / {verdicts.count('tie')} ties / "
            f"{verdicts.count('loss')} losses (trimtab vs Optuna 5.0.0)"
        )


if __name__ == "__main__":
    main()

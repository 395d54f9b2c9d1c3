"""Test functions, scores and the verdict shared by the quality benchmarks."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

Objective = Callable[[Any], Any]


def floats(trial: Any, d: int, low: float, high: float) -> np.ndarray:
    """Suggest ``x0 .. x{d-1}`` in ``[low, high]``; returns them as an array (d,)."""
    return np.array([trial.suggest_float(f"x{i}", low, high) for i in range(d)])


def sphere(d: int) -> Callable[[int], Objective]:
    return lambda seed: lambda t: float(np.sum((floats(t, d, -5.0, 5.0) - 1.3) ** 2))


def rosenbrock(d: int) -> Callable[[int], Objective]:
    def f(t: Any) -> float:
        x = floats(t, d, -2.0, 2.0)
        return float(np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2))

    return lambda seed: f


def ackley(d: int) -> Callable[[int], Objective]:
    def f(t: Any) -> float:
        x = floats(t, d, -32.768, 32.768)
        a = -20.0 * math.exp(-0.2 * math.sqrt(float(np.mean(x**2))))
        return a - math.exp(float(np.mean(np.cos(2 * math.pi * x)))) + 20.0 + math.e

    return lambda seed: f


def rastrigin(d: int) -> Callable[[int], Objective]:
    def f(t: Any) -> float:
        x = floats(t, d, -5.12, 5.12)
        return float(10 * d + np.sum(x**2 - 10 * np.cos(2 * math.pi * x)))

    return lambda seed: f


def styblinski_tang(d: int) -> Callable[[int], Objective]:
    def f(t: Any) -> float:
        x = floats(t, d, -5.0, 5.0)
        return float(0.5 * np.sum(x**4 - 16 * x**2 + 5 * x) + 39.16616570377142 * d)

    return lambda seed: f


_H6_A = np.array(
    [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8],
     [17, 8, 0.05, 10, 0.1, 14]]
)
_H6_P = 1e-4 * np.array(
    [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
     [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]
)


def hartmann6(seed: int) -> Objective:
    def f(t: Any) -> float:
        x = floats(t, 6, 0.0, 1.0)
        inner = np.sum(_H6_A * (x - _H6_P) ** 2, axis=1)
        return float(-np.sum(np.array([1.0, 1.2, 3.0, 3.2]) * np.exp(-inner)) + 3.32237)

    return f


def best_feasible(study: Any) -> float:
    """The best value among trials whose constraints are all satisfied (inf if none)."""
    values = [
        t.value for t in study.trials
        if t.value is not None and all(v <= 0 for v in t.constraints.values())
    ]
    return min(values) if values else math.inf


def verdict(ours: np.ndarray, theirs: np.ndarray, better: str) -> tuple[float, str]:
    """Two-sided Mann-Whitney U p-value and "win"/"tie"/"loss" for trimtab's scores."""
    from scipy.stats import mannwhitneyu

    p = float(mannwhitneyu(ours, theirs, alternative="two-sided").pvalue)
    sign = 1.0 if better == "min" else -1.0
    if p >= 0.05:
        return p, "tie"
    if np.median(ours) == np.median(theirs):
        return p, "win" if sign * ours.mean() < sign * theirs.mean() else "loss"
    return p, "win" if sign * np.median(ours) < sign * np.median(theirs) else "loss"


def print_table(rows: list[dict[str, Any]]) -> None:
    headers = list(rows[0])
    widths = [max(len(str(h)), *(len(str(r[h])) for r in rows)) for h in headers]
    print("  ".join(str(h).ljust(w) for h, w in zip(headers, widths)))
    for row in rows:
        print("  ".join(str(row[h]).ljust(w) for h, w in zip(headers, widths)), flush=True)

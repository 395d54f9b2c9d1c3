"""Pruning: steps saved vs best value reached, and the cost of one ``should_prune`` call.

Part 1 runs a synthetic learning-curve objective with each pruner (and none), in trimtab and
Optuna 5.0.0 side by side. Each trial's configuration comes from a fixed table indexed by the
trial number, so both libraries see exactly the same curves: curves that cross (configurations
that learn fast plateau at a worse value than slow learners) with noisy steps. It reports the
total steps spent, the best final value reached, how many trials were pruned, whether both
libraries took the same decision for every trial (state and last step), and wall time.

Part 2 times ``trial.should_prune()`` in a study of 1,000 finished trials of 100 steps each:
new trials report 100 steps and ask after each. trimtab's first call reads the history once
into its per-study cache (shown separately); the table shows per-call medians and means, with
Optuna's median over trimtab's as the ratio. Run ``python -m benchmarks.pruning`` from the
repository root (``--quick`` for a short run).
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

PRUNERS: list[tuple[str, str, dict[str, Any]]] = [
    ("none", "NopPruner", {}),
    ("median", "MedianPruner", {}),
    ("percentile 25", "PercentilePruner", {"percentile": 25.0}),
    ("successive halving", "SuccessiveHalvingPruner", {}),
    ("hyperband", "HyperbandPruner", {"max_resource": "n_steps"}),
    ("threshold", "ThresholdPruner", {"upper": 1.2, "n_warmup_steps": 10}),
    ("patient(median)", "PatientPruner", {"wrapped_pruner": "MedianPruner", "patience": 3}),
    ("wilcoxon", "WilcoxonPruner", {"p_threshold": 0.05}),
]


def make_pruner(lib: Any, class_name: str, kwargs: dict[str, Any], n_steps: int) -> Any:
    kwargs = dict(kwargs)
    if kwargs.get("max_resource") == "n_steps":
        kwargs["max_resource"] = n_steps
    if isinstance(kwargs.get("wrapped_pruner"), str):
        kwargs["wrapped_pruner"] = getattr(lib.pruners, kwargs["wrapped_pruner"])()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return getattr(lib.pruners, class_name)(**kwargs)


class Curves:
    """A table of configurations and their noisy, crossing learning curves."""

    def __init__(self, n_trials: int, n_steps: int, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        x, y = rng.random(n_trials), rng.random(n_trials)
        final = 0.2 + (x - 0.3) ** 2 + 0.5 * (y - 0.6) ** 2  # best final value near 0.2
        rate = 0.02 + 0.5 * x * y  # fast learners (large x, y) end worse: curves cross
        steps = np.arange(n_steps)
        self.values = final[:, None] + 1.5 * np.exp(-rate[:, None] * steps)
        self.values += rng.normal(0.0, 0.03, self.values.shape)
        self.final = self.values[:, -1]

    def objective(self, lib: Any) -> Callable[[Any], float]:
        values = self.values

        def objective(trial: Any) -> float:
            row = values[trial.number]
            for step, value in enumerate(row):
                trial.report(float(value), step)
                if trial.should_prune():
                    raise lib.TrialPruned()
            return float(row[-1])

        return objective


def run_study(lib: Any, pruner: Any, curves: Curves) -> tuple[list[tuple[str, int]], float]:
    study = lib.create_study(study_name="pruning-bench", pruner=pruner)
    start = time.perf_counter()
    study.optimize(curves.objective(lib), n_trials=len(curves.values))
    elapsed = time.perf_counter() - start
    record = [(t.state.name, max(t.intermediate_values)) for t in study.trials]
    return record, elapsed


def summarise(record: list[tuple[str, int]], curves: Curves) -> tuple[int, float, int]:
    steps = sum(last + 1 for _, last in record)
    complete = [i for i, (state, _) in enumerate(record) if state == "COMPLETE"]
    best = float(min(curves.final[complete])) if complete else float("nan")
    pruned = sum(state == "PRUNED" for state, _ in record)
    return steps, best, pruned


def part_one(n_trials: int, n_steps: int) -> None:
    import optuna

    import trimtab

    curves = Curves(n_trials, n_steps)
    print(f"\n## Part 1: {n_trials} trials x {n_steps} steps, crossing noisy curves")
    print(f"   (best final value of all {n_trials} configurations: {curves.final.min():.4f})\n")
    header = (
        f"{'pruner':20s} {'steps trimtab':>13s} {'steps optuna':>12s} {'best trimtab':>12s} "
        f"{'best optuna':>11s} {'pruned':>7s} {'same':>5s} {'time tt s':>9s} "
        f"{'time op s':>9s} {'op/tt':>6s}"
    )
    print(header)
    print("-" * len(header))
    for label, class_name, kwargs in PRUNERS:
        theirs, their_time = run_study(
            optuna, make_pruner(optuna, class_name, kwargs, n_steps), curves
        )
        ours, our_time = run_study(
            trimtab, make_pruner(trimtab, class_name, kwargs, n_steps), curves
        )
        our_steps, our_best, our_pruned = summarise(ours, curves)
        their_steps, their_best, _ = summarise(theirs, curves)
        same = sum(a == b for a, b in zip(ours, theirs)) / len(ours)
        print(
            f"{label:20s} {our_steps:13d} {their_steps:12d} {our_best:12.4f} {their_best:11.4f} "
            f"{our_pruned:7d} {same:5.0%} {our_time:9.2f} {their_time:9.2f} "
            f"{their_time / our_time:6.1f}"
        )


def build_history(lib: Any, pruner: Any, history: np.ndarray) -> Any:
    study = lib.create_study(study_name="should-prune-cost", pruner=pruner)
    for row in history:
        study.add_trial(
            lib.create_trial(
                value=float(row[-1]),
                intermediate_values={step: float(v) for step, v in enumerate(row)},
            )
        )
    return study


def time_calls(lib: Any, study: Any, curve: np.ndarray, n_trials: int) -> list[float]:
    """Seconds per ``should_prune`` call for ``n_trials`` new trials reporting ``curve``."""
    times = []
    for _ in range(n_trials):
        trial = study.ask()
        for step, value in enumerate(curve):
            trial.report(float(value), step)
            start = time.perf_counter()
            trial.should_prune()
            times.append(time.perf_counter() - start)
        study.tell(trial, state=lib.trial.TrialState.PRUNED)
    return times


def part_two(n_finished: int, n_steps: int, n_trials: int) -> None:
    import optuna

    import trimtab

    rng = np.random.default_rng(1)
    history = rng.normal(0.0, 1.0, (n_finished, n_steps)).cumsum(axis=1)
    curve = history[0] + 0.5  # a middling trial: every check has to do its work
    print(f"\n## Part 2: should_prune cost, {n_finished} finished trials x {n_steps} steps")
    print(f"   ({n_trials} new trials x {n_steps} calls each; times in ms per call)\n")
    header = (
        f"{'pruner':20s} {'tt first':>9s} {'tt median':>10s} {'tt mean':>8s} "
        f"{'op median':>10s} {'op mean':>8s} {'op/tt median':>13s}"
    )
    print(header)
    print("-" * len(header))
    for label, class_name, kwargs in PRUNERS:
        their_study = build_history(
            optuna, make_pruner(optuna, class_name, kwargs, n_steps), history
        )
        our_study = build_history(
            trimtab, make_pruner(trimtab, class_name, kwargs, n_steps), history
        )
        ours = time_calls(trimtab, our_study, curve, n_trials)
        theirs = time_calls(optuna, their_study, curve, n_trials)
        first, ours = ours[0], ours[1:]
        our_median, their_median = statistics.median(ours), statistics.median(theirs)
        print(
            f"{label:20s} {first * 1e3:9.2f} {our_median * 1e3:10.4f} "
            f"{statistics.fmean(ours) * 1e3:8.4f} {their_median * 1e3:10.4f} "
            f"{statistics.fmean(theirs) * 1e3:8.4f} {their_median / our_median:13.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run")
    args = parser.parse_args()

    import optuna

    import trimtab

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    trimtab.logging.set_verbosity(trimtab.logging.WARNING)
    warnings.simplefilter("ignore")
    print(f"trimtab {trimtab.__version__} vs optuna {optuna.__version__}")
    if args.quick:
        part_one(n_trials=80, n_steps=50)
        part_two(n_finished=1000, n_steps=100, n_trials=1)
    else:
        part_one(n_trials=300, n_steps=100)
        part_two(n_finished=1000, n_steps=100, n_trials=5)


if __name__ == "__main__":
    main()

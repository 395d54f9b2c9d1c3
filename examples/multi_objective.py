"""Two objectives at once: the study keeps the Pareto front in ``best_trials``."""

from __future__ import annotations

import trimtab


def objective(trial: trimtab.Trial) -> tuple[float, float]:
    x = trial.suggest_float("x", 0, 5)
    y = trial.suggest_float("y", 0, 3)
    cost = 4 * x**2 + 4 * y**2
    error = (x - 5) ** 2 + (y - 5) ** 2
    return cost, error


if __name__ == "__main__":
    study = trimtab.create_study(directions=["minimize", "minimize"])
    study.set_metric_names(["cost", "error"])
    study.optimize(objective, n_trials=60)
    print(f"{len(study.best_trials)} Pareto-optimal trials, e.g.:")
    for trial in study.best_trials[:5]:
        print(f"  trial {trial.number}: cost={trial.values[0]:.2f} error={trial.values[1]:.2f}")

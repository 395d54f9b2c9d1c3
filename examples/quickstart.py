"""Quickstart: minimise a two-parameter function with trimtab (no ML library needed)."""

import trimtab


def objective(trial: trimtab.Trial) -> float:
    x = trial.suggest_float("x", -10.0, 10.0)
    kind = trial.suggest_categorical("kind", ["square", "abs"])
    penalty = trial.suggest_int("penalty", 0, 5)
    distance = (x - 2.0) ** 2 if kind == "square" else abs(x - 2.0)
    return distance + penalty


if __name__ == "__main__":
    study = trimtab.create_study(direction="minimize")
    study.optimize(objective, n_trials=60)
    print(f"Best value: {study.best_value:.4f}")
    print(f"Best params: {study.best_params}")

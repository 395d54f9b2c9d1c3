"""An ablation run: evaluate hand-picked configurations first with ``enqueue_trial``."""

from __future__ import annotations

import trimtab

BASELINE = {"dropout": 0.1, "optimizer": "adam", "width": 128}


def objective(trial: trimtab.Trial) -> float:
    dropout = trial.suggest_float("dropout", 0.0, 0.5)
    optimizer = trial.suggest_categorical("optimizer", ["adam", "sgd"])
    width = trial.suggest_int("width", 32, 512, log=True)
    penalty = 0.05 if optimizer == "sgd" else 0.0
    return abs(dropout - 0.2) + abs(width - 256) / 512 + penalty


if __name__ == "__main__":
    study = trimtab.create_study()
    # Change one thing at a time from the baseline, then let the sampler explore.
    study.enqueue_trial(BASELINE, user_attrs={"ablation": "baseline"})
    for key, value in [("dropout", 0.0), ("optimizer", "sgd"), ("width", 512)]:
        study.enqueue_trial({**BASELINE, key: value}, user_attrs={"ablation": f"{key}={value}"})
    study.optimize(objective, n_trials=30)
    for trial in study.trials[:4]:
        print(f"{trial.user_attrs['ablation']:>15}: {trial.value:.4f}")
    print("best:", study.best_params)

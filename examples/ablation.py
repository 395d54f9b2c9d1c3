"""An ablation study: which parts of the best configuration matter, with seeds and error bars.

Tune first, then switch each parameter of the best trial to a simpler alternative, run every
variant with the same five seeds, and report each change's effect with a 95 % confidence
interval and a significance test (``trimtab ablate`` does the same for any program).
"""

from __future__ import annotations

import random

import trimtab
from trimtab.ablation import ablation_table, enqueue_ablation, run_ablation, trial_seed


def objective(trial: trimtab.Trial) -> float:
    dropout = trial.suggest_float("dropout", 0.0, 0.5)
    optimizer = trial.suggest_categorical("optimizer", ["adam", "sgd"])
    width = trial.suggest_int("width", 32, 512, log=True)
    # The seed stands for everything random in training (initialisation, data order).
    seed = trial_seed(trial, default=trial.number)
    noise = random.Random(f"{seed}/{dropout}/{optimizer}/{width}").gauss(0.0, 0.02)
    penalty = 0.05 if optimizer == "sgd" else 0.0
    return abs(dropout - 0.2) + abs(width - 256) / 512 + penalty + noise


if __name__ == "__main__":
    trimtab.logging.set_verbosity(trimtab.logging.WARNING)
    study = trimtab.create_study(sampler=trimtab.samplers.TPESampler(seed=0))
    study.optimize(objective, n_trials=30)
    print("best:", study.best_params)
    # One variant per factor, each from the best trial's parameters, 5 seeds per variant.
    enqueue_ablation(study, {"dropout": 0.0, "optimizer": "sgd", "width": 240}, n_repeats=5)
    run_ablation(study, objective)
    table = ablation_table(study, test="paired")
    print(table[["n", "effect", "ci_low", "ci_high", "p_value", "significant"]].to_string())

"""LightGBM with pruning: stop unpromising boosting runs early with LightGBMPruningCallback.

The callback reports the validation error after each boosting round; the median pruner
stops trials whose error lags behind earlier trials at the same round (needs lightgbm and
scikit-learn).
"""

import lightgbm as lgb
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

import trimtab
from trimtab.integration import LightGBMPruningCallback

X, Y = load_breast_cancer(return_X_y=True)
X_TRAIN, X_VALID, Y_TRAIN, Y_VALID = train_test_split(X, Y, test_size=0.25, random_state=0)


def objective(trial: trimtab.Trial) -> float:
    params = {
        "objective": "binary",
        "metric": "binary_error",
        "verbosity": -1,
        "num_threads": 1,
        "learning_rate": trial.suggest_float("learning_rate", 1e-3, 0.3, log=True),
        "num_leaves": trial.suggest_int("num_leaves", 2, 64, log=True),
        "min_child_samples": trial.suggest_int("min_child_samples", 5, 50),
        "feature_fraction": trial.suggest_float("feature_fraction", 0.4, 1.0),
    }
    booster = lgb.train(
        params,
        lgb.Dataset(X_TRAIN, Y_TRAIN),
        num_boost_round=60,
        valid_sets=[lgb.Dataset(X_VALID, Y_VALID)],
        callbacks=[LightGBMPruningCallback(trial, "binary_error")],
    )
    predicted = np.rint(booster.predict(X_VALID))
    return float((predicted != Y_VALID).mean())


if __name__ == "__main__":
    study = trimtab.create_study(
        direction="minimize",
        sampler=trimtab.samplers.TPESampler(seed=0),
        pruner=trimtab.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=10),
    )
    study.optimize(objective, n_trials=30)
    pruned = study.get_trials(states=[trimtab.trial.TrialState.PRUNED])
    print(f"Pruned trials: {len(pruned)} of {len(study.trials)}")
    print(f"Best validation error: {study.best_value:.4f}")
    print(f"Best params: {study.best_params}")

"""LightGBM Tuner: tune LightGBM's main parameters step by step, as a drop-in for lgb.train.

``trimtab.integration.lightgbm`` stands in for ``lightgbm``: its ``train`` tunes
feature_fraction, num_leaves, bagging, the L1/L2 regularisation and min_child_samples one
group at a time (68 trials), then returns the best booster (needs lightgbm and
scikit-learn).
"""

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

import trimtab
import trimtab.integration.lightgbm as lgb

if __name__ == "__main__":
    trimtab.logging.set_verbosity(trimtab.logging.WARNING)
    x, y = load_breast_cancer(return_X_y=True)
    x_train, x_valid, y_train, y_valid = train_test_split(x, y, test_size=0.25, random_state=0)
    params = {
        "objective": "binary",
        "metric": "binary_logloss",
        "verbosity": -1,
        "num_threads": 1,
        "deterministic": True,
    }
    tuner = lgb.LightGBMTuner(
        params,
        lgb.Dataset(x_train, y_train),
        valid_sets=[lgb.Dataset(x_valid, y_valid)],
        num_boost_round=50,
        callbacks=[lgb.early_stopping(10, verbose=False)],
        optuna_seed=0,
        show_progress_bar=False,
    )
    tuner.run()
    booster = tuner.get_best_booster()
    accuracy = float((np.rint(booster.predict(x_valid)) == y_valid).mean())
    print(f"Trials: {len(tuner.study.trials)}")
    print(f"Best binary_logloss: {tuner.best_score:.4f} (accuracy {accuracy:.4f})")
    tuned = {k: v for k, v in tuner.best_params.items() if k not in params}
    print(f"Best params: {tuned}")

"""XGBoostPruningCallback and CatBoostPruningCallback with the real libraries, tiny data."""

from __future__ import annotations

import numpy as np
import pytest

import trimtab
from trimtab.trial import TrialState

datasets = pytest.importorskip("sklearn.datasets")


@pytest.fixture(scope="module")
def data() -> tuple:
    x, y = datasets.load_breast_cancer(return_X_y=True)
    order = np.random.default_rng(0).permutation(len(y))
    x, y = x[order], y[order]
    return x[:300], y[:300], x[300:450], y[300:450]


def _bad_second_trial_study() -> trimtab.Study:
    study = trimtab.create_study(
        pruner=trimtab.pruners.MedianPruner(n_startup_trials=1, n_warmup_steps=2)
    )
    study.enqueue_trial({"learning_rate": 0.3})
    study.enqueue_trial({"learning_rate": 1e-4})
    return study


def test_xgboost_train_prunes_a_bad_trial(data: tuple) -> None:
    xgb = pytest.importorskip("xgboost")
    from trimtab.integration import XGBoostPruningCallback

    x_train, y_train, x_valid, y_valid = data
    dtrain, dvalid = xgb.DMatrix(x_train, y_train), xgb.DMatrix(x_valid, y_valid)

    def objective(trial: trimtab.Trial) -> float:
        params = {
            "objective": "binary:logistic",
            "eval_metric": "logloss",
            "eta": trial.suggest_float("learning_rate", 1e-4, 0.5),
            "nthread": 1,
        }
        callback = XGBoostPruningCallback(trial, "validation-logloss")
        assert isinstance(callback, xgb.callback.TrainingCallback)
        evals: dict = {}
        xgb.train(
            params,
            dtrain,
            num_boost_round=10,
            evals=[(dvalid, "validation")],
            evals_result=evals,
            callbacks=[callback],
            verbose_eval=False,
        )
        return evals["validation"]["logloss"][-1]

    study = _bad_second_trial_study()
    study.optimize(objective, n_trials=2)
    good, bad = study.trials
    assert good.state == TrialState.COMPLETE and len(good.intermediate_values) == 10
    assert bad.state == TrialState.PRUNED and max(bad.intermediate_values) == 2


def test_xgboost_cv_and_sklearn_api_and_a_missing_key(data: tuple) -> None:
    xgb = pytest.importorskip("xgboost")
    from trimtab.integration.xgboost import XGBoostPruningCallback

    x_train, y_train, x_valid, y_valid = data
    study = trimtab.create_study(pruner=trimtab.pruners.ThresholdPruner(upper=0.0))

    def cv_objective(trial: trimtab.Trial) -> float:
        trial.suggest_int("depth", 1, 3)
        xgb.cv(
            {"objective": "binary:logistic", "eval_metric": "logloss", "nthread": 1},
            xgb.DMatrix(x_train, y_train),
            num_boost_round=3,
            nfold=2,
            callbacks=[XGBoostPruningCallback(trial, "test-logloss")],
        )
        return 0.0

    study.optimize(cv_objective, n_trials=1)
    assert study.trials[-1].state == TrialState.PRUNED

    def sklearn_objective(trial: trimtab.Trial) -> float:
        model = xgb.XGBClassifier(
            n_estimators=3,
            n_jobs=1,
            eval_metric="logloss",
            callbacks=[XGBoostPruningCallback(trial, "validation_0-logloss")],
        )
        model.fit(x_train, y_train, eval_set=[(x_valid, y_valid)], verbose=False)
        return 0.0

    study.optimize(sklearn_objective, n_trials=1)
    assert study.trials[-1].state == TrialState.PRUNED

    def wrong_key(trial: trimtab.Trial) -> float:
        xgb.train(
            {"objective": "binary:logistic", "eval_metric": "logloss", "nthread": 1},
            xgb.DMatrix(x_train, y_train),
            num_boost_round=2,
            evals=[(xgb.DMatrix(x_valid, y_valid), "validation")],
            callbacks=[XGBoostPruningCallback(trial, "validation-auc")],
            verbose_eval=False,
        )
        return 0.0

    with pytest.raises(ValueError, match=r"'validation-auc'.*\['validation-logloss'\]"):
        study.optimize(wrong_key, n_trials=1)


def test_catboost_prunes_a_bad_trial_and_names_missing_metrics(data: tuple) -> None:
    catboost = pytest.importorskip("catboost")
    from trimtab.integration import CatBoostPruningCallback

    x_train, y_train, x_valid, y_valid = data

    def objective(trial: trimtab.Trial, metric: str = "Logloss") -> float:
        model = catboost.CatBoostClassifier(
            iterations=8,
            learning_rate=trial.suggest_float("learning_rate", 1e-4, 0.5),
            depth=2,
            thread_count=1,
            eval_metric="Logloss",
            verbose=False,
            allow_writing_files=False,
        )
        callback = CatBoostPruningCallback(trial, metric)
        model.fit(x_train, y_train, eval_set=[(x_valid, y_valid)], callbacks=[callback])
        callback.check_pruned()
        return model.get_best_score()["validation"]["Logloss"]

    study = _bad_second_trial_study()
    study.optimize(objective, n_trials=2)
    good, bad = study.trials
    assert good.state == TrialState.COMPLETE and len(good.intermediate_values) == 8
    assert bad.state == TrialState.PRUNED and max(bad.intermediate_values) == 2

    # CatBoost re-raises a callback's error as a CatBoostError that quotes it.
    with pytest.raises(catboost.CatBoostError, match=r"'AUC' on 'validation'.*'Logloss'"):
        study.optimize(lambda t: objective(t, metric="AUC"), n_trials=1)

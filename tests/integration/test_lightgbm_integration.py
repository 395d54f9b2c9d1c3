"""LightGBMPruningCallback and the stepwise LightGBM tuner with real LightGBM on tiny data."""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest

import trimtab
from trimtab.trial import TrialState

lgb = pytest.importorskip("lightgbm")
datasets = pytest.importorskip("sklearn.datasets")
import trimtab.integration.lightgbm as tuned_lgb  # noqa: E402
from trimtab.integration import LightGBMPruningCallback, LightGBMTuner, LightGBMTunerCV  # noqa: E402

PARAMS = {"objective": "binary", "metric": "binary_logloss", "verbosity": -1, "num_threads": 1}


@pytest.fixture(scope="module")
def data() -> tuple:
    x, y = datasets.load_breast_cancer(return_X_y=True)
    rng = np.random.default_rng(0)
    order = rng.permutation(len(y))
    x, y = x[order], y[order]
    return x[:300], y[:300], x[300:450], y[300:450]


def _objective(data: tuple, metric: str = "binary_logloss", valid_name: str = "valid_0"):
    x_train, y_train, x_valid, y_valid = data

    def objective(trial: trimtab.Trial) -> float:
        params = {**PARAMS, "learning_rate": trial.suggest_float("learning_rate", 1e-4, 0.5)}
        booster = lgb.train(
            params,
            lgb.Dataset(x_train, y_train),
            num_boost_round=15,
            valid_sets=[lgb.Dataset(x_valid, y_valid)],
            valid_names=[valid_name],
            callbacks=[LightGBMPruningCallback(trial, metric, valid_name=valid_name)],
        )
        return booster.best_score[valid_name]["binary_logloss"]

    return objective


def test_pruning_callback_prunes_a_bad_trial(data: tuple) -> None:
    study = trimtab.create_study(
        pruner=trimtab.pruners.MedianPruner(n_startup_trials=1, n_warmup_steps=3)
    )
    study.enqueue_trial({"learning_rate": 0.3})
    study.enqueue_trial({"learning_rate": 1e-4})
    study.optimize(_objective(data), n_trials=2)
    good, bad = study.trials
    assert good.state == TrialState.COMPLETE
    assert sorted(good.intermediate_values) == list(range(15))
    assert bad.state == TrialState.PRUNED
    assert max(bad.intermediate_values) == 3  # pruned at the first step after the warm-up


def test_pruning_callback_with_lightgbm_cv(data: tuple) -> None:
    x_train, y_train, _, _ = data
    study = trimtab.create_study(pruner=trimtab.pruners.ThresholdPruner(upper=0.0))

    def objective(trial: trimtab.Trial) -> float:
        trial.suggest_int("num_leaves", 2, 8)
        results = lgb.cv(
            PARAMS,
            lgb.Dataset(x_train, y_train),
            num_boost_round=5,
            nfold=2,
            callbacks=[LightGBMPruningCallback(trial, "binary_logloss")],
        )
        return results["valid binary_logloss-mean"][-1]

    study.optimize(objective, n_trials=1)
    assert study.trials[0].state == TrialState.PRUNED
    assert list(study.trials[0].intermediate_values) == [0]


def test_pruning_callback_names_the_metrics_that_exist(data: tuple) -> None:
    study = trimtab.create_study()
    with pytest.raises(ValueError, match=r"'auc'.*'valid_0'.*valid_0: binary_logloss"):
        study.optimize(_objective(data, metric="auc"), n_trials=1)
    assert study.trials[0].state == TrialState.FAIL
    assert study.trials[0].intermediate_values == {}


def test_pruning_callback_rejects_a_metric_against_the_direction(data: tuple) -> None:
    study = trimtab.create_study(direction="maximize")
    with pytest.raises(ValueError, match="minimised by LightGBM but the study direction"):
        study.optimize(_objective(data), n_trials=1)


def _tuner(data: tuple, **kwargs) -> LightGBMTuner:
    x_train, y_train, x_valid, y_valid = data
    return LightGBMTuner(
        dict(PARAMS),
        lgb.Dataset(x_train, y_train),
        valid_sets=[lgb.Dataset(x_valid, y_valid)],
        num_boost_round=5,
        show_progress_bar=False,
        optuna_seed=0,
        **kwargs,
    )


def test_tuner_runs_every_step_in_the_users_study(data: tuple, tmp_path: pathlib.Path) -> None:
    study = trimtab.create_study(study_name="t")
    tuner = _tuner(data, study=study, model_dir=str(tmp_path / "boosters"))
    tuner.run()
    steps = [t.system_attrs["lightgbm_tuner:step_name"] for t in study.trials]
    assert steps == (
        ["feature_fraction"] * 7
        + ["num_leaves"] * 20
        + ["bagging"] * 10
        + ["feature_fraction_stage2"] * len(steps[37:-25])
        + ["regularization_factors"] * 20
        + ["min_child_samples"] * 5
    )
    assert 1 <= len(steps[37:-25]) <= 6
    # The grid steps evaluate each grid point once.
    grid = [t.params["feature_fraction"] for t in study.trials[:7]]
    assert sorted(grid) == pytest.approx(np.linspace(0.4, 1.0, 7))
    assert sorted(t.params["min_child_samples"] for t in study.trials[-5:]) == [5, 10, 25, 50, 100]

    best = study.best_trial
    assert tuner.best_score == best.value
    assert json.loads(best.system_attrs["lightgbm_tuner:lgbm_params"]) == tuner.best_params
    for name in ("feature_fraction", "num_leaves", "bagging_fraction", "lambda_l1"):
        assert name in tuner.best_params
    booster = tuner.get_best_booster()
    x_valid, y_valid = data[2], data[3]
    predicted = booster.predict(x_valid)
    eps = 1e-15
    logloss = -np.mean(
        y_valid * np.log(np.clip(predicted, eps, 1))
        + (1 - y_valid) * np.log(np.clip(1 - predicted, eps, 1))
    )
    assert logloss == pytest.approx(best.value, rel=1e-6)

    # A second tuner on the same study resumes: every step is done, nothing is added.
    again = _tuner(data, study=trimtab.load_study(study_name="t", storage=study._storage))
    again.run()
    assert len(study.trials) == len(steps)
    # Its best booster was trained by the first tuner: found in model_dir only.
    with pytest.raises(ValueError, match="pass model_dir"):
        again.get_best_booster()


def test_tuner_resumes_an_interrupted_step(data: tuple, capsys: pytest.CaptureFixture) -> None:
    study = trimtab.create_study()
    _tuner(data, study=study).tune_num_leaves(n_trials=3)
    x_train, y_train, x_valid, y_valid = data
    tuner = LightGBMTuner(  # with the default progress bar, which the other tests turn off
        dict(PARAMS),
        lgb.Dataset(x_train, y_train),
        valid_sets=[lgb.Dataset(x_valid, y_valid)],
        num_boost_round=5,
        study=study,
    )
    tuner.tune_num_leaves(n_trials=5)
    assert [t.system_attrs["lightgbm_tuner:step_name"] for t in study.trials] == ["num_leaves"] * 5
    bar = capsys.readouterr().err
    assert f"num_leaves, val_score: {tuner.best_score:.6f}" in bar and "5/5" in bar


def test_tuner_bad_input(data: tuple) -> None:
    x_train, y_train, x_valid, y_valid = data
    with pytest.raises(ValueError, match="valid_sets is required"):
        LightGBMTuner(dict(PARAMS), lgb.Dataset(x_train, y_train))
    with pytest.raises(ValueError, match="direction is MINIMIZE.*'auc'.*maximize"):
        LightGBMTuner(
            {**PARAMS, "metric": "auc"},
            lgb.Dataset(x_train, y_train),
            valid_sets=lgb.Dataset(x_valid, y_valid),
            study=trimtab.create_study(),
        )
    with pytest.raises(TypeError, match="give them to lightgbm.Dataset"):
        _tuner(data, feature_name="auto")
    tuner = LightGBMTuner(
        {**PARAMS, "metric": "auc"},
        lgb.Dataset(x_train, y_train),
        valid_sets=lgb.Dataset(x_valid, y_valid),
        num_boost_round=2,
        show_progress_bar=False,
        feval=None,
    )
    tuner.lgbm_params["metric"] = "binary_error"  # LightGBM reports this, not auc
    with pytest.raises(ValueError, match="optimises 'auc'.*binary_error"):
        tuner.tune_num_leaves(n_trials=1)


def test_tuner_cv_and_train_drop_in(data: tuple) -> None:
    x_train, y_train, x_valid, y_valid = data
    tuner = LightGBMTunerCV(
        {**PARAMS, "metric": "auc"},
        lgb.Dataset(x_train, y_train),
        num_boost_round=4,
        nfold=2,
        return_cvbooster=True,
        show_progress_bar=False,
        optuna_seed=1,
    )
    assert tuner.study.direction == trimtab.study.StudyDirection.MAXIMIZE
    tuner.tune_feature_fraction(n_trials=3)
    assert len(tuner.study.trials) == 3
    assert 0.5 < tuner.best_score <= 1.0
    assert isinstance(tuner.get_best_booster(), lgb.CVBooster)

    # `import trimtab.integration.lightgbm as lgb` stands in for lightgbm, train() tunes.
    assert tuned_lgb.Dataset is lgb.Dataset
    assert tuned_lgb.cv is lgb.cv
    seen = []
    booster = tuned_lgb.train(
        dict(PARAMS),
        tuned_lgb.Dataset(x_train, y_train),
        valid_sets=[tuned_lgb.Dataset(x_valid, y_valid)],
        num_boost_round=2,
        time_budget=1,
        show_progress_bar=False,
        optuna_callbacks=[lambda study, trial: seen.append(trial.number)],
    )
    assert isinstance(booster, lgb.Booster)
    assert seen == list(range(len(seen))) and seen


@pytest.mark.slow  # imports Optuna and creates an SQLite schema
def test_tuner_resumes_a_study_optuna_integrations_tuner_started(
    data: tuple, tmp_path: pathlib.Path
) -> None:
    optuna = pytest.importorskip("optuna")
    optuna_lightgbm = pytest.importorskip("optuna_integration.lightgbm")
    x_train, y_train, x_valid, y_valid = data
    url = f"sqlite:///{tmp_path / 'mixed.db'}"

    def kwargs() -> dict:
        return {
            "valid_sets": [lgb.Dataset(x_valid, y_valid)],
            "num_boost_round": 3,
            "show_progress_bar": False,
        }

    theirs = optuna_lightgbm.LightGBMTuner(
        dict(PARAMS),
        lgb.Dataset(x_train, y_train),
        study=optuna.create_study(storage=url, study_name="mixed"),
        **kwargs(),
    )
    theirs.tune_num_leaves(n_trials=3)
    ours = LightGBMTuner(
        dict(PARAMS),
        lgb.Dataset(x_train, y_train),
        study=trimtab.load_study(storage=url, study_name="mixed"),
        **kwargs(),
    )
    ours.tune_num_leaves(n_trials=5)  # two more for this step, on the same distribution
    ours.tune_bagging(n_trials=2)
    steps = [t.system_attrs["lightgbm_tuner:step_name"] for t in ours.study.trials]
    assert steps == ["num_leaves"] * 5 + ["bagging"] * 2
    again = optuna_lightgbm.LightGBMTuner(
        dict(PARAMS),
        lgb.Dataset(x_train, y_train),
        study=optuna.load_study(storage=url, study_name="mixed"),
        **kwargs(),
    )
    again.tune_bagging(n_trials=3)  # Optuna's tuner continues the step trimtab's started
    assert len(again.study.trials) == 8


def test_tuner_without_a_metric_optimises_the_objectives_default(data: tuple) -> None:
    x_train, y_train, x_valid, y_valid = data
    tuner = LightGBMTuner(
        {"objective": "regression", "verbosity": -1, "num_threads": 1},
        lgb.Dataset(x_train, y_train.astype(float)),
        valid_sets=[lgb.Dataset(x_valid, y_valid.astype(float))],
        num_boost_round=3,
        show_progress_bar=False,
    )
    tuner.tune_num_leaves(n_trials=1)
    booster = tuner.get_best_booster()
    assert tuner.best_score == booster.best_score["valid_0"]["l2"]

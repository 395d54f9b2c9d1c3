"""Snippets users copy from Optuna tutorials run unchanged with `import trimtab as optuna`."""

from __future__ import annotations

import trimtab as optuna


def test_first_tutorial() -> None:
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def objective(trial: optuna.Trial) -> float:
        x = trial.suggest_float("x", -10, 10)
        return (x - 2) ** 2

    study = optuna.create_study()
    study.optimize(objective, n_trials=100)
    assert abs(study.best_params["x"] - 2) < 1.5
    assert study.best_value < 2.0
    assert len(study.trials) == 100


def test_pythonic_search_space_and_pruning() -> None:
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def objective(trial: optuna.trial.Trial) -> float:
        classifier = trial.suggest_categorical("classifier", ["SVC", "RandomForest"])
        if classifier == "SVC":
            c = trial.suggest_float("svc_c", 1e-10, 1e10, log=True)
            score = 1.0 / (1.0 + abs(c - 1.0))
        else:
            depth = trial.suggest_int("rf_max_depth", 2, 32, log=True)
            score = depth / 32
        for step in range(5):
            trial.report(score * (step + 1) / 5, step)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return score

    study = optuna.create_study(direction="maximize", pruner=optuna.pruners.NopPruner())
    study.optimize(objective, n_trials=30)
    states = {t.state for t in study.trials}
    assert states <= {optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED}


def test_ask_and_tell_interface() -> None:
    study = optuna.create_study(direction="maximize")
    for _ in range(10):
        trial = study.ask()
        x = trial.suggest_float("x", 0, 1)
        study.tell(trial, x)
    assert study.best_trial.params["x"] == max(t.params["x"] for t in study.trials)


def test_multi_objective_tutorial() -> None:
    def objective(trial: optuna.Trial) -> tuple[float, float]:
        x = trial.suggest_float("x", 0, 5)
        y = trial.suggest_float("y", 0, 3)
        return 4 * x**2 + 4 * y**2, (x - 5) ** 2 + (y - 5) ** 2

    study = optuna.create_study(directions=["minimize", "minimize"])
    study.optimize(objective, n_trials=30)
    assert 1 <= len(study.best_trials) <= 30
    assert study.directions == [optuna.study.StudyDirection.MINIMIZE] * 2


def test_reuse_best_trial_with_fixed_trial() -> None:
    def objective(trial: optuna.trial.BaseTrial) -> float:
        return trial.suggest_float("x", -1, 1) ** 2

    study = optuna.create_study()
    study.optimize(objective, n_trials=10)
    assert objective(optuna.trial.FixedTrial(study.best_params)) == study.best_value

"""Real Optuna installed next to trimtab: Optuna's objects are understood without the hook.

Code written for Optuna (optuna-integration's pruning callbacks) raises Optuna's
``TrialPruned`` and compares trimtab's enums with Optuna's; trimtab treats them as its own.
"""

from __future__ import annotations

import pytest

import trimtab
from trimtab.distributions import (
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
    _from_foreign_distribution,
)
from trimtab.exceptions import is_trial_pruned
from trimtab.study import StudyDirection
from trimtab.trial import TrialState

optuna = pytest.importorskip("optuna")


def _prune_odd_trials(trial: trimtab.Trial) -> float:
    x = trial.suggest_float("x", 0.0, 1.0)
    trial.report(x, step=0)
    if trial.number % 2 == 1:
        raise optuna.TrialPruned(f"odd trial {trial.number}")
    return x


def _states(study: trimtab.Study) -> list[str]:
    return [t.state.name for t in study.trials]


def test_optuna_trial_pruned_prunes_and_the_loop_continues() -> None:
    study = trimtab.create_study()
    study.optimize(_prune_odd_trials, n_trials=6)
    assert _states(study) == ["COMPLETE", "PRUNED"] * 3
    assert study.trials[1].intermediate_values == {0: study.trials[1].params["x"]}


def test_optuna_trial_pruned_prunes_in_threads() -> None:
    study = trimtab.create_study()
    study.optimize(_prune_odd_trials, n_trials=8, n_jobs=2)
    assert sorted(_states(study)) == ["COMPLETE"] * 4 + ["PRUNED"] * 4


def test_optuna_trial_pruned_prunes_in_worker_processes() -> None:
    pytest.importorskip("cloudpickle")
    study = trimtab.create_study()

    def objective(trial: trimtab.Trial) -> float:
        x = trial.suggest_float("x", 0.0, 1.0)
        if trial.number % 2 == 1:
            raise optuna.TrialPruned()
        return x

    study.optimize(objective, n_trials=4, n_jobs=2, executor="process")
    by_number = {t.number: t.state for t in study.trials}
    assert by_number == {0: TrialState.COMPLETE, 1: TrialState.PRUNED} | {
        2: TrialState.COMPLETE,
        3: TrialState.PRUNED,
    }


def test_other_errors_named_trial_pruned_still_fail() -> None:
    class TrialPruned(Exception):  # a user's own class of that name, not Optuna's
        pass

    assert not is_trial_pruned(TrialPruned())
    assert is_trial_pruned(optuna.TrialPruned())
    assert is_trial_pruned(type("Sub", (optuna.exceptions.TrialPruned,), {})())
    study = trimtab.create_study()
    with pytest.raises(TrialPruned):
        study.optimize(lambda t: (_ for _ in ()).throw(TrialPruned()), n_trials=1)
    assert _states(study) == ["FAIL"]


def test_enums_equal_optuna_members_of_the_same_name() -> None:
    assert TrialState.PRUNED == optuna.trial.TrialState.PRUNED
    assert optuna.trial.TrialState.COMPLETE == TrialState.COMPLETE
    assert TrialState.PRUNED != optuna.trial.TrialState.FAIL
    assert StudyDirection.MINIMIZE != optuna.study.StudyDirection.MAXIMIZE
    assert not StudyDirection.MAXIMIZE != optuna.study.StudyDirection.MAXIMIZE
    assert TrialState.PRUNED == 2 and {TrialState.PRUNED: 1}[TrialState(2)] == 1


def test_ask_tell_with_optunas_trial_state_stores_trimtabs() -> None:
    study = trimtab.create_study()
    for _ in range(2):
        trial = study.ask()
        trial.report(0.5, step=3)
        study.tell(trial, state=optuna.trial.TrialState.PRUNED)
    study.tell(study.ask(), 1.0, state=optuna.trial.TrialState.COMPLETE)
    assert [type(t.state) for t in study.trials] == [TrialState] * 3
    assert _states(study) == ["PRUNED", "PRUNED", "COMPLETE"]
    assert study.trials[0].value == 0.5  # a pruned trial keeps its last intermediate value


def test_optuna_distributions_convert_to_trimtab_ones() -> None:
    od = optuna.distributions
    assert _from_foreign_distribution(od.FloatDistribution(1e-3, 1.0, log=True)) == (
        FloatDistribution(1e-3, 1.0, log=True)
    )
    assert _from_foreign_distribution(od.FloatDistribution(0, 1, step=0.25)) == (
        FloatDistribution(0, 1, step=0.25)
    )
    assert _from_foreign_distribution(od.IntDistribution(1, 9, step=2)) == IntDistribution(
        1, 9, step=2
    )
    assert _from_foreign_distribution(od.CategoricalDistribution(["a", 1, None])) == (
        CategoricalDistribution(["a", 1, None])
    )
    native = IntDistribution(0, 3)
    assert _from_foreign_distribution(native) is native
    with pytest.raises(TypeError, match="neither a trimtab nor an Optuna distribution"):
        _from_foreign_distribution([1, 2, 3])


def test_deprecated_distributions_convert_to_current_ones_as_optuna_names_it() -> None:
    from trimtab.distributions import (
        IntLogUniformDistribution,
        UniformDistribution,
        _convert_old_distribution_to_new_distribution,
    )

    with pytest.warns(FutureWarning):
        old = UniformDistribution(0.0, 2.0)
    with pytest.warns(FutureWarning):
        assert _convert_old_distribution_to_new_distribution(old) == FloatDistribution(0.0, 2.0)
    with pytest.warns(FutureWarning):
        old_int = IntLogUniformDistribution(1, 64)
    converted = _convert_old_distribution_to_new_distribution(old_int, suppress_warning=True)
    assert converted == IntDistribution(1, 64, log=True) and converted != old_int
    current = FloatDistribution(0.0, 1.0)
    assert _convert_old_distribution_to_new_distribution(current) is current


@pytest.mark.slow
def test_optuna_integration_lightgbm_pruning_callback_prunes_a_trimtab_trial() -> None:
    lgb = pytest.importorskip("lightgbm")
    pytest.importorskip("optuna_integration")
    from optuna_integration import LightGBMPruningCallback
    from sklearn.datasets import load_breast_cancer

    features, labels = load_breast_cancer(return_X_y=True)
    train = lgb.Dataset(features[:400], labels[:400])
    valid = lgb.Dataset(features[400:], labels[400:], reference=train)

    def objective(trial: trimtab.Trial) -> float:
        params = {
            "objective": "binary",
            "metric": "binary_logloss",
            "verbosity": -1,
            "num_threads": 1,
            "learning_rate": trial.suggest_float("learning_rate", 1e-3, 0.3, log=True),
            "num_leaves": trial.suggest_int("num_leaves", 2, 32),
        }
        callback = LightGBMPruningCallback(trial, "binary_logloss")
        booster = lgb.train(params, train, 30, valid_sets=[valid], callbacks=[callback])
        return float(booster.best_score["valid_0"]["binary_logloss"])

    # Prunes every trial after the first at its first report worse than the first's.
    study = trimtab.create_study(
        sampler=trimtab.samplers.RandomSampler(seed=0),
        pruner=trimtab.pruners.MedianPruner(n_startup_trials=1, n_warmup_steps=5),
    )
    study.optimize(objective, n_trials=8)
    states = _states(study)
    assert len(states) == 8 and "FAIL" not in states
    assert "PRUNED" in states and states[0] == "COMPLETE"
    for trial in study.trials:
        if trial.state == TrialState.PRUNED:
            assert max(trial.intermediate_values) < 29  # stopped before the last round

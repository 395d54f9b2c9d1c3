"""The live Trial: suggest semantics, report, attributes, constraints."""

from __future__ import annotations

import math
from typing import Any

import pytest

import trimtab
from trimtab.distributions import FloatDistribution
from trimtab.trial import FixedTrial, TrialState, create_trial


@pytest.fixture(autouse=True)
def quiet() -> None:
    trimtab.logging.set_verbosity(trimtab.logging.WARNING)


def test_resuggesting_a_name_returns_the_same_value() -> None:
    study = trimtab.create_study()
    trial = study.ask()
    first = trial.suggest_float("x", 0, 1)
    assert trial.suggest_float("x", 0, 1) == first
    assert trial.suggest_float("x", -5, 5) == first  # a changed range keeps the value


def test_resuggesting_with_another_kind_is_a_clear_error() -> None:
    study = trimtab.create_study()
    trial = study.ask()
    trial.suggest_float("x", 0, 1)
    with pytest.raises(ValueError, match="different distribution kind"):
        trial.suggest_int("x", 0, 1)
    with pytest.raises(ValueError, match="dynamic value space"):
        trial.suggest_categorical("c", ["a"]) and trial.suggest_categorical("c", ["a", "b"])


def test_a_name_keeps_its_categorical_choices_across_trials() -> None:
    study = trimtab.create_study()
    study.optimize(lambda t: len(t.suggest_categorical("c", ["a", "b"])), n_trials=1)
    with pytest.raises(ValueError, match="dynamic value space"):
        study.optimize(lambda t: len(t.suggest_categorical("c", ["a", "z"])), n_trials=1)
    assert study.trials[-1].state == TrialState.FAIL
    assert study.trials[-1].params == {}


def test_suggest_int_returns_ints_and_respects_step() -> None:
    study = trimtab.create_study(sampler=trimtab.samplers.RandomSampler(seed=1))
    values = []
    for _ in range(30):
        trial = study.ask()
        values.append(trial.suggest_int("n", 2, 20, step=3))
        study.tell(trial, 0.0)
    assert all(isinstance(v, int) and (v - 2) % 3 == 0 and 2 <= v <= 20 for v in values)


def test_integers_up_to_2_53_round_trip_exactly() -> None:
    study = trimtab.create_study(sampler=trimtab.samplers.RandomSampler(seed=3))
    trial = study.ask()
    value = trial.suggest_int("n", 2**53 - 2**20, 2**53)
    exact = trial.suggest_int("m", -(2**53), -(2**53))
    study.tell(trial, 1.0)
    assert study.trials[0].params == {"n": value, "m": -(2**53)}
    assert exact == -(2**53) and type(value) is int


def test_negative_zero_and_true_vs_one_are_kept() -> None:
    study = trimtab.create_study()
    study.enqueue_trial({"z": -0.0, "c": 1})
    trial = study.ask()
    z = trial.suggest_float("z", -1, 1)
    c = trial.suggest_categorical("c", [True, 1])
    study.tell(trial, 0.0)
    assert math.copysign(1, z) == -1 and type(c) is int
    stored = study.trials[0].params
    assert math.copysign(1, stored["z"]) == -1 and type(stored["c"]) is int


def test_deprecated_suggest_methods_work_and_warn() -> None:
    trial = trimtab.create_study().ask()
    with pytest.warns(FutureWarning):
        assert 0 <= trial.suggest_uniform("u", 0, 1) <= 1
    with pytest.warns(FutureWarning):
        assert 1e-3 <= trial.suggest_loguniform("l", 1e-3, 1) <= 1
    with pytest.warns(FutureWarning):
        assert trial.suggest_discrete_uniform("d", 0, 1, 0.5) in (0.0, 0.5, 1.0)


def test_report_semantics() -> None:
    study = trimtab.create_study()
    trial = study.ask()
    trial.report(1.0, 0)
    with pytest.warns(UserWarning, match="already reported"):
        trial.report(2.0, 0)
    trial.report(float("nan"), 1)
    with pytest.raises(TypeError):
        trial.report("bad", 2)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="negative"):
        trial.report(1.0, -1)
    frozen = study.tell(trial, state=TrialState.PRUNED)
    assert frozen.intermediate_values[0] == 1.0 and math.isnan(frozen.intermediate_values[1])


def test_report_and_should_prune_raise_on_multi_objective() -> None:
    trial = trimtab.create_study(directions=["minimize", "maximize"]).ask()
    with pytest.raises(NotImplementedError):
        trial.report(1.0, 0)
    with pytest.raises(NotImplementedError):
        trial.should_prune()


def test_user_attrs_and_constraints() -> None:
    study = trimtab.create_study()
    trial = study.ask()
    trial.set_user_attr("note", {"a": [1, 2]})
    with pytest.raises(TypeError, match="JSON"):
        trial.set_user_attr("bad", object())
    trial.set_constraint("c0", 0.5)
    with pytest.raises(ValueError, match="NaN"):
        trial.set_constraint("c1", float("nan"))
    assert trial.user_attrs == {"note": {"a": [1, 2]}}
    assert trial.constraints == {"c0": 0.5}
    frozen = study.tell(trial, 1.0)
    assert frozen.constraints == {"c0": 0.5}
    with pytest.raises(ValueError, match="feasible"):
        _ = study.best_trial


def test_fixed_trial_replays_params() -> None:
    def objective(trial: trimtab.trial.BaseTrial) -> float:
        return trial.suggest_float("x", 0, 10) + trial.suggest_int("n", 0, 3)

    assert objective(FixedTrial({"x": 2.5, "n": 1})) == 3.5
    with pytest.raises(ValueError, match="not found"):
        objective(FixedTrial({"x": 2.5}))


def test_create_trial_validates() -> None:
    trial = create_trial(value=1.0, params={"x": 0.5}, distributions={"x": FloatDistribution(0, 1)})
    assert trial.value == 1.0 and trial.state == TrialState.COMPLETE
    with pytest.raises(ValueError):
        create_trial(state=TrialState.COMPLETE)
    with pytest.raises(ValueError):
        create_trial(value=1.0, params={"x": 2.0}, distributions={"x": FloatDistribution(0, 1)})
    with pytest.raises(ValueError):
        create_trial(value=1.0, params={"x": 0.5})
    with pytest.raises(RuntimeError):
        _ = create_trial(values=[1.0, 2.0]).value


def test_trial_properties() -> None:
    study = trimtab.create_study()
    trial = study.ask()
    trial.suggest_float("x", 0, 1)
    assert trial.number == 0 and set(trial.params) == {"x"}
    assert trial.distributions == {"x": FloatDistribution(0, 1)}
    assert trial.datetime_start is not None
    params = trial.params
    params["x"] = 99
    assert trial.params["x"] != 99


@pytest.mark.parametrize(
    "low, high, step", [(2**53 + 1, 2**53 + 1, 1), (2**63 - 1, 2**63 - 1, 1), (0, 2**63, 7)]
)
def test_integers_beyond_2_53_are_rejected_up_front(low: int, high: int, step: int) -> None:
    # Issue 12, case 3: these returned 2**53, 2**63 and a value off the grid.
    study = trimtab.create_study()
    trial = study.ask()
    with pytest.raises(ValueError, match="'n'.*2\\*\\*53"):
        trial.suggest_int("n", low, high, step=step)
    study.tell(trial, 0.0)
    assert study.trials[0].params == {}


def test_stepped_integers_near_2_53_stay_on_the_grid() -> None:
    study = trimtab.create_study(sampler=trimtab.samplers.RandomSampler(seed=1))
    low = 2**53 - 7 * 1000
    for _ in range(20):
        trial = study.ask()
        value = trial.suggest_int("n", low, 2**53, step=7)
        assert type(value) is int and (value - low) % 7 == 0 and low <= value <= 2**53
        study.tell(trial, 0.0)
    assert [t.params["n"] for t in study.trials] == [
        t.params["n"] for t in trimtab.load_study(study_name=None, storage=study._storage).trials
    ]


@pytest.mark.parametrize(
    "call, expected",
    [
        (
            lambda t: t.suggest_float("lr", 1.0, 0.1),
            "suggest_float\\('lr', 1.0, 0.1, .*low <= high",
        ),
        (lambda t: t.suggest_float("lr", 0.0, 1.0, log=True), "suggest_float\\('lr'.*low > 0"),
        (lambda t: t.suggest_int("layers", 5, 1), "suggest_int\\('layers', 5, 1"),
        (lambda t: t.suggest_int("n", 0, 1.5), "suggest_int\\('n'.*integer"),
        (lambda t: t.suggest_categorical("opt", []), "suggest_categorical\\('opt', \\[\\]"),
        (lambda t: t.suggest_categorical("opt", [object()]), "suggest_categorical\\('opt'"),
        (lambda t: t.suggest_float(b"lr", 0.0, 1.0), "parameter name must be a str"),
    ],
)
def test_suggest_errors_name_the_parameter(call: Any, expected: str) -> None:
    # Issue 12, case 4: "`low <= high` must hold" did not say which parameter.
    trial = trimtab.create_study().ask()
    with pytest.raises((ValueError, TypeError), match=expected):
        call(trial)


def test_the_issue_12_suggest_float_call_leaves_a_loadable_study(tmp_path: Any) -> None:
    # Issue 12, case 2, as reported: after this call the SQLite study no longer loaded.
    import numpy as np

    url = f"sqlite:///{tmp_path}/s.db"
    study = trimtab.create_study(storage=url, study_name="s")
    trial = study.ask()
    with pytest.warns(UserWarning, match="not divisible"):
        value = trial.suggest_float("x", 2.2e-309, np.float32(1.5), step=904184.9)
    with pytest.raises(ValueError, match="suggest_float\\('y'.*`step`"):
        trial.suggest_float("y", 0.0, 1e308, step=1e-308)
    study.tell(trial, 1.0)
    assert value == 2.2e-309
    loaded = trimtab.load_study(study_name="s", storage=url).trials
    assert loaded[0].params == {"x": 2.2e-309}


@pytest.mark.parametrize("name", ["a" * 513, "x\x00y", "\ud800"])
def test_names_and_keys_no_storage_can_hold_are_rejected_up_front(name: str) -> None:
    # Found by the property tests: PostgreSQL refused a 600-character param name with a raw
    # DataError, SQLite a lone surrogate with UnicodeEncodeError (and NUL breaks PostgreSQL).
    study = trimtab.create_study()
    trial = study.ask()
    with pytest.raises(ValueError, match="storages cannot hold"):
        trial.suggest_float(name, 0, 1)
    with pytest.raises(ValueError, match="storages cannot hold"):
        trial.set_user_attr(name, 1)
    with pytest.raises(ValueError, match="storages cannot hold"):
        study.set_user_attr(name, 1)
    with pytest.raises(ValueError, match="study_name"):
        trimtab.create_study(study_name=name)
    assert trial.params == {} and trial.user_attrs == {} and study.user_attrs == {}

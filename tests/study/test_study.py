"""Study: create/load/delete/copy, optimize, ask/tell, enqueue, best_*, dataframe."""

from __future__ import annotations

import logging as std_logging
import math
import threading
from typing import Any

import pytest

import trimtab
from trimtab.distributions import FloatDistribution
from trimtab.exceptions import DuplicatedStudyError, TrialPruned
from trimtab.samplers import RandomSampler
from trimtab.storages import InMemoryStorage
from trimtab.study import MaxTrialsCallback, StudyDirection
from trimtab.trial import TrialState, create_trial


@pytest.fixture(autouse=True)
def quiet() -> None:
    trimtab.logging.set_verbosity(trimtab.logging.WARNING)


def quadratic(trial: trimtab.Trial) -> float:
    return (trial.suggest_float("x", -10, 10) - 2) ** 2


def test_create_load_delete_copy() -> None:
    storage = InMemoryStorage()
    study = trimtab.create_study(storage=storage, study_name="s", direction="maximize")
    study.set_user_attr("owner", "me")
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    with pytest.raises(DuplicatedStudyError):
        trimtab.create_study(storage=storage, study_name="s")
    again = trimtab.create_study(storage=storage, study_name="s", load_if_exists=True)
    assert len(again.trials) == 3 and again.direction == StudyDirection.MAXIMIZE
    loaded = trimtab.load_study(study_name=None, storage=storage)
    assert loaded.user_attrs == {"owner": "me"}
    target = InMemoryStorage()
    trimtab.copy_study(from_study_name="s", from_storage=storage, to_storage=target)
    copied = trimtab.load_study(study_name="s", storage=target)
    assert [t.params for t in copied.trials] == [t.params for t in study.trials]
    assert copied.user_attrs == {"owner": "me"}
    assert trimtab.get_all_study_names(storage) == ["s"]
    summaries = trimtab.get_all_study_summaries(storage)
    assert summaries[0].n_trials == 3 and summaries[0].best_trial is not None
    trimtab.delete_study(study_name="s", storage=storage)
    assert trimtab.get_all_study_names(storage) == []
    with pytest.raises(KeyError, match="does not exist"):
        trimtab.load_study(study_name="s", storage=storage)


def test_load_study_without_a_name_needs_exactly_one_study() -> None:
    storage = InMemoryStorage()
    trimtab.create_study(storage=storage)
    trimtab.create_study(storage=storage)
    with pytest.raises(ValueError, match="exactly 1"):
        trimtab.load_study(study_name=None, storage=storage)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"direction": "up"}, ValueError),
        ({"direction": "minimize", "directions": ["minimize"]}, ValueError),
        ({"directions": []}, ValueError),
        ({"directions": ["minimize", "sideways"]}, ValueError),
    ],
)
def test_bad_directions(kwargs: dict, error: type[Exception]) -> None:
    with pytest.raises(error):
        trimtab.create_study(**kwargs)


def test_optimize_finds_a_good_value_and_logs_like_optuna(caplog: pytest.LogCaptureFixture) -> None:
    trimtab.logging.set_verbosity(trimtab.logging.INFO)
    trimtab.logging.enable_propagation()
    try:
        with caplog.at_level(std_logging.INFO, logger="trimtab"):
            study = trimtab.create_study(sampler=RandomSampler(seed=0))
            study.optimize(quadratic, n_trials=50)
    finally:
        trimtab.logging.disable_propagation()
    assert study.best_value < 1.0
    assert study.best_params == study.best_trial.params
    lines = list(dict.fromkeys(r.getMessage() for r in caplog.records))
    assert lines[0].startswith("A new study created in memory with name: ")
    assert lines[1].startswith("Trial 0 finished with value: ")
    assert "and parameters: {'x': " in lines[1] and ". Best is trial 0 with value: " in lines[1]


def test_objective_failures_are_recorded_not_left_running() -> None:
    study = trimtab.create_study()
    returns = iter(["text", None, float("nan"), 10**400, (1.0, 2.0), [1.0]])
    study.optimize(lambda t: next(returns), n_trials=6)
    states = [t.state for t in study.trials]
    assert states == [TrialState.FAIL] * 5 + [TrialState.COMPLETE]
    assert study.best_value == 1.0


def test_exceptions_fail_the_trial_and_propagate_unless_caught() -> None:
    study = trimtab.create_study()

    def broken(trial: trimtab.Trial) -> float:
        trial.suggest_float("x", 0, 1)
        raise KeyError("boom")

    study.optimize(broken, n_trials=2, catch=(KeyError,))
    with pytest.raises(KeyError):
        study.optimize(broken, n_trials=2)
    assert [t.state for t in study.trials] == [TrialState.FAIL] * 3
    with pytest.raises(TypeError):
        study.optimize(broken, n_trials=1, catch=[1])  # type: ignore[list-item]


def test_keyboard_interrupt_marks_the_trial_failed() -> None:
    study = trimtab.create_study()

    def interrupted(trial: trimtab.Trial) -> float:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        study.optimize(interrupted, n_trials=1)
    assert study.trials[0].state == TrialState.FAIL


def test_pruned_trial_takes_its_last_intermediate_value() -> None:
    study = trimtab.create_study()

    def objective(trial: trimtab.Trial) -> float:
        trial.report(3.0, 0)
        trial.report(2.0, 5)
        raise TrialPruned()

    study.optimize(objective, n_trials=1)
    assert study.trials[0].state == TrialState.PRUNED and study.trials[0].value == 2.0


def test_n_jobs_threads_and_timeout_and_stop() -> None:
    study = trimtab.create_study()
    seen_threads: set[int] = set()

    def objective(trial: trimtab.Trial) -> float:
        seen_threads.add(threading.get_ident())
        return quadratic(trial)

    study.optimize(objective, n_trials=40, n_jobs=2)
    assert len(study.trials) == 40 and len(seen_threads) >= 1
    study.optimize(quadratic, n_jobs=-1, n_trials=4)
    assert len(study.trials) == 44
    study.optimize(quadratic, timeout=0.2)
    assert len(study.trials) > 44

    def stopper(study: trimtab.Study, trial: trimtab.trial.FrozenTrial) -> None:
        if trial.number >= 50:
            study.stop()

    before = len(study.trials)
    study.optimize(quadratic, n_trials=1000, callbacks=[stopper])
    assert len(study.trials) < before + 1000
    with pytest.raises(RuntimeError):
        study.stop()


@pytest.mark.parametrize("n_trials", [-1, 1.5, "3"])
def test_bad_n_trials(n_trials: object) -> None:
    with pytest.raises(ValueError, match="n_trials"):
        trimtab.create_study().optimize(quadratic, n_trials=n_trials)  # type: ignore[arg-type]


def test_nested_optimize_is_rejected() -> None:
    study = trimtab.create_study()

    def nested(trial: trimtab.Trial) -> float:
        study.optimize(quadratic, n_trials=1)
        return 0.0

    with pytest.raises(RuntimeError, match="Nested"):
        study.optimize(nested, n_trials=1)


def test_max_trials_callback_counts_all_workers() -> None:
    study = trimtab.create_study()
    study.optimize(quadratic, n_trials=100, callbacks=[MaxTrialsCallback(7)])
    assert len(study.trials) == 7


def test_ask_tell() -> None:
    study = trimtab.create_study(direction="maximize")
    trial = study.ask({"x": FloatDistribution(0, 1)})
    assert "x" in trial.params
    frozen = study.tell(trial, 0.5)
    assert frozen.state == TrialState.COMPLETE and frozen.value == 0.5
    trial = study.ask()
    study.tell(trial.number, state=TrialState.FAIL)
    with pytest.raises(ValueError, match="Cannot tell a FAIL trial"):
        study.tell(trial.number, 1.0)
    study.tell(trial.number, 1.0, skip_if_finished=True)
    with pytest.raises(ValueError, match="not been created"):
        study.tell(99, 1.0)
    trial = study.ask()
    with pytest.raises(ValueError, match="No values were told"):
        study.tell(trial, state=TrialState.COMPLETE)
    with pytest.raises(ValueError, match="Values were told"):
        study.tell(trial, 1.0, state=TrialState.PRUNED)
    with pytest.raises(ValueError, match="did not match"):
        study.tell(trial, [1.0, 2.0], state=TrialState.COMPLETE)
    with pytest.raises(ValueError, match="not acceptable"):
        study.tell(trial, float("nan"), state=TrialState.COMPLETE)
    assert study.trials[trial.number].state == TrialState.RUNNING
    with pytest.warns(UserWarning, match="did not match"):
        frozen = study.tell(trial, [1.0, 2.0])
    assert frozen.state == TrialState.FAIL
    with pytest.raises(TypeError):
        study.tell("0", 1.0)  # type: ignore[arg-type]


def test_enqueue_trial() -> None:
    study = trimtab.create_study()
    study.enqueue_trial({"x": 2.0}, user_attrs={"source": "manual"})
    study.enqueue_trial({"x": 2.0}, skip_if_exists=True)
    study.enqueue_trial({"x": 50.0})  # out of range: used, with a warning
    with pytest.warns(UserWarning, match="out of range"):
        study.optimize(quadratic, n_trials=3)
    first, second, _ = study.trials
    assert first.params == {"x": 2.0} and first.user_attrs == {"source": "manual"}
    assert second.params == {"x": 50.0}
    with pytest.raises(TypeError, match="JSON"):
        study.enqueue_trial({"x": object()})
    assert len(study.trials) == 3


def test_add_trials() -> None:
    study = trimtab.create_study()
    study.add_trials(
        [
            create_trial(value=v, params={"x": v}, distributions={"x": FloatDistribution(0, 9)})
            for v in (3.0, 1.0, 2.0)
        ]
    )
    assert study.best_trial.number == 1 and study.best_params == {"x": 1.0}
    with pytest.raises(ValueError, match="objectives"):
        study.add_trial(create_trial(values=[1.0, 2.0]))


def test_best_trial_errors() -> None:
    study = trimtab.create_study()
    with pytest.raises(ValueError, match="No trials are completed yet"):
        _ = study.best_trial
    multi = trimtab.create_study(directions=["minimize", "maximize"])
    with pytest.raises(RuntimeError, match="multi-objective"):
        _ = multi.best_trial
    with pytest.raises(RuntimeError):
        _ = multi.direction


def test_best_trials_is_the_pareto_front() -> None:
    study = trimtab.create_study(directions=["minimize", "maximize"])
    for values in [(1, 1), (2, 3), (2, 2), (3, 3), (0, 0), (1, 1)]:
        study.add_trial(create_trial(values=list(values)))
    front = sorted(tuple(t.values) for t in study.best_trials)
    assert front == [(0, 0), (1, 1), (1, 1), (2, 3)]


def test_metric_names_and_dataframe() -> None:
    pytest.importorskip("pandas")
    study = trimtab.create_study(directions=["minimize", "maximize"])
    with pytest.warns(trimtab.exceptions.ExperimentalWarning):
        study.set_metric_names(["loss", "acc"])
    with pytest.raises(ValueError):
        study.set_metric_names(["only-one"])
    study.optimize(lambda t: (t.suggest_float("x", 0, 1), 2.0), n_trials=3)
    frame = study.trials_dataframe()
    assert {"number", "values_loss", "values_acc", "params_x", "state"} <= set(frame.columns)
    assert list(frame["state"]) == ["COMPLETE"] * 3
    multi = study.trials_dataframe(multi_index=True)
    assert ("params", "x") in multi.columns


def test_single_objective_dataframe_columns() -> None:
    pytest.importorskip("pandas")
    study = trimtab.create_study()
    study.optimize(quadratic, n_trials=2)
    frame = study.trials_dataframe(attrs=("number", "value", "params", "duration"))
    assert list(frame.columns) == ["number", "value", "params_x", "duration"]
    assert not math.isnan(frame["value"].iloc[0])


def test_progress_bar_counts_trials(capsys: pytest.CaptureFixture[str]) -> None:
    study = trimtab.create_study()
    study.optimize(quadratic, n_trials=5, show_progress_bar=True)
    err = capsys.readouterr().err
    assert "5/5" in err and "Best trial:" in err
    study.optimize(quadratic, timeout=1.0, show_progress_bar=True)
    assert "/1 s" in capsys.readouterr().err


@pytest.mark.parametrize("storage_kind", ["memory", "sqlite", "journal"])
def test_empty_study_name_is_kept_as_optuna_does(storage_kind: str, tmp_path: Any) -> None:
    # Issue 12, case 3: "" was replaced by a generated name, then could not be loaded as "".
    storage: Any = {
        "memory": InMemoryStorage(),
        "sqlite": f"sqlite:///{tmp_path}/s.db",
        "journal": trimtab.storages.JournalStorage(
            trimtab.storages.journal.JournalFileBackend(str(tmp_path / "j.log"))
        ),
    }[storage_kind]
    study = trimtab.create_study(storage=storage, study_name="")
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    assert study.study_name == ""
    assert trimtab.get_all_study_names(storage) == [""]
    assert len(trimtab.load_study(study_name="", storage=storage).trials) == 2
    trimtab.delete_study(study_name="", storage=storage)
    assert trimtab.get_all_study_names(storage) == []


@pytest.mark.parametrize("name", [b"bytes", 1, ["s"]])
def test_non_str_study_names_are_rejected_up_front(name: Any, tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path}/s.db"
    with pytest.raises(TypeError, match="study_name"):
        trimtab.create_study(storage=url, study_name=name)
    assert trimtab.get_all_study_names(url) == []
    trimtab.create_study(storage=url, study_name="s")
    with pytest.raises(TypeError, match="study_name"):
        trimtab.load_study(storage=url, study_name=name)
    with pytest.raises(TypeError, match="study_name"):
        trimtab.delete_study(storage=url, study_name=name)
    with pytest.raises(TypeError, match="from_study_name"):
        trimtab.copy_study(from_study_name=name, from_storage=url, to_storage=InMemoryStorage())
    with pytest.raises(TypeError, match="to_study_name"):
        trimtab.copy_study(
            from_study_name="s", from_storage=url, to_storage=InMemoryStorage(), to_study_name=name
        )
    assert trimtab.get_all_study_names(url) == ["s"]


@pytest.mark.parametrize(
    "returned, says",
    [
        ("0.5", "'0.5' could not be cast to float: it is a str, not a number"),
        (b"0.5", "it is a bytes, not a number"),
        ({"loss": 1.0}, "it is a dict, not a number"),
        (None, "The value None could not be cast to float"),
        (float("nan"), "The value nan is not acceptable"),
        ([1.0, 2.0], "The number of the values 2 did not match the number of the objectives 1"),
        pytest.param(10**400, "too large", id="int-10**400"),
    ],
)
def test_objective_returning_a_non_number_fails_the_trial_and_says_why(
    returned: Any, says: str, caplog: pytest.LogCaptureFixture
) -> None:
    # Issue 12, case 4: returning "0.5" failed with "The value '.' could not be cast".
    study = trimtab.create_study()
    with caplog.at_level(std_logging.WARNING, logger="trimtab"):
        study.optimize(lambda t: returned, n_trials=2)
    assert [t.state for t in study.trials] == [TrialState.FAIL] * 2
    assert says in caplog.text


@pytest.mark.parametrize(
    "told, says",
    [
        ("0.5", "it is a str, not a number"),
        (float("nan"), "is not acceptable"),
        ([[1.0], 2.0], "it is a list, not a number"),
        ((1.0, 2.0, 3.0), "did not match the number of the objectives 2"),
    ],
)
def test_tell_with_a_bad_value_fails_or_raises_and_says_why(told: Any, says: str) -> None:
    study = trimtab.create_study(directions=["minimize", "maximize"])
    trial = study.ask()
    with pytest.warns(UserWarning, match=says):
        assert study.tell(trial, told).state == TrialState.FAIL
    trial = study.ask()
    with pytest.raises(ValueError, match=says):
        study.tell(trial, told, state=TrialState.COMPLETE)
    assert study.trials[1].state == TrialState.RUNNING


def test_study_id_is_public_and_matches_the_storage() -> None:
    storage = trimtab.storages.InMemoryStorage()
    trimtab.create_study(storage=storage, study_name="first")
    study = trimtab.create_study(storage=storage, study_name="second")
    assert study.study_id == storage.get_study_id_from_name("second")
    frozen = {s.study_name: s.study_id for s in storage.get_all_studies()}
    assert frozen == {"first": storage.get_study_id_from_name("first"), "second": study.study_id}
    storage.set_study_system_attr(study.study_id, "k", 1)
    assert study.storage.get_study_system_attrs(study.study_id)["k"] == 1

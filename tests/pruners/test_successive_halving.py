"""SuccessiveHalvingPruner: rung promotion on histories whose answer is known."""

from __future__ import annotations

import math

import pytest
from pruner_helpers import add_finished, study_with

import trimtab
from trimtab.pruners import SuccessiveHalvingPruner
from trimtab.trial import TrialState


@pytest.fixture(autouse=True)
def quiet() -> None:
    trimtab.logging.set_verbosity(trimtab.logging.WARNING)


def rung_history(
    pruner: SuccessiveHalvingPruner,
    rung_values: list[dict[int, float]],
    direction: str = "minimize",
    state: TrialState = TrialState.PRUNED,
) -> trimtab.Study:
    """Finished trials that recorded these values at the end of these rungs."""
    attrs = [{f"completed_rung_{r}": v for r, v in values.items()} for values in rung_values]
    return study_with(pruner, [{0: 0.0}] * len(rung_values), direction, state, attrs)


def ask_at(study: trimtab.Study, step: int, value: float) -> tuple[bool, dict]:
    trial = study.ask()
    trial.report(value, step)
    pruned = trial.should_prune()
    attrs = study._storage.get_trial(trial._trial_id).system_attrs
    return pruned, {k: v for k, v in attrs.items() if k.startswith("completed_rung_")}


@pytest.mark.parametrize(
    "value, pruned",
    [(0.5, False), (1.5, False), (2.0, False), (2.5, True), (8.0, True)],
)
def test_reduction_factor_4_promotes_the_top_quarter(value: float, pruned: bool) -> None:
    # 7 earlier values 1..7 plus this one: 8 // 4 = 2 go on, i.e. values <= 2nd smallest.
    pruner = SuccessiveHalvingPruner(min_resource=1, reduction_factor=4)
    study = rung_history(pruner, [{0: float(v)} for v in range(1, 8)])
    got, attrs = ask_at(study, 1, value)
    assert got is pruned
    assert attrs == {"completed_rung_0": value}


@pytest.mark.parametrize("value, pruned", [(6.5, False), (6.0, False), (5.5, True)])
def test_reduction_factor_4_maximize(value: float, pruned: bool) -> None:
    pruner = SuccessiveHalvingPruner(min_resource=1, reduction_factor=4)
    study = rung_history(pruner, [{0: float(v)} for v in range(1, 8)], "maximize")
    assert ask_at(study, 1, value)[0] is pruned


@pytest.mark.parametrize(
    "n_earlier, value, pruned",
    [
        (5, 1.5, False),  # 6 // 3 = 2 go on: <= 2nd smallest
        (5, 2.0, False),
        (5, 2.5, True),
        (4, 0.5, False),  # 5 // 3 = 1 goes on: must be the smallest
        (4, 1.0, False),
        (4, 1.5, True),
        (2, 0.9, False),  # fewer than 3 values: only the best goes on
        (2, 1.1, True),
        (0, 99.0, False),  # the very first trial at a rung always goes on
    ],
)
def test_reduction_factor_3(n_earlier: int, value: float, pruned: bool) -> None:
    pruner = SuccessiveHalvingPruner(min_resource=1, reduction_factor=3)
    study = rung_history(pruner, [{0: float(v)} for v in range(1, n_earlier + 1)])
    assert ask_at(study, 1, value)[0] is pruned


def test_rung_steps_grow_geometrically_and_each_rung_is_judged_at_its_end() -> None:
    pruner = SuccessiveHalvingPruner(min_resource=2, reduction_factor=3)
    # Rungs end at steps 2, 6, 18; earlier trials were all better at every rung.
    study = rung_history(pruner, [{0: 0.0, 1: 0.0, 2: 0.0}] * 2)
    trial = study.ask()
    pruned_at = []
    for step in range(20):
        trial.report(1.0, step)
        if trial.should_prune():
            pruned_at.append(step)
    # A trial that goes on after losing is judged again only at the next rung's end.
    assert pruned_at == [2, 6, 18]
    attrs = study._storage.get_trial(trial._trial_id).system_attrs
    assert attrs == {f"completed_rung_{r}": 1.0 for r in range(3)}


def test_a_late_first_report_passes_several_rungs_in_one_call() -> None:
    pruner = SuccessiveHalvingPruner(min_resource=1, reduction_factor=4)
    earlier = [{0: float(v), 1: float(v)} for v in range(1, 8)]
    study = rung_history(pruner, earlier)
    pruned, attrs = ask_at(study, 5, 1.5)
    assert pruned is False
    assert attrs == {"completed_rung_0": 1.5, "completed_rung_1": 1.5}
    # 7 finished + the running 1.5 + this: 9 // 4 = 2 go on, and 2.5 is third.
    pruned, attrs = ask_at(study, 5, 2.5)
    assert pruned is True
    assert attrs == {"completed_rung_0": 2.5}


def test_min_early_stopping_rate_delays_the_first_rung() -> None:
    pruner = SuccessiveHalvingPruner(min_resource=2, reduction_factor=3, min_early_stopping_rate=1)
    study = rung_history(pruner, [{0: 0.0}] * 3)
    assert ask_at(study, 5, 9.0) == (False, {})
    assert ask_at(study, 6, 9.0) == (True, {"completed_rung_0": 9.0})


def test_min_resource_auto_waits_for_a_complete_trial() -> None:
    pruner = SuccessiveHalvingPruner(reduction_factor=2)
    study = rung_history(pruner, [{0: 0.0}] * 3)  # PRUNED trials do not fix min_resource
    assert ask_at(study, 50, 9.0) == (False, {})
    add_finished(study, [{s: 0.0 for s in range(300)}])  # last step 299: min_resource 2
    assert ask_at(study, 1, 9.0) == (False, {})
    assert ask_at(study, 2, 9.0) == (True, {"completed_rung_0": 9.0})


def test_bootstrap_count_prunes_until_enough_trials_reached_the_rung() -> None:
    pruner = SuccessiveHalvingPruner(min_resource=1, reduction_factor=2, bootstrap_count=2)
    study = rung_history(pruner, [])
    assert ask_at(study, 1, 0.0)[0] is True  # 1 value <= 2
    assert ask_at(study, 1, 0.0)[0] is True  # 2 values <= 2
    assert ask_at(study, 1, -1.0)[0] is False  # 3 values; best goes on


def test_nan_at_a_rung_is_pruned_but_not_before_it() -> None:
    pruner = SuccessiveHalvingPruner(min_resource=3, reduction_factor=2)
    study = rung_history(pruner, [{0: 1.0}])
    assert ask_at(study, 2, math.nan) == (False, {})
    assert ask_at(study, 3, math.nan) == (True, {})


def test_values_of_running_and_failed_trials_compete_too() -> None:
    pruner = SuccessiveHalvingPruner(min_resource=1, reduction_factor=4)
    study = rung_history(pruner, [])
    runner = study.ask()
    runner.report(0.0, 1)
    assert runner.should_prune() is False  # first at the rung: goes on, records 0.0
    assert ask_at(study, 1, 0.5)[0] is True  # 2 values: only the best (0.0, running) goes on
    failing = rung_history(pruner, [{0: -1.0}], state=TrialState.FAIL)
    assert ask_at(failing, 1, 0.5)[0] is True


def test_rung_records_use_optunas_attribute_names_and_survive_reload() -> None:
    pruner = SuccessiveHalvingPruner(min_resource=1, reduction_factor=2)
    study = rung_history(pruner, [])

    def objective(trial: trimtab.Trial) -> float:
        for step in range(8):
            trial.report(float(trial.number), step)
            if trial.should_prune():
                raise trimtab.TrialPruned()
        return float(trial.number)

    study.optimize(objective, n_trials=6)
    first = study.trials[0]
    # Rungs end at steps 1, 2, 4 (and 8, never reached).
    assert {k for k in first.system_attrs} == {f"completed_rung_{r}" for r in range(3)}
    states = [t.state for t in study.trials]
    assert states[0] == TrialState.COMPLETE and TrialState.PRUNED in states


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(min_resource="fast"), ValueError, "min_resource"),
        (dict(min_resource=0), ValueError, "min_resource >= 1"),
        (dict(min_resource=1.5), TypeError, "min_resource"),
        (dict(reduction_factor=1), ValueError, "reduction_factor >= 2"),
        (dict(min_early_stopping_rate=-1), ValueError, "min_early_stopping_rate >= 0"),
        (dict(min_resource=1, bootstrap_count=-1), ValueError, "bootstrap_count >= 0"),
        (dict(bootstrap_count=1), ValueError, "mutually incompatible"),
        (dict(reduction_factor="4"), TypeError, "reduction_factor"),
    ],
)
def test_bad_arguments(kwargs: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        SuccessiveHalvingPruner(**kwargs)

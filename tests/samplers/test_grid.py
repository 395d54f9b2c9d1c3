"""GridSampler: full coverage, no repeats, stop when exhausted, clear errors."""

from __future__ import annotations

import pytest

import trimtab
from trimtab.samplers import GridSampler
from trimtab.trial import TrialState


@pytest.fixture(autouse=True)
def quiet() -> None:
    trimtab.logging.set_verbosity(trimtab.logging.ERROR)


def objective(trial: trimtab.Trial) -> float:
    return trial.suggest_float("x", -1, 1) + trial.suggest_int("n", 0, 10)


SPACE = {"x": [-1.0, 0.0, 1.0], "n": [0, 5, 10]}


def test_covers_every_point_once_then_stops() -> None:
    study = trimtab.create_study(sampler=GridSampler(SPACE))
    study.optimize(objective, n_trials=100)
    points = sorted((t.params["x"], t.params["n"]) for t in study.trials)
    assert points == sorted((x, n) for x in SPACE["x"] for n in SPACE["n"])
    assert study.sampler.is_exhausted(study)


def test_ask_and_tell_finishes_the_grid_without_stopping_anything() -> None:
    study = trimtab.create_study(sampler=GridSampler(SPACE))
    for _ in range(9):  # the last tell exhausts the grid: no optimize loop to stop, no error
        trial = study.ask()
        study.tell(trial, objective(trial))
    assert study.sampler.is_exhausted(study)
    study.optimize(objective, n_trials=100)  # a later run is not stopped in advance
    assert len(study.trials) == 10


def test_threads_cover_the_grid_without_repeats() -> None:
    study = trimtab.create_study(sampler=GridSampler(SPACE))
    study.optimize(objective, n_trials=9, n_jobs=3)
    points = [(t.params["x"], t.params["n"]) for t in study.trials]
    assert len(set(points)) == 9


def test_a_second_run_reevaluates_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    study = trimtab.create_study(sampler=GridSampler({"x": [0.0]}))
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    assert len(study.trials) == 2 and study.trials[1].params == {"x": 0.0}


def test_parameter_outside_the_grid_fails_the_trial_clearly() -> None:
    study = trimtab.create_study(sampler=GridSampler({"x": [0.0]}))
    study.optimize(
        lambda t: t.suggest_float("x", 0, 1) + t.suggest_float("y", 0, 1),
        n_trials=1,
        catch=(ValueError,),
    )
    assert study.trials[0].state == TrialState.FAIL


def test_out_of_range_grid_value_warns() -> None:
    study = trimtab.create_study(sampler=GridSampler({"x": [5.0]}))
    with pytest.warns(UserWarning, match="out of range"):
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    assert study.trials[0].params == {"x": 5.0}


@pytest.mark.parametrize("space", [{"x": []}, {"x": "abc"}, ["x"]])
def test_bad_search_space(space: object) -> None:
    with pytest.raises((ValueError, TypeError)):
        GridSampler(space)  # type: ignore[arg-type]


def test_grid_ids_are_stored_for_other_tools() -> None:
    study = trimtab.create_study(sampler=GridSampler(SPACE))
    study.optimize(objective, n_trials=2)
    attrs = study.trials[0].system_attrs
    assert attrs["grid_id"] == 0 and attrs["search_space"] == {
        "n": [0, 5, 10],
        "x": [-1.0, 0.0, 1.0],
    }

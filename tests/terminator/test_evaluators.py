"""The improvement and error evaluators, as a user calls them (no torch, no Optuna)."""

from __future__ import annotations

import math
import sys
import warnings

import numpy as np
import pytest

import trimtab
from trimtab.exceptions import ExperimentalWarning
from trimtab.study import StudyDirection
from trimtab.terminator import (
    BestValueStagnationEvaluator,
    CrossValidationErrorEvaluator,
    EMMREvaluator,
    MedianErrorEvaluator,
    RegretBoundEvaluator,
    StaticErrorEvaluator,
    report_cross_validation_scores,
)
from trimtab.terminator._improvement import BaseImprovementEvaluator
from trimtab.trial import FrozenTrial

pytestmark = pytest.mark.filterwarnings("ignore::trimtab.exceptions.ExperimentalWarning")
MIN, MAX = StudyDirection.MINIMIZE, StudyDirection.MAXIMIZE
trimtab.logging.set_verbosity(trimtab.logging.WARNING)


def quadratic_study(n: int, seed: int = 0, sampler: str = "tpe") -> trimtab.Study:
    samplers = trimtab.samplers
    chosen = samplers.TPESampler(seed=seed) if sampler == "tpe" else samplers.RandomSampler(seed)
    study = trimtab.create_study(sampler=chosen)
    study.optimize(
        lambda t: (t.suggest_float("x", -3, 3) - 1) ** 2 + 0.5 * t.suggest_int("k", 0, 4),
        n_trials=n,
    )
    return study


def with_values(values: list[float]) -> list[FrozenTrial]:
    dist = trimtab.distributions.FloatDistribution(0, 1)
    return [
        trimtab.create_trial(params={"x": i / len(values)}, distributions={"x": dist}, value=v)
        for i, v in enumerate(values)
    ]


def test_report_cross_validation_scores_stores_floats_that_any_storage_keeps(tmp_path) -> None:
    study = trimtab.create_study(storage=f"sqlite:///{tmp_path / 'cv.db'}", direction="maximize")
    trial = study.ask()
    with pytest.warns(FutureWarning, match="terminator` module has been deprecated"):
        report_cross_validation_scores(trial, np.array([0.8, 0.9, 0.85]))
    study.tell(trial, 0.85)
    stored = study.trials[0].system_attrs["terminator:cv_scores"]
    assert stored == [0.8, 0.9, 0.85] and all(type(s) is float for s in stored)


def test_report_cross_validation_scores_needs_two_scores() -> None:
    trial = trimtab.create_study().ask()
    with pytest.raises(ValueError, match="greater than one"), pytest.warns(FutureWarning):
        report_cross_validation_scores(trial, [0.9])


@pytest.mark.parametrize("direction", [MIN, MAX])
def test_cross_validation_error_is_the_corrected_std_of_the_best_trials_scores(direction) -> None:
    study = trimtab.create_study(direction=direction.name.lower())
    for scores in ([0.5, 0.7, 0.6, 0.6], [0.9, 0.8, 0.95, 0.85], [0.1, 0.3, 0.2, 0.2]):
        trial = study.ask()
        trial.suggest_float("x", 0, 1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            report_cross_validation_scores(trial, scores)
        study.tell(trial, float(np.mean(scores)))
    best = [0.9, 0.8, 0.95, 0.85] if direction == MAX else [0.1, 0.3, 0.2, 0.2]
    expected = math.sqrt((1 / 4 + 1 / 3) * np.var(best))
    error = CrossValidationErrorEvaluator().evaluate(study.trials, direction)
    assert error == pytest.approx(expected, rel=1e-12)


def test_cross_validation_error_without_reported_scores_says_what_to_call() -> None:
    with pytest.raises(ValueError, match="report_cross_validation_scores"):
        CrossValidationErrorEvaluator().evaluate(with_values([1.0, 2.0]), MIN)


def test_experimental_and_deprecation_warnings_match_optunas() -> None:
    with pytest.warns(ExperimentalWarning, match=r"RegretBoundEvaluator is experimental \(supported from v3.2.0\)"):  # noqa: E501
        RegretBoundEvaluator()
    with pytest.warns(ExperimentalWarning, match=r"EMMREvaluator is experimental \(supported from v4.0.0\)"):  # noqa: E501
        EMMREvaluator()
    with pytest.warns(ExperimentalWarning, match="BestValueStagnationEvaluator.*v3.4.0"):
        BestValueStagnationEvaluator()
    with pytest.warns(ExperimentalWarning, match="StaticErrorEvaluator.*v3.2.0"):
        StaticErrorEvaluator(1.0)
    with pytest.warns(FutureWarning, match="deprecated in v4.9.0.*removed in v6.0.0"):
        trimtab.terminator.Terminator(min_n_trials=5)


def test_static_error_is_the_constant() -> None:
    assert StaticErrorEvaluator(0.25).evaluate(with_values([1.0]), MIN) == 0.25


def test_best_value_stagnation_counts_trials_since_the_first_best() -> None:
    evaluator = BestValueStagnationEvaluator(max_stagnation_trials=5)
    assert evaluator.evaluate(with_values([3.0, 1.0, 2.0, 1.0, 4.0]), MIN) == 5 - 3
    assert evaluator.evaluate(with_values([3.0, 1.0, 2.0, 1.0, 4.0]), MAX) == 5 - 0
    with pytest.raises(ValueError, match="must not be negative"):
        BestValueStagnationEvaluator(-1)
    with pytest.raises(ValueError, match="no trial has been completed"):
        evaluator.evaluate([], MIN)


def test_regret_bound_shrinks_as_the_optimum_is_pinned_down() -> None:
    study = quadratic_study(80)
    early = RegretBoundEvaluator(seed=0).evaluate(study.trials[:20], MIN)
    late = RegretBoundEvaluator(seed=0).evaluate(study.trials, MIN)
    assert 0 < late < early
    # Seeded: the same trials give the same bound.
    assert RegretBoundEvaluator(seed=3).evaluate(study.trials, MIN) == RegretBoundEvaluator(
        seed=3
    ).evaluate(study.trials, MIN)


def test_regret_bound_is_in_the_objectives_units() -> None:
    study = quadratic_study(40)
    scaled = [
        trimtab.create_trial(params=t.params, distributions=t.distributions, value=t.value * 1000)
        for t in study.trials
    ]
    base = RegretBoundEvaluator(seed=1).evaluate(study.trials, MIN)
    assert RegretBoundEvaluator(seed=1).evaluate(scaled, MIN) == pytest.approx(1000 * base, 1e-3)


def test_regret_bound_rejects_studies_it_cannot_judge() -> None:
    with pytest.raises(ValueError, match="no trial has been completed"):
        RegretBoundEvaluator().evaluate([], MIN)
    no_params = [trimtab.create_trial(value=1.0), trimtab.create_trial(value=2.0)]
    with pytest.raises(ValueError, match="intersection search space is empty"):
        RegretBoundEvaluator().evaluate(no_params, MIN)


def test_emmr_does_not_stop_before_min_n_trials_or_without_parameters() -> None:
    big = sys.float_info.max * 0.1
    assert EMMREvaluator().evaluate(with_values([1.0]), MIN) == big
    no_params = [trimtab.create_trial(value=1.0), trimtab.create_trial(value=2.0)]
    with pytest.warns(UserWarning, match="cannot consider any search space"):
        assert EMMREvaluator().evaluate(no_params, MIN) == big
    with pytest.raises(ValueError, match="more than one"):
        EMMREvaluator(min_n_trials=1)


def test_emmr_falls_once_the_study_converges() -> None:
    study = quadratic_study(60)
    values = [EMMREvaluator(seed=0).evaluate(study.trials[:n], MIN) for n in (12, 60)]
    assert np.isfinite(values).all() and values[1] < values[0]


class _CountingEvaluator(BaseImprovementEvaluator):
    """Returns the number of trials it is given, and remembers the calls."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def evaluate(self, trials: list[FrozenTrial], study_direction: StudyDirection) -> float:
        self.calls.append(len(trials))
        return float(len(trials))


def test_median_error_is_the_ratio_of_the_median_early_improvement() -> None:
    paired = _CountingEvaluator()
    evaluator = MedianErrorEvaluator(paired, warm_up_trials=3, n_initial_trials=5,
                                     threshold_ratio=0.1)
    assert evaluator.evaluate(with_values([1.0] * 7), MIN) == -sys.float_info.min
    assert paired.calls == []
    assert evaluator.evaluate(with_values([1.0] * 8), MIN) == pytest.approx(0.3)  # median of 1..5
    assert paired.calls == [1, 2, 3, 4, 5]
    assert evaluator.evaluate(with_values([1.0] * 30), MIN) == pytest.approx(0.3)  # fixed now
    assert paired.calls == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    "kwargs, match",
    [({"warm_up_trials": -1}, "warm_up_trials"), ({"n_initial_trials": 0}, "n_initial_trials"),
     ({"threshold_ratio": 0.0}, "threshold_ratio"), ({"threshold_ratio": math.inf}, "threshold")],
)
def test_median_error_rejects_bad_arguments(kwargs, match) -> None:
    with pytest.raises(ValueError, match=match):
        MedianErrorEvaluator(_CountingEvaluator(), **kwargs)

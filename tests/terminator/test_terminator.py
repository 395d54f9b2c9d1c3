"""``Terminator`` and ``TerminatorCallback`` in studies, as a user runs them."""

from __future__ import annotations

import logging

import pytest

import trimtab
from trimtab.study import Study, StudyDirection
from trimtab.terminator import (
    BaseErrorEvaluator,
    BaseImprovementEvaluator,
    BaseTerminator,
    BestValueStagnationEvaluator,
    CrossValidationErrorEvaluator,
    RegretBoundEvaluator,
    StaticErrorEvaluator,
    Terminator,
    TerminatorCallback,
)
from trimtab.trial import FrozenTrial

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::trimtab.exceptions.ExperimentalWarning")  # noqa: E501


class _Fixed(BaseImprovementEvaluator, BaseErrorEvaluator):
    """Returns ``value`` and records how many trials it was given."""

    def __init__(self, value: float) -> None:
        self.value = value
        self.seen: list[int] = []

    def evaluate(self, trials: list[FrozenTrial], study_direction: StudyDirection) -> float:
        self.seen.append(len(trials))
        return self.value


def _study(n: int) -> Study:
    study = trimtab.create_study(sampler=trimtab.samplers.RandomSampler(seed=0))
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=n)
    return study


def test_terminator_stops_when_improvement_is_below_error_after_min_n_trials() -> None:
    low, high = _Fixed(1.0), _Fixed(2.0)
    terminator = Terminator(improvement_evaluator=low, error_evaluator=high, min_n_trials=5)
    assert not terminator.should_terminate(_study(4))
    assert low.seen == []  # not even evaluated before min_n_trials
    assert terminator.should_terminate(_study(5))
    assert not Terminator(high, low, min_n_trials=5).should_terminate(_study(5))


def test_terminator_counts_only_complete_trials_but_passes_all() -> None:
    study = _study(3)
    study.ask()  # a RUNNING trial
    improvement, error = _Fixed(0.0), _Fixed(1.0)
    assert not Terminator(improvement, error, min_n_trials=4).should_terminate(study)
    assert Terminator(improvement, error, min_n_trials=3).should_terminate(study)
    assert improvement.seen == [4]


def test_terminator_defaults() -> None:
    terminator = Terminator()
    assert isinstance(terminator._improvement_evaluator, RegretBoundEvaluator)
    assert isinstance(terminator._error_evaluator, CrossValidationErrorEvaluator)
    assert terminator._min_n_trials == 20
    stagnation = Terminator(BestValueStagnationEvaluator())
    assert isinstance(stagnation._error_evaluator, StaticErrorEvaluator)
    assert stagnation._error_evaluator.evaluate([], StudyDirection.MINIMIZE) == 0


@pytest.mark.parametrize("bad", [0, -3])
def test_terminator_rejects_non_positive_min_n_trials(bad: int) -> None:
    with pytest.raises(ValueError, match="min_n_trials"):
        Terminator(min_n_trials=bad)


def test_callback_stops_optimize_after_stagnation_and_logs_it(caplog) -> None:
    # The value improves up to trial 10, then never again: with 4 trials of stagnation
    # allowed, trial 15 is the fifth without improvement and the study stops after it.
    study = trimtab.create_study()
    terminator = Terminator(BestValueStagnationEvaluator(max_stagnation_trials=4), min_n_trials=1)
    caplog.set_level(logging.INFO, logger="trimtab")
    study.optimize(
        lambda t: max(10 - t.number, 0) + t.suggest_float("x", 0, 1e-9) * 0,
        n_trials=100,
        callbacks=[TerminatorCallback(terminator)],
    )
    assert len(study.trials) == 16
    assert "The study has been stopped by the terminator." in caplog.text


def test_callback_defaults_to_a_default_terminator() -> None:
    assert isinstance(TerminatorCallback()._terminator, Terminator)


def test_user_terminator_subclass_works_in_the_callback() -> None:
    class AfterSeven(BaseTerminator):
        def should_terminate(self, study: Study) -> bool:
            return len(study.trials) >= 7

    study = trimtab.create_study()
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=50,
                   callbacks=[TerminatorCallback(AfterSeven())])
    assert len(study.trials) == 7


def test_ask_and_tell_loop_from_optunas_docs_stops_on_a_cv_objective() -> None:
    """Optuna's Terminator docstring example, with a cheap 5-fold objective (numpy only)."""
    import numpy as np

    rng = np.random.default_rng(0)
    study = trimtab.create_study(direction="maximize",
                                 sampler=trimtab.samplers.TPESampler(seed=0))
    terminator = Terminator()
    for _ in range(200):
        trial = study.ask()
        x = trial.suggest_float("x", -3, 3)
        scores = 1.0 - (x - 1) ** 2 / 10 + rng.normal(0, 0.02, size=5)
        trimtab.terminator.report_cross_validation_scores(trial, scores)
        study.tell(trial, float(scores.mean()))
        if trial.number > 20 and terminator.should_terminate(study):
            break
    assert 20 < len(study.trials) < 200
    assert study.best_params["x"] == pytest.approx(1.0, abs=0.5)

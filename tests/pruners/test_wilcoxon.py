"""WilcoxonPruner and its signed-rank test (ties, zeros) on cases whose answer is known."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import scipy.stats
from pruner_helpers import study_with

import trimtab
from trimtab.exceptions import ExperimentalWarning
from trimtab.pruners import WilcoxonPruner
from trimtab.pruners._signed_rank import signed_rank_pvalue
from trimtab.trial import create_trial


@pytest.fixture(autouse=True)
def quiet() -> None:
    trimtab.logging.set_verbosity(trimtab.logging.WARNING)


def wilcoxon(**kwargs: float) -> WilcoxonPruner:
    with pytest.warns(ExperimentalWarning, match="WilcoxonPruner is experimental"):
        return WilcoxonPruner(**kwargs)  # type: ignore[arg-type]


def scipy_p(d: list[float], alternative: str) -> float:
    return float(scipy.stats.wilcoxon(d, alternative=alternative, zero_method="zsplit").pvalue)


@pytest.mark.parametrize(
    "d, alternative, expected",
    [
        ([1, 2, 3, 4, 5], "greater", 1 / 32),  # exact: only all-positive has R+ = 15
        ([1, 2, 3, 4, 5], "less", 1.0),
        ([1, 1, -1, 2], "greater", 4 / 16),  # ties: ranks 2, 2, 2, 4; R+ = 8
        ([0, 1, 2], "greater", 2 / 8),  # a zero: half its rank to each side
        ([0, 0, 0], "greater", 1.0),
    ],
)
def test_signed_rank_pvalues_computed_by_hand(
    d: list[float], alternative: str, expected: float
) -> None:
    assert signed_rank_pvalue(np.array(d, dtype=float), alternative) == expected  # type: ignore[arg-type]
    assert scipy_p(d, alternative) == expected


def test_signed_rank_matches_scipy_bit_for_bit() -> None:
    rng = np.random.default_rng(1)
    cases = []
    for n in (2, 3, 5, 8, 13, 14, 20, 50, 51, 80):
        cases.append(rng.normal(size=n))  # exact (n <= 50) or normal
        cases.append(rng.integers(-3, 4, size=n).astype(float))  # ties and zeros
        cases.append(np.round(rng.normal(size=n) + 0.3, 1))
    for d in cases:
        for alternative in ("less", "greater"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                expected = scipy_p(list(d), alternative)
            assert signed_rank_pvalue(d, alternative) == expected, (list(d), alternative)  # type: ignore[arg-type]


@pytest.mark.slow
def test_signed_rank_matches_scipy_on_many_random_samples() -> None:
    rng = np.random.default_rng(2)
    for i in range(500):
        n = int(rng.integers(2, 70))
        d = [rng.normal(size=n), rng.integers(-3, 4, size=n).astype(float)][i % 2]
        for alternative in ("less", "greater"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                expected = scipy_p(list(d), alternative)
            assert signed_rank_pvalue(d, alternative) == expected  # type: ignore[arg-type]


def best_study(scores: list[float], pruner: WilcoxonPruner, direction: str = "minimize"):  # type: ignore[no-untyped-def]
    study = study_with(pruner, [], direction)
    study.add_trial(
        create_trial(value=float(np.mean(scores)), intermediate_values=dict(enumerate(scores)))
    )
    return study


def run(study: trimtab.Study, scores: list[float]) -> list[bool]:
    trial = study.ask()
    answers = []
    for step, score in enumerate(scores):
        trial.report(score, step)
        answers.append(trial.should_prune())
    return answers


def test_uniformly_worse_instances_are_pruned_once_significant() -> None:
    # Optuna compares the current average with the best trial's average over all its steps,
    # so the best trial's scores are flat here.
    best = [1.0] * 10
    study = best_study(best, wilcoxon(p_threshold=0.1))
    # Every difference is +1 (all tied): p = 1 / 2**n, below 0.1 from 4 instances on.
    assert run(study, [b + 1 for b in best]) == [False] * 3 + [True] * 7
    maximize = best_study(best, wilcoxon(p_threshold=0.1), "maximize")
    assert run(maximize, [b - 1 for b in best]) == [False] * 3 + [True] * 7
    assert run(maximize, [b + 1 for b in best]) == [False] * 10


def test_n_startup_steps_delays_the_test() -> None:
    best = [1.0] * 10
    study = best_study(best, wilcoxon(p_threshold=0.1, n_startup_steps=6))
    assert run(study, [b + 1 for b in best]) == [False] * 5 + [True] * 5


def test_equal_scores_with_ties_are_not_pruned() -> None:
    best = [0.5, 0.5, 0.7, 0.7, 0.9, 0.9, 0.5, 0.7]
    study = best_study(best, wilcoxon(p_threshold=0.5))
    assert run(study, list(best)) == [False] * 8  # all zero differences: p = 1


def test_a_worse_rank_sum_with_a_better_average_is_kept() -> None:
    best = [10.0] * 13
    current = [11.0] * 12 + [-90.0]  # 12 small losses, one huge win
    d = np.array(current) - np.array(best)
    assert signed_rank_pvalue(d, "greater") == 80 / 8192  # "significantly worse" by ranks
    study = best_study(best, wilcoxon(p_threshold=0.1))
    assert run(study, current)[-1] is False


def test_non_finite_values_warn_and_never_prune() -> None:
    study = best_study([0.0, 0.0, 0.0, 0.0], wilcoxon())
    trial = study.ask()
    for step, value in enumerate([1.0, 1.0, math.inf, 1.0]):
        trial.report(value, step)
    with pytest.warns(UserWarning, match="current trial .* contain infinity/NaNs"):
        assert trial.should_prune() is False
    bad_best = study_with(wilcoxon(), [])
    bad_best.add_trial(create_trial(value=0.0, intermediate_values={0: math.nan, 1: 0.0}))
    with pytest.warns(UserWarning, match="best trial .* contain infinity/NaNs"):
        assert run(bad_best, [5.0]) == [False]


def test_a_best_trial_without_values_warns_and_no_best_never_prunes() -> None:
    study = study_with(wilcoxon(), [])
    assert run(study, [5.0, 5.0, 5.0]) == [False] * 3  # nothing COMPLETE yet
    study.add_trial(create_trial(value=0.0))
    with pytest.warns(UserWarning, match="best trial has no intermediate values"):
        assert run(study, [5.0]) == [False]


def test_steps_missing_from_the_best_trial_are_ignored_with_a_warning() -> None:
    study = best_study([0.0] * 6, wilcoxon(p_threshold=0.1))
    trial = study.ask()
    for step in range(6):
        trial.report(1.0, step)
    trial.report(1.0, 99)
    with pytest.warns(UserWarning, match="does not exist in the best trial"):
        assert trial.should_prune() is True


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(p_threshold=-0.1), "p_threshold must be between 0 and 1"),
        (dict(p_threshold=1.1), "p_threshold must be between 0 and 1"),
        (dict(n_startup_steps=-1), "n_startup_steps must be nonnegative"),
    ],
)
def test_bad_arguments(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        wilcoxon(**kwargs)
    with pytest.raises(TypeError):
        WilcoxonPruner(0.1)  # type: ignore[misc]

"""MedianPruner and PercentilePruner on histories whose answer is known."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from pruner_helpers import add_finished, decide, decisions, study_with

import trimtab
from trimtab.pruners import MedianPruner, PercentilePruner
from trimtab.pruners._cache import percentile_of_sorted
from trimtab.trial import TrialState


@pytest.fixture(autouse=True)
def quiet() -> None:
    trimtab.logging.set_verbosity(trimtab.logging.WARNING)


def flat(*values: float) -> list[dict[int, float]]:
    """One finished trial per value, each reporting that value at step 0."""
    return [{0: v} for v in values]


def test_a_trial_exactly_at_the_median_goes_on_and_one_just_worse_is_pruned() -> None:
    study = study_with(MedianPruner(n_startup_trials=5), flat(1, 2, 3, 4, 5))
    assert decide(study, {0: 3.0}) is False
    assert decide(study, {0: 3.0000001}) is True
    assert decide(study, {0: 2.9}) is False


def test_median_of_an_even_count_interpolates() -> None:
    study = study_with(MedianPruner(n_startup_trials=0), flat(1, 2, 3, 4))
    assert decide(study, {0: 2.5}) is False
    assert decide(study, {0: 2.51}) is True


def test_maximize_mirrors_the_rule() -> None:
    study = study_with(MedianPruner(n_startup_trials=5), flat(1, 2, 3, 4, 5), "maximize")
    assert decide(study, {0: 3.0}) is False
    assert decide(study, {0: 2.99}) is True


def test_the_best_value_over_steps_is_compared_with_the_current_steps_median() -> None:
    curves = [{0: 5.0, 1: 1.0}] * 5
    study = study_with(MedianPruner(), curves)
    # Step 1's median is 1.0; the trial's best so far is 0.5 (at step 0) although it now
    # reports 9.0.
    assert decisions(study, [(0, 0.5), (1, 9.0)]) == [False, False]
    assert decisions(study, [(0, 6.0), (1, 1.5)]) == [True, True]


def test_startup_trials_boundary_counts_only_complete_trials() -> None:
    study = study_with(MedianPruner(n_startup_trials=5), flat(1, 2, 3, 4))
    add_finished(study, flat(0, 0, 0), state=TrialState.PRUNED)
    assert decide(study, {0: 100.0}) is False  # 4 COMPLETE < 5
    add_finished(study, flat(5))
    assert decide(study, {0: 100.0}) is True


def test_no_completed_trial_never_prunes() -> None:
    study = study_with(MedianPruner(n_startup_trials=0), [])
    assert decide(study, {0: 100.0}) is False
    assert decide(study, {}) is False


def test_warmup_boundary_first_check_is_at_n_warmup_steps() -> None:
    curves = [{s: 0.0 for s in range(10)}] * 5
    study = study_with(MedianPruner(n_warmup_steps=3), curves)
    assert decisions(study, [(s, 1.0) for s in range(5)]) == [False, False, False, True, True]


def test_interval_steps_checks_every_interval_after_warmup() -> None:
    curves = [{s: 0.0 for s in range(12)}] * 5
    study = study_with(MedianPruner(n_warmup_steps=2, interval_steps=3), curves)
    got = decisions(study, [(s, 1.0) for s in range(12)])
    assert [s for s, pruned in enumerate(got) if pruned] == [2, 5, 8, 11]


def test_a_missed_check_point_is_postponed_to_the_next_report() -> None:
    curves = [{s: 0.0 for s in range(12)}] * 5
    study = study_with(MedianPruner(interval_steps=5), curves)
    # Check points are 0, 5, 10; nothing is reported at 5, so step 7 is checked, 8 is not.
    assert decisions(study, [(0, 1.0), (3, 1.0), (7, 1.0), (8, 1.0), (11, 1.0)]) == [
        True,
        False,
        True,
        False,
        True,
    ]


def test_n_min_trials_needs_enough_values_at_the_step() -> None:
    curves = [{0: 0.0, 1: 0.0}] * 2 + [{0: 0.0}] * 3
    study = study_with(MedianPruner(n_startup_trials=0, n_min_trials=3), curves)
    assert decide(study, {0: 1.0}) is True  # 5 values at step 0
    assert decide(study, {0: -1.0, 1: 1.0}) is False  # 2 values at step 1 < 3
    add_finished(study, [{0: 0.0, 1: 0.0}])
    assert decide(study, {0: 1.0, 1: 1.0}) is True


def test_nan_values_are_ignored_by_the_median_but_count_for_n_min_trials() -> None:
    nan = math.nan
    study = study_with(MedianPruner(n_startup_trials=0, n_min_trials=3), flat(nan, 1, 3))
    assert decide(study, {0: 2.0}) is False  # median of [1, 3] is 2
    assert decide(study, {0: 2.5}) is True
    all_nan = study_with(MedianPruner(n_startup_trials=0), flat(nan, nan))
    assert decide(all_nan, {0: 100.0}) is False  # no median, no decision


def test_a_trial_whose_values_are_all_nan_is_pruned_and_nan_is_ignored_in_its_best() -> None:
    study = study_with(MedianPruner(), flat(1, 2, 3, 4, 5))
    assert decide(study, {0: math.nan}) is True
    study = study_with(MedianPruner(), [{0: 1.0, 1: 1.0}] * 5)
    assert decide(study, {0: 0.5, 1: math.nan}) is False


def test_percentile_25_keeps_the_best_quarter() -> None:
    # Values 1..5 at step 0: the 25th percentile is 2.0 and the 75th is 4.0.
    study = study_with(PercentilePruner(25.0), flat(1, 2, 3, 4, 5))
    assert decide(study, {0: 2.0}) is False
    assert decide(study, {0: 2.5}) is True
    study = study_with(PercentilePruner(25.0), flat(1, 2, 3, 4, 5), "maximize")
    assert decide(study, {0: 4.0}) is False
    assert decide(study, {0: 3.5}) is True


def test_percentile_extremes() -> None:
    study = study_with(PercentilePruner(0.0), flat(1, 2, 3, 4, 5))
    assert decide(study, {0: 1.0}) is False
    assert decide(study, {0: 1.5}) is True
    study = study_with(PercentilePruner(100.0), flat(1, 2, 3, 4, 5))
    assert decide(study, {0: 5.0}) is False
    assert decide(study, {0: 5.5}) is True


def test_percentile_of_sorted_matches_numpy_nanpercentile() -> None:
    rng = np.random.default_rng(0)
    pool = [-np.inf, np.inf, 0.0, -0.0, 1e308, -1e308, 1.0]
    for _ in range(2000):
        n = int(rng.integers(1, 12))
        values = rng.normal(size=n) * 10.0 ** int(rng.integers(-3, 4))
        if rng.random() < 0.3:
            values[rng.integers(n)] = pool[rng.integers(len(pool))]
        q = float(rng.choice([0.0, 25.0, 50.0, 75.0, 100.0, rng.uniform(0, 100)]))
        with np.errstate(all="ignore"):
            expected = float(np.nanpercentile(values, q))
        got = percentile_of_sorted(sorted(values.tolist()), q)
        assert got == expected or (math.isnan(got) and math.isnan(expected)), (values, q)


def test_the_cache_follows_new_trials_and_separate_studies() -> None:
    pruner = MedianPruner(n_startup_trials=1)
    low = study_with(pruner, flat(0.0))
    high = study_with(pruner, flat(10.0))
    assert decide(low, {0: 5.0}) is True
    assert decide(high, {0: 5.0}) is False
    add_finished(high, flat(1.0, 1.0))  # median of [10, 1, 1] is 1
    assert decide(high, {0: 5.0}) is True
    # Another Study object on the same storage and study shares the history.
    again = trimtab.load_study(study_name=high.study_name, storage=high._storage, pruner=pruner)
    assert decide(again, {0: 5.0}) is True


def test_a_pickled_pruner_starts_with_an_empty_cache() -> None:
    pruner = MedianPruner(n_startup_trials=1)
    study = study_with(pruner, flat(0.0))
    assert decide(study, {0: 5.0}) is True
    clone = pickle.loads(pickle.dumps(pruner))
    study.pruner = clone
    assert decide(study, {0: 5.0}) is True


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(percentile=-0.1), "between 0 and 100"),
        (dict(percentile=100.1), "between 0 and 100"),
        (dict(percentile=50, n_startup_trials=-1), "startup trials cannot be negative"),
        (dict(percentile=50, n_warmup_steps=-1), "warmup steps cannot be negative"),
        (dict(percentile=50, interval_steps=0), "interval steps must be at least 1"),
        (dict(percentile=50, n_min_trials=0), "must be at least 1"),
    ],
)
def test_bad_arguments_raise_value_error(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PercentilePruner(**kwargs)


def test_non_numbers_raise_type_error() -> None:
    with pytest.raises(TypeError, match="n_startup_trials"):
        MedianPruner(n_startup_trials="5")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="percentile"):
        PercentilePruner(None)  # type: ignore[arg-type]

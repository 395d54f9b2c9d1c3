"""Intersection and group-decomposed search spaces."""

from __future__ import annotations

import trimtab
from trimtab.distributions import FloatDistribution, IntDistribution
from trimtab.search_space import (
    IntersectionSearchSpace,
    _GroupDecomposedSearchSpace,
    intersection_search_space,
)
from trimtab.trial import TrialState, create_trial

X = FloatDistribution(0, 1)
N = IntDistribution(0, 5)


def _study() -> trimtab.Study:
    study = trimtab.create_study()
    study.add_trial(
        create_trial(value=1, params={"x": 0.5, "n": 1}, distributions={"x": X, "n": N})
    )
    study.add_trial(create_trial(value=2, params={"x": 0.1}, distributions={"x": X}))
    study.add_trial(create_trial(state=TrialState.PRUNED, params={"n": 2}, distributions={"n": N}))
    return study


def test_intersection_of_complete_trials() -> None:
    study = _study()
    assert intersection_search_space(study.trials) == {"x": X}
    assert intersection_search_space(study.trials, include_pruned=True) == {}


def test_incremental_intersection_matches_the_batch_one() -> None:
    study = _study()
    space = IntersectionSearchSpace()
    assert space.calculate(study) == {"x": X}
    study.add_trial(
        create_trial(value=3, params={"x": 0.2}, distributions={"x": FloatDistribution(0, 2)})
    )
    assert space.calculate(study) == {}


def test_group_decomposition() -> None:
    study = trimtab.create_study()
    study.add_trial(
        create_trial(value=1, params={"x": 0.5, "n": 1}, distributions={"x": X, "n": N})
    )
    study.add_trial(create_trial(value=1, params={"x": 0.5}, distributions={"x": X}))
    groups = _GroupDecomposedSearchSpace().calculate(study).search_spaces
    assert sorted(sorted(g) for g in groups) == [["n"], ["x"]]

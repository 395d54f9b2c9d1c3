"""The one Pareto implementation: every fast path agrees with the definition."""

from __future__ import annotations

import numpy as np
import pytest

from trimtab import _multi_objective as mo
from trimtab._study_records import StudyDirection
from trimtab.trial import create_trial


def _reference_mask(losses: np.ndarray) -> np.ndarray:
    return np.array(
        [
            not any(mo.dominates(losses[j], losses[i]) for j in range(len(losses)) if j != i)
            for i in range(len(losses))
        ],
        dtype=bool,
    )


def _reference_ranks(losses: np.ndarray) -> np.ndarray:
    ranks = np.full(len(losses), -1)
    remaining = list(range(len(losses)))
    rank = 0
    while remaining:
        sub = losses[remaining]
        front = [remaining[i] for i in np.flatnonzero(_reference_mask(sub))]
        ranks[front] = rank
        remaining = [i for i in remaining if i not in front]
        rank += 1
    return ranks


@pytest.mark.parametrize("n_objectives", [1, 2, 3, 4])
@pytest.mark.parametrize("n_points", [0, 1, 7, 60])
def test_mask_and_ranks_match_the_definition(n_objectives: int, n_points: int) -> None:
    rng = np.random.default_rng(n_objectives * 100 + n_points)
    # Few distinct values: many ties and exact duplicates, the cases fast paths get wrong.
    losses = rng.integers(0, 4, size=(n_points, n_objectives)).astype(float)
    if n_points > 2:
        losses[1] = losses[0]
        losses[2, 0] = -np.inf
    expected = _reference_mask(losses) if n_points else np.zeros(0, dtype=bool)
    assert mo.nondominated_mask(losses).tolist() == expected.tolist()
    assert mo.nondomination_ranks(losses).tolist() == _reference_ranks(losses).tolist()


def test_large_inputs_take_the_sweep_and_agree_with_pairwise() -> None:
    rng = np.random.default_rng(0)
    losses = rng.normal(size=(1500, 3)).round(1)
    assert len(losses) ** 2 * 3 > mo._PAIRWISE_LIMIT
    assert mo.nondominated_mask(losses).tolist() == mo._pairwise_mask(losses).tolist()
    small = losses[:200]
    assert mo._count_peel(small).tolist() == _reference_ranks(small).tolist()


def test_ranking_stops_after_n_below_rows() -> None:
    losses = np.array([[0.0, 3.0], [3.0, 0.0], [1.0, 4.0], [4.0, 1.0], [5.0, 5.0], [6.0, 6.0]])
    assert mo.nondomination_ranks(losses).tolist() == [0, 0, 1, 1, 2, 3]
    # Two rows fill the good set: everything after the first front shares rank 1.
    assert mo.nondomination_ranks(losses, n_below=2).tolist() == [0, 0, 1, 1, 1, 1]
    assert mo.nondomination_ranks(losses, n_below=3).tolist() == [0, 0, 1, 1, 2, 2]


def test_penalties_rank_feasible_rows_first() -> None:
    losses = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 0.5]])
    penalties = np.array([2.0, 0.0, 1.0, 0.0])
    # Feasible rows 1 and 3 form the front; infeasible ones follow, least violation first.
    assert mo.nondomination_ranks(losses, penalties=penalties).tolist() == [2, 0, 1, 0]


def test_crowding_distance_is_infinite_at_the_extremes() -> None:
    values = np.array([[0.0, 4.0], [1.0, 3.0], [3.0, 1.0], [4.0, 0.0]])
    distances = mo.crowding_distance(values)
    assert np.isinf(distances[[0, 3]]).all()
    # Each middle point: neighbours 3 apart in each objective of range 4.
    assert distances[1:3].tolist() == [1.5, 1.5]
    assert mo.crowding_distance(np.zeros((3, 2))).tolist() == [0.0, 0.0, 0.0]


def test_pareto_front_trials_follows_the_directions() -> None:
    trials = [
        create_trial(values=[1.0, 1.0]),
        create_trial(values=[2.0, 2.0]),
        create_trial(values=[0.0, 0.0]),
        create_trial(values=[0.0, -1.0]),
    ]
    minimize = [StudyDirection.MINIMIZE, StudyDirection.MINIMIZE]
    mixed = [StudyDirection.MINIMIZE, StudyDirection.MAXIMIZE]
    assert mo.pareto_front_trials(trials, minimize) == [trials[3]]
    # Maximising the second objective: (0, 0) now beats (0, -1), and the rest trade off.
    assert mo.pareto_front_trials(trials, mixed) == trials[:3]
    assert mo.pareto_front_trials([], minimize) == []

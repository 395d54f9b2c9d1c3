"""Exact hypervolume in 1-6 objectives, checked against brute force and known volumes."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from trimtab.hypervolume import compute_hypervolume, hypervolume_contributions


def _grid_volume(points: np.ndarray, ref: np.ndarray) -> float:
    """Exact volume by splitting space on every coordinate (the union of boxes, cell by cell)."""
    axes = [np.unique(np.concatenate([points[:, k], [ref[k]]])) for k in range(len(ref))]
    total = 0.0
    for cell in itertools.product(*[range(len(a) - 1) for a in axes]):
        low = np.array([axes[k][i] for k, i in enumerate(cell)])
        high = np.array([axes[k][i + 1] for k, i in enumerate(cell)])
        if np.any(np.all(points <= low, axis=1)):
            total += float(np.prod(high - low))
    return total


@pytest.mark.parametrize("m,n", [(1, 4), (2, 9), (3, 8), (4, 7), (5, 5)])
def test_matches_brute_force(m: int, n: int) -> None:
    rng = np.random.default_rng(m * 10 + n)
    points = rng.random((n, m))
    ref = np.full(m, 1.2)
    assert compute_hypervolume(points, ref) == pytest.approx(_grid_volume(points, ref), rel=1e-9)


def test_known_values() -> None:
    assert compute_hypervolume(np.array([[1.0, 1.0]]), np.array([2.0, 3.0])) == 2.0
    staircase = np.array([[0.0, 2.0], [1.0, 1.0], [2.0, 0.0]])
    assert compute_hypervolume(staircase, np.array([3.0, 3.0])) == pytest.approx(6.0)
    cube = np.zeros((1, 6))
    assert compute_hypervolume(cube, np.full(6, 2.0)) == pytest.approx(64.0)


def test_points_beyond_reference_and_duplicates_add_nothing() -> None:
    ref = np.array([1.0, 1.0, 1.0])
    base = np.array([[0.5, 0.5, 0.5]])
    extra = np.array([[0.5, 0.5, 0.5], [1.0, 0.0, 0.0], [2.0, 0.1, 0.1], [0.6, 0.6, 0.6]])
    assert compute_hypervolume(np.vstack([base, extra]), ref) == pytest.approx(0.125)
    assert compute_hypervolume(np.zeros((0, 3)), ref) == 0.0


def test_infinite_point_gives_infinite_volume() -> None:
    assert compute_hypervolume(np.array([[-np.inf, 0.0]]), np.array([1.0, 1.0])) == np.inf


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="reference_point"):
        compute_hypervolume(np.zeros((2, 3)), np.zeros(2))
    with pytest.raises(ValueError, match="2-D"):
        compute_hypervolume(np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match="NaN"):
        compute_hypervolume(np.array([[np.nan, 0.0]]), np.ones(2))


@pytest.mark.parametrize("m", [2, 3, 4])
def test_contributions_are_exclusive_volumes(m: int) -> None:
    rng = np.random.default_rng(m)
    points = rng.random((8, m))
    ref = np.full(m, 1.1)
    total = compute_hypervolume(points, ref)
    expected = [total - compute_hypervolume(np.delete(points, i, 0), ref) for i in range(8)]
    assert np.allclose(hypervolume_contributions(points, ref), expected, atol=1e-12)


def test_large_fronts_stay_exact() -> None:
    rng = np.random.default_rng(0)
    angles = rng.random((400, 2)) * np.pi / 2
    front = np.stack(
        [
            np.cos(angles[:, 0]) * np.sin(angles[:, 1]),
            np.sin(angles[:, 0]) * np.sin(angles[:, 1]),
            np.cos(angles[:, 1]),
        ],
        axis=1,
    )
    volume = compute_hypervolume(front, np.ones(3))
    # The dominated part of the unit cube outside a sphere octant tends to 1 - pi/6.
    assert 0.0 < volume < 1 - np.pi / 6 + 1e-12
    assert volume > 1 - np.pi / 6 - 0.05

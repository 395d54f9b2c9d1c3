"""Exact hypervolume: 2-D sweep, 3-D slice sweep, WFG beyond.

Every function takes ``loss_vals`` of shape ``(n_points, n_objectives)`` (minimised) and a
``reference_point`` of shape ``(n_objectives,)``; a point that does not strictly dominate the
reference point adds nothing.
"""

from __future__ import annotations

import numpy as np

from trimtab._multi_objective import nondominated_mask


def compute_hypervolume(
    loss_vals: np.ndarray, reference_point: np.ndarray, assume_pareto: bool = False
) -> float:
    """Return the volume dominated by ``loss_vals`` and bounded by ``reference_point``.

    Args:
        loss_vals: Points, shape ``(n_points, n_objectives)``; every objective is minimised.
        reference_point: Shape ``(n_objectives,)``; usually worse than every point.
        assume_pareto: Skip removing dominated points (the caller knows there are none).

    Returns:
        The hypervolume; ``inf`` when a point is ``-inf`` in some objective and finite below
        the reference point in all others.
    """
    loss_vals = np.asarray(loss_vals, dtype=float)
    reference_point = np.asarray(reference_point, dtype=float)
    if loss_vals.ndim != 2:
        raise ValueError(f"loss_vals must be a 2-D array, got shape {loss_vals.shape}.")
    if reference_point.shape != (loss_vals.shape[1],):
        raise ValueError(
            f"reference_point must have shape ({loss_vals.shape[1]},), got {reference_point.shape}."
        )
    if np.isnan(loss_vals).any() or np.isnan(reference_point).any():
        raise ValueError("loss_vals and reference_point must not contain NaN.")
    points = loss_vals[np.all(loss_vals < reference_point, axis=1)]
    if len(points) == 0:
        return 0.0
    if np.isinf(points).any():
        return float("inf")
    if not assume_pareto:
        points = _pareto_unique(points)
    return _hv(points, reference_point)


def _pareto_unique(points: np.ndarray) -> np.ndarray:
    """The non-dominated points, duplicates removed, sorted by the first objective."""
    points = np.unique(points, axis=0)
    if points.shape[1] == 1:
        return points[:1]
    if points.shape[1] == 2:
        # np.unique sorted by x then y: a point survives when its y beats every earlier y.
        prev_best = np.concatenate([[np.inf], np.minimum.accumulate(points[:-1, 1])])
        return points[points[:, 1] < prev_best]
    return points[nondominated_mask(points)]


def _hv(points: np.ndarray, ref: np.ndarray) -> float:
    """Hypervolume of mutually non-dominated ``points`` (n, m) strictly below ``ref`` (m,)."""
    m = points.shape[1]
    if len(points) == 0:
        return 0.0
    if m == 1:
        return float(ref[0] - points[:, 0].min())
    if len(points) == 1:
        return float(np.prod(ref - points[0]))
    if m == 2:
        return _hv2d(points, ref)
    if m == 3:
        return _hv3d(points, ref)
    return _wfg(points, ref)


def _hv2d(points: np.ndarray, ref: np.ndarray) -> float:
    """2-D sweep over non-dominated ``points`` (n, 2)."""
    order = np.argsort(points[:, 0], kind="stable")
    x, y = points[order, 0], points[order, 1]
    # On a front sorted by x, y decreases: each point adds the strip between it and the previous.
    y_prev = np.concatenate([[ref[1]], y[:-1]])
    return float(np.sum((ref[0] - x) * (y_prev - y)))


def _hv2d_any(points: np.ndarray, ref: np.ndarray) -> float:
    """2-D hypervolume of any points (n, 2) strictly below ``ref``, dominated ones allowed."""
    order = np.lexsort((points[:, 1], points[:, 0]))
    x, y = points[order, 0], points[order, 1]
    running_min = np.minimum.accumulate(y)
    prev_min = np.concatenate([[ref[1]], running_min[:-1]])
    return float(np.sum((ref[0] - x) * np.maximum(prev_min - y, 0.0)))


def _hv3d(points: np.ndarray, ref: np.ndarray) -> float:
    """Sweep along the third objective; each slab's area is a 2-D hypervolume."""
    order = np.argsort(points[:, 2], kind="stable")
    pts = points[order]
    z_next = np.concatenate([pts[1:, 2], [ref[2]]])
    total = 0.0
    for i in range(len(pts)):
        depth = z_next[i] - pts[i, 2]
        if depth > 0.0:
            total += depth * _hv2d_any(pts[: i + 1, :2], ref[:2])
    return total


def _wfg(points: np.ndarray, ref: np.ndarray) -> float:
    """WFG: sum of exclusive volumes, each computed on points limited to the current one."""
    # Sorting by the last objective (descending) keeps the limited sets small.
    pts = points[np.argsort(-points[:, -1], kind="stable")]
    total = 0.0
    for i in range(len(pts)):
        box = float(np.prod(ref - pts[i]))
        rest = pts[i + 1 :]
        if len(rest) == 0:
            total += box
            continue
        limited = np.maximum(rest, pts[i])
        limited = limited[np.all(limited < ref, axis=1)]
        if len(limited) > 0:
            limited = _pareto_unique(limited)
        total += box - _hv(limited, ref)
    return total

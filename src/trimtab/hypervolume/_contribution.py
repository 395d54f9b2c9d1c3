"""Each point's exclusive hypervolume contribution (what the set loses without it)."""

from __future__ import annotations

import numpy as np

from trimtab.hypervolume._compute import compute_hypervolume


def hypervolume_contributions(loss_vals: np.ndarray, reference_point: np.ndarray) -> np.ndarray:
    """Return ``HV(S) - HV(S without i)`` for each row ``i`` of ``loss_vals``.

    Args:
        loss_vals: Points, shape ``(n_points, n_objectives)``; every objective is minimised.
        reference_point: Shape ``(n_objectives,)``.

    Returns:
        Shape ``(n_points,)``. A dominated or duplicated point contributes 0.
    """
    loss_vals = np.asarray(loss_vals, dtype=float)
    reference_point = np.asarray(reference_point, dtype=float)
    n = len(loss_vals)
    if n == 0:
        return np.zeros(0)
    result = np.zeros(n)
    for i in range(n):
        # The exclusive part of point i is its box minus what the others cover inside it.
        box = float(np.prod(np.clip(reference_point - loss_vals[i], 0.0, None)))
        if box == 0.0:
            continue
        others = np.delete(loss_vals, i, axis=0)
        limited = np.maximum(others, loss_vals[i])
        result[i] = box - compute_hypervolume(limited, reference_point)
    return result

"""Which trials a point chart draws when a study has more than a browser can draw quickly.

A chart of 100,000 points costs megabytes of JSON and seconds of drawing, yet shows no more
than a few thousand. The sample keeps what a reader looks for: every trial that improved the
best value so far (so the best-value line is exact), the best and worst values, the outliers
(beyond three interquartile ranges), the Pareto front of several objectives, and fills the
rest with trials picked by a fixed hash of their number, so that a growing study keeps its
picked points from one refresh to the next.
"""

from __future__ import annotations

import numpy as np

from trimtab._study_records import StudyDirection
from trimtab.dashboard._cache import StudyCache
from trimtab.trial import TrialState

POINT_LIMIT = 4000
# fANOVA's cost grows with the trials while its estimate settles after a few thousand.
IMPORTANCE_LIMIT = 3000
CURVE_LIMIT = 1000  # learning curves (each of many steps)


def _improvements(loss: np.ndarray) -> np.ndarray:
    """Positions where the running minimum of ``loss`` (NaN: not a candidate) goes down."""
    running = np.minimum.accumulate(np.where(np.isnan(loss), np.inf, loss))
    previous = np.concatenate([[np.inf], running[:-1]])
    return np.flatnonzero(running < previous)


def _tails_and_outliers(loss: np.ndarray, budget: int) -> np.ndarray:
    """Positions of the ``budget`` best and worst values and of the most extreme outliers."""
    budget = min(budget, len(loss))
    keep = [np.argpartition(loss, budget - 1)[:budget], np.argpartition(-loss, budget - 1)[:budget]]
    finite = loss[np.isfinite(loss)]
    if len(finite):
        q1, q3 = np.percentile(finite, [25, 75])
        spread = 3 * (q3 - q1)
        outside = np.flatnonzero(~((loss >= q1 - spread) & (loss <= q3 + spread)))
        distance = np.abs(loss[outside] - np.clip(loss[outside], q1, q3))
        distance[np.isnan(distance)] = np.inf
        keep.append(outside[np.argsort(-distance, kind="stable")[:budget]])
    return np.concatenate(keep)


def _hash_pick(numbers: np.ndarray, count: int) -> np.ndarray:
    """Positions of ``count`` entries picked by a fixed hash of their trial number."""
    if count <= 0:
        return np.zeros(0, dtype=np.int64)
    if count >= len(numbers):
        return np.arange(len(numbers))
    keys = (numbers.astype(np.uint64) * np.uint64(2654435761)) % np.uint64(2**32)
    return np.argpartition(keys, count - 1)[:count]


def sample_numbers(
    cache: StudyCache, objective: int | None, limit: int = POINT_LIMIT
) -> tuple[np.ndarray, int] | None:
    """Return the COMPLETE trial numbers a point chart should draw and how many there are.

    Call under ``cache.lock``. Returns None when every COMPLETE trial fits in ``limit``.

    Args:
        cache: The study's cache.
        objective: The objective the chart plots (None: the first; with several objectives
            the Pareto front is kept too).
        limit: How many points to aim for (kept trials can add a few more).
    """
    complete = np.flatnonzero(cache.state[: cache.n] == int(TrialState.COMPLETE))
    if len(complete) <= limit:
        return None
    index = 0 if objective is None else objective
    sign = -1.0 if cache.directions[index] == StudyDirection.MAXIMIZE else 1.0
    loss = cache.values[complete, index] * sign
    keep = np.zeros(len(complete), dtype=bool)
    keep[_improvements(loss)] = True
    keep[_improvements(np.where(cache.feasible[complete], loss, np.nan))] = True
    keep[_tails_and_outliers(loss, max(1, limit // 40))] = True
    if len(cache.directions) > 1:
        front = np.asarray(cache.best_numbers()[:limit], dtype=np.int64)
        keep[np.searchsorted(complete, front)] = True
    rest = np.flatnonzero(~keep)
    keep[rest[_hash_pick(complete[rest], limit - int(keep.sum()))]] = True
    return complete[keep], len(complete)


def representative_numbers(
    cache: StudyCache, limit: int, states: tuple[TrialState, ...] = (TrialState.COMPLETE,)
) -> tuple[np.ndarray, int] | None:
    """Return ``limit`` numbers of trials in ``states`` picked without regard to their values
    (for estimates such as importances, or learning curves) and how many there are; None when
    all fit. Call under ``cache.lock``."""
    numbers = np.flatnonzero(np.isin(cache.state[: cache.n], [int(s) for s in states]))
    if len(numbers) <= limit:
        return None
    return np.sort(numbers[_hash_pick(numbers, limit)]), len(numbers)

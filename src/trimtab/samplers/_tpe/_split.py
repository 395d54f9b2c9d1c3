"""Splitting finished trials into the "below" (good) and "above" (rest) sets of TPE.

Order of preference when filling the ``n_below`` good slots (as Optuna 5.0):

1. feasible COMPLETE trials, best loss first (for several objectives: by non-domination rank,
   the last rank that does not fit tie-broken by greedy hypervolume subset selection);
2. feasible PRUNED trials, deepest step first, then best last intermediate value;
3. infeasible trials, smallest total constraint violation first.

All functions work on history rows (indices into ``TrialHistory`` arrays).
"""

from __future__ import annotations

import heapq

import numpy as np

from trimtab._multi_objective import nondomination_ranks
from trimtab._study_view._history import TrialHistory

EPS = 1e-12


def split_rows(
    history: TrialHistory, signs: np.ndarray, n_below: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return (below, above): history rows, each in trial-number order.

    Args:
        history: The study's finished trials.
        signs: Shape ``(n_objectives,)``: +1 to minimise, -1 to maximise.
        n_below: How many rows go to the good set (at most ``history.n`` are taken).
    """
    rows = np.arange(history.n)
    infeasible = history.infeasibility > 0
    complete = rows[history.complete & ~infeasible]
    pruned = rows[~history.complete & ~infeasible]
    violated = rows[infeasible]
    below_parts = []
    for group, order in (
        (complete, _complete_order),
        (pruned, _pruned_order),
        (violated, _infeasible_order),
    ):
        take = min(n_below, len(group))
        if take > 0:
            below_parts.append(order(history, group, signs, take))
        n_below -= take
    is_below = np.zeros(history.n, dtype=bool)
    for part in below_parts:
        is_below[part] = True
    numbers = history.numbers
    below, above = rows[is_below], rows[~is_below]
    return below[np.argsort(numbers[below], kind="stable")], above[
        np.argsort(numbers[above], kind="stable")
    ]


def _by_number_then(
    history: TrialHistory, group: np.ndarray, keys: list[np.ndarray], take: int
) -> np.ndarray:
    """The ``take`` first of ``group`` sorted by ``keys`` (most significant last), ties broken
    by trial number. Only rows that can make the cut are fully sorted (a partition first)."""
    primary = keys[-1]
    if take < len(group):
        cut = np.partition(primary, take - 1)[take - 1]
        inside = primary <= cut
        group, keys = group[inside], [k[inside] for k in keys]
    order = np.lexsort([history.numbers[group], *keys])
    return group[order][:take]


def _complete_order(
    history: TrialHistory, group: np.ndarray, signs: np.ndarray, take: int
) -> np.ndarray:
    losses = history.values[group] * signs
    if losses.shape[1] == 1:
        return _by_number_then(history, group, [losses[:, 0]], take)
    return group[_select_multi_objective(losses, take)]


def _pruned_order(
    history: TrialHistory, group: np.ndarray, signs: np.ndarray, take: int
) -> np.ndarray:
    steps = history.last_step[group]
    inter = history.last_intermediate[group] * signs[0]
    has_step = ~np.isnan(steps)
    # Optuna's key: (-step, value) with NaN values last; a trial with no report gets (1, 0).
    primary = np.where(has_step, -np.nan_to_num(steps), 1.0)
    secondary = np.where(has_step, np.where(np.isnan(inter), np.inf, inter), 0.0)
    return _by_number_then(history, group, [secondary, primary], take)


def _infeasible_order(
    history: TrialHistory, group: np.ndarray, signs: np.ndarray, take: int
) -> np.ndarray:
    return _by_number_then(history, group, [history.infeasibility[group]], take)


def _select_multi_objective(losses: np.ndarray, take: int) -> np.ndarray:
    """Indices of the ``take`` best rows: whole fronts first, then a hypervolume tie-break."""
    if take >= len(losses):
        return np.arange(len(losses))
    ranks = nondomination_ranks(losses, take)
    counts = np.bincount(ranks)
    full = int(np.searchsorted(np.cumsum(counts), take, side="right"))  # ranks < full fit whole
    chosen = np.flatnonzero(ranks < full)
    need = take - len(chosen)
    if need > 0:
        tied = np.flatnonzero(ranks == full)
        picked = greedy_hypervolume_subset(losses[tied], need, reference_point(losses[tied]))
        chosen = np.concatenate([chosen, tied[picked]])
    return chosen


def reference_point(losses: np.ndarray) -> np.ndarray:
    """A point slightly worse than the worst of ``losses`` in every objective."""
    worst = losses.max(axis=0)
    ref = np.maximum(1.1 * worst, 0.9 * worst)
    ref[ref == 0] = EPS
    return ref


def greedy_hypervolume_subset(losses: np.ndarray, k: int, ref: np.ndarray) -> np.ndarray:
    """Choose ``k`` rows that greedily maximise the hypervolume (lazy greedy).

    The hypervolume is submodular, so a point's gain can only shrink as the subset grows:
    stale gains are upper bounds, and a point whose refreshed gain still tops the heap is the
    exact greedy choice (Minoux's accelerated greedy).
    """
    from trimtab.hypervolume import compute_hypervolume

    boxes = np.prod(np.clip(ref - losses, 0.0, None), axis=1)
    heap = [(-float(b), i) for i, b in enumerate(boxes)]
    heapq.heapify(heap)
    selected: list[int] = []
    fresh = np.full(len(losses), -1)
    while len(selected) < k and heap:
        neg_gain, i = heapq.heappop(heap)
        if fresh[i] == len(selected):
            selected.append(i)
            continue
        if selected:
            # Gain = own box minus the part of it the selected points already cover.
            covered = compute_hypervolume(np.maximum(losses[selected], losses[i]), ref)
            gain = boxes[i] - covered
        else:
            gain = boxes[i]
        fresh[i] = len(selected)
        heapq.heappush(heap, (-float(gain), i))
    return np.asarray(selected, dtype=np.intp)

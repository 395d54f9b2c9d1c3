"""The intersection search space: parameters every finished trial used, with one distribution."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from trimtab.distributions import BaseDistribution
from trimtab.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from trimtab.study import Study


def _states(include_pruned: bool) -> tuple[TrialState, ...]:
    if include_pruned:
        return (TrialState.COMPLETE, TrialState.PRUNED)
    return (TrialState.COMPLETE,)


def _intersect(
    current: dict[str, BaseDistribution] | None, trials: Iterable[FrozenTrial]
) -> dict[str, BaseDistribution] | None:
    previous = None
    for trial in trials:
        dists = trial.distributions
        if dists is previous:  # storages share one dict among trials of one search space
            continue
        previous = dists
        if current is None:
            current = dict(dists)
            continue
        current = {
            name: dist
            for name, dist in current.items()
            if (other := dists.get(name)) is dist or other == dist
        }
    return current


def intersection_search_space(
    trials: list[FrozenTrial], include_pruned: bool = False
) -> dict[str, BaseDistribution]:
    """Return the parameters that every COMPLETE (and PRUNED, if asked) trial has in common.

    A parameter whose distribution differs between trials is left out. Sorted by name.
    """
    states = _states(include_pruned)
    result = _intersect(None, (t for t in trials if t.state in states))
    return dict(sorted((result or {}).items()))


class IntersectionSearchSpace:
    """``intersection_search_space`` over a study, updated incrementally between calls.

    Args:
        include_pruned: Count PRUNED trials as well as COMPLETE ones.
    """

    def __init__(self, include_pruned: bool = False) -> None:
        self._states = _states(include_pruned)
        self._cursor = 0
        self._study_key: tuple[int, int] | None = None
        self._space: dict[str, BaseDistribution] | None = None

    def calculate(self, study: Study, use_cache: bool = False) -> dict[str, BaseDistribution]:
        """Return the intersection search space of ``study``'s finished trials so far."""
        key = (id(study._storage), study._study_id)
        if key != self._study_key:
            self._study_key, self._cursor, self._space = key, 0, None
        changed, self._cursor = study._get_trials_since(self._cursor)
        self._space = _intersect(self._space, (t for t in changed if t.state in self._states))
        return dict(sorted((self._space or {}).items()))

"""The intersection search space: parameters every finished trial used, with one distribution."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from trimtab._study_view import view_of
from trimtab.distributions import BaseDistribution
from trimtab.trial._frozen import FrozenTrial
from trimtab.trial._state import TrialState

if TYPE_CHECKING:
    from trimtab._study_view import StudyLike, StudyView


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


class _Intersection:
    """The intersection over a study's finished trials so far (a digest of the study view)."""

    def __init__(self, states: tuple[TrialState, ...]) -> None:
        self._states = states
        self.space: dict[str, BaseDistribution] | None = None

    def add(self, trials: list[FrozenTrial]) -> None:
        self.space = _intersect(self.space, (t for t in trials if t.state in self._states))


class IntersectionSearchSpace:
    """``intersection_search_space`` over a study, updated incrementally between calls.

    Args:
        include_pruned: Count PRUNED trials as well as COMPLETE ones.
    """

    def __init__(self, include_pruned: bool = False) -> None:
        self._states = _states(include_pruned)

    def calculate(
        self, study: StudyLike | StudyView, use_cache: bool = False
    ) -> dict[str, BaseDistribution]:
        """Return the intersection search space of ``study``'s finished trials so far."""
        with view_of(study).digest(self, lambda: _Intersection(self._states)) as digest:
            return dict(sorted((digest.space or {}).items()))

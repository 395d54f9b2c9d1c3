"""Group decomposition: split a conditional search space into groups always sampled together."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from trimtab.distributions import BaseDistribution
from trimtab.trial import TrialState

if TYPE_CHECKING:
    from trimtab.study import Study


class _SearchSpaceGroup:
    """Disjoint groups of parameters; parameters in one group always appeared together."""

    def __init__(self) -> None:
        self._search_spaces: list[dict[str, BaseDistribution]] = []

    @property
    def search_spaces(self) -> list[dict[str, BaseDistribution]]:
        """The groups, each a ``{name: distribution}`` dict."""
        return self._search_spaces

    def add_distributions(self, distributions: dict[str, BaseDistribution]) -> None:
        """Refine the groups with one trial's parameters."""
        names = set(distributions)
        refined: list[dict[str, BaseDistribution]] = []
        for space in self._search_spaces:
            keys = set(space)
            inside = keys & names
            outside = keys - names
            if inside:
                refined.append({n: space[n] for n in space if n in inside})
            if outside:
                refined.append({n: space[n] for n in space if n in outside})
        covered = (
            set().union(*(set(s) for s in self._search_spaces)) if self._search_spaces else set()
        )
        new = {n: d for n, d in distributions.items() if n not in covered}
        if new:
            refined.append(new)
        self._search_spaces = refined


class _GroupDecomposedSearchSpace:
    """Keeps the group decomposition of a study's finished trials, updated incrementally."""

    def __init__(self, include_pruned: bool = False) -> None:
        self._states = (
            (TrialState.COMPLETE, TrialState.PRUNED) if include_pruned else (TrialState.COMPLETE,)
        )
        self._cursor = 0
        self._study_key: tuple[int, int] | None = None
        self._group = _SearchSpaceGroup()

    def calculate(self, study: Study, use_cache: bool = False) -> _SearchSpaceGroup:
        """Return the groups of ``study``'s finished trials so far."""
        key = (id(study._storage), study._study_id)
        if key != self._study_key:
            self._study_key, self._cursor, self._group = key, 0, _SearchSpaceGroup()
        changed, self._cursor = study._get_trials_since(self._cursor)
        for trial in changed:
            if trial.state in self._states:
                self._group.add_distributions(trial.distributions)
        return copy.deepcopy(self._group)

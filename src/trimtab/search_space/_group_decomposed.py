"""Group decomposition: split a conditional search space into groups always sampled together."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from trimtab._study_view import view_of
from trimtab.distributions import BaseDistribution
from trimtab.trial._frozen import FrozenTrial
from trimtab.trial._state import TrialState

if TYPE_CHECKING:
    from trimtab._study_view import StudyLike, StudyView


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


class _GroupDigest:
    """The groups of a study's finished trials so far (a digest of the study view)."""

    def __init__(self, states: tuple[TrialState, ...]) -> None:
        self._states = states
        self.group = _SearchSpaceGroup()

    def add(self, trials: list[FrozenTrial]) -> None:
        for trial in trials:
            if trial.state in self._states:
                self.group.add_distributions(trial.distributions)


class _GroupDecomposedSearchSpace:
    """Keeps the group decomposition of a study's finished trials, updated incrementally."""

    def __init__(self, include_pruned: bool = False) -> None:
        self._states = (
            (TrialState.COMPLETE, TrialState.PRUNED) if include_pruned else (TrialState.COMPLETE,)
        )

    def calculate(self, study: StudyLike | StudyView, use_cache: bool = False) -> _SearchSpaceGroup:
        """Return the groups of ``study``'s finished trials so far."""
        with view_of(study).digest(self, lambda: _GroupDigest(self._states)) as digest:
            return copy.deepcopy(digest.group)

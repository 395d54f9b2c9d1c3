"""The best feasible trial of a single-objective study, read through its view."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trimtab._study_records import StudyDirection
from trimtab.trial._constraints import is_feasible
from trimtab.trial._state import TrialState

if TYPE_CHECKING:
    from trimtab._study_view._protocol import StudyView
    from trimtab.trial._frozen import FrozenTrial


def best_feasible_trial(view: StudyView) -> FrozenTrial:
    """The best COMPLETE trial whose constraints hold (the stored record, not a copy).

    The storage's best trial is asked first; the complete trials are scanned only when that
    one violates its constraints.

    Raises:
        ValueError: no (feasible) trial is complete yet.
    """
    best = view.best_trial()
    if is_feasible(best.system_attrs):
        return best
    feasible = [
        t
        for t in view.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if is_feasible(t.system_attrs)
    ]
    if not feasible:
        raise ValueError("No feasible trials are completed yet.")
    pick = max if view.directions[0] == StudyDirection.MAXIMIZE else min
    return pick(feasible, key=lambda t: t.values[0])  # type: ignore[index]

"""``PatientPruner``: wait ``patience`` steps without improvement before pruning."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trimtab import _warnings
from trimtab._study_records import StudyDirection
from trimtab.pruners._base import BasePruner
from trimtab.pruners._cache import best_intermediate, check_number
from trimtab.trial import FrozenTrial

if TYPE_CHECKING:
    from trimtab._study_view import StudyView
    from trimtab.study import Study


class PatientPruner(BasePruner):
    """Prune only after ``patience`` steps with no improvement beyond ``min_delta``.

    The best value of the last ``patience + 1`` steps is compared with the best value before
    them; when it is not better by more than ``min_delta``, the trial is pruned (or, with a
    ``wrapped_pruner``, that pruner decides). Experimental, as in Optuna.

    Args:
        wrapped_pruner: The pruner that decides once patience runs out; None prunes then.
        patience: Steps without improvement to tolerate.
        min_delta: Least change that counts as an improvement.

    Raises:
        ValueError: ``patience`` or ``min_delta`` is negative.
    """

    def __init__(
        self, wrapped_pruner: BasePruner | None, patience: int, min_delta: float = 0.0
    ) -> None:
        _warnings.warn_experimental("PatientPruner", "2.8.0")
        check_number("patience", patience)
        check_number("min_delta", min_delta)
        if patience < 0:
            raise ValueError(f"patience cannot be negative but got {patience}.")
        if min_delta < 0:
            raise ValueError(f"min_delta cannot be negative but got {min_delta}.")
        self._wrapped_pruner = wrapped_pruner
        self._patience = patience
        self._min_delta = min_delta

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        intermediate = trial.intermediate_values
        if len(intermediate) <= self._patience + 1:
            return False
        steps = sorted(intermediate)
        split = len(steps) - self._patience - 1
        maximize = study.direction == StudyDirection.MAXIMIZE
        before = best_intermediate([intermediate[s] for s in steps[:split]], maximize)
        after = best_intermediate([intermediate[s] for s in steps[split:]], maximize)
        if maximize:
            stalled = before - self._min_delta > after
        else:
            stalled = before + self._min_delta < after
        if not stalled:
            return False
        if self._wrapped_pruner is None:
            return True
        return self._wrapped_pruner.prune(study, trial)

    def sampling_subset(self, view: StudyView, trial: FrozenTrial) -> StudyView:
        """The wrapped pruner's subset (so a wrapped Hyperband keeps its brackets)."""
        hook = getattr(self._wrapped_pruner, "sampling_subset", None)
        return hook(view, trial) if hook is not None else view

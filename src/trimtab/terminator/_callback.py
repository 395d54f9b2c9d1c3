"""``TerminatorCallback``: a ``Terminator`` as a ``study.optimize`` callback."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trimtab.logging import get_logger
from trimtab.terminator._erroreval import warn_terminator_deprecated
from trimtab.terminator._terminator import BaseTerminator, Terminator

if TYPE_CHECKING:
    from trimtab.study import Study
    from trimtab.trial import FrozenTrial

_logger = get_logger(__name__)


class TerminatorCallback:
    """Stops ``study.optimize`` once the terminator says so (after any finished trial).

    Args:
        terminator: Decides when to stop (default ``Terminator()``).

    Example:
        ``study.optimize(objective, n_trials=50, callbacks=[TerminatorCallback()])``, with
        the objective calling ``report_cross_validation_scores(trial, scores)``.
    """

    def __init__(self, terminator: BaseTerminator | None = None) -> None:
        warn_terminator_deprecated()
        self._terminator = terminator or Terminator()

    def __call__(self, study: Study, trial: FrozenTrial) -> None:
        """Stop ``study`` when the terminator says it should terminate."""
        if self._terminator.should_terminate(study=study):
            _logger.info("The study has been stopped by the terminator.")
            study.stop()

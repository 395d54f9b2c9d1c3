"""``BasePruner``: decides whether a running trial should stop early."""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING

from trimtab.trial import FrozenTrial

if TYPE_CHECKING:
    from trimtab.study import Study


class BasePruner(abc.ABC):
    """Implement ``prune(study, trial) -> bool``; True stops the trial as PRUNED."""

    @abc.abstractmethod
    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        """Return True when ``trial`` (RUNNING, with its intermediate values) should stop."""

    def sampling_view(self, study: Study, trial: FrozenTrial) -> Study:
        """Return the study as samplers should see it while sampling ``trial``.

        The default is the whole study. A pruner that runs separate groups of trials (such as
        Hyperband's brackets) returns a view restricted to ``trial``'s group, so that samplers
        model each group on its own.
        """
        return study

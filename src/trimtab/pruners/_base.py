"""``BasePruner``: decides whether a running trial should stop early."""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING

from trimtab.trial import FrozenTrial

if TYPE_CHECKING:
    from trimtab._study_view import StudyView
    from trimtab.study import Study


class BasePruner(abc.ABC):
    """Implement ``prune(study, trial) -> bool``; True stops the trial as PRUNED."""

    @abc.abstractmethod
    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        """Return True when ``trial`` (RUNNING, with its intermediate values) should stop."""

    def sampling_subset(self, view: StudyView, trial: FrozenTrial) -> StudyView:
        """Return the part of the study samplers should see while sampling ``trial``.

        The default is the whole ``view``. A pruner that runs separate groups of trials (such
        as Hyperband's brackets) returns ``view.subset(...)`` restricted to ``trial``'s group,
        so that samplers model each group on its own; the study then hands the sampler itself
        seen through that subset.

        Args:
            view: The study's ``StudyView`` (``study.view``).
            trial: The trial about to be sampled (or just finished, for ``after_trial``).

        Returns:
            ``view`` itself or one of its subsets.
        """
        return view

"""``NopPruner``: never prunes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trimtab.pruners._base import BasePruner
from trimtab.trial import FrozenTrial

if TYPE_CHECKING:
    from trimtab.study import Study


class NopPruner(BasePruner):
    """A pruner that never stops a trial."""

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        return False

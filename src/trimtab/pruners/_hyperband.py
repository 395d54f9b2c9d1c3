"""``HyperbandPruner``: several successive-halving brackets, each trial in one of them."""

from __future__ import annotations

import binascii
import math
from typing import TYPE_CHECKING

from trimtab import logging
from trimtab._study_view import view_of
from trimtab.pruners._base import BasePruner
from trimtab.pruners._successive_halving import SuccessiveHalvingPruner
from trimtab.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from trimtab._study_view import StudyView
    from trimtab.study import Study

_logger = logging.get_logger(__name__)


class HyperbandPruner(BasePruner):
    """Prune with Hyperband: successive halving run in brackets of different aggressiveness.

    Bracket ``b`` is a ``SuccessiveHalvingPruner`` with ``min_early_stopping_rate=b``; there
    are ``floor(log_reduction_factor(max_resource / min_resource)) + 1`` brackets. A trial's
    bracket is fixed by a hash of the study name and the trial number (Optuna's assignment, so
    give the study a name for reproducible runs), with bracket sizes in Hyperband's budget
    ratios. Samplers see only the trials of the sampled trial's bracket: ``sampling_subset``
    returns the study view restricted to that bracket, and the study hands samplers the
    study seen through it.

    Args:
        min_resource: Steps of the first rung (``r`` in the paper).
        max_resource: Largest step a trial reaches, or ``"auto"``: the last step of the first
            COMPLETE trial plus one; no trial is pruned before one completes.
        reduction_factor: About ``1 / reduction_factor`` of the trials go on past each rung.
        bootstrap_count: Trials that must have reached a rung before any goes on past it
            (incompatible with ``max_resource="auto"``).

    Raises:
        ValueError: an argument is out of range or ``max_resource`` is neither an int nor
            ``"auto"``.
    """

    def __init__(
        self,
        min_resource: int = 1,
        max_resource: str | int = "auto",
        reduction_factor: int = 3,
        bootstrap_count: int = 0,
    ) -> None:
        if isinstance(min_resource, bool) or not isinstance(min_resource, int):
            raise TypeError(f"`min_resource` must be an int >= 1, but got {min_resource!r}.")
        if not isinstance(max_resource, int) and max_resource != "auto":
            raise ValueError(
                f"The 'max_resource' should be integer or 'auto'. But max_resource = {max_resource}"
            )
        if bootstrap_count > 0 and max_resource == "auto":
            raise ValueError(
                "bootstrap_count > 0 and max_resource == 'auto' "
                f"are mutually incompatible, bootstrap_count is {bootstrap_count}"
            )
        if isinstance(max_resource, int) and max_resource < 1:
            raise ValueError(f"`max_resource` must be at least 1, but got {max_resource}.")
        # The brackets are built lazily; check their arguments now rather than at the first
        # pruning decision.
        SuccessiveHalvingPruner(min_resource, reduction_factor, 0, bootstrap_count)
        self._min_resource = min_resource
        self._max_resource = max_resource
        self._reduction_factor = reduction_factor
        self._bootstrap_count = bootstrap_count
        self._pruners: list[SuccessiveHalvingPruner] = []
        self._budgets: list[int] = []
        self._total_budget = 0
        self._n_brackets: int | None = None

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        if not self._pruners:
            self._try_initialization(study)
            if not self._pruners:
                return False
        bracket = self._bracket_id(study.study_name, trial.number)
        _logger.debug(f"{bracket}th bracket is selected")
        view = self._bracket_view(view_of(study), bracket)
        return self._pruners[bracket]._prune_view(view, trial)

    def sampling_subset(self, view: StudyView, trial: FrozenTrial) -> StudyView:
        """The view of ``trial``'s bracket (the whole ``view`` before brackets exist)."""
        if not self._pruners:
            return view
        return self._bracket_view(view, self._bracket_id(view.study_name, trial.number))

    def _try_initialization(self, study: Study) -> None:
        if self._max_resource == "auto":
            trials = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
            last_steps = [max(t.intermediate_values) for t in trials if t.intermediate_values]
            if not last_steps:
                return
            self._max_resource = max(last_steps) + 1
        assert isinstance(self._max_resource, int)
        if self._n_brackets is None:
            # s_max + 1 of the Hyperband paper, with R = max_resource / min_resource (ASHA).
            ratio = self._max_resource / self._min_resource
            self._n_brackets = math.floor(math.log(ratio, self._reduction_factor)) + 1
        _logger.debug(f"Hyperband has {self._n_brackets} brackets")
        budgets = [self._bracket_budget(b) for b in range(self._n_brackets)]
        pruners = [
            SuccessiveHalvingPruner(
                min_resource=self._min_resource,
                reduction_factor=self._reduction_factor,
                min_early_stopping_rate=b,
                bootstrap_count=self._bootstrap_count,
            )
            for b in range(self._n_brackets)
        ]
        self._budgets, self._total_budget = budgets, sum(budgets)
        self._pruners = pruners

    def _bracket_budget(self, bracket: int) -> int:
        """Bracket ``bracket``'s share of trials: ``n`` of Hyperband's Algorithm 1, as a ratio."""
        assert self._n_brackets is not None
        s = self._n_brackets - 1 - bracket
        return math.ceil(self._n_brackets * (self._reduction_factor**s) / (s + 1))

    def _bracket_id(self, study_name: str, number: int) -> int:
        """The bracket of trial ``number``: a CRC32 hash spread over the bracket budgets."""
        if not self._pruners:
            return 0
        n = binascii.crc32(f"{study_name}_{number}".encode()) % self._total_budget
        for bracket, budget in enumerate(self._budgets):
            n -= budget
            if n < 0:
                return bracket
        raise AssertionError("unreachable: the budgets add up to the modulus")

    def _bracket_view(self, view: StudyView, bracket: int) -> StudyView:
        name = view.study_name

        def member(number: int) -> bool:
            return self._bracket_id(name, number) == bracket

        return view.subset((self, bracket), member)

"""``PercentilePruner``: keep trials whose best value is within a percentile at their step."""

from __future__ import annotations

import bisect
import math
from typing import TYPE_CHECKING

from trimtab._study_records import StudyDirection
from trimtab._study_view import view_of
from trimtab.pruners._base import BasePruner
from trimtab.pruners._cache import (
    best_intermediate,
    check_number,
    fresh_summary,
    is_first_in_interval_step,
    percentile_of_sorted,
)
from trimtab.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from trimtab.study import Study

_INSERT_AT_MOST = 16


class _StepValues:
    """Intermediate values of a study's COMPLETE trials, one sorted list per step."""

    def __init__(self) -> None:
        self.n_complete = 0
        self.values_by_step: dict[int, list[float]] = {}  # sorted, NaN left out
        self.count_by_step: dict[int, int] = {}  # NaN counted

    def add(self, trials: list[FrozenTrial]) -> None:
        new_by_step: dict[int, list[float]] = {}
        for trial in trials:
            if trial.state != TrialState.COMPLETE:
                continue
            self.n_complete += 1
            for step, value in trial.intermediate_values.items():
                self.count_by_step[step] = self.count_by_step.get(step, 0) + 1
                if value == value:
                    new_by_step.setdefault(step, []).append(value)
        for step, new in new_by_step.items():
            values = self.values_by_step.setdefault(step, [])
            if len(new) <= _INSERT_AT_MOST:
                for value in new:
                    bisect.insort(values, value)
            else:  # a large batch (the first read of a long study): one sort
                values.extend(new)
                values.sort()

    def percentile(self, step: int, q: float, n_min_trials: int) -> float:
        if self.count_by_step.get(step, 0) < n_min_trials:
            return math.nan
        return percentile_of_sorted(self.values_by_step.get(step, []), q)


class PercentilePruner(BasePruner):
    """Prune a trial whose best intermediate value is outside the top ``percentile``.

    At a pruning check, the trial's best value over its steps so far is compared with the
    ``percentile``-th percentile of the COMPLETE trials' values at the current step (NaN values
    ignored). A trial whose values are all NaN is pruned.

    Args:
        percentile: Percentile in ``[0, 100]`` to keep (25.0 keeps the best quarter).
        n_startup_trials: Pruning is off until this many trials are COMPLETE.
        n_warmup_steps: Pruning is off while the step is below this.
        interval_steps: Steps between pruning checks, counted from ``n_warmup_steps``; a check
            with no value at its step happens at the next reported step.
        n_min_trials: Least number of COMPLETE trials with a value at the step for a decision.

    Raises:
        ValueError: an argument is out of range.
    """

    def __init__(
        self,
        percentile: float,
        n_startup_trials: int = 5,
        n_warmup_steps: int = 0,
        interval_steps: int = 1,
        *,
        n_min_trials: int = 1,
    ) -> None:
        for name, value in (
            ("percentile", percentile),
            ("n_startup_trials", n_startup_trials),
            ("n_warmup_steps", n_warmup_steps),
            ("interval_steps", interval_steps),
            ("n_min_trials", n_min_trials),
        ):
            check_number(name, value)
        if not 0.0 <= percentile <= 100:
            raise ValueError(
                f"Percentile must be between 0 and 100 inclusive, but got {percentile=}."
            )
        if n_startup_trials < 0:
            raise ValueError(
                f"Number of startup trials cannot be negative, but got {n_startup_trials=}."
            )
        if n_warmup_steps < 0:
            raise ValueError(
                f"Number of warmup steps cannot be negative, but got {n_warmup_steps=}."
            )
        if interval_steps < 1:
            raise ValueError(
                f"Pruning interval steps must be at least 1, but got {interval_steps=}."
            )
        if n_min_trials < 1:
            raise ValueError(
                f"Number of trials for pruning must be at least 1, but got {n_min_trials=}."
            )
        self._percentile = percentile
        self._n_startup_trials = n_startup_trials
        self._n_warmup_steps = n_warmup_steps
        self._interval_steps = interval_steps
        self._n_min_trials = n_min_trials

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        with fresh_summary(study, self, _StepValues) as (stats, _):
            n_complete = stats.n_complete
            if n_complete == 0 or n_complete < self._n_startup_trials:
                return False
            intermediate = trial.intermediate_values
            if not intermediate:
                return False
            step = max(intermediate)
            if step < self._n_warmup_steps:
                return False
            if not is_first_in_interval_step(
                step, intermediate, self._n_warmup_steps, self._interval_steps
            ):
                return False
            maximize = view_of(study).directions[0] == StudyDirection.MAXIMIZE
            best = best_intermediate(intermediate.values(), maximize)
            if math.isnan(best):
                return True
            q = 100 - self._percentile if maximize else self._percentile
            threshold = stats.percentile(step, q, self._n_min_trials)
        if math.isnan(threshold):
            return False
        return best < threshold if maximize else best > threshold

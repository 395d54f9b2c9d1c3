"""``SuccessiveHalvingPruner``: asynchronous successive halving (ASHA).

A trial that reaches the end of rung ``r`` (step ``min_resource * reduction_factor **
(min_early_stopping_rate + r)``) records its value there in its system attribute
``completed_rung_<r>`` (Optuna's key, so studies stay interchangeable) and goes on only when
that value is in the top ``1 / reduction_factor`` of every value recorded for rung ``r`` so
far, by trials in any state.
"""

from __future__ import annotations

import bisect
import math
from typing import TYPE_CHECKING

from trimtab._study_records import StudyDirection
from trimtab._study_view import view_of
from trimtab.pruners._base import BasePruner
from trimtab.pruners._cache import check_number, fresh_summary
from trimtab.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from trimtab._study_view import StudyView
    from trimtab.study import Study

RUNG_KEY_PREFIX = "completed_rung_"


def rung_key(rung: int) -> str:
    """The trial system attribute holding the value a trial had at the end of ``rung``."""
    return f"{RUNG_KEY_PREFIX}{rung}"


def _rung_of_key(key: str) -> int | None:
    if not key.startswith(RUNG_KEY_PREFIX):
        return None
    suffix = key[len(RUNG_KEY_PREFIX) :]
    if not suffix.isdigit() or str(int(suffix)) != suffix:
        return None
    return int(suffix)


class _RungValues:
    """Rung values recorded by a study's finished trials, sorted per rung."""

    def __init__(self) -> None:
        self.by_rung: dict[int, list[float]] = {}
        self.max_complete_last_step: int | None = None

    def add(self, trials: list[FrozenTrial]) -> None:
        for trial in trials:
            if trial.state == TrialState.COMPLETE and trial.intermediate_values:
                last = max(trial.intermediate_values)
                if self.max_complete_last_step is None or last > self.max_complete_last_step:
                    self.max_complete_last_step = last
            for key, value in trial.system_attrs.items():
                rung = _rung_of_key(key)
                if rung is not None:
                    bisect.insort(self.by_rung.setdefault(rung, []), value)


class SuccessiveHalvingPruner(BasePruner):
    """Prune with asynchronous successive halving.

    Args:
        min_resource: Steps of the first rung (``r`` in the ASHA paper), or ``"auto"``: the
            last step of the first COMPLETE trial divided by 100 (at least 1); no trial is
            pruned before one completes.
        reduction_factor: About ``1 / reduction_factor`` of the trials go on past each rung.
        min_early_stopping_rate: ``s`` in the paper; the first rung ends at step
            ``min_resource * reduction_factor ** min_early_stopping_rate``.
        bootstrap_count: Trials that must have reached a rung before any goes on past it.

    Raises:
        ValueError: an argument is out of range, or ``bootstrap_count > 0`` with
            ``min_resource="auto"``.
    """

    def __init__(
        self,
        min_resource: str | int = "auto",
        reduction_factor: int = 4,
        min_early_stopping_rate: int = 0,
        bootstrap_count: int = 0,
    ) -> None:
        if isinstance(min_resource, str) and min_resource != "auto":
            raise ValueError(
                f"The value of `min_resource` is {min_resource}, "
                "but must be either `min_resource` >= 1 or 'auto'"
            )
        if not isinstance(min_resource, (str, int)):
            raise TypeError(
                f"`min_resource` must be an int >= 1 or 'auto', but got {min_resource!r}."
            )
        if isinstance(min_resource, int) and min_resource < 1:
            raise ValueError(
                f"The value of `min_resource` is {min_resource}, "
                "but must be either `min_resource >= 1` or 'auto'"
            )
        for name, value in (
            ("reduction_factor", reduction_factor),
            ("min_early_stopping_rate", min_early_stopping_rate),
            ("bootstrap_count", bootstrap_count),
        ):
            check_number(name, value)
        if reduction_factor < 2:
            raise ValueError(
                f"The value of `reduction_factor` is {reduction_factor}, "
                "but must be `reduction_factor >= 2`"
            )
        if min_early_stopping_rate < 0:
            raise ValueError(
                f"The value of `min_early_stopping_rate` is {min_early_stopping_rate}, "
                "but must be `min_early_stopping_rate >= 0`"
            )
        if bootstrap_count < 0:
            raise ValueError(
                f"The value of `bootstrap_count` is {bootstrap_count}, "
                "but must be `bootstrap_count >= 0`"
            )
        if bootstrap_count > 0 and min_resource == "auto":
            raise ValueError(
                "bootstrap_count > 0 and min_resource == 'auto' "
                f"are mutually incompatible, bootstrap_count is {bootstrap_count}"
            )
        self._min_resource: int | None = min_resource if isinstance(min_resource, int) else None
        self._reduction_factor = reduction_factor
        self._min_early_stopping_rate = min_early_stopping_rate
        self._bootstrap_count = bootstrap_count

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        return self._prune_view(view_of(study), trial)

    def _prune_view(self, view: StudyView, trial: FrozenTrial) -> bool:
        """``prune`` on a study view (Hyperband passes the view of one bracket)."""
        intermediate = trial.intermediate_values
        if not intermediate:
            return False
        step = max(intermediate)
        value = intermediate[step]
        rung = 0
        while rung_key(rung) in trial.system_attrs:
            rung += 1
        while True:
            if self._min_resource is None:
                with fresh_summary(view, self, _RungValues) as (stats, _):
                    last_step = stats.max_complete_last_step
                if last_step is None:
                    return False
                self._min_resource = max(last_step // 100, 1)
            exponent = self._min_early_stopping_rate + rung
            if step < self._min_resource * self._reduction_factor**exponent:
                return False
            if math.isnan(value):
                return True
            view.save_trial_attr(trial._trial_id, rung_key(rung), value)
            if not self._promotable(view, trial, rung, value):
                return True
            rung += 1

    def _promotable(self, view: StudyView, trial: FrozenTrial, rung: int, value: float) -> bool:
        """Whether ``value`` is in the top ``1 / reduction_factor`` of rung ``rung``."""
        key = rung_key(rung)
        # Read RUNNING trials before the finished ones: a trial finishing in between is then
        # in both reads, and skipped here by number, rather than in neither.
        running = view.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
        with fresh_summary(view, self, _RungValues) as (stats, seen):
            others = [
                t.system_attrs[key]
                for t in running
                if t._trial_id != trial._trial_id and t.number not in seen and key in t.system_attrs
            ]
            finished = stats.by_rung.get(rung, [])
            n_competing = len(finished) + len(others) + 1
            if n_competing <= self._bootstrap_count:
                return False
            # The first ``reduction_factor - 1`` trials of a rung go on only if they are best.
            allowed_better = max(n_competing // self._reduction_factor - 1, 0)
            if view.directions[0] == StudyDirection.MAXIMIZE:
                n_better = len(finished) - bisect.bisect_right(finished, value)
                n_better += sum(1 for v in others if v > value)
            else:
                n_better = bisect.bisect_left(finished, value)
                n_better += sum(1 for v in others if v < value)
        return n_better <= allowed_better

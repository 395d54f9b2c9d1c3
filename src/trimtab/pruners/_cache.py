"""Per-study summaries of finished trials, and small helpers the pruners share.

A pruner is asked ``should_prune`` at every step of every trial, so it must not re-read the
whole study each time. ``fresh_summary`` keeps one summary per pruner as a digest of the
study view: it is fed only with trials that finished since the last call. Finished trials
never change again, so summaries only ever grow by appending; that keeps them correct when
several processes or threads write to the same study, each with its own view.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator
from typing import Any, Generic, Protocol, TypeVar

from trimtab._study_view import view_of
from trimtab.trial import FrozenTrial


class TrialSummary(Protocol):
    """What a pruner keeps about a study: it is told of each finished trial exactly once."""

    def add(self, trials: list[FrozenTrial]) -> None:
        """Take in trials that finished since the last call."""


S = TypeVar("S", bound=TrialSummary)


class _Numbered(Generic[S]):
    """A summary plus the numbers of the trials it holds (a digest of the study view)."""

    def __init__(self, summary: S) -> None:
        self.summary = summary
        self.seen: set[int] = set()

    def add(self, trials: list[FrozenTrial]) -> None:
        self.seen.update(t.number for t in trials)
        self.summary.add(trials)


@contextlib.contextmanager
def fresh_summary(
    study: Any, owner: Hashable, factory: Callable[[], S]
) -> Iterator[tuple[S, set[int]]]:
    """``owner``'s summary of ``study`` (a Study or view), up to date, with its trial numbers.

    The summary is held locked for the duration of the ``with`` block.
    """
    with view_of(study).digest(owner, lambda: _Numbered(factory())) as numbered:
        yield numbered.summary, numbered.seen


def best_intermediate(values: Collection[float], maximize: bool) -> float:
    """The best non-NaN value (NaN when there is none), like ``nanmax``/``nanmin``."""
    if not values:
        return math.nan
    total = sum(values)
    if total == total:  # no NaN (a NaN sum can also come from inf + -inf: checked below)
        return max(values) if maximize else min(values)
    finite = [v for v in values if v == v]
    if not finite:
        return math.nan
    return max(finite) if maximize else min(finite)


def is_first_in_interval_step(
    step: int, steps: Iterable[int], n_warmup_steps: int, interval_steps: int
) -> bool:
    """Whether ``step`` is the first report at or after the latest pruning check point.

    Check points are ``n_warmup_steps + k * interval_steps``; a check postponed because no
    value was reported exactly at a check point happens at the next report.
    """
    nearest_check = (step - n_warmup_steps) // interval_steps * interval_steps + n_warmup_steps
    previous = max((s for s in steps if s != step), default=-1)
    return previous < nearest_check


def percentile_of_sorted(values: list[float], q: float) -> float:
    """NumPy's ``nanpercentile(values, q)`` ("linear" method) of sorted, NaN-free ``values``.

    Computed with the same floating-point operations as NumPy so that results agree bit for
    bit (including NaN from interpolating between infinities); NaN for an empty list.
    """
    n = len(values)
    if n == 0:
        return math.nan
    virtual = (n - 1) * (q / 100)
    if virtual >= n - 1:
        lower_index = -1.0
        low = high = values[-1]
    else:
        lower_index = float(math.floor(virtual))
        low = values[int(lower_index)]
        high = values[int(lower_index) + 1]
    gamma = virtual - lower_index
    diff = high - low
    if gamma >= 0.5:
        return high - diff * (1 - gamma)
    return low + diff * gamma


def check_number(name: str, value: Any) -> None:
    """Raise TypeError unless ``value`` is a real number (bools and numpy numbers included)."""
    try:
        float(value)
    except (TypeError, ValueError):
        raise TypeError(
            f"`{name}` must be a number, but got {value!r} of type {type(value).__name__}."
        ) from None
    if isinstance(value, str):
        raise TypeError(f"`{name}` must be a number, but got the string {value!r}.")

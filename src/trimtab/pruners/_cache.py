"""Per-study incremental caches of finished trials, and small helpers the pruners share.

A pruner is asked ``should_prune`` at every step of every trial, so it must not re-read the
whole study each time. A ``StudyCaches`` keeps, for every study a pruner meets, one summary
object fed only with trials that finished since the last call (``study._get_trials_since``).
Finished trials never change again, so summaries only ever grow by appending; that keeps them
correct when several processes or threads write to the same study, each with its own cache.
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Callable, Collection, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from trimtab.trial import FrozenTrial

if TYPE_CHECKING:
    from trimtab.study import Study


class TrialSummary(Protocol):
    """What a cache keeps about a study: it is told of each finished trial exactly once."""

    def add(self, trials: list[FrozenTrial]) -> None:
        """Take in trials that finished since the last call (in number order)."""


S = TypeVar("S", bound=TrialSummary)


class _Entry(Generic[S]):
    __slots__ = ("storage", "cursor", "seen", "summary")

    def __init__(self, storage: Any, summary: S) -> None:
        # Holding the storage keeps its id from being reused by another storage object.
        self.storage = storage
        self.cursor = 0
        self.seen: set[int] = set()
        self.summary = summary


class StudyCaches(Generic[S]):
    """One ``summary_factory()`` object per study, keyed by ``(id(storage), study_id)``."""

    def __init__(self, summary_factory: Callable[[], S]) -> None:
        self._factory = summary_factory
        self._entries: dict[tuple[int, int], _Entry[S]] = {}
        self._lock = threading.RLock()

    def __getstate__(self) -> dict[str, Any]:
        # Caches are rebuilt from the storage; never ship storages or locks to other processes.
        return {"_factory": self._factory}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._factory = state["_factory"]
        self._entries = {}
        self._lock = threading.RLock()

    @contextlib.contextmanager
    def fresh(self, study: Study) -> Iterator[tuple[S, set[int]]]:
        """Bring ``study``'s summary up to date and hold it (and the numbers in it) locked."""
        with self._lock:
            entry = self._entry(study)
            trials, entry.cursor = study._get_trials_since(entry.cursor)
            finished = [t for t in trials if t.state.is_finished() and t.number not in entry.seen]
            if finished:
                entry.seen.update(t.number for t in finished)
                entry.summary.add(finished)
            yield entry.summary, entry.seen

    def _entry(self, study: Study) -> _Entry[S]:
        storage = study._storage
        key = (id(storage), study._study_id)
        entry = self._entries.get(key)
        if entry is None or entry.storage is not storage:
            entry = _Entry(storage, self._factory())
            self._entries[key] = entry
        return entry


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

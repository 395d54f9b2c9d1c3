"""A per-study columnar cache of trials: a digest of the study's view, for the dashboard.

The dashboard reads each study through a ``StorageStudyView`` (the view samplers read too),
and this cache is one of its digests: the view's one log of finished trials feeds it each
finished trial once, in the order they finished. Unfinished trials (a few) are read again
on each refresh while the view has seen any. Every change gets a sequence number, the
dashboard's cursor: a client that sends its cursor receives only the trials changed after
it. Columns are numpy arrays indexed by trial number, so sorting and filtering 100,000
trials is a few vectorised passes.
"""

from __future__ import annotations

import bisect
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from trimtab._multi_objective import nondominated_mask
from trimtab._study_records import StudyDirection
from trimtab._study_view import StorageStudyView
from trimtab.distributions import BaseDistribution, CategoricalDistribution, IntDistribution
from trimtab.storages import BaseStorage
from trimtab.study import FrozenStudy
from trimtab.trial import FrozenTrial, TrialState
from trimtab.trial._constraints import is_feasible

_UNFINISHED = (TrialState.RUNNING, TrialState.WAITING)


@dataclass
class ParamInfo:
    """What the cache knows about a parameter: kind, union range, categorical choices."""

    kind: str
    low: float = math.inf
    high: float = -math.inf
    log: bool = False
    choices: list[Any] = field(default_factory=list)


def _param_kind(dist: BaseDistribution) -> str:
    if isinstance(dist, CategoricalDistribution):
        return "categorical"
    return "int" if isinstance(dist, IntDistribution) else "float"


def _timestamp(dt: Any) -> float:
    return dt.timestamp() if dt is not None else math.nan


class StudyCache:
    """Trials of one study as columns; thread-safe; refreshed incrementally.

    Args:
        storage: The storage holding the study.
        study_id: The study's id in ``storage``.
        min_interval: Seconds within which a second ``refresh`` reads nothing.

    Raises:
        KeyError: no study has id ``study_id``.
    """

    def __init__(self, storage: BaseStorage, study_id: int, min_interval: float = 0.2) -> None:
        self.directions: list[StudyDirection] = storage.get_study_directions(study_id)
        self.view = StorageStudyView(
            storage, study_id, storage.get_study_name_from_id(study_id), self.directions
        )
        self.lock = threading.RLock()
        self._min_interval = min_interval
        self._last_refresh = -math.inf
        self.seq = 0
        self._log_seq: list[int] = []
        self._log_number: list[int] = []
        self.trials: list[FrozenTrial | None] = []
        self.n = 0
        n_obj = len(self.directions)
        self.state = np.full(0, -1, dtype=np.int8)
        self.values = np.full((0, n_obj), np.nan)
        self.start = np.full(0, np.nan)
        self.complete = np.full(0, np.nan)
        self.feasible = np.full(0, True)
        self.params: dict[str, np.ndarray] = {}
        self.param_info: dict[str, ParamInfo] = {}
        self._last_dist: dict[str, BaseDistribution] = {}
        self.loaded = False
        self.user_attr_keys: dict[str, None] = {}
        self.has_intermediate_values = False
        self._unfinished: set[int] = set()
        self._best: tuple[int, list[int]] = (-1, [])

    # Refresh.

    def refresh(self, force: bool = False, max_age: float | None = None) -> None:
        """Read what changed in the storage since the last refresh, unless that refresh is
        younger than ``max_age`` seconds (default 0.2 s)."""
        with self.lock:
            now = time.monotonic()
            age = self._min_interval if max_age is None else max_age
            if not force and now - self._last_refresh < age:
                return
            self._last_refresh = now
            view = self.view
            with view.digest(self, self._itself):
                pass  # the view fed ``add`` with the trials that finished since
            if self._unfinished or view.unfinished_seen():
                for t in view.get_trials(deepcopy=False, states=_UNFINISHED):
                    self._apply(t)
            self.loaded = True

    def _itself(self) -> StudyCache:
        return self

    def add(self, trials: list[FrozenTrial]) -> None:
        """Take in trials that finished since the last call (the view's digest protocol)."""
        for trial in trials:
            self._apply(trial)

    def _apply(self, trial: FrozenTrial) -> None:
        i = trial.number
        self._ensure(i + 1)
        old = self.trials[i]
        if old is not None and (old.state.is_finished() or old == trial):
            return
        self.trials[i] = trial
        self.state[i] = int(trial.state)
        self.values[i] = np.nan
        if trial.values is not None:
            self.values[i, : len(trial.values)] = trial.values
        self.start[i] = _timestamp(trial.datetime_start)
        self.complete[i] = _timestamp(trial.datetime_complete)
        attrs = trial.system_attrs
        self.feasible[i] = not attrs or is_feasible(attrs)
        for name, dist in trial.distributions.items():
            column = self._param_column(name, dist)
            column[i] = self._numeric(name, dist, trial.params[name])
        for key in trial.user_attrs:
            self.user_attr_keys.setdefault(key, None)
        if trial.intermediate_values:
            self.has_intermediate_values = True
        if trial.state in _UNFINISHED:
            self._unfinished.add(i)
        else:
            self._unfinished.discard(i)
        self.seq += 1
        self._log_seq.append(self.seq)
        self._log_number.append(i)

    def _ensure(self, n: int) -> None:
        if n <= self.n:
            return
        capacity = len(self.state)
        if n > capacity:
            new = max(n, 2 * capacity, 64)
            self.state = _grow(self.state, new, -1)
            self.values = _grow(self.values, new, np.nan)
            self.start = _grow(self.start, new, np.nan)
            self.complete = _grow(self.complete, new, np.nan)
            self.feasible = _grow(self.feasible, new, True)
            self.params = {k: _grow(v, new, np.nan) for k, v in self.params.items()}
        self.trials.extend([None] * (n - self.n))
        self.n = n

    def _param_column(self, name: str, dist: BaseDistribution) -> np.ndarray:
        if self._last_dist.get(name) is dist:  # storages share distribution objects
            return self.params[name]
        self._last_dist[name] = dist
        info = self.param_info.get(name)
        if info is None:
            info = self.param_info[name] = ParamInfo(kind=_param_kind(dist))
            self.params[name] = np.full(len(self.state), np.nan)
        if isinstance(dist, CategoricalDistribution):
            for choice in dist.choices:
                if choice not in info.choices:
                    info.choices.append(choice)
        else:
            info.low = min(info.low, float(dist.low))  # type: ignore[attr-defined]
            info.high = max(info.high, float(dist.high))  # type: ignore[attr-defined]
            info.log = info.log or bool(getattr(dist, "log", False))
        return self.params[name]

    def _numeric(self, name: str, dist: BaseDistribution, value: Any) -> float:
        if self.param_info[name].kind == "categorical":
            return float(self.param_info[name].choices.index(value))
        return float(value)

    # Reads (call under ``lock`` after ``refresh``).

    def changed_since(self, cursor: int) -> list[FrozenTrial]:
        """Return the trials changed after the dashboard cursor ``cursor`` (latest versions)."""
        start = bisect.bisect_right(self._log_seq, cursor)
        numbers = sorted(set(self._log_number[start:]))
        return [t for t in (self.trials[i] for i in numbers) if t is not None]

    def state_counts(self) -> dict[str, int]:
        """Return the number of trials in each state (every state named, zeros included)."""
        states = self.state[: self.n]
        counts = np.bincount(states[states >= 0], minlength=len(TrialState))
        return {s.name: int(counts[int(s)]) for s in TrialState}

    def n_trials(self) -> int:
        """Return the number of trials read so far."""
        return int(np.count_nonzero(self.state[: self.n] >= 0))

    def best_numbers(self) -> list[int]:
        """Return the best trial's number (single objective) or the Pareto front's numbers."""
        if self._best[0] == self.seq:
            return self._best[1]
        complete = np.flatnonzero(self.state[: self.n] == int(TrialState.COMPLETE))
        numbers: list[int] = []
        if len(complete):
            maximize = [d == StudyDirection.MAXIMIZE for d in self.directions]
            signs = np.where(maximize, -1.0, 1.0)
            loss = self.values[complete] * signs
            if len(self.directions) == 1:
                numbers = [int(complete[int(np.nanargmin(loss[:, 0]))])]
            else:
                numbers = [int(i) for i in complete[nondominated_mask(loss)]]
        self._best = (self.seq, numbers)
        return numbers

    def best_values(self) -> list[float] | None:
        """Return the best values of a single-objective study (None when nothing completed)."""
        if len(self.directions) != 1:
            return None
        best = self.best_numbers()
        return [float(self.values[best[0], 0])] if best else None

    def last_activity(self) -> float:
        """Return the latest start or completion time (epoch seconds; NaN when none)."""
        if self.n == 0:
            return math.nan
        both = np.concatenate([self.start[: self.n], self.complete[: self.n]])
        return float(np.nanmax(both)) if np.isfinite(both).any() else math.nan

    def first_start(self) -> float:
        """Return the earliest start time (epoch seconds; NaN when none)."""
        starts = self.start[: self.n]
        return float(np.nanmin(starts)) if np.isfinite(starts).any() else math.nan

    def all_trials(self) -> list[FrozenTrial]:
        """Return every trial read so far, in number order."""
        return [t for t in self.trials[: self.n] if t is not None]


def _grow(array: np.ndarray, size: int, fill: float) -> np.ndarray:
    new = np.full((size, *array.shape[1:]), fill, dtype=array.dtype)
    new[: len(array)] = array
    return new


class CacheRegistry:
    """One ``StudyCache`` per study of a storage, created on first use."""

    def __init__(self, storage: BaseStorage) -> None:
        self.storage = storage
        self._caches: dict[int, StudyCache] = {}
        self._warming: set[int] = set()
        self._lock = threading.Lock()
        self._studies: tuple[float, list[FrozenStudy]] = (-math.inf, [])

    def get(self, study_id: int, refresh: bool = True) -> StudyCache:
        """Return the (refreshed) cache of a study. Raises KeyError for an unknown study."""
        with self._lock:
            cache = self._caches.get(study_id)
            if cache is None:
                cache = self._caches[study_id] = StudyCache(self.storage, study_id)
        if refresh:
            cache.refresh()
        return cache

    def peek(self, study_id: int, max_age: float | None = None) -> StudyCache | None:
        """Return the cache of a study already read once, refreshed unless younger than
        ``max_age`` seconds; else start reading it in the background and return None (a
        first read of a big study takes seconds)."""
        with self._lock:
            cache = self._caches.get(study_id)
        if cache is not None and cache.loaded:
            cache.refresh(max_age=max_age)
            return cache
        self.warm([study_id])
        return None

    def warm(self, study_ids: list[int]) -> None:
        """Read the given studies into their caches in a background thread."""
        with self._lock:
            todo = [i for i in study_ids if i not in self._warming]
            self._warming.update(todo)
        if todo:
            threading.Thread(target=self._warm, args=(todo,), daemon=True).start()

    def _warm(self, study_ids: list[int]) -> None:
        for study_id in study_ids:
            try:
                self.get(study_id)
            except KeyError:
                pass  # deleted meanwhile
            finally:
                with self._lock:
                    self._warming.discard(study_id)

    def studies(self, max_age: float) -> list[FrozenStudy]:
        """Return ``storage.get_all_studies()``, read again when older than ``max_age`` s."""
        read_at, studies = self._studies
        if time.monotonic() - read_at >= max_age:
            studies = self.storage.get_all_studies()
            self._studies = (time.monotonic(), studies)
        return studies

    def forget_studies(self) -> None:
        """Read the list of studies again next time (one was created, renamed or deleted)."""
        self._studies = (-math.inf, [])

    def drop(self, study_id: int) -> None:
        """Forget a study (after deleting or renaming it)."""
        with self._lock:
            self._caches.pop(study_id, None)
        self.forget_studies()

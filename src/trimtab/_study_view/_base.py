"""What every view shares (one log of finished trials, the digests fed from it), and subsets.

Finished trials never change again, so a view keeps them once, in the order they finished,
and every cache built on them (the columnar ``TrialHistory``, a pruner's rung summary, a
search space's intersection, a sampler's population index) is a ``Digest`` that the view feeds
with each finished trial exactly once. Consumers keep no cursors and no per-storage keys: a
digest lives as long as its view, and a view belongs to one study (or one subset of it).

A ``SubsetView`` shows only some of a study's trials (Hyperband's brackets): reads are
filtered by trial number, writes (state records, trial attributes) go to the whole study, and
it has its own finished-trial log and digests, so caches of different subsets never mix.
"""

from __future__ import annotations

import abc
import threading
from collections.abc import Callable, Container, Hashable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from trimtab._study_records import StudyDirection
from trimtab.trial._state import TrialState

if TYPE_CHECKING:
    from trimtab._study_view._history import TrialHistory
    from trimtab._study_view._protocol import StudyView
    from trimtab.trial._frozen import FrozenTrial


class Digest(Protocol):
    """A consumer's summary of a study: told of each finished trial exactly once."""

    def add(self, trials: list[FrozenTrial]) -> None:
        """Take in trials that finished since the last call, in the order they finished."""


D = TypeVar("D", bound=Digest)


class _Fed:
    __slots__ = ("digest", "row")

    def __init__(self, digest: Any) -> None:
        self.digest = digest
        self.row = 0


class _Held(Generic[D]):
    """What ``digest`` returns: entering feeds the digest and holds the view's lock.

    A plain class rather than ``contextlib.contextmanager``: samplers enter several digests
    per trial, and a generator-based context manager costs several extra calls each time.
    """

    __slots__ = ("_view", "_owner", "_factory")

    def __init__(self, view: FinishedTrials, owner: Hashable, factory: Callable[[], D]) -> None:
        self._view = view
        self._owner = owner
        self._factory = factory

    def __enter__(self) -> D:
        lock = self._view._lock
        lock.acquire()
        try:
            return self._view._fed_digest(self._owner, self._factory)
        except BaseException:
            lock.release()
            raise

    def __exit__(self, *exc_info: object) -> None:
        self._view._lock.release()


class FinishedTrials(abc.ABC):
    """The finished-trial log, digests and subsets of a view (subclasses read the trials)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._finished: list[FrozenTrial] = []
        self._fed: dict[Hashable, _Fed] = {}
        self._subsets: dict[Hashable, SubsetView] = {}
        self._key = object()

    def __getstate__(self) -> dict[str, Any]:
        # Caches are rebuilt from the storage: never ship them (or locks) to another process.
        state = self.__dict__.copy()
        for name in ("_lock", "_finished", "_fed", "_subsets", "_key"):
            del state[name]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        FinishedTrials.__init__(self)
        self.__dict__.update(state)

    @property
    def key(self) -> Hashable:
        """A key equal only to itself, unique to this view while anyone holds it."""
        return self._key

    @abc.abstractmethod
    def _newly_finished(self) -> list[FrozenTrial]:
        """Trials that finished since the last call (each once); called under the lock."""

    def finished_since(self, row: int) -> tuple[list[FrozenTrial], int]:
        """The trials that finished after the first ``row`` finished ones, and the new row."""
        with self._lock:
            new = self._newly_finished()
            if new:
                self._finished.extend(new)
            return self._finished[row:], len(self._finished)

    def digest(self, owner: Hashable, factory: Callable[[], D]) -> AbstractContextManager[D]:
        """``owner``'s digest (made by ``factory`` on first use), up to date and held locked.

        ``owner`` is any hashable the consumer owns (usually the sampler or pruner itself);
        one digest is kept per owner for as long as this view lives. Use it as
        ``with view.digest(self, Factory) as digest: ...``.
        """
        return _Held(self, owner, factory)

    def _fed_digest(self, owner: Hashable, factory: Callable[[], D]) -> D:
        """``owner``'s digest, fed with what finished since; the caller holds the lock."""
        fed = self._fed.get(owner)
        if fed is None:
            fed = self._fed[owner] = _Fed(factory())
        finished = self._finished
        new = self._newly_finished()
        if new:
            finished.extend(new)
        if fed.row < len(finished):
            fed.digest.add(finished[fed.row :])
            fed.row = len(finished)
        return fed.digest  # type: ignore[no-any-return]

    def history(self) -> TrialHistory:
        """The COMPLETE and PRUNED trials as numpy columns (one per view, shared by all)."""
        from trimtab._study_view._history import TrialHistory  # numpy, on first use

        n_objectives = len(self.directions)  # type: ignore[attr-defined]
        with self._lock:
            return self._fed_digest(TrialHistory, lambda: TrialHistory(n_objectives))

    def subset(self, key: Hashable, member: Callable[[int], bool]) -> StudyView:
        """This view restricted to the trials whose number satisfies ``member``.

        Args:
            key: Names the subset: the same key returns the same (cached) view, so its
                digests persist. Include the owner, e.g. ``(pruner, bracket)``.
            member: ``member(number)`` must give the same answer for a number every time.
        """
        with self._lock:
            view = self._subsets.get(key)
            if view is None:
                view = self._subsets[key] = SubsetView(self, member)
            return view


class SubsetView(FinishedTrials):
    """``parent`` restricted to the trials whose number satisfies ``member``.

    Args:
        parent: The view of the whole study.
        member: ``member(number)``; its answer for a number must never change (it is cached).
    """

    def __init__(self, parent: FinishedTrials, member: Callable[[int], bool]) -> None:
        super().__init__()
        self._parent: Any = parent
        self._member = member
        self._known: dict[int, bool] = {}
        self._parent_row = 0

    def _is_member(self, number: int) -> bool:
        answer = self._known.get(number)
        if answer is None:
            answer = self._known[number] = bool(self._member(number))
        return answer

    def _filter(self, trials: list[FrozenTrial]) -> list[FrozenTrial]:
        return [t for t in trials if self._is_member(t.number)]

    @property
    def study_name(self) -> str:
        return self._parent.study_name  # type: ignore[no-any-return]

    @property
    def directions(self) -> list[StudyDirection]:
        return self._parent.directions  # type: ignore[no-any-return]

    def get_trials(
        self, deepcopy: bool = True, states: Container[TrialState] | None = None
    ) -> list[FrozenTrial]:
        return self._filter(self._parent.get_trials(deepcopy=deepcopy, states=states))

    def best_trial(self) -> FrozenTrial:
        directions = self.directions
        if len(directions) > 1:
            raise RuntimeError("Best trial can be obtained only for single-objective optimization.")
        trials = self.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if not trials:
            raise ValueError("No trials are completed yet.")
        pick = max if directions[0] == StudyDirection.MAXIMIZE else min
        return pick(trials, key=lambda t: t.values[0])  # type: ignore[index]

    def trials_since(self, cursor: int) -> tuple[list[FrozenTrial], int]:
        trials, cursor = self._parent.trials_since(cursor)
        return self._filter(trials), cursor

    def _newly_finished(self) -> list[FrozenTrial]:
        new, self._parent_row = self._parent.finished_since(self._parent_row)
        return self._filter(new)

    def system_attrs(self) -> dict[str, Any]:
        return self._parent.system_attrs()  # type: ignore[no-any-return]

    def load_study_state(self, namespace: str, version: int) -> Any:
        return self._parent.load_study_state(namespace, version)

    def save_study_state(self, namespace: str, version: int, state: Any) -> None:
        self._parent.save_study_state(namespace, version, state)

    def save_trial_state(self, trial_id: int, namespace: str, version: int, state: Any) -> None:
        self._parent.save_trial_state(trial_id, namespace, version, state)

    def save_trial_attr(self, trial_id: int, key: str, value: Any) -> None:
        self._parent.save_trial_attr(trial_id, key, value)

"""What every view shares: one log of finished trials and the digests fed from it.

Finished trials never change again, so a view keeps them once, in the order they finished,
and every cache built on them (the columnar ``TrialHistory``, a pruner's rung summary, a
search space's intersection, a sampler's population index) is a ``Digest`` that the view feeds
with each finished trial exactly once. Consumers keep no cursors and no per-storage keys: a
digest lives as long as its view, and a view belongs to one study (or one subset of it).
"""

from __future__ import annotations

import abc
import contextlib
import threading
from collections.abc import Callable, Hashable, Iterator
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from trimtab._study_view._history import TrialHistory
    from trimtab._study_view._protocol import StudyView
    from trimtab._study_view._subset import SubsetView
    from trimtab.trial import FrozenTrial


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
            self._finished.extend(self._newly_finished())
            return self._finished[row:], len(self._finished)

    @contextlib.contextmanager
    def digest(self, owner: Hashable, factory: Callable[[], D]) -> Iterator[D]:
        """``owner``'s digest (made by ``factory`` on first use), up to date and held locked.

        ``owner`` is any hashable the consumer owns (usually the sampler or pruner itself);
        one digest is kept per owner for as long as this view lives.
        """
        with self._lock:
            fed = self._fed.get(owner)
            if fed is None:
                fed = self._fed[owner] = _Fed(factory())
            new, fed.row = self.finished_since(fed.row)
            if new:
                fed.digest.add(new)
            yield fed.digest

    def history(self) -> TrialHistory:
        """The COMPLETE and PRUNED trials as numpy columns (one per view, shared by all)."""
        from trimtab._study_view._history import TrialHistory  # numpy, on first use

        directions = self.directions  # type: ignore[attr-defined]
        with self.digest(TrialHistory, lambda: TrialHistory(len(directions))) as history:
            return history

    def subset(self, key: Hashable, member: Callable[[int], bool]) -> StudyView:
        """This view restricted to the trials whose number satisfies ``member``.

        Args:
            key: Names the subset: the same key returns the same (cached) view, so its
                digests persist. Include the owner, e.g. ``(pruner, bracket)``.
            member: ``member(number)`` must give the same answer for a number every time.
        """
        from trimtab._study_view._subset import SubsetView

        with self._lock:
            view = self._subsets.get(key)
            if view is None:
                view = self._subsets[key] = SubsetView(self, member)  # type: ignore[arg-type]
            return view

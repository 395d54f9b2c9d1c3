"""``StudyView``: the read-only study interface samplers, pruners and search spaces use."""

from __future__ import annotations

from collections.abc import Callable, Container, Hashable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from trimtab._study_records import StudyDirection
    from trimtab._study_view._base import Digest
    from trimtab._study_view._history import TrialHistory
    from trimtab.trial._frozen import FrozenTrial
    from trimtab.trial._state import TrialState

D = TypeVar("D", bound="Digest")


class StudyView(Protocol):
    """A study as seen from below ``trimtab.study``: its trials, caches and state records.

    Reads:
        ``study_name``, ``directions``, ``get_trials``, ``best_trial`` as on ``Study``;
        ``trials_since(cursor)`` for the trials created or changed in state since a cursor;
        ``finished_since(row)`` for the trials that finished since a row of the study's one
        log of finished trials; ``history()`` for that log as numpy columns; ``digest`` for a
        consumer's own summary of it. A view is its own stable key: caches hold it (or its
        ``key``), never ``id()`` of a storage.

    Writes (the only ones a sampler or pruner makes): versioned state records
    (``save_study_state``, ``save_trial_state``) and trial attributes whose keys are shared
    with Optuna's ecosystem (``save_trial_attr``: constraints, rungs, grid ids, generations).
    """

    @property
    def study_name(self) -> str:
        """The study's name."""

    @property
    def directions(self) -> list[StudyDirection]:
        """The direction of each objective."""

    @property
    def key(self) -> Hashable:
        """A key equal only to this view's own key (stable while anyone holds it)."""

    def get_trials(
        self, deepcopy: bool = True, states: Container[TrialState] | None = None
    ) -> list[FrozenTrial]:
        """The trials in number order, optionally only those in ``states``."""

    def best_trial(self) -> FrozenTrial:
        """The best COMPLETE trial of a single-objective study (ValueError if none)."""

    def trials_since(self, cursor: int) -> tuple[list[FrozenTrial], int]:
        """The trials created or changed in state after ``cursor`` (start at 0), new cursor."""

    def finished_since(self, row: int) -> tuple[list[FrozenTrial], int]:
        """The trials that finished after the first ``row`` finished ones, and the new row."""

    def history(self) -> TrialHistory:
        """The study's COMPLETE and PRUNED trials as growing numpy columns, brought up to date."""

    def digest(self, owner: Hashable, factory: Callable[[], D]) -> AbstractContextManager[D]:
        """``owner``'s digest of the finished trials, brought up to date and held locked."""

    def subset(self, key: Hashable, member: Callable[[int], bool]) -> StudyView:
        """This view restricted to the trials whose number satisfies ``member``."""

    def system_attrs(self) -> dict[str, Any]:
        """A copy of the study's system attributes (keys shared with Optuna's ecosystem)."""

    def load_study_state(self, namespace: str, version: int) -> Any:
        """The study-wide state saved under ``namespace`` with ``version``, or None."""

    def save_study_state(self, namespace: str, version: int, state: Any) -> None:
        """Store JSON-serialisable ``state`` for the study under ``namespace``."""

    def save_trial_state(self, trial_id: int, namespace: str, version: int, state: Any) -> None:
        """Store JSON-serialisable ``state`` on an unfinished trial under ``namespace``."""

    def save_trial_attr(self, trial_id: int, key: str, value: Any) -> None:
        """Store a trial system attribute under a key shared with Optuna's ecosystem."""


class StudyLike(Protocol):
    """A study as code below ``trimtab.study`` may name it: anything with a ``view``.

    ``Study`` is one. Search spaces take a ``StudyLike`` or a ``StudyView`` and read it
    through ``view_of``, so they need no import of ``trimtab.study``. Plug-in signatures
    (``BaseSampler``, ``BasePruner`` and the built-ins users subclass) keep ``Study``:
    that is what they receive, and a narrower override must stay valid for users.
    """

    @property
    def view(self) -> StudyView:
        """The study's ``StudyView``."""

    @property
    def study_name(self) -> str:
        """The study's name."""

    @property
    def directions(self) -> list[StudyDirection]:
        """The direction of each objective."""


def view_of(study: Any) -> StudyView:
    """The ``StudyView`` of a ``Study`` (``study.view``), or ``study`` itself if it is a view.

    Raises:
        TypeError: ``study`` is neither a trimtab ``Study`` nor a ``StudyView``.
    """
    view = getattr(study, "view", None)
    if view is not None:
        return view  # type: ignore[no-any-return]
    if hasattr(study, "trials_since") and hasattr(study, "digest"):
        return study  # type: ignore[no-any-return]
    raise TypeError(
        f"Expected a trimtab Study or StudyView, got {type(study).__name__}: built-in samplers "
        "and pruners read studies through `Study.view`."
    )

"""Module-level study functions: create, load, delete, copy, list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from trimtab import logging
from trimtab._study_records import StudyDirection
from trimtab.exceptions import DuplicatedStudyError
from trimtab.pruners import BasePruner
from trimtab.samplers import BaseSampler
from trimtab.storages import BaseStorage, get_storage
from trimtab.study._study import Study, check_study_name
from trimtab.study._summary import StudySummary

_logger = logging.get_logger(__name__)

DirectionLike = Literal["minimize", "maximize"] | StudyDirection


def _to_direction(direction: object) -> StudyDirection:
    if isinstance(direction, StudyDirection) and direction != StudyDirection.NOT_SET:
        return direction
    if isinstance(direction, str) and direction.lower() in ("minimize", "maximize"):
        return StudyDirection[direction.upper()]
    raise ValueError(
        f"Please set either 'minimize' or 'maximize' to direction, got {direction!r}. You can "
        "also set the corresponding `StudyDirection` member."
    )


def _directions(
    direction: DirectionLike | None, directions: Sequence[DirectionLike] | None
) -> list[StudyDirection]:
    if direction is not None and directions is not None:
        raise ValueError("Specify only one of `direction` and `directions`.")
    if direction is not None:
        return [_to_direction(direction)]
    if directions is None:
        return [StudyDirection.MINIMIZE]
    if isinstance(directions, str) or not isinstance(directions, Sequence):
        raise TypeError(f"`directions` must be a list of directions, got {directions!r}.")
    if len(directions) == 0:
        raise ValueError("The number of objectives must be greater than 0.")
    return [_to_direction(d) for d in directions]


def create_study(
    *,
    storage: str | BaseStorage | None = None,
    sampler: BaseSampler | None = None,
    pruner: BasePruner | None = None,
    study_name: str | None = None,
    direction: DirectionLike | None = None,
    load_if_exists: bool = False,
    directions: Sequence[DirectionLike] | None = None,
) -> Study:
    """Create a study (in memory unless ``storage`` is given) and return it.

    Raises:
        DuplicatedStudyError: ``study_name`` exists and ``load_if_exists`` is False.
        ValueError: bad directions (unknown string, both ``direction`` and ``directions``).
        TypeError: ``study_name`` is neither a str nor None.
    """
    check_study_name(study_name, optional=True)
    parsed = _directions(direction, directions)
    backend = get_storage(storage)
    try:
        study_id = backend.create_new_study(parsed, study_name)
    except DuplicatedStudyError:
        if not load_if_exists:
            raise
        assert study_name is not None
        _logger.info(
            f"Using an existing study with name '{study_name}' instead of creating a new one."
        )
        study_id = backend.get_study_id_from_name(study_name)
    name = backend.get_study_name_from_id(study_id)
    return Study(study_name=name, storage=backend, sampler=sampler, pruner=pruner)


def load_study(
    *,
    study_name: str | None,
    storage: str | BaseStorage,
    sampler: BaseSampler | None = None,
    pruner: BasePruner | None = None,
) -> Study:
    """Load an existing study; ``study_name=None`` works when the storage holds exactly one.

    Raises:
        KeyError: no such study.
        ValueError: ``study_name`` is None and the storage does not hold exactly one study.
        TypeError: ``study_name`` is neither a str nor None.
    """
    check_study_name(study_name, optional=True)
    backend = get_storage(storage)
    if study_name is None:
        names = get_all_study_names(backend)
        if len(names) != 1:
            raise ValueError(
                f"Could not determine the study name since the storage holds {len(names)} "
                "studies, not exactly 1. Specify `study_name`."
            )
        study_name = names[0]
        _logger.info(
            f"Study name was omitted but trying to load '{study_name}' because that was the "
            "only study found in the storage."
        )
    return Study(study_name=study_name, storage=backend, sampler=sampler, pruner=pruner)


def delete_study(*, study_name: str, storage: str | BaseStorage) -> None:
    """Delete a study and its trials.

    Raises:
        KeyError: no such study.
        TypeError: ``study_name`` is not a str.
    """
    check_study_name(study_name)
    backend = get_storage(storage)
    backend.delete_study(backend.get_study_id_from_name(study_name))


def copy_study(
    *,
    from_study_name: str,
    from_storage: str | BaseStorage,
    to_storage: str | BaseStorage,
    to_study_name: str | None = None,
) -> None:
    """Copy a study with its attributes and trials to another storage (or name).

    Raises:
        TypeError: ``from_study_name`` is not a str, or ``to_study_name`` neither a str nor None.
    """
    check_study_name(from_study_name, "from_study_name")
    check_study_name(to_study_name, "to_study_name", optional=True)
    source = load_study(study_name=from_study_name, storage=from_storage)
    target = create_study(
        study_name=to_study_name or from_study_name,
        storage=to_storage,
        directions=source.directions,
        load_if_exists=False,
    )
    for key, value in source._storage.get_study_system_attrs(source._study_id).items():
        target._storage.set_study_system_attr(target._study_id, key, value)
    for key, value in source.user_attrs.items():
        target.set_user_attr(key, value)
    target.add_trials(source.get_trials(deepcopy=False))


def get_all_study_names(storage: str | BaseStorage) -> list[str]:
    """Return the names of every study in ``storage``."""
    return [s.study_name for s in get_storage(storage).get_all_studies()]


def get_all_study_summaries(
    storage: str | BaseStorage, include_best_trial: bool = True
) -> list[StudySummary]:
    """Return a ``StudySummary`` of every study in ``storage``."""
    backend = get_storage(storage)
    summaries = []
    for frozen in backend.get_all_studies():
        study_id = frozen._study_id
        trials = backend.get_all_trials(study_id, deepcopy=False)
        best = None
        if include_best_trial and len(frozen.directions) == 1:
            try:
                best = backend.get_best_trial(study_id)
            except ValueError:
                best = None
        starts = [t.datetime_start for t in trials if t.datetime_start is not None]
        summaries.append(
            StudySummary(
                study_name=frozen.study_name,
                direction=None,
                directions=frozen.directions,
                best_trial=best,
                user_attrs=frozen.user_attrs,
                system_attrs=frozen.system_attrs,
                n_trials=len(trials),
                datetime_start=min(starts) if starts else None,
                study_id=study_id,
            )
        )
    return summaries

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
    """Create a new study and return it.

    Args:
        storage: Where the study is recorded: ``None`` for memory (gone when the process
            ends), a storage location string (``"sqlite:///study.db"``,
            ``"postgresql+psycopg2://..."``, a journal file ``"study.log"``, ``"redis://..."``),
            or a storage object such as :class:`~trimtab.storages.RDBStorage`.
        sampler: How parameters are chosen; default :class:`~trimtab.samplers.TPESampler`
            (:class:`~trimtab.samplers.NSGAIISampler` for several objectives).
        pruner: When unpromising trials are stopped; default
            :class:`~trimtab.pruners.MedianPruner`.
        study_name: A unique name; a generated one when ``None``.
        direction: ``"minimize"`` (default) or ``"maximize"`` for a single objective.
        load_if_exists: Return the existing study of ``study_name`` instead of failing.
        directions: One direction per objective, for multi-objective studies.

    Returns:
        The new (or, with ``load_if_exists``, the existing) study.

    Raises:
        DuplicatedStudyError: ``study_name`` exists and ``load_if_exists`` is False.
        ValueError: bad directions (unknown string, both ``direction`` and ``directions``),
            or a storage string that is neither a URL nor a journal file.
        TypeError: ``study_name`` is neither a str nor None.

    Example:
        >>> import trimtab
        >>> study = trimtab.create_study(direction="maximize")
        >>> study.optimize(lambda trial: -((trial.suggest_float("x", -1, 1)) ** 2), n_trials=5)
        >>> len(study.trials)
        5
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
    """Load an existing study from a storage.

    Args:
        study_name: The study's name; ``None`` works when the storage holds exactly one study.
        storage: A storage location string (see :func:`create_study`) or a storage object.
        sampler: The sampler for new trials; default as in :func:`create_study`.
        pruner: The pruner for new trials; default as in :func:`create_study`.

    Returns:
        The study, with its trials so far.

    Raises:
        KeyError: no such study.
        ValueError: ``study_name`` is None and the storage does not hold exactly one study.
        TypeError: ``study_name`` is neither a str nor None.

    Example:
        >>> import trimtab
        >>> storage = trimtab.storages.InMemoryStorage()
        >>> _ = trimtab.create_study(study_name="demo", storage=storage)
        >>> trimtab.load_study(study_name="demo", storage=storage).study_name
        'demo'
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
    """Delete a study and all its trials from a storage.

    Args:
        study_name: The study's name.
        storage: A storage location string (see :func:`create_study`) or a storage object.

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
    """Copy a study, with its attributes and trials, to another storage or name.

    Args:
        from_study_name: The study to copy.
        from_storage: Its storage (a location string or a storage object).
        to_storage: The storage to copy into (may be ``from_storage``).
        to_study_name: The copy's name; default ``from_study_name``.

    Raises:
        KeyError: no study ``from_study_name`` in ``from_storage``.
        DuplicatedStudyError: the target name already exists in ``to_storage``.
        TypeError: ``from_study_name`` is not a str, or ``to_study_name`` neither a str nor None.

    Example:
        >>> import trimtab
        >>> source = trimtab.storages.InMemoryStorage()
        >>> _ = trimtab.create_study(study_name="a", storage=source)
        >>> target = trimtab.storages.InMemoryStorage()
        >>> trimtab.copy_study(from_study_name="a", from_storage=source, to_storage=target)
        >>> trimtab.get_all_study_names(target)
        ['a']
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
    """Return the names of every study in a storage.

    Args:
        storage: A storage location string (see :func:`create_study`) or a storage object.

    Returns:
        The study names.
    """
    return [s.study_name for s in get_storage(storage).get_all_studies()]


def get_all_study_summaries(
    storage: str | BaseStorage, include_best_trial: bool = True
) -> list[StudySummary]:
    """Return a summary of every study in a storage.

    Args:
        storage: A storage location string (see :func:`create_study`) or a storage object.
        include_best_trial: Look up each single-objective study's best trial (costs a query
            per study on database storages).

    Returns:
        One :class:`~trimtab.study.StudySummary` per study: name, directions, attributes,
        number of trials, start time and, if asked, the best trial.
    """
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

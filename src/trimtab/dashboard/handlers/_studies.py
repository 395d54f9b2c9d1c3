"""Handlers for the study list and a study's description; create, rename, delete."""

from __future__ import annotations

from trimtab._study_records import StudyDirection
from trimtab.dashboard._context import ApiRequest, Context, iso
from trimtab.dashboard._form_widgets import form_widgets
from trimtab.dashboard._notes import read_note
from trimtab.dashboard._schema import (
    CreateStudy,
    Done,
    RenameStudy,
    StudyDetail,
    StudyList,
    StudySummary,
)
from trimtab.dashboard.handlers._rows import param_columns
from trimtab.storages import BaseStorage
from trimtab.trial import TrialState

_METRIC_NAME_KEYS = ("study:metric_names", "dashboard:objective_names")


def _study_id(ctx: Context, req: ApiRequest) -> int:
    """The study id of the path, checked to name a study (KeyError otherwise)."""
    study_id = int(req.path["study_id"])
    ctx.storage.get_study_name_from_id(study_id)  # KeyError (404) for an unknown study
    return study_id


# The list is polled every 2 s: its numbers may be this old, which saves storage reads.
LIST_MAX_AGE = 1.0


def list_studies(ctx: Context, req: ApiRequest) -> StudyList:
    """Every study with its trial counts by state, best value and last activity.

    A study whose trials were never read is listed at once with ``loading`` set while a
    background thread reads it; the next poll has its numbers.
    """
    studies = []
    for frozen in sorted(ctx.caches.studies(LIST_MAX_AGE), key=lambda s: s.study_id):
        directions = [d.name.lower() for d in frozen.directions]
        cache = ctx.caches.peek(frozen.study_id, LIST_MAX_AGE)
        if cache is None:
            studies.append(
                StudySummary(
                    frozen.study_id,
                    frozen.study_name,
                    directions,
                    True,
                    None,
                    None,
                    None,
                    None,
                    None,
                )
            )
            continue
        with cache.lock:
            studies.append(
                StudySummary(
                    study_id=frozen.study_id,
                    study_name=frozen.study_name,
                    directions=directions,
                    loading=False,
                    n_trials=cache.n_trials(),
                    state_counts=cache.state_counts(),
                    best_values=cache.best_values(),
                    datetime_start=iso(cache.first_start()),
                    last_activity=iso(cache.last_activity()),
                )
            )
    return StudyList(studies=studies)


def _directions(names: list[str]) -> list[StudyDirection]:
    if not names:
        raise ValueError("A study needs at least one direction.")
    out = []
    for name in names:
        if name.lower() not in ("minimize", "maximize"):
            raise ValueError(f"Direction must be 'minimize' or 'maximize', got {name!r}.")
        out.append(StudyDirection[name.upper()])
    return out


def _check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValueError("The study name must not be empty.")
    if len(name) > 512:
        raise ValueError("The study name must be at most 512 characters.")
    return name


def create_study(ctx: Context, req: ApiRequest) -> Done:
    """Create an empty study (409 when the name exists)."""
    body: CreateStudy = req.body
    directions = _directions(body.directions)
    study_id = ctx.storage.create_new_study(directions, _check_name(body.study_name))
    ctx.caches.forget_studies()
    return Done(ok=True, study_id=study_id)


def _trial_keyed(key: str, new_ids: dict[int, int]) -> str:
    """``key`` with the trial id of a per-trial dashboard key (notes) mapped to its copy's."""
    prefix, _, rest = key.partition(":")
    trial_id, sep, tail = rest.partition(":")
    if prefix == "dashboard" and sep and trial_id.isdigit() and int(trial_id) in new_ids:
        return f"dashboard:{new_ids[int(trial_id)]}:{tail}"
    return key


def rename_study(ctx: Context, req: ApiRequest) -> Done:
    """Rename a study, keeping its id where the storage can (RDB, in-memory).

    Other storages (journal, gRPC) have no rename: the study is copied (attributes, trials,
    trial notes re-keyed to the copies' trial ids) under the new name, then deleted, which
    gives it a new id. The answer's ``study_id`` is the id the study has afterwards.
    """
    body: RenameStudy = req.body
    old_id = _study_id(ctx, req)
    name = _check_name(body.study_name)
    in_place = getattr(ctx.storage, "rename_study", None)
    with ctx.write_lock:
        if in_place is not None:
            in_place(old_id, name)
            new_id = old_id
        else:
            new_id = _copy_rename(ctx.storage, old_id, name)
    ctx.caches.forget_studies()
    if new_id != old_id:
        ctx.forget_study(old_id)
    return Done(ok=True, study_id=new_id)


def _copy_rename(storage: BaseStorage, old_id: int, name: str) -> int:
    if storage.get_n_trials(old_id, (TrialState.RUNNING,)):
        raise ValueError(
            "A study with RUNNING trials cannot be renamed in this storage (it gives the study "
            "a new id, and workers use the old one)."
        )
    new_id = storage.create_new_study(storage.get_study_directions(old_id), name)
    new_ids = {
        trial._trial_id: storage.create_new_trial(new_id, template_trial=trial)
        for trial in storage.get_all_trials(old_id, deepcopy=False)
    }
    for key, value in storage.get_study_system_attrs(old_id).items():
        storage.set_study_system_attr(new_id, _trial_keyed(key, new_ids), value)
    for key, value in storage.get_study_user_attrs(old_id).items():
        storage.set_study_user_attr(new_id, key, value)
    storage.delete_study(old_id)
    return new_id


def delete_study(ctx: Context, req: ApiRequest) -> Done:
    """Delete a study and its trials."""
    study_id = _study_id(ctx, req)
    with ctx.write_lock:
        ctx.storage.delete_study(study_id)
    ctx.forget_study(study_id)
    return Done(ok=True, study_id=study_id)


def get_study(ctx: Context, req: ApiRequest) -> StudyDetail:
    """A study's description: directions, objective names, counts, best, columns, note."""
    study_id = _study_id(ctx, req)
    storage = ctx.storage
    system_attrs = storage.get_study_system_attrs(study_id)
    directions = storage.get_study_directions(study_id)
    names = next((system_attrs[k] for k in _METRIC_NAME_KEYS if k in system_attrs), None)
    if not isinstance(names, list) or len(names) != len(directions):
        names = (
            ["Objective Value"]
            if len(directions) == 1
            else [f"Objective {i}" for i in range(len(directions))]
        )
    cache = ctx.caches.get(study_id)
    with cache.lock:
        return StudyDetail(
            study_id=study_id,
            study_name=storage.get_study_name_from_id(study_id),
            directions=[d.name.lower() for d in directions],
            objective_names=[str(n) for n in names],
            user_attrs=storage.get_study_user_attrs(study_id),
            n_trials=cache.n_trials(),
            state_counts=cache.state_counts(),
            best_trial_numbers=cache.best_numbers(),
            best_values=cache.best_values(),
            params=param_columns(cache),
            user_attr_keys=sorted(cache.user_attr_keys),
            has_intermediate_values=cache.has_intermediate_values,
            cursor=cache.seq,
            note=read_note(system_attrs, None),
            form_widgets=form_widgets(system_attrs),
            preferential=bool(system_attrs.get("preference:is_preferential")),
        )

"""Handlers for the Markdown notes of a study and of its trials."""

from __future__ import annotations

from trimtab.dashboard._context import ApiRequest, Context
from trimtab.dashboard._notes import MAX_NOTE, read_note, save_note
from trimtab.dashboard._schema import Note, SaveNote
from trimtab.dashboard.handlers._studies import _study_id


def _trial_id(ctx: Context, study_id: int, req: ApiRequest) -> int | None:
    if "number" not in req.path:
        return None
    return ctx.storage.get_trial_id_from_study_id_trial_number(study_id, int(req.path["number"]))


def get_note(ctx: Context, req: ApiRequest) -> Note:
    """The note of a study, or of a trial when the path names one."""
    study_id = _study_id(ctx, req)
    trial_id = _trial_id(ctx, study_id, req)
    return read_note(ctx.storage.get_study_system_attrs(study_id), trial_id)


def put_note(ctx: Context, req: ApiRequest) -> Note:
    """Save a note; 409 when ``version`` is not the stored version plus one."""
    body: SaveNote = req.body
    if len(body.body) > MAX_NOTE:
        raise ValueError(f"A note is limited to {MAX_NOTE} characters.")
    study_id = _study_id(ctx, req)
    trial_id = _trial_id(ctx, study_id, req)
    with ctx.write_lock:
        return save_note(ctx.storage, study_id, trial_id, body.version, body.body)

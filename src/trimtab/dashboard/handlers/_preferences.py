"""Handlers of a preferential study's compare page: candidates, answers, undo."""

from __future__ import annotations

from typing import Any

from trimtab.dashboard._context import ApiRequest, Context
from trimtab.dashboard._notes import read_note
from trimtab.dashboard._schema import (
    Candidate,
    Done,
    PreferenceAnswer,
    PreferencePage,
    ReportPreference,
)
from trimtab.dashboard.handlers._rows import trial_row
from trimtab.dashboard.handlers._studies import _study_id
from trimtab.dashboard.preferential._records import (
    FEEDBACK_COMPONENT,
    IS_PREFERENTIAL,
    N_GENERATE,
    PREFERENCE_PREFIX,
    preferences_from_attrs,
    record_preferences,
    skipped_trial_ids,
    undo_preference,
)
from trimtab.trial import TrialState


def _preferential_attrs(ctx: Context, study_id: int) -> dict[str, Any]:
    attrs = ctx.storage.get_study_system_attrs(study_id)
    if not attrs.get(IS_PREFERENTIAL):
        raise ValueError("This study is not a preferential study.")
    return attrs


def preference_page(ctx: Context, req: ApiRequest) -> PreferencePage:
    """The candidates still to compare (not yet worse, not skipped) and the answers so far."""
    study_id = _study_id(ctx, req)
    attrs = _preferential_attrs(ctx, study_id)
    worse = {w for _, w in preferences_from_attrs(attrs)}
    skipped = skipped_trial_ids(attrs)
    trials = ctx.storage.get_all_trials(
        study_id, deepcopy=False, states=(TrialState.COMPLETE, TrialState.RUNNING)
    )
    candidates = [
        Candidate(row=trial_row(t), note_html=read_note(attrs, t._trial_id).html)
        for t in trials
        if t.number not in worse and t._trial_id not in skipped
    ]
    answers = [
        PreferenceAnswer(answer_id=key[len(PREFERENCE_PREFIX) :], pairs=[list(p) for p in value])
        for key, value in attrs.items()
        if key.startswith(PREFERENCE_PREFIX) and isinstance(value, list) and value
    ]
    component = attrs.get(FEEDBACK_COMPONENT) or {"output_type": "note"}
    return PreferencePage(
        n_generate=int(attrs.get(N_GENERATE, 0)),
        component=component,
        candidates=candidates,
        answers=answers,
    )


def report_preference(ctx: Context, req: ApiRequest) -> Done:
    """Record that ``worst`` is worse than each other candidate."""
    body: ReportPreference = req.body
    study_id = _study_id(ctx, req)
    _preferential_attrs(ctx, study_id)
    candidates = sorted(set(body.candidates))
    if len(candidates) < 2 or body.worst not in candidates:
        raise ValueError("candidates: at least two trials, the worst among them.")
    n_trials = ctx.storage.get_n_trials(study_id)
    if any(not 0 <= n < n_trials for n in candidates):
        raise ValueError(f"candidates: trial numbers must be below {n_trials}.")
    with ctx.write_lock:
        record_preferences(
            ctx.storage, study_id, [(n, body.worst) for n in candidates if n != body.worst]
        )
    return Done(ok=True, study_id=study_id, trial_number=body.worst)


def undo(ctx: Context, req: ApiRequest) -> Done:
    """Withdraw one answer."""
    study_id = _study_id(ctx, req)
    _preferential_attrs(ctx, study_id)
    with ctx.write_lock:
        undo_preference(ctx.storage, study_id, str(req.path["answer_id"]))
    return Done(ok=True, study_id=study_id)

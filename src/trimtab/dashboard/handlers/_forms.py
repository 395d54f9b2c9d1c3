"""Handler of the user-attribute form of a RUNNING trial (human in the loop).

Objective forms need no handler of their own: the page computes the values from the widgets
and tells the trial through the validated tell route.
"""

from __future__ import annotations

import math
from typing import Any

from trimtab.dashboard._context import ApiRequest, Context
from trimtab.dashboard._form_widgets import form_widgets
from trimtab.dashboard._schema import Done, SaveUserAttrs
from trimtab.dashboard.handlers._studies import _study_id
from trimtab.trial import TrialState

MAX_TEXT = 10_000


def _answer_problem(widget: dict[str, Any], value: Any) -> str | None:
    key = widget.get("user_attr_key")
    kind = widget.get("type")
    if kind == "text":
        if not isinstance(value, str) or len(value) > MAX_TEXT:
            return f"{key!r} must be a text of at most {MAX_TEXT} characters"
        if not value and not widget.get("optional"):
            return f"{key!r} must not be empty"
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return f"{key!r} must be a finite number, got {value!r}"
    if kind == "choice" and value not in widget.get("values", []):
        return f"{key!r} must be one of {widget.get('values')}, got {value!r}"
    if kind == "slider" and not widget["min"] <= value <= widget["max"]:
        return f"{key!r} must be within [{widget['min']}, {widget['max']}], got {value!r}"
    return None


def save_user_attrs(ctx: Context, req: ApiRequest) -> Done:
    """Store the answers of a RUNNING trial's user-attribute form."""
    body: SaveUserAttrs = req.body
    study_id = _study_id(ctx, req)
    storage = ctx.storage
    form = form_widgets(storage.get_study_system_attrs(study_id))
    if form is None or form.get("output_type") != "user_attr":
        raise ValueError("This study has no user-attribute form.")
    widgets = {w.get("user_attr_key"): w for w in form["widgets"]}
    unknown = sorted(set(body.user_attrs) - set(widgets))
    if unknown:
        raise ValueError(f"user_attrs: no form widget for {unknown!r}.")
    missing = sorted(set(widgets) - set(body.user_attrs))
    if missing:
        raise ValueError(f"user_attrs: answers missing for {missing!r}.")
    problems = [_answer_problem(widgets[k], v) for k, v in body.user_attrs.items()]
    if any(problems):
        raise ValueError("user_attrs: " + "; ".join(p for p in problems if p) + ".")
    number = int(req.path["number"])
    trial_id = storage.get_trial_id_from_study_id_trial_number(study_id, number)
    with ctx.write_lock:
        if storage.get_trial(trial_id).state != TrialState.RUNNING:
            raise ValueError(f"Trial {number} is not RUNNING.")
        for key, value in body.user_attrs.items():
            storage.set_trial_user_attr(trial_id, key, value)
    return Done(ok=True, study_id=study_id, trial_number=number)

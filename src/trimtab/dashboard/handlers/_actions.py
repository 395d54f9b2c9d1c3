"""Human-in-the-loop handlers: finish a RUNNING/WAITING trial, enqueue a trial.

Everything a request asks for is validated before the storage changes: a refused tell leaves
a WAITING trial WAITING, and a refused enqueue creates nothing.
"""

from __future__ import annotations

import math
from typing import Any

from trimtab.dashboard._context import ApiRequest, Context
from trimtab.dashboard._schema import Done, EnqueueTrial, TellTrial
from trimtab.dashboard.handlers._studies import _study_id
from trimtab.samplers import RandomSampler
from trimtab.study import Study
from trimtab.study._tell import values_problem
from trimtab.trial import TrialState

_TELL_STATES = {s.name: s for s in (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)}


class TrialTakenError(Exception):
    """Another worker started the WAITING trial before the dashboard could finish it."""


def _study(ctx: Context, study_id: int) -> Study:
    # RandomSampler: telling must not import or run a heavy default sampler.
    name = ctx.storage.get_study_name_from_id(study_id)
    return Study(study_name=name, storage=ctx.storage, sampler=RandomSampler())


def checked_tell(body: TellTrial, n_objectives: int) -> tuple[TrialState, list[float] | None]:
    """Return the state and values a tell asks for, or raise before anything is stored.

    Raises:
        ValueError: unknown state; values missing for COMPLETE, or given for PRUNED/FAIL;
            values not numbers, NaN, or not one per objective.
    """
    state = _TELL_STATES.get(body.state.upper())
    if state is None:
        raise ValueError(f"State must be one of {sorted(_TELL_STATES)}, got {body.state!r}.")
    if state != TrialState.COMPLETE:
        if body.values is not None:
            raise ValueError(f"Values cannot be given with state {state.name}.")
        return state, None
    if body.values is None:
        raise ValueError("Values are required to finish a trial as COMPLETE.")
    problem = values_problem(n_objectives, body.values)
    if problem is not None:
        raise ValueError(f"Invalid values: {problem}.")
    return state, [float(v) for v in body.values]


def tell_trial(ctx: Context, req: ApiRequest) -> Done:
    """Finish a RUNNING or WAITING trial with values (COMPLETE) or as PRUNED/FAIL."""
    study_id = _study_id(ctx, req)
    storage = ctx.storage
    state, values = checked_tell(req.body, len(storage.get_study_directions(study_id)))
    number = int(req.path["number"])
    trial_id = storage.get_trial_id_from_study_id_trial_number(study_id, number)
    with ctx.write_lock:
        trial = storage.get_trial(trial_id)
        if trial.state.is_finished():
            raise ValueError(f"Trial {number} is {trial.state.name} already.")
        if trial.state == TrialState.WAITING and not storage.set_trial_state_values(
            trial_id, TrialState.RUNNING
        ):
            raise TrialTakenError(f"Trial {number} was started by a worker meanwhile.")
        _study(ctx, study_id).tell(number, values=values, state=state)
    return Done(ok=True, study_id=study_id, trial_number=number)


def _param_problem(name: str, value: Any) -> str | None:
    if not name:
        return "a param needs a name"
    if value is None or isinstance(value, (bool, str)):
        return None
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:
            return f"param {name!r}: {value!r} is out of range"
        if not math.isfinite(number):
            return f"param {name!r}: {value!r} is not a finite number"
        return None
    return f"param {name!r} must be a number, string, bool or null, got {type(value).__name__}"


def enqueue_trial(ctx: Context, req: ApiRequest) -> Done:
    """Queue a WAITING trial whose ``suggest_*`` calls return the given params."""
    body: EnqueueTrial = req.body
    problems = [p for p in (_param_problem(k, v) for k, v in body.params.items()) if p]
    if problems:
        raise ValueError("Cannot enqueue: " + "; ".join(problems) + ".")
    study_id = _study_id(ctx, req)
    with ctx.write_lock:
        _study(ctx, study_id).enqueue_trial(body.params, user_attrs=body.user_attrs)
    return Done(ok=True, study_id=study_id)

"""Human-in-the-loop handlers: finish a RUNNING/WAITING trial, enqueue a trial."""

from __future__ import annotations

from trimtab.dashboard._context import ApiRequest, Context
from trimtab.dashboard._schema import Done, EnqueueTrial, TellTrial
from trimtab.dashboard.handlers._studies import _study_id
from trimtab.samplers import RandomSampler
from trimtab.study import Study
from trimtab.trial import TrialState

_TELL_STATES = {s.name: s for s in (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)}


class TrialTakenError(Exception):
    """Another worker started the WAITING trial before the dashboard could finish it."""


def _study(ctx: Context, study_id: int) -> Study:
    # RandomSampler: telling must not import or run a heavy default sampler.
    name = ctx.storage.get_study_name_from_id(study_id)
    return Study(study_name=name, storage=ctx.storage, sampler=RandomSampler())


def tell_trial(ctx: Context, req: ApiRequest) -> Done:
    """Finish a RUNNING or WAITING trial with values (COMPLETE) or as PRUNED/FAIL."""
    body: TellTrial = req.body
    state = _TELL_STATES.get(body.state.upper())
    if state is None:
        raise ValueError(f"State must be one of {sorted(_TELL_STATES)}, got {body.state!r}.")
    study_id = _study_id(ctx, req)
    number = int(req.path["number"])
    storage = ctx.storage
    trial_id = storage.get_trial_id_from_study_id_trial_number(study_id, number)
    with ctx.write_lock:
        trial = storage.get_trial(trial_id)
        if trial.state == TrialState.WAITING and not storage.set_trial_state_values(
            trial_id, TrialState.RUNNING
        ):
            raise TrialTakenError(f"Trial {number} was started by a worker meanwhile.")
        if trial.state.is_finished():
            raise ValueError(f"Trial {number} is {trial.state.name} already.")
        _study(ctx, study_id).tell(number, values=body.values, state=state)
    return Done(ok=True, study_id=study_id, trial_number=number)


def enqueue_trial(ctx: Context, req: ApiRequest) -> Done:
    """Queue a WAITING trial whose ``suggest_*`` calls return the given params."""
    body: EnqueueTrial = req.body
    for name, value in body.params.items():
        if not name or not (value is None or isinstance(value, (bool, int, float, str))):
            raise ValueError(f"Param {name!r} must have a name and a number, string or bool.")
    study_id = _study_id(ctx, req)
    with ctx.write_lock:
        _study(ctx, study_id).enqueue_trial(body.params, user_attrs=body.user_attrs)
    return Done(ok=True, study_id=study_id)

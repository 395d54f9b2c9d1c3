"""Finishing a trial: validate what the objective returned, run ``after_trial``, store it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from trimtab import _warnings, logging
from trimtab._foreign import optuna_member_name
from trimtab.trial import FrozenTrial, Trial, TrialState

if TYPE_CHECKING:
    from trimtab.study._study import Study

_logger = logging.get_logger(__name__)


def _frozen_trial(study: Study, trial: Trial | int) -> FrozenTrial:
    if isinstance(trial, Trial):
        trial_id = trial._trial_id
    elif isinstance(trial, int) and not isinstance(trial, bool):
        try:
            trial_id = study._storage.get_trial_id_from_study_id_trial_number(
                study._study_id, trial
            )
        except KeyError as err:
            raise ValueError(
                f"Cannot tell for trial with number {trial} since it has not been created."
            ) from err
    else:
        raise TypeError("Trial must be a trial object or trial number.")
    return study._storage.get_trial(trial_id)


def _native_state(state: Any) -> Any:
    """Optuna's ``TrialState.X`` (real Optuna installed next to trimtab) as trimtab's."""
    name = optuna_member_name(state, "TrialState")
    return state if name is None else TrialState[name]


def _check_state_and_values(state: TrialState | None, values: Sequence[Any] | None) -> None:
    if state == TrialState.COMPLETE:
        if values is None:
            raise ValueError(
                "No values were told. Values are required when state is TrialState.COMPLETE."
            )
    elif state in (TrialState.PRUNED, TrialState.FAIL):
        if values is not None:
            raise ValueError(
                "Values were told. Values cannot be specified when state is "
                "TrialState.PRUNED or TrialState.FAIL."
            )
    elif state is not None:
        raise ValueError(f"Cannot tell with state {state}.")


def _value_problem(value: Any) -> str | None:
    """Describe why one objective value is not a number, or return None (Optuna's wording)."""
    cannot = f"The value {value!r} could not be cast to float"
    if isinstance(value, (str, bytes)):
        # float("0.5") would succeed, but a str value is a bug in the objective: say so.
        return f"{cannot}: it is a {type(value).__name__}, not a number"
    try:
        number = float(value)
    except (ValueError, TypeError):
        return f"{cannot}: it is a {type(value).__name__}, not a number"
    except OverflowError as err:
        return f"{cannot}: {err}"
    if math.isnan(number):
        return f"The value {value} is not acceptable"
    return None


def values_problem(n_objectives: int, values: Sequence[Any]) -> str | None:
    """Describe why ``values`` cannot be a trial's objective values, or return None."""
    errors = [p for p in map(_value_problem, values) if p is not None]
    if errors:
        return "; ".join(errors)
    if n_objectives != len(values):
        return (
            f"The number of the values {len(values)} did not match the number of the "
            f"objectives {n_objectives}"
        )
    return None


def _as_values(value_or_values: Any) -> Sequence[Any] | None:
    if value_or_values is None:
        return None
    # A str is a Sequence, but of characters: it is one (wrong) value, not several.
    if isinstance(value_or_values, Sequence) and not isinstance(value_or_values, (str, bytes)):
        return value_or_values
    return [value_or_values]


def tell(
    study: Study,
    trial: Trial | int,
    value_or_values: Any = None,
    state: TrialState | None = None,
    skip_if_finished: bool = False,
    suppress_warning: bool = False,
) -> tuple[FrozenTrial, str | None]:
    """Finish ``trial`` and return its stored record and, when it failed validation, why.

    ``state=None`` means COMPLETE when the values are valid and FAIL otherwise.
    """
    frozen = _frozen_trial(study, trial)
    if frozen.state.is_finished() and skip_if_finished:
        _logger.info(
            f"Skipped telling trial {frozen.number} with values {value_or_values} and state "
            f"{state} since trial was already finished. Finished trial has values "
            f"{frozen.values} and state {frozen.state}."
        )
        return frozen, None
    if frozen.state != TrialState.RUNNING:
        raise ValueError(f"Cannot tell a {frozen.state.name} trial.")

    values = _as_values(value_or_values)
    if state is not None and type(state) is not TrialState:
        state = _native_state(state)
    _check_state_and_values(state, values)
    n_objectives = len(study.directions)
    problem: str | None = None
    if state == TrialState.COMPLETE:
        assert values is not None
        problem = values_problem(n_objectives, values)
        if problem is not None:
            raise ValueError(problem)
    elif state == TrialState.PRUNED:
        last_step = frozen.last_step
        if last_step is not None:
            last = frozen.intermediate_values[last_step]
            if values_problem(n_objectives, [last]) is None:
                values = [last]
    elif state is None:
        if values is None:
            problem = "The value None could not be cast to float."
        else:
            problem = values_problem(n_objectives, values)
        if problem is None:
            state = TrialState.COMPLETE
        else:
            state = TrialState.FAIL
            values = None
            if not suppress_warning:
                _warnings.warn(problem)
                problem = None

    float_values = [float(v) for v in values] if values is not None else None
    try:
        view = study._sampling_view(frozen)
        study.sampler.after_trial(view, frozen, state, float_values)
    finally:
        study._storage.set_trial_state_values(frozen._trial_id, state, float_values)
    return study._storage.get_trial(frozen._trial_id), problem

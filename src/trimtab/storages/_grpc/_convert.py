"""Trials, states and directions to and from their protobuf messages (Optuna's encoding)."""

from __future__ import annotations

import datetime
import functools
import json
from typing import Any

from trimtab._study_records import StudyDirection
from trimtab.distributions import BaseDistribution, distribution_to_json, json_to_distribution
from trimtab.storages._grpc._generated import api_pb2
from trimtab.trial._frozen import FrozenTrial
from trimtab.trial._state import TrialState

DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"

_STATE_TO_PROTO: dict[TrialState, Any] = {
    TrialState.RUNNING: api_pb2.RUNNING,
    TrialState.COMPLETE: api_pb2.COMPLETE,
    TrialState.PRUNED: api_pb2.PRUNED,
    TrialState.FAIL: api_pb2.FAIL,
    TrialState.WAITING: api_pb2.WAITING,
}
_STATE_FROM_PROTO: dict[Any, TrialState] = {
    proto: state for state, proto in _STATE_TO_PROTO.items()
}


def state_to_proto(state: TrialState) -> Any:
    return _STATE_TO_PROTO[state]


def state_from_proto(state: int) -> TrialState:
    try:
        return _STATE_FROM_PROTO[state]
    except KeyError:
        raise ValueError(f"Unknown trial state {state} on the wire.") from None


def directions_to_proto(directions: list[StudyDirection]) -> list[Any]:
    return [
        api_pb2.MAXIMIZE if d == StudyDirection.MAXIMIZE else api_pb2.MINIMIZE for d in directions
    ]


def directions_from_proto(directions: Any) -> list[StudyDirection]:
    return [
        StudyDirection.MAXIMIZE if d == api_pb2.MAXIMIZE else StudyDirection.MINIMIZE
        for d in directions
    ]


def attrs_to_proto(attrs: dict[str, Any]) -> dict[str, str]:
    return {key: json.dumps(value) for key, value in attrs.items()}


def attrs_from_proto(attrs: Any) -> dict[str, Any]:
    return {key: json.loads(value) for key, value in attrs.items()}


def _format_datetime(moment: datetime.datetime | None) -> str:
    # Same text as strftime(DATETIME_FORMAT), several times faster.
    return moment.isoformat(sep=" ", timespec="microseconds") if moment is not None else ""


def _parse_datetime(text: str) -> datetime.datetime | None:
    if not text:
        return None
    try:
        return datetime.datetime.fromisoformat(text)  # C-fast for the usual form
    except ValueError:
        return datetime.datetime.strptime(text, DATETIME_FORMAT)


@functools.lru_cache(maxsize=1024)
def distribution_from_json(text: str) -> BaseDistribution:
    """``json_to_distribution``, each text parsed once: a study has few distinct ones.

    The distribution returned is shared (distributions are never changed in place).
    """
    return json_to_distribution(text)


def _attrs_from_proto(attrs: Any) -> dict[str, Any]:
    return {key: json.loads(value) for key, value in attrs.items()} if attrs else {}


def trial_to_proto(trial: FrozenTrial) -> Any:
    """Encode a trial; params travel in their internal representation."""
    distributions = trial.distributions
    return api_pb2.Trial(
        trial_id=trial._trial_id,
        number=trial.number,
        state=_STATE_TO_PROTO[trial.state],
        values=trial.values or [],
        datetime_start=_format_datetime(trial.datetime_start),
        datetime_complete=_format_datetime(trial.datetime_complete),
        distributions={name: distribution_to_json(d) for name, d in distributions.items()},
        params={
            name: distributions[name].to_internal_repr(value)
            for name, value in trial.params.items()
        },
        user_attributes=attrs_to_proto(trial.user_attrs),
        system_attributes=attrs_to_proto(trial.system_attrs),
        intermediate_values=dict(trial.intermediate_values),
    )


def trial_from_proto(message: Any) -> FrozenTrial:
    """Decode a trial encoded by trimtab or Optuna."""
    distributions = {
        name: distribution_from_json(text) for name, text in message.distributions.items()
    }
    return FrozenTrial(
        number=message.number,
        state=state_from_proto(message.state),
        value=None,
        values=list(message.values) or None,
        datetime_start=_parse_datetime(message.datetime_start),
        datetime_complete=_parse_datetime(message.datetime_complete),
        params={
            name: distributions[name].to_external_repr(value)
            for name, value in message.params.items()
        },
        distributions=distributions,
        user_attrs=_attrs_from_proto(message.user_attributes),
        system_attrs=_attrs_from_proto(message.system_attributes),
        intermediate_values=dict(message.intermediate_values),
        trial_id=message.trial_id,
    )

"""The server side: each RPC of ``optuna.StorageService`` as a call on a trimtab storage.

Errors travel as gRPC status codes, as Optuna's server sends them: KeyError → NOT_FOUND,
DuplicatedStudyError → ALREADY_EXISTS, UpdateFinishedTrialError → FAILED_PRECONDITION,
ValueError → INVALID_ARGUMENT.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, TypeVar

import grpc

from trimtab.exceptions import DuplicatedStudyError, UpdateFinishedTrialError
from trimtab.storages._base import BaseStorage
from trimtab.storages._grpc._convert import (
    attrs_to_proto,
    directions_from_proto,
    directions_to_proto,
    distribution_from_json,
    state_from_proto,
    trial_from_proto,
    trial_to_proto,
)
from trimtab.storages._grpc._generated import api_pb2, api_pb2_grpc
from trimtab.storages._grpc._trial_index import TrialIndex

_F = TypeVar("_F", bound=Callable[..., Any])

_STATUS_OF = (
    (UpdateFinishedTrialError, grpc.StatusCode.FAILED_PRECONDITION),
    (DuplicatedStudyError, grpc.StatusCode.ALREADY_EXISTS),
    (KeyError, grpc.StatusCode.NOT_FOUND),
    (ValueError, grpc.StatusCode.INVALID_ARGUMENT),
)


def _rpc(method: _F) -> _F:
    """Turn the storage's errors into the status codes clients expect."""

    @functools.wraps(method)
    def wrapper(self: StorageProxyServicer, request: Any, context: grpc.ServicerContext) -> Any:
        try:
            return method(self, request, context)
        except tuple(kind for kind, _ in _STATUS_OF) as err:
            code = next(code for kind, code in _STATUS_OF if isinstance(err, kind))
            context.abort(code, str(err))

    return wrapper  # type: ignore[return-value]


class StorageProxyServicer(api_pb2_grpc.StorageServiceServicer):
    """Serve a ``BaseStorage`` over Optuna's ``StorageService`` protocol."""

    def __init__(self, storage: BaseStorage) -> None:
        self._storage = storage
        self._index = TrialIndex(storage)

    @_rpc
    def CreateNewStudy(self, request: Any, context: Any) -> Any:
        study_id = self._storage.create_new_study(
            directions_from_proto(request.directions), request.study_name or None
        )
        return api_pb2.CreateNewStudyReply(study_id=study_id)

    @_rpc
    def DeleteStudy(self, request: Any, context: Any) -> Any:
        self._storage.delete_study(request.study_id)
        self._index.forget(request.study_id)
        return api_pb2.DeleteStudyReply()

    @_rpc
    def SetStudyUserAttribute(self, request: Any, context: Any) -> Any:
        value = json.loads(request.value)
        self._storage.set_study_user_attr(request.study_id, request.key, value)
        return api_pb2.SetStudyUserAttributeReply()

    @_rpc
    def SetStudySystemAttribute(self, request: Any, context: Any) -> Any:
        value = json.loads(request.value)
        self._storage.set_study_system_attr(request.study_id, request.key, value)
        return api_pb2.SetStudySystemAttributeReply()

    @_rpc
    def GetStudyIdFromName(self, request: Any, context: Any) -> Any:
        study_id = self._storage.get_study_id_from_name(request.study_name)
        return api_pb2.GetStudyIdFromNameReply(study_id=study_id)

    @_rpc
    def GetStudyNameFromId(self, request: Any, context: Any) -> Any:
        name = self._storage.get_study_name_from_id(request.study_id)
        return api_pb2.GetStudyNameFromIdReply(study_name=name)

    @_rpc
    def GetStudyDirections(self, request: Any, context: Any) -> Any:
        directions = self._storage.get_study_directions(request.study_id)
        return api_pb2.GetStudyDirectionsReply(directions=directions_to_proto(directions))

    @_rpc
    def GetStudyUserAttributes(self, request: Any, context: Any) -> Any:
        attrs = self._storage.get_study_user_attrs(request.study_id)
        return api_pb2.GetStudyUserAttributesReply(user_attributes=attrs_to_proto(attrs))

    @_rpc
    def GetStudySystemAttributes(self, request: Any, context: Any) -> Any:
        attrs = self._storage.get_study_system_attrs(request.study_id)
        return api_pb2.GetStudySystemAttributesReply(system_attributes=attrs_to_proto(attrs))

    @_rpc
    def GetAllStudies(self, request: Any, context: Any) -> Any:
        studies = [
            api_pb2.Study(
                study_id=study.study_id,
                study_name=study.study_name,
                directions=directions_to_proto(study.directions),
                user_attributes=attrs_to_proto(study.user_attrs),
                system_attributes=attrs_to_proto(study.system_attrs),
            )
            for study in self._storage.get_all_studies()
        ]
        return api_pb2.GetAllStudiesReply(studies=studies)

    @_rpc
    def CreateNewTrial(self, request: Any, context: Any) -> Any:
        template = (
            None if request.template_trial_is_none else trial_from_proto(request.template_trial)
        )
        trial_id = self._storage.create_new_trial(request.study_id, template)
        if template is None:  # read now, before its worker (which has not the id yet) writes
            self._index.served.created(trial_id)
            self._index.served.read(self._storage.get_trial(trial_id))
            self._index.started(trial_id)
        return api_pb2.CreateNewTrialReply(trial_id=trial_id)

    @_rpc
    def SetTrialParameter(self, request: Any, context: Any) -> Any:
        distribution = distribution_from_json(request.distribution)
        self._storage.set_trial_param(
            request.trial_id, request.param_name, request.param_value_internal, distribution
        )
        self._index.served.param(
            request.trial_id, request.param_name, request.param_value_internal, distribution
        )
        self._index.wrote(request.trial_id)
        return api_pb2.SetTrialParameterReply()

    @_rpc
    def GetTrialIdFromStudyIdTrialNumber(self, request: Any, context: Any) -> Any:
        trial_id = self._storage.get_trial_id_from_study_id_trial_number(
            request.study_id, request.trial_number
        )
        return api_pb2.GetTrialIdFromStudyIdTrialNumberReply(trial_id=trial_id)

    @_rpc
    def SetTrialStateValues(self, request: Any, context: Any) -> Any:
        self._index.served.forget(request.trial_id)
        self._index.finished(request.trial_id)
        updated = self._storage.set_trial_state_values(
            request.trial_id, state_from_proto(request.state), list(request.values) or None
        )
        return api_pb2.SetTrialStateValuesReply(trial_updated=updated)

    @_rpc
    def SetTrialIntermediateValue(self, request: Any, context: Any) -> Any:
        self._storage.set_trial_intermediate_value(
            request.trial_id, request.step, request.intermediate_value
        )
        self._index.served.intermediate(request.trial_id, request.step, request.intermediate_value)
        self._index.wrote(request.trial_id)
        return api_pb2.SetTrialIntermediateValueReply()

    @_rpc
    def SetTrialUserAttribute(self, request: Any, context: Any) -> Any:
        value = json.loads(request.value)
        self._storage.set_trial_user_attr(request.trial_id, request.key, value)
        self._index.served.attr(request.trial_id, False, request.key, value)
        self._index.wrote(request.trial_id)
        return api_pb2.SetTrialUserAttributeReply()

    @_rpc
    def SetTrialSystemAttribute(self, request: Any, context: Any) -> Any:
        value = json.loads(request.value)
        self._storage.set_trial_system_attr(request.trial_id, request.key, value)
        self._index.served.attr(request.trial_id, True, request.key, value)
        self._index.wrote(request.trial_id)
        return api_pb2.SetTrialSystemAttributeReply()

    @_rpc
    def GetTrial(self, request: Any, context: Any) -> Any:
        trial = self._storage.get_trial(request.trial_id)
        return api_pb2.GetTrialReply(trial=trial_to_proto(trial))

    @_rpc
    def GetTrials(self, request: Any, context: Any) -> Any:
        trials = self._index.select(
            request.study_id, request.trial_id_greater_than, request.included_trial_ids
        )
        return api_pb2.GetTrialsReply(trials=trials)

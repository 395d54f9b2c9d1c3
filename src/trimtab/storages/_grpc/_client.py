"""``GrpcStorageProxy``: a storage whose every call goes to a gRPC storage proxy server.

It speaks Optuna 5.0's protocol, so it works against trimtab's ``run_grpc_proxy_server`` and
Optuna's alike. When the server goes away (restart, network cut), calls wait for it to come
back for up to ``reconnect_timeout`` seconds instead of failing the worker.
"""

from __future__ import annotations

import copy
import json
import time
import uuid
from collections.abc import Container, Sequence
from typing import Any

from trimtab import _warnings, logging
from trimtab._study_records import FrozenStudy, StudyDirection
from trimtab.distributions import BaseDistribution, distribution_to_json
from trimtab.exceptions import DuplicatedStudyError, UpdateFinishedTrialError
from trimtab.storages._base import DEFAULT_STUDY_NAME_PREFIX, BaseStorage
from trimtab.storages._grpc._ask_window import AskWindow
from trimtab.storages._grpc._client_cache import ClientTrialCache
from trimtab.storages._grpc._imports import import_grpc
from trimtab.storages._grpc._owned import OwnedTrials
from trimtab.trial._frozen import FrozenTrial
from trimtab.trial._state import TrialState

_logger = logging.get_logger(__name__)


class GrpcStorageProxy(BaseStorage):
    """A storage served by ``run_grpc_proxy_server`` (trimtab's or Optuna's) at host:port.

    Example:
        .. code::

            import trimtab
            from trimtab.storages import GrpcStorageProxy

            storage = GrpcStorageProxy(host="localhost", port=13000)
            study = trimtab.create_study(storage=storage, study_name="s", load_if_exists=True)

    Args:
        host: the server's host name or address.
        port: the server's port.
        connect_timeout: how long the first call waits for a server that is not up yet.
        reconnect_timeout: how long later calls wait for a server that went away (restart).

    Raises:
        ImportError: grpcio is missing (``pip install "trimtab[grpc]"``).
    """

    def __init__(
        self,
        *,
        host: str = "localhost",
        port: int = 13000,
        connect_timeout: float = 5.0,
        reconnect_timeout: float = 60.0,
    ) -> None:
        _warnings.warn_experimental("GrpcStorageProxy", "4.2.0")
        self._host = host
        self._port = port
        self._connect_timeout = connect_timeout
        self._reconnect_timeout = reconnect_timeout
        self._setup()

    def _setup(self) -> None:
        self._grpc, self._pb2, api_pb2_grpc = import_grpc()
        self._channel = self._grpc.insecure_channel(
            f"{self._host}:{self._port}",
            options=[("grpc.max_receive_message_length", -1), ("grpc.max_send_message_length", -1)],
        )
        self._stub = api_pb2_grpc.StorageServiceStub(self._channel)
        self._reached = False
        self._cache = ClientTrialCache(self._fetch_trials)
        self._owned = OwnedTrials()
        self._window = AskWindow()

    def __getstate__(self) -> dict[str, Any]:
        keep = ("_host", "_port", "_connect_timeout", "_reconnect_timeout")
        return {name: self.__dict__[name] for name in keep}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._setup()

    def wait_server_ready(self, timeout: float | None = None) -> None:
        """Block until the server accepts connections.

        Raises:
            ConnectionError: it did not within ``timeout`` seconds (message names host:port).
        """
        try:
            self._grpc.channel_ready_future(self._channel).result(timeout=timeout)
        except self._grpc.FutureTimeoutError as err:
            raise ConnectionError(
                f"The gRPC storage proxy at {self._host}:{self._port} did not answer within "
                f"{timeout} s."
            ) from err

    def close(self) -> None:
        """Close the connection."""
        self._channel.close()

    # The call path: status codes to exceptions, and waiting out a server restart.

    def _call(self, method: str, request: Any, *, repeat_aware: bool = False) -> Any:
        """Send one request; wait out a lost server; raise what a storage raises.

        With ``repeat_aware``, a refusal (ALREADY_EXISTS, FAILED_PRECONDITION) of a request
        re-sent after the connection broke raises ``_AlreadyDoneError``: the first attempt
        may have been carried out before the break, and the caller checks.
        """
        grpc = self._grpc
        rpc = getattr(self._stub, method)
        if not method.startswith("Get"):
            self._window.wrote()
        deadline: float | None = None
        first_failure: Any = None
        while True:
            try:
                reply = rpc(
                    request, wait_for_ready=deadline is not None, timeout=self._remaining(deadline)
                )
            except grpc.RpcError as err:
                if err.code() not in (
                    grpc.StatusCode.UNAVAILABLE,
                    grpc.StatusCode.DEADLINE_EXCEEDED,
                ):
                    translated = _translate(err, resent=repeat_aware and deadline is not None)
                    if translated is err:
                        raise
                    raise translated from err
                if deadline is None:
                    first_failure = err
                    deadline = self._start_waiting(err)
                elif time.monotonic() >= deadline:
                    raise self._unreachable(first_failure) from err
                continue
            self._reached = True
            return reply

    def _start_waiting(self, err: Any) -> float:
        budget = self._reconnect_timeout if self._reached else self._connect_timeout
        if self._reached:
            _logger.warning(
                f"Lost the gRPC storage proxy at {self._host}:{self._port} ({err.details()}); "
                f"waiting up to {budget:g} s for it."
            )
        return time.monotonic() + budget

    @staticmethod
    def _remaining(deadline: float | None) -> float | None:
        return None if deadline is None else max(0.01, deadline - time.monotonic())

    def _unreachable(self, err: Any) -> ConnectionError:
        return ConnectionError(
            f"Cannot reach the gRPC storage proxy at {self._host}:{self._port}: "
            f"{err.details()}. Is `trimtab storage serve` (or run_grpc_proxy_server) running "
            "there?"
        )

    # Studies.

    def create_new_study(
        self, directions: Sequence[StudyDirection], study_name: str | None = None
    ) -> int:
        from trimtab.storages._grpc._convert import directions_to_proto

        name = study_name or DEFAULT_STUDY_NAME_PREFIX + str(uuid.uuid4())
        request = self._pb2.CreateNewStudyRequest(
            directions=directions_to_proto(list(directions)), study_name=name
        )
        try:
            reply = self._call("CreateNewStudy", request, repeat_aware=True)
        except _AlreadyDoneError:  # our first attempt created it before the connection broke
            return self.get_study_id_from_name(name)
        return reply.study_id

    def delete_study(self, study_id: int) -> None:
        self._call("DeleteStudy", self._pb2.DeleteStudyRequest(study_id=study_id))
        self._cache.forget(study_id)

    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        request = self._pb2.SetStudyUserAttributeRequest(
            study_id=study_id, key=key, value=json.dumps(value)
        )
        self._call("SetStudyUserAttribute", request)

    def set_study_system_attr(self, study_id: int, key: str, value: Any) -> None:
        request = self._pb2.SetStudySystemAttributeRequest(
            study_id=study_id, key=key, value=json.dumps(value)
        )
        self._call("SetStudySystemAttribute", request)

    def get_study_id_from_name(self, study_name: str) -> int:
        request = self._pb2.GetStudyIdFromNameRequest(study_name=study_name)
        return self._call("GetStudyIdFromName", request).study_id

    def get_study_name_from_id(self, study_id: int) -> str:
        request = self._pb2.GetStudyNameFromIdRequest(study_id=study_id)
        return self._call("GetStudyNameFromId", request).study_name

    def get_study_directions(self, study_id: int) -> list[StudyDirection]:
        from trimtab.storages._grpc._convert import directions_from_proto

        request = self._pb2.GetStudyDirectionsRequest(study_id=study_id)
        return directions_from_proto(self._call("GetStudyDirections", request).directions)

    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]:
        request = self._pb2.GetStudyUserAttributesRequest(study_id=study_id)
        reply = self._call("GetStudyUserAttributes", request)
        return {key: json.loads(value) for key, value in reply.user_attributes.items()}

    def get_study_system_attrs(self, study_id: int) -> dict[str, Any]:
        request = self._pb2.GetStudySystemAttributesRequest(study_id=study_id)
        reply = self._call("GetStudySystemAttributes", request)
        return {key: json.loads(value) for key, value in reply.system_attributes.items()}

    def get_all_studies(self) -> list[FrozenStudy]:
        from trimtab.storages._grpc._convert import attrs_from_proto, directions_from_proto

        reply = self._call("GetAllStudies", self._pb2.GetAllStudiesRequest())
        return [
            FrozenStudy(
                study_name=study.study_name,
                direction=None,
                directions=directions_from_proto(study.directions),
                user_attrs=attrs_from_proto(study.user_attributes),
                system_attrs=attrs_from_proto(study.system_attributes),
                study_id=study.study_id,
            )
            for study in reply.studies
        ]

    # Trials.

    def create_new_trial(self, study_id: int, template_trial: FrozenTrial | None = None) -> int:
        from trimtab.storages._grpc._convert import trial_to_proto

        if template_trial is None:
            request = self._pb2.CreateNewTrialRequest(
                study_id=study_id, template_trial_is_none=True
            )
        else:
            request = self._pb2.CreateNewTrialRequest(
                study_id=study_id, template_trial=trial_to_proto(template_trial)
            )
        trial_id = self._call("CreateNewTrial", request).trial_id
        if template_trial is None:
            self._owned.created(trial_id)
            self._window.created(study_id)
        return trial_id

    def set_trial_param(
        self,
        trial_id: int,
        param_name: str,
        param_value_internal: float,
        distribution: BaseDistribution,
    ) -> None:
        request = self._pb2.SetTrialParameterRequest(
            trial_id=trial_id,
            param_name=param_name,
            param_value_internal=param_value_internal,
            distribution=distribution_to_json(distribution),
        )
        self._call("SetTrialParameter", request)
        self._owned.param(trial_id, param_name, param_value_internal, distribution)

    def get_trial_id_from_study_id_trial_number(self, study_id: int, trial_number: int) -> int:
        request = self._pb2.GetTrialIdFromStudyIdTrialNumberRequest(
            study_id=study_id, trial_number=trial_number
        )
        return self._call("GetTrialIdFromStudyIdTrialNumber", request).trial_id

    def set_trial_state_values(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None = None
    ) -> bool:
        from trimtab.storages._grpc._convert import state_to_proto

        request = self._pb2.SetTrialStateValuesRequest(
            trial_id=trial_id, state=state_to_proto(state), values=list(values or [])
        )
        self._owned.forget(trial_id)
        try:
            reply = self._call("SetTrialStateValues", request, repeat_aware=True)
        except _AlreadyDoneError:
            # The attempt before the connection broke may have finished the trial already.
            stored = self.get_trial(trial_id)
            if stored.state == state and list(stored.values or []) == list(values or []):
                return True
            raise UpdateFinishedTrialError(
                f"Trial#{stored.number} has already finished and can not be updated."
            ) from None
        return reply.trial_updated

    def set_trial_intermediate_value(
        self, trial_id: int, step: int, intermediate_value: float
    ) -> None:
        request = self._pb2.SetTrialIntermediateValueRequest(
            trial_id=trial_id, step=step, intermediate_value=intermediate_value
        )
        self._call("SetTrialIntermediateValue", request)
        self._owned.intermediate(trial_id, step, intermediate_value)

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        request = self._pb2.SetTrialUserAttributeRequest(
            trial_id=trial_id, key=key, value=json.dumps(value)
        )
        self._call("SetTrialUserAttribute", request)
        self._owned.attr(trial_id, False, key, value)

    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        request = self._pb2.SetTrialSystemAttributeRequest(
            trial_id=trial_id, key=key, value=json.dumps(value)
        )
        self._call("SetTrialSystemAttribute", request)
        self._owned.attr(trial_id, True, key, value)

    def get_trial(self, trial_id: int) -> FrozenTrial:
        from trimtab.storages._grpc._convert import trial_from_proto

        known = self._owned.get(trial_id) or self._cache.finished_trial(trial_id)
        if known is not None:
            return known
        reply = self._call("GetTrial", self._pb2.GetTrialRequest(trial_id=trial_id))
        trial = trial_from_proto(reply.trial)
        self._owned.read(trial)
        return trial

    def get_all_trials(
        self,
        study_id: int,
        deepcopy: bool = True,
        states: Container[TrialState] | None = None,
    ) -> list[FrozenTrial]:
        fetch = not self._window.is_open(study_id)
        if states is not None and not any(s.is_finished() for s in TrialState if s in states):
            # e.g. the WAITING ones: no O(n) scan
            trials = self._cache.sync_unfinished(study_id, fetch)
        else:
            trials, _ = self._cache.sync(study_id, fetch)
        if fetch:
            self._window.fetched(study_id)
        if states is not None:
            trials = [t for t in trials if t.state in states]
        return copy.deepcopy(trials) if deepcopy else trials

    def get_trials_since(self, study_id: int, cursor: int) -> tuple[list[FrozenTrial], int]:
        fetch = not self._window.is_open(study_id)
        trials, changes = self._cache.sync(study_id, fetch)
        if fetch:
            self._window.fetched(study_id)
        numbers = sorted(set(changes[cursor:]))
        return [trials[n] for n in numbers], len(changes)

    def _fetch_trials(self, study_id: int, unfinished_ids: list[int], last_finished: int) -> Any:
        request = self._pb2.GetTrialsRequest(
            study_id=study_id,
            included_trial_ids=unfinished_ids,
            trial_id_greater_than=last_finished,
        )
        return self._call("GetTrials", request).trials


class _AlreadyDoneError(Exception):
    """A retried write was refused because the attempt before the break had done it."""


def _translate(err: Any, resent: bool) -> Exception:
    """The exception a storage raises for a gRPC status (as Optuna's client does)."""
    import grpc

    code, details = err.code(), err.details()
    if resent and code in (
        grpc.StatusCode.ALREADY_EXISTS,
        grpc.StatusCode.FAILED_PRECONDITION,
    ):
        return _AlreadyDoneError(details)
    if code == grpc.StatusCode.NOT_FOUND:
        return KeyError(details)
    if code == grpc.StatusCode.ALREADY_EXISTS:
        return DuplicatedStudyError(details)
    if code == grpc.StatusCode.FAILED_PRECONDITION:
        return UpdateFinishedTrialError(details)
    if code == grpc.StatusCode.INVALID_ARGUMENT:
        return ValueError(details)
    return err

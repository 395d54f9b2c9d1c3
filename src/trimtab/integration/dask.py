"""``DaskStorage``: one study shared by every Dask worker, kept on the Dask scheduler.

Optuna's ``optuna.integration.dask.DaskStorage`` under the same name and arguments. The
storage itself (in-memory by default, or any storage or URL given) lives in the scheduler
process; a ``DaskStorage`` is a handle that forwards each storage call to it over Dask's own
RPC. Pickling a handle ships only its name, so ``client.submit(study.optimize, ...)`` lets many
workers share one study with no database::

    with distributed.Client(cluster) as client:
        study = trimtab.create_study(storage=DaskStorage())
        futures = [client.submit(study.optimize, objective, n_trials=7, pure=False)
                   for _ in range(4)]
        distributed.wait(futures)

The scheduler answers one call at a time on its event loop, so trial numbers stay dense and
unique whatever the number of workers. Arguments and results travel pickled (the cluster
already runs pickled user code); errors raised by the storage are raised again in the caller.
"""

from __future__ import annotations

import pickle
import uuid
from collections.abc import Container, Sequence
from typing import Any

from trimtab._study_records import FrozenStudy, StudyDirection
from trimtab.distributions import BaseDistribution
from trimtab.storages import BaseStorage
from trimtab.trial import FrozenTrial, TrialState

_EXTRA = 'DaskStorage needs Dask\'s distributed scheduler: pip install "trimtab[dask]".'
_HANDLER = "trimtab_dask_storage"
_EXTENSION = "trimtab_dask_storage"


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError as err:
        raise ImportError(_EXTRA) from err
    return distributed


class _SchedulerStorages:
    """The scheduler-side registry: storages by name, and the RPC handler that calls them."""

    def __init__(self) -> None:
        self.storages: dict[str, BaseStorage] = {}

    def call(self, name: str, method: str, payload: bytes) -> bytes:
        storage = self.storages.get(name)
        if storage is None:
            error: BaseException = KeyError(f"No DaskStorage named {name!r} on this scheduler.")
            return pickle.dumps(("raise", error))
        args, kwargs = pickle.loads(payload)
        try:
            result = getattr(storage, method)(*args, **kwargs)
        except Exception as err:  # noqa: BLE001 - re-raised in the caller
            return _dumps_error(err)
        return pickle.dumps(("ok", result))


def _dumps_error(err: Exception) -> bytes:
    try:
        return pickle.dumps(("raise", err))
    except Exception:  # noqa: BLE001 - an exception that does not pickle: keep its text
        return pickle.dumps(("raise", RuntimeError(f"{type(err).__name__}: {err}")))


def _register(dask_scheduler: Any, name: str, storage: bytes) -> None:
    """Run on the scheduler: install the handler once, then the storage under ``name``."""
    from trimtab.storages import get_storage

    registry = dask_scheduler.extensions.get(_EXTENSION)
    if registry is None:
        registry = _SchedulerStorages()
        dask_scheduler.extensions[_EXTENSION] = registry

        def handler(name: str, method: str, payload: bytes) -> bytes:
            return registry.call(name, method, payload)

        dask_scheduler.handlers[_HANDLER] = handler
    if name not in registry.storages:
        registry.storages[name] = get_storage(pickle.loads(storage))


def _base_storage(dask_scheduler: Any, name: str) -> bytes:
    return pickle.dumps(dask_scheduler.extensions[_EXTENSION].storages[name])


class DaskStorage(BaseStorage):
    """A storage held by the Dask scheduler and shared by every client and worker.

    Args:
        storage: What the scheduler holds: None for an in-memory storage, a storage URL
            (``"sqlite:///study.db"``), or a storage object (pickled to the scheduler).
        name: The name under which the scheduler keeps it; handles with the same name share
            it. A new unique name by default.
        client: The ``distributed.Client`` to use; by default the current one
            (``distributed.get_client()``, which inside a task is the worker's client).

    Raises:
        ImportError: Dask's ``distributed`` is not installed.
        TypeError: ``storage`` is none of the above.
    """

    def __init__(
        self,
        storage: None | str | BaseStorage = None,
        name: str | None = None,
        client: Any = None,
    ) -> None:
        _import_distributed()
        if storage is not None and not isinstance(storage, (str, BaseStorage)):
            raise TypeError(
                "DaskStorage(storage=...) must be None, a storage URL or a trimtab storage, "
                f"not {type(storage).__name__}."
            )
        if name is not None and (not isinstance(name, str) or not name):
            raise ValueError(f"DaskStorage(name=...) must be a non-empty string, not {name!r}.")
        self.name = name or f"trimtab-dask-storage-{uuid.uuid4().hex}"
        self._client = client
        import cloudpickle  # comes with distributed; ships storages holding lambdas too

        shipped = cloudpickle.dumps(storage)
        self.client.run_on_scheduler(_register, name=self.name, storage=shipped)

    @classmethod
    def _attach(cls, name: str) -> DaskStorage:
        """A handle on the already registered storage ``name`` (what unpickling gives)."""
        handle = cls.__new__(cls)
        handle.name = name
        handle._client = None
        return handle

    def __reduce__(self) -> tuple[Any, ...]:
        return (DaskStorage._attach, (self.name,))

    @property
    def client(self) -> Any:
        """The ``distributed.Client`` this handle talks through."""
        if self._client is None:
            self._client = _import_distributed().get_client()
        return self._client

    def get_base_storage(self) -> BaseStorage:
        """Return a copy of the storage the scheduler holds (for inspection or export)."""
        payload = self.client.run_on_scheduler(_base_storage, name=self.name)
        return pickle.loads(payload)  # type: ignore[no-any-return]

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        client = self.client
        rpc = getattr(client.scheduler, _HANDLER)
        payload = pickle.dumps((args, kwargs))
        reply = client.sync(rpc, name=self.name, method=method, payload=payload)
        status, value = pickle.loads(reply)
        if status == "raise":
            raise value
        return value

    # Studies.
    def create_new_study(
        self, directions: Sequence[StudyDirection], study_name: str | None = None
    ) -> int:
        return int(self._call("create_new_study", list(directions), study_name))

    def delete_study(self, study_id: int) -> None:
        self._call("delete_study", study_id)

    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        self._call("set_study_user_attr", study_id, key, value)

    def set_study_system_attr(self, study_id: int, key: str, value: Any) -> None:
        self._call("set_study_system_attr", study_id, key, value)

    def get_study_id_from_name(self, study_name: str) -> int:
        return int(self._call("get_study_id_from_name", study_name))

    def get_study_name_from_id(self, study_id: int) -> str:
        return str(self._call("get_study_name_from_id", study_id))

    def get_study_directions(self, study_id: int) -> list[StudyDirection]:
        return list(self._call("get_study_directions", study_id))

    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]:
        return dict(self._call("get_study_user_attrs", study_id))

    def get_study_system_attrs(self, study_id: int) -> dict[str, Any]:
        return dict(self._call("get_study_system_attrs", study_id))

    def get_all_studies(self) -> list[FrozenStudy]:
        return list(self._call("get_all_studies"))

    # Trials.
    def create_new_trial(self, study_id: int, template_trial: FrozenTrial | None = None) -> int:
        return int(self._call("create_new_trial", study_id, template_trial))

    def create_new_trials(self, study_id: int, template_trials: Sequence[FrozenTrial]) -> list[int]:
        return list(self._call("create_new_trials", study_id, list(template_trials)))

    def set_trial_param(
        self,
        trial_id: int,
        param_name: str,
        param_value_internal: float,
        distribution: BaseDistribution,
    ) -> None:
        self._call("set_trial_param", trial_id, param_name, param_value_internal, distribution)

    def get_trial_id_from_study_id_trial_number(self, study_id: int, trial_number: int) -> int:
        return int(self._call("get_trial_id_from_study_id_trial_number", study_id, trial_number))

    def get_trial_number_from_id(self, trial_id: int) -> int:
        return int(self._call("get_trial_number_from_id", trial_id))

    def get_trial_param(self, trial_id: int, param_name: str) -> float:
        return float(self._call("get_trial_param", trial_id, param_name))

    def set_trial_state_values(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None = None
    ) -> bool:
        values = None if values is None else list(values)
        return bool(self._call("set_trial_state_values", trial_id, state, values))

    def set_trial_intermediate_value(
        self, trial_id: int, step: int, intermediate_value: float
    ) -> None:
        self._call("set_trial_intermediate_value", trial_id, step, intermediate_value)

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        self._call("set_trial_user_attr", trial_id, key, value)

    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        self._call("set_trial_system_attr", trial_id, key, value)

    def get_trial(self, trial_id: int) -> FrozenTrial:
        trial: FrozenTrial = self._call("get_trial", trial_id)
        return trial

    def get_all_trials(
        self,
        study_id: int,
        deepcopy: bool = True,
        states: Container[TrialState] | None = None,
    ) -> list[FrozenTrial]:
        states = None if states is None else tuple(s for s in TrialState if s in states)
        return list(self._call("get_all_trials", study_id, deepcopy=False, states=states))

    def get_trials_since(self, study_id: int, cursor: int) -> tuple[list[FrozenTrial], int]:
        trials, new_cursor = self._call("get_trials_since", study_id, cursor)
        return list(trials), int(new_cursor)

    def get_n_trials(
        self, study_id: int, state: tuple[TrialState, ...] | TrialState | None = None
    ) -> int:
        return int(self._call("get_n_trials", study_id, state))

    def get_best_trial(self, study_id: int) -> FrozenTrial:
        trial: FrozenTrial = self._call("get_best_trial", study_id)
        return trial


__all__ = ["DaskStorage"]

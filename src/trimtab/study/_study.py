"""``Study``: a thin facade over a storage, a sampler and a pruner."""

from __future__ import annotations

import copy
import threading
from collections.abc import Container, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from trimtab import _warnings, logging
from trimtab._study_records import StudyDirection
from trimtab._study_view import StorageStudyView, StudyView, best_feasible_trial
from trimtab.distributions import BaseDistribution
from trimtab.pruners import BasePruner
from trimtab.samplers import BaseSampler
from trimtab.storages import BaseStorage, get_storage
from trimtab.storages._base import check_json_serializable
from trimtab.storages._heartbeat import is_heartbeat_enabled
from trimtab.study import _optimize, _tell
from trimtab.study._defaults import default_pruner, default_sampler
from trimtab.trial import FrozenTrial, Trial, TrialState, create_trial
from trimtab.trial._base import check_key
from trimtab.trial._constraints import is_feasible
from trimtab.trial._trial import FIXED_PARAMS_KEY

if TYPE_CHECKING:
    import pandas as pd

_logger = logging.get_logger(__name__)

METRIC_NAMES_KEY = "study:metric_names"
_DATAFRAME_ATTRS = (
    "number",
    "value",
    "datetime_start",
    "datetime_complete",
    "duration",
    "params",
    "user_attrs",
    "system_attrs",
    "state",
)


def check_study_name(name: Any, argument: str = "study_name", optional: bool = False) -> None:
    """Raise unless ``name`` is a str every storage can hold (or None when ``optional``).

    Raises:
        TypeError: ``name`` is not a str (nor None when ``optional``).
        ValueError: ``name`` holds a NUL character or a lone surrogate.
    """
    if optional and name is None:
        return
    if not isinstance(name, str):
        expected = "a str or None" if optional else "a str"
        raise TypeError(
            f"`{argument}` must be {expected}, got {name!r} of type {type(name).__name__}."
        )
    check_key(name, f"`{argument}`")


class _ThreadLocal(threading.local):
    in_optimize_loop = False


class Study:
    """A study: a named set of trials in a storage, optimised by a sampler and a pruner.

    Build one with :func:`~trimtab.create_study` or :func:`~trimtab.load_study`; the
    constructor opens an existing study.

    Args:
        study_name: The name of an existing study in ``storage``.
        storage: A storage location string (``"sqlite:///study.db"``, a journal file, ...) or
            a storage object.
        sampler: How parameters are chosen; default :class:`~trimtab.samplers.TPESampler`.
        pruner: When unpromising trials stop; default :class:`~trimtab.pruners.MedianPruner`.

    Raises:
        KeyError: no study named ``study_name`` exists in ``storage``.
        TypeError: ``study_name`` is not a str.

    Example:
        >>> import trimtab
        >>> study = trimtab.create_study()
        >>> study.optimize(lambda trial: trial.suggest_float("x", -1, 1) ** 2, n_trials=10)
        >>> sorted(study.best_params)
        ['x']
    """

    def __init__(
        self,
        study_name: str,
        storage: str | BaseStorage,
        sampler: BaseSampler | None = None,
        pruner: BasePruner | None = None,
    ) -> None:
        check_study_name(study_name)
        self.study_name = study_name
        self._storage = get_storage(storage)
        try:
            self._study_id = self._storage.get_study_id_from_name(study_name)
        except KeyError:
            raise KeyError(
                f"Study {study_name!r} does not exist in the storage. Create it with "
                "create_study, or use one of get_all_study_names(storage)."
            ) from None
        self._directions = self._storage.get_study_directions(self._study_id)
        self._view: StudyView = StorageStudyView(
            self._storage, self._study_id, study_name, self._directions
        )
        self._root: Study | None = None
        self.sampler = sampler if sampler is not None else default_sampler()
        self.pruner = pruner if pruner is not None else default_pruner()
        self._thread_local = _ThreadLocal()
        self._stop_flag = False

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_thread_local"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._thread_local = _ThreadLocal()

    @property
    def storage(self) -> BaseStorage:
        """The storage holding this study (like ``Trial.storage``)."""
        return self._storage

    @property
    def study_id(self) -> int:
        """The study's id in ``storage``: what ``BaseStorage`` methods take as ``study_id``.

        Optuna keeps it private (``study._study_id``, which works here too); code that reads
        or writes the study's attributes through ``study.storage`` uses this instead.
        """
        return self._study_id

    @property
    def view(self) -> StudyView:
        """The read-only ``StudyView`` built-in samplers, pruners and search spaces read.

        It shows the same trials as this study (only a bracket's, for a study handed to a
        sampler under Hyperband) and keeps the study's incremental caches.
        """
        return self._view

    def _seen_through(self, view: StudyView) -> Study:
        """This study reading its trials through ``view`` (a subset of its own view).

        Writes go to the same storage, and ``stop`` stops this study.
        """
        seen = Study.__new__(Study)
        seen.study_name = self.study_name
        seen._storage = self._storage
        seen._study_id = self._study_id
        seen._directions = self._directions
        seen._view = view
        seen._root = self._root or self
        seen.sampler = self.sampler
        seen.pruner = self.pruner
        seen._thread_local = self._thread_local
        seen._stop_flag = False
        return seen

    # Directions and metric names.

    @property
    def directions(self) -> list[StudyDirection]:
        """The direction of each objective."""
        return list(self._directions)

    @property
    def direction(self) -> StudyDirection:
        """The direction of a single-objective study (RuntimeError for several objectives)."""
        if self._is_multi_objective():
            raise RuntimeError(
                "A single direction cannot be retrieved from a multi-objective study. Consider "
                "using Study.directions to retrieve a list containing all directions."
            )
        return self._directions[0]

    def _is_multi_objective(self) -> bool:
        return len(self._directions) > 1

    @property
    def metric_names(self) -> list[str] | None:
        """Names of the objectives set with ``set_metric_names``, or None."""
        return self._storage.get_study_system_attrs(self._study_id).get(METRIC_NAMES_KEY)

    def set_metric_names(self, metric_names: list[str]) -> None:
        """Name the objectives (shown in logs, dataframes and plots).

        Args:
            metric_names: One name per objective.

        Raises:
            ValueError: the number of names differs from the number of objectives.
        """
        _warnings.warn_experimental("set_metric_names", "3.4.0")
        if len(self._directions) != len(metric_names):
            raise ValueError(
                f"The number of objectives ({len(self._directions)}) must match the number of "
                f"metric names ({len(metric_names)})."
            )
        self._storage.set_study_system_attr(self._study_id, METRIC_NAMES_KEY, list(metric_names))

    # Attributes.

    @property
    def user_attrs(self) -> dict[str, Any]:
        """The study's user attributes."""
        return copy.deepcopy(self._storage.get_study_user_attrs(self._study_id))

    def set_user_attr(self, key: str, value: Any) -> None:
        """Attach a JSON-serialisable value to the study.

        Args:
            key: The attribute's name.
            value: Any JSON-serialisable value.

        Raises:
            TypeError: ``key`` is not a str, or ``value`` is not JSON-serialisable.
            ValueError: ``key`` cannot be stored (a NUL character, a lone surrogate).
        """
        check_key(key, "A user attribute key")
        self._storage.set_study_user_attr(self._study_id, key, value)

    # Trials.

    @property
    def trials(self) -> list[FrozenTrial]:
        """Every trial, deep-copied (use ``get_trials(deepcopy=False)`` to skip the copy)."""
        return self.get_trials(deepcopy=True, states=None)

    def get_trials(
        self, deepcopy: bool = True, states: Container[TrialState] | None = None
    ) -> list[FrozenTrial]:
        """Return the study's trials in number order.

        Args:
            deepcopy: Copy the records (set False when you only read them: faster).
            states: Only trials in these states, e.g. ``(TrialState.COMPLETE,)``; all if None.

        Returns:
            The trials as :class:`~trimtab.trial.FrozenTrial` records.
        """
        return self._view.get_trials(deepcopy=deepcopy, states=states)

    def _get_trials(
        self,
        deepcopy: bool = True,
        states: Container[TrialState] | None = None,
        use_cache: bool = False,
    ) -> list[FrozenTrial]:
        # Optuna's private spelling, which third-party samplers call; reads are cheap here.
        return self.get_trials(deepcopy=deepcopy, states=states)

    def _get_trials_since(self, cursor: int) -> tuple[list[FrozenTrial], int]:
        return self._view.trials_since(cursor)

    def _sampling_view(self, trial: FrozenTrial) -> Study:
        """The study as samplers see it for ``trial``: the pruner's ``sampling_subset`` hook."""
        hook = getattr(self.pruner, "sampling_subset", None)
        view = hook(self._view, trial) if hook is not None else self._view
        return self if view is self._view else self._seen_through(view)

    @property
    def best_trial(self) -> FrozenTrial:
        """The best feasible COMPLETE trial.

        Raises:
            RuntimeError: the study has several objectives (use ``best_trials``).
            ValueError: no (feasible) trial is complete yet.
        """
        return copy.deepcopy(self._best_trial())

    def _best_trial(self) -> FrozenTrial:
        if self._is_multi_objective():
            raise RuntimeError(
                "A single best trial cannot be retrieved from a multi-objective study. Consider "
                "using Study.best_trials to retrieve a list containing the best trials."
            )
        return best_feasible_trial(self._view)

    @property
    def best_value(self) -> float:
        """The objective value of ``best_trial``."""
        value = self._best_trial().value
        assert value is not None
        return value

    @property
    def best_params(self) -> dict[str, Any]:
        """The parameters of ``best_trial``."""
        return dict(self._best_trial().params)

    @property
    def best_trials(self) -> list[FrozenTrial]:
        """The Pareto-optimal feasible COMPLETE trials (the best trial for one objective)."""
        trials = self.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        feasible = [t for t in trials if is_feasible(t.system_attrs)]
        from trimtab._multi_objective import pareto_front_trials  # numpy, on first use

        return copy.deepcopy(pareto_front_trials(feasible, self._directions))

    # Running trials.

    def optimize(
        self,
        func: _optimize.ObjectiveFuncType,
        n_trials: int | None = None,
        timeout: float | None = None,
        n_jobs: int = 1,
        catch: Iterable[type[Exception]] | type[Exception] = (),
        callbacks: Iterable[_optimize.Callback] | None = None,
        gc_after_trial: bool = False,
        show_progress_bar: bool = False,
        executor: str | _optimize.TrialExecutor | None = None,
    ) -> None:
        """Run ``func`` on new trials until ``n_trials``, ``timeout`` or ``stop()``.

        Args:
            func: The objective; takes a ``Trial``, returns a float (a sequence of floats for
                several objectives).
            n_trials: Trials to run (in this call, by all ``n_jobs`` together).
            timeout: Seconds after which no new trial starts.
            n_jobs: Trials running at once (threads, or the executor's workers); ``-1``
                means the number of CPUs.
            catch: Exception classes that fail a trial without stopping the study.
            callbacks: Called as ``callback(study, frozen_trial)`` after every trial.
            gc_after_trial: Run ``gc.collect()`` after every trial.
            show_progress_bar: Show a tqdm progress bar.
            executor: Where trials run: None or ``"thread"`` (Optuna's threads),
                ``"process"`` (``n_jobs`` worker processes), or an executor object from
                ``trimtab.execution`` (``ProcessExecutor``, ``RayExecutor``, ``DaskExecutor``).

        Raises:
            RuntimeError: called from inside a running ``optimize`` of the same study.
            ValueError: ``n_trials``, ``timeout`` or ``n_jobs`` is out of range.

        Example:
            >>> import trimtab
            >>> study = trimtab.create_study()
            >>> study.optimize(lambda t: (t.suggest_float("x", -10, 10) - 2) ** 2, n_trials=20)
            >>> study.best_value < 100
            True
        """
        if self._thread_local.in_optimize_loop:
            raise RuntimeError("Nested optimization detected.")
        if n_trials is not None and (
            isinstance(n_trials, bool) or not isinstance(n_trials, int) or n_trials < 0
        ):
            raise ValueError(f"`n_trials` must be a non-negative int or None, got {n_trials!r}.")
        if timeout is not None and not timeout >= 0:
            raise ValueError(f"`timeout` must be a non-negative number or None, got {timeout!r}.")
        if not isinstance(n_jobs, int) or n_jobs == 0 or n_jobs < -1:
            raise ValueError(f"`n_jobs` must be a positive int or -1, got {n_jobs!r}.")
        resolved = _optimize.resolve_executor(executor)
        _optimize.optimize(
            self,
            func,
            n_trials,
            timeout,
            n_jobs,
            _optimize.normalize_catch(catch),
            list(callbacks or []),
            gc_after_trial,
            show_progress_bar,
            resolved,
        )

    def ask(self, fixed_distributions: dict[str, BaseDistribution] | None = None) -> Trial:
        """Start a trial (the next enqueued one first) and return it; finish it with ``tell``.

        Args:
            fixed_distributions: Parameters to sample right away, by name; their values are
                in ``trial.params`` when this returns.

        Returns:
            The running trial.

        Example:
            >>> import trimtab
            >>> study = trimtab.create_study()
            >>> trial = study.ask()
            >>> x = trial.suggest_float("x", 0, 1)
            >>> study.tell(trial, x**2).state.name
            'COMPLETE'
        """
        if not self._thread_local.in_optimize_loop and is_heartbeat_enabled(self._storage):
            _warnings.warn("Heartbeat of storage is supposed to be used with Study.optimize.")
        trial_id = self._pop_waiting_trial_id()
        if trial_id is None:
            trial_id = self._storage.create_new_trial(self._study_id)
        trial = Trial(self, trial_id)
        for name, distribution in (fixed_distributions or {}).items():
            trial._suggest(name, distribution)
        return trial

    def _pop_waiting_trial_id(self) -> int | None:
        waiting = self._storage.get_all_trials(
            self._study_id, deepcopy=False, states=(TrialState.WAITING,)
        )
        for trial in waiting:
            if self._storage.set_trial_state_values(trial._trial_id, state=TrialState.RUNNING):
                _logger.debug(f"Trial {trial.number} popped from the trial queue.")
                return trial._trial_id
        return None

    def tell(
        self,
        trial: Trial | int,
        values: float | Sequence[float] | None = None,
        state: TrialState | None = None,
        skip_if_finished: bool = False,
    ) -> FrozenTrial:
        """Finish a trial started with ``ask`` (by object or number) and return its record.

        Args:
            trial: The trial, or its number.
            values: The objective value (a sequence for several objectives); only for
                COMPLETE.
            state: ``TrialState.COMPLETE`` (default when ``values`` is given), ``PRUNED`` or
                ``FAIL`` (the default without ``values``).
            skip_if_finished: Return quietly when the trial is finished already.

        Returns:
            The finished trial's record.

        Raises:
            ValueError: the trial is unknown or finished already, or ``values``/``state`` do
                not fit (no values for COMPLETE, values for PRUNED/FAIL, a NaN, wrong count).
        """
        frozen, _ = _tell.tell(self, trial, values, state, skip_if_finished)
        return copy.deepcopy(frozen)

    def stop(self) -> None:
        """Stop ``optimize`` after the running trials finish.

        Raises:
            RuntimeError: called outside an objective or callback of ``optimize``.
        """
        if not self._thread_local.in_optimize_loop:
            raise RuntimeError(
                "`Study.stop` is supposed to be invoked inside an objective function or a callback."
            )
        (self._root or self)._stop_flag = True

    def enqueue_trial(
        self,
        params: dict[str, Any],
        user_attrs: dict[str, Any] | None = None,
        skip_if_exists: bool = False,
    ) -> None:
        """Queue a trial whose ``suggest_*`` calls return ``params`` (others are sampled).

        Args:
            params: Parameter values by name.
            user_attrs: User attributes the trial starts with.
            skip_if_exists: Do nothing when a trial with the same ``params`` is queued or done.

        Raises:
            TypeError: ``params`` is not a dict, or a value is not JSON-serialisable.

        Example:
            >>> import trimtab
            >>> study = trimtab.create_study()
            >>> study.enqueue_trial({"x": 0.5})
            >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
            >>> study.trials[0].params
            {'x': 0.5}
        """
        if not isinstance(params, dict):
            raise TypeError(f"`params` must be a dict, got {type(params).__name__}.")
        check_json_serializable(params, "Enqueued params")
        check_json_serializable(user_attrs, "Enqueued user attributes")
        if skip_if_exists and self._is_enqueued_or_done(params):
            _logger.info(f"Trial with params {params} already exists. Skipping enqueue.")
            return
        self.add_trial(
            create_trial(
                state=TrialState.WAITING,
                system_attrs={FIXED_PARAMS_KEY: params},
                user_attrs=user_attrs,
            )
        )

    def _is_enqueued_or_done(self, params: dict[str, Any]) -> bool:
        for trial in self.get_trials(deepcopy=False):
            existing = trial.system_attrs.get(FIXED_PARAMS_KEY, trial.params)
            if existing.keys() == params.keys() and all(existing[k] == params[k] for k in params):
                return True
        return False

    def add_trial(self, trial: FrozenTrial) -> None:
        """Add a finished (or WAITING) trial built with :func:`~trimtab.create_trial`.

        Args:
            trial: The record to add; it gets the study's next number.

        Raises:
            ValueError: the record is inconsistent, or its number of values differs from the
                study's number of objectives.
        """
        self._check_added(trial)
        self._storage.create_new_trial(self._study_id, template_trial=trial)

    def add_trials(self, trials: Iterable[FrozenTrial]) -> None:
        """Add several trials like ``add_trial``, written as one batch (all or none).

        Args:
            trials: The records to add, numbered in this order.

        Raises:
            ValueError: a record is invalid (then none is added).
        """
        batch = list(trials)
        for trial in batch:
            self._check_added(trial)
        self._storage.create_new_trials(self._study_id, batch)

    def _check_added(self, trial: FrozenTrial) -> None:
        trial._validate()
        if trial.values is not None and len(trial.values) != len(self._directions):
            raise ValueError(
                f"The added trial has {len(trial.values)} values but the study has "
                f"{len(self._directions)} objectives."
            )

    def trials_dataframe(
        self, attrs: tuple[str, ...] = _DATAFRAME_ATTRS, multi_index: bool = False
    ) -> pd.DataFrame:
        """Return the trials as a pandas DataFrame, one row per trial.

        Args:
            attrs: The trial attributes to include as columns (``params`` and the attribute
                dicts expand to one column per key).
            multi_index: Use two-level column names (``("params", "x")``) instead of
                ``"params_x"``.

        Returns:
            The DataFrame.

        Raises:
            ImportError: pandas is missing (``pip install "trimtab[pandas]"``).
        """
        from trimtab.study._dataframe import trials_dataframe

        return trials_dataframe(self, attrs, multi_index)

    def _log_completed_trial(
        self, values: list[float], number: int, params: dict[str, Any]
    ) -> None:
        if not _logger.isEnabledFor(logging.INFO):
            return
        names = self.metric_names
        if len(values) > 1:
            shown: Any = values if names is None else dict(zip(names, values))
            _logger.info(f"Trial {number} finished with values: {shown} and parameters: {params}.")
            return
        shown = values[0] if names is None else {names[0]: values[0]}
        message = f"Trial {number} finished with value: {shown} and parameters: {params}."
        try:
            best = self._best_trial()
            message += f" Best is trial {best.number} with value: {best.value}."
        except ValueError:
            pass
        _logger.info(message)

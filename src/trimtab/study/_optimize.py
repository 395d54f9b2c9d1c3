"""The optimize loop: run trials sequentially or in threads, log and call back after each.

Other executors (processes, Ray, Dask) receive the loop as one ``OptimizeLoop`` through the
``TrialExecutor`` interface; ``resolve_executor`` finds them by name without importing them
until a user asks for one.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import importlib
import itertools
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from trimtab import logging
from trimtab.exceptions import is_trial_pruned
from trimtab.storages._heartbeat import heartbeat_thread, is_heartbeat_enabled
from trimtab.study._progress import ProgressBar
from trimtab.study._stale_trials import fail_stale_trials
from trimtab.study._tell import tell
from trimtab.trial import FrozenTrial, Trial, TrialState

if TYPE_CHECKING:
    from trimtab.study._study import Study

_logger = logging.get_logger(__name__)

ObjectiveFuncType = Callable[[Trial], "float | Sequence[float]"]
Callback = Callable[["Study", FrozenTrial], None]


def normalize_catch(
    catch: Iterable[type[Exception]] | type[Exception],
) -> tuple[type[Exception], ...]:
    """Return ``catch`` as a tuple of exception classes, or raise TypeError."""
    if isinstance(catch, type) and issubclass(catch, BaseException):
        return (catch,)
    if not isinstance(catch, Iterable):
        raise TypeError(
            f"The catch argument is of type '{type(catch).__name__}' but must be a tuple."
        )
    result = tuple(catch)
    for item in result:
        if not (isinstance(item, type) and issubclass(item, BaseException)):
            raise TypeError(f"The catch argument must hold exception classes, got {item!r}.")
    return result


@dataclass
class OptimizeLoop:
    """One ``Study.optimize`` call as an executor sees it.

    The executor starts trials while ``may_start`` allows, finishes each through
    ``finish_trial`` (validation, storage, Optuna's log lines) and then calls
    ``trial_finished`` (callbacks, progress bar).
    """

    study: Study
    func: ObjectiveFuncType
    n_trials: int | None
    timeout: float | None
    n_jobs: int
    catch: tuple[type[Exception], ...]
    callbacks: list[Callback]
    gc_after_trial: bool
    progress: ProgressBar
    time_start: datetime.datetime

    def elapsed(self) -> float:
        """Seconds since the loop started."""
        return _elapsed(self.time_start)

    def may_start(self, n_started: int) -> bool:
        """Whether a new trial may start after ``n_started`` were started in this call."""
        if self.study._stop_flag:
            return False
        if self.n_trials is not None and n_started >= self.n_trials:
            return False
        return self.timeout is None or self.elapsed() < self.timeout

    def trial_finished(self, frozen: FrozenTrial) -> None:
        """Run the callbacks and advance the progress bar for a finished trial."""
        for callback in self.callbacks:
            callback(self.study, frozen)
        self.progress.update(self.elapsed(), self.study)


@runtime_checkable
class TrialExecutor(Protocol):
    """Runs an optimize loop somewhere other than this thread (processes, Ray, Dask)."""

    def run(self, loop: OptimizeLoop) -> None:
        """Run trials until ``loop.may_start`` says stop, then return when all have finished."""


_EXECUTOR_NAMES = {"process": "ProcessExecutor"}


def resolve_executor(executor: str | TrialExecutor | None) -> TrialExecutor | None:
    """Return the executor ``executor`` names (None for Optuna's threads).

    Raises:
        ValueError: ``executor`` is a string naming no executor.
        TypeError: ``executor`` is neither a string nor an object with a ``run(loop)`` method.
    """
    if executor is None or executor == "thread":
        return None
    if isinstance(executor, str):
        if executor not in _EXECUTOR_NAMES:
            known = ", ".join(repr(n) for n in ("thread", *_EXECUTOR_NAMES))
            raise ValueError(
                f"Unknown executor {executor!r}: use one of {known}, or an executor "
                "object such as RayExecutor(...) or DaskExecutor(client)."
            )
        module = importlib.import_module("trimtab.execution")
        return getattr(module, _EXECUTOR_NAMES[executor])()  # type: ignore[no-any-return]
    if not isinstance(executor, TrialExecutor):
        raise TypeError(
            f"`executor` must be None, 'thread', 'process' or an executor object, got {executor!r}."
        )
    return executor


def optimize(
    study: Study,
    func: ObjectiveFuncType,
    n_trials: int | None,
    timeout: float | None,
    n_jobs: int,
    catch: tuple[type[Exception], ...],
    callbacks: list[Callback],
    gc_after_trial: bool,
    show_progress_bar: bool,
    executor: TrialExecutor | None = None,
) -> None:
    """Run trials until ``n_trials`` are done, ``timeout`` passes, or ``study.stop()``."""
    progress = ProgressBar(show_progress_bar, n_trials, timeout)
    time_start = datetime.datetime.now()
    study._stop_flag = False
    try:
        if executor is not None:
            study._thread_local.in_optimize_loop = True
            executor.run(
                OptimizeLoop(
                    study,
                    func,
                    n_trials,
                    timeout,
                    n_jobs,
                    catch,
                    callbacks,
                    gc_after_trial,
                    progress,
                    time_start,
                )
            )
        elif n_jobs == 1:
            _run_sequential(
                study,
                func,
                n_trials,
                timeout,
                catch,
                callbacks,
                gc_after_trial,
                False,
                time_start,
                progress,
            )
        else:
            _run_parallel(
                study,
                func,
                n_trials,
                timeout,
                n_jobs,
                catch,
                callbacks,
                gc_after_trial,
                time_start,
                progress,
            )
    finally:
        study._thread_local.in_optimize_loop = False
        progress.close()


def _run_parallel(
    study: Study,
    func: ObjectiveFuncType,
    n_trials: int | None,
    timeout: float | None,
    n_jobs: int,
    catch: tuple[type[Exception], ...],
    callbacks: list[Callback],
    gc_after_trial: bool,
    time_start: datetime.datetime,
    progress: ProgressBar,
) -> None:
    if n_jobs == -1:
        n_jobs = os.cpu_count() or 1
    futures: set[Future[None]] = set()
    with ThreadPoolExecutor(max_workers=n_jobs) as executor:
        for n_submitted in itertools.count():
            if study._stop_flag:
                break
            if timeout is not None and _elapsed(time_start) > timeout:
                break
            if n_trials is not None and n_submitted >= n_trials:
                break
            if len(futures) >= n_jobs:
                done, futures = wait(futures, return_when=FIRST_COMPLETED)
                for future in done:
                    future.result()
            futures.add(
                executor.submit(
                    _run_sequential,
                    study,
                    func,
                    1,
                    timeout,
                    catch,
                    callbacks,
                    gc_after_trial,
                    True,
                    time_start,
                    progress,
                )
            )
        for future in futures:
            future.result()


def _elapsed(time_start: datetime.datetime) -> float:
    return (datetime.datetime.now() - time_start).total_seconds()


def _run_sequential(
    study: Study,
    func: ObjectiveFuncType,
    n_trials: int | None,
    timeout: float | None,
    catch: tuple[type[Exception], ...],
    callbacks: list[Callback],
    gc_after_trial: bool,
    reseed_sampler_rng: bool,
    time_start: datetime.datetime,
    progress: ProgressBar,
) -> None:
    study._thread_local.in_optimize_loop = True
    if reseed_sampler_rng:
        study.sampler.reseed_rng()
    for i_trial in itertools.count():
        if study._stop_flag:
            break
        if n_trials is not None and i_trial >= n_trials:
            break
        if timeout is not None and _elapsed(time_start) >= timeout:
            break
        try:
            frozen = run_trial(study, func, catch)
        finally:
            if gc_after_trial:
                gc.collect()
        for callback in callbacks:
            callback(study, frozen)
        progress.update(_elapsed(time_start), study)
    study._storage.remove_session()


def run_trial(
    study: Study, func: ObjectiveFuncType, catch: tuple[type[Exception], ...]
) -> FrozenTrial:
    """Ask for a trial, run ``func`` on it, tell the result; log as Optuna does.

    Exceptions from ``func`` fail the trial; those not in ``catch`` are re-raised afterwards.
    """
    fail_stale_trials_if_enabled(study)
    return evaluate_trial(study, study.ask(), func, catch)


def fail_stale_trials_if_enabled(study: Study) -> None:
    """Before a trial starts: fail the trials whose worker died, when heartbeats are on."""
    if is_heartbeat_enabled(study._storage):
        fail_stale_trials(study)


@contextlib.contextmanager
def optimizing(study: Study) -> Iterator[None]:
    """Mark this thread as running ``study``'s trials (so that the objective may ``stop()``).

    ``optimize`` marks its threads itself; a runner of its own trials (ablation) uses this
    around ``evaluate_trial``.
    """
    study._thread_local.in_optimize_loop = True
    try:
        yield
    finally:
        study._thread_local.in_optimize_loop = False


def evaluate_trial(
    study: Study, trial: Trial, func: ObjectiveFuncType, catch: tuple[type[Exception], ...]
) -> FrozenTrial:
    """Run ``func`` on a started ``trial`` (with heartbeats), tell the result, log it.

    The objective's ``TrialPruned`` (trimtab's or Optuna's) prunes the trial; other
    exceptions fail it, and those not in ``catch`` are re-raised once it is stored.
    """
    outcome = call_objective(study, trial, func)
    frozen = finish_trial(study, trial, *outcome)
    raise_uncaught(frozen, outcome[2], catch)
    return frozen


def call_objective(
    study: Study, trial: Trial, func: ObjectiveFuncType
) -> tuple[Any, TrialState | None, BaseException | None, Any]:
    """Run ``func`` on ``trial`` with heartbeats; return ``finish_trial``'s last four arguments
    (what it returned, and PRUNED or FAIL with the error and its ``exc_info`` if it raised)."""
    state: TrialState | None = None
    returned: Any = None
    error: BaseException | None = None
    exc_info: Any = None
    with heartbeat_thread(trial._trial_id, study._storage):
        try:
            returned = func(trial)
        except (Exception, KeyboardInterrupt) as err:
            if is_trial_pruned(err):
                state, error = TrialState.PRUNED, err
            else:
                state, error, exc_info = TrialState.FAIL, err, sys.exc_info()
    return returned, state, error, exc_info


def raise_uncaught(
    frozen: FrozenTrial, error: BaseException | None, catch: tuple[type[Exception], ...]
) -> None:
    """Re-raise the objective's ``error`` that failed ``frozen`` unless ``catch`` holds it."""
    if frozen.state == TrialState.FAIL and error is not None and not isinstance(error, catch):
        raise error


def finish_trial(
    study: Study,
    trial: Trial,
    returned: Any,
    state: TrialState | None,
    error: BaseException | None,
    exc_info: Any,
) -> FrozenTrial:
    """Tell the study how ``trial`` ended and log it as Optuna does; return its record.

    ``state`` is PRUNED or FAIL when the objective raised (``error``), None when it returned
    ``returned`` (COMPLETE if valid, FAIL with the reason logged otherwise).
    """
    frozen, log = store_trial(study, trial, returned, state, error, exc_info)
    log()
    return frozen


def store_trial(
    study: Study,
    trial: Trial,
    returned: Any,
    state: TrialState | None,
    error: BaseException | None,
    exc_info: Any,
) -> tuple[FrozenTrial, Callable[[], None]]:
    """``finish_trial`` with the logging left to the caller: return the stored record and a
    function that writes its log lines (a caller may run it later, off its critical path).

    If the result cannot be stored, the lines are logged at once and the error raised.
    """
    frozen: FrozenTrial | None = None
    problem: str | None = None
    try:
        frozen, problem = tell(study, trial, returned, state, suppress_warning=True)
    except BaseException as err:
        if isinstance(err, Exception):
            frozen = _fail_untold_trial(study, trial, err)
            if frozen is not None:
                problem = f"its result could not be stored: {err}"
        if frozen is None:
            frozen = study._storage.get_trial(trial._trial_id)
        _log_finished(study, frozen, trial, error, exc_info, problem, returned)
        raise
    stored = frozen
    return stored, lambda: _log_finished(study, stored, trial, error, exc_info, problem, returned)


def _fail_untold_trial(study: Study, trial: Trial, err: Exception) -> FrozenTrial | None:
    """After a trial's result could not be stored (a full disk, a lost server), store FAIL
    instead if possible; otherwise say that it stays RUNNING and how it gets finished."""
    try:
        if study._storage.get_trial(trial._trial_id).state != TrialState.RUNNING:
            return None  # stored after all (e.g. a sampler's after_trial raised)
        study._storage.set_trial_state_values(trial._trial_id, TrialState.FAIL)
        return study._storage.get_trial(trial._trial_id)
    except Exception:  # noqa: BLE001 - the storage is still failing: report the first error
        if is_heartbeat_enabled(study._storage):
            how = "the next worker fails it as stale after the heartbeat grace period"
        else:
            how = (
                f"fail it with `trimtab tell --study-name {study.study_name} --trial-number "
                f"{trial.number} --state fail` once the storage is writable, or turn heartbeats on"
            )
        _logger.error(
            f"Trial {trial.number} could not be stored as finished ({err}); it stays RUNNING "
            f"in the storage: {how}."
        )
        return None


def _log_finished(
    study: Study,
    frozen: FrozenTrial,
    trial: Trial,
    error: BaseException | None,
    exc_info: Any,
    problem: str | None,
    returned: Any,
) -> None:
    if frozen.state == TrialState.COMPLETE:
        assert frozen.values is not None
        if _logger.isEnabledFor(logging.INFO):
            study._log_completed_trial(frozen.values, frozen.number, frozen.params)
    elif frozen.state == TrialState.PRUNED:
        _logger.info(f"Trial {frozen.number} pruned. {error}")
    elif frozen.state == TrialState.FAIL:
        message = repr(error) if error is not None else problem
        _logger.warning(
            f"Trial {frozen.number} failed with parameters: {trial.params} because of the "
            f"following error: {message}.",
            exc_info=exc_info,
        )
        _logger.warning(f"Trial {frozen.number} failed with value {returned!r}.")

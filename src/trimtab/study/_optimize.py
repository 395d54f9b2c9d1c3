"""The optimize loop: run trials sequentially or in threads, log and call back after each."""

from __future__ import annotations

import datetime
import gc
import itertools
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any

from trimtab import logging
from trimtab.exceptions import TrialPruned
from trimtab.storages._heartbeat import fail_stale_trials, heartbeat_thread, is_heartbeat_enabled
from trimtab.study._progress import ProgressBar
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
) -> None:
    """Run trials until ``n_trials`` are done, ``timeout`` passes, or ``study.stop()``."""
    progress = ProgressBar(show_progress_bar, n_trials, timeout)
    time_start = datetime.datetime.now()
    study._stop_flag = False
    try:
        if n_jobs == 1:
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
    if is_heartbeat_enabled(study._storage):
        fail_stale_trials(study)
    trial = study.ask()
    state: TrialState | None = None
    returned: Any = None
    error: BaseException | None = None
    exc_info: Any = None
    with heartbeat_thread(trial._trial_id, study._storage):
        try:
            returned = func(trial)
        except TrialPruned as err:
            state, error = TrialState.PRUNED, err
        except (Exception, KeyboardInterrupt) as err:
            state, error, exc_info = TrialState.FAIL, err, sys.exc_info()
    frozen: FrozenTrial | None = None
    problem: str | None = None
    try:
        frozen, problem = tell(study, trial, returned, state, suppress_warning=True)
    except Exception as err:
        frozen = _fail_untold_trial(study, trial, err)
        if frozen is not None:
            problem = f"its result could not be stored: {err}"
        raise
    finally:
        if frozen is None:
            frozen = study._storage.get_trial(trial._trial_id)
        _log_finished(study, frozen, trial, error, exc_info, problem, returned)
    if frozen.state == TrialState.FAIL and error is not None and not isinstance(error, catch):
        raise error
    return frozen


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

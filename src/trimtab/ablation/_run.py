"""Run the enqueued trials of an ablation design, here or with an executor.

Two ways, both exact (every enqueued trial runs once, and no other trial is started):

- In this process, one trial at a time (``n_jobs=1``, no executor): each trial is claimed
  from the queue atomically before it starts, so any number of such workers (processes on
  one machine, or on many sharing an RDB or journal storage) can run the same design.
- With ``n_jobs > 1`` or an executor (``"process"``, Ray, Dask): this process is the
  coordinator and runs ``optimize`` for exactly the number of design trials still waiting.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from trimtab.ablation._design import BATCH_KEY, design_trials, load_design, winning_batch
from trimtab.study._optimize import (
    evaluate_trial,
    fail_stale_trials_if_enabled,
    normalize_catch,
    optimizing,
)
from trimtab.trial import FrozenTrial, Trial, TrialState

if TYPE_CHECKING:
    from trimtab.study import Study


def _waiting(study: Study, name: str) -> list[FrozenTrial]:
    """The design's waiting trials: of the batch that enqueued it first, or re-enqueued.

    A retry callback re-enqueues a failed trial with its user attributes but without the
    batch, so a trial with no batch belongs to the design too.
    """
    trials = design_trials(study, name)
    winner = winning_batch(trials)
    return [
        t
        for t in trials
        if t.state == TrialState.WAITING and t.system_attrs.get(BATCH_KEY) in (winner, None)
    ]


def pending_trials(study: Study, name: str = "ablation") -> int:
    """How many trials of design ``name`` are still waiting to run."""
    return len(_waiting(study, name))


def run_ablation(
    study: Study,
    objective: Callable[[Trial], Any],
    name: str = "ablation",
    *,
    n_jobs: int = 1,
    executor: Any = None,
    catch: Iterable[type[Exception]] | type[Exception] = (),
    callbacks: Iterable[Callable[[Study, FrozenTrial], None]] | None = None,
) -> int:
    """Run the waiting trials of ablation design ``name`` and return how many ran here.

    Args:
        study: The study the design was enqueued into.
        objective: The objective; it reads the seed with :func:`trial_seed`.
        name: The design's name.
        n_jobs: Trials at once (threads, or the executor's workers).
        executor: As for ``Study.optimize``: ``"process"``, ``ProcessExecutor``,
            ``RayExecutor``, ``DaskExecutor``.
        catch: Exception classes that fail a trial without stopping the run.
        callbacks: Called as ``callback(study, frozen_trial)`` after every trial.

    Returns:
        The number of trials this call ran.

    Raises:
        KeyError: the study holds no design named ``name``.
    """
    load_design(study, name)  # fails early, naming the designs that exist
    callbacks = list(callbacks or [])
    if n_jobs != 1 or executor is not None:
        count = pending_trials(study, name)
        if count:
            study.optimize(
                objective,
                n_trials=count,
                n_jobs=n_jobs,
                executor=executor,
                catch=catch,
                callbacks=callbacks,
            )
        return count
    caught = normalize_catch(catch)
    ran = 0
    while True:
        fail_stale_trials_if_enabled(study)  # as optimize does: a dead worker's trial fails
        trial = _claim(study, name)
        if trial is None:
            break
        with optimizing(study):  # as in optimize, the objective may call study.stop()
            frozen = evaluate_trial(study, trial, objective, caught)
        ran += 1
        for callback in callbacks:
            callback(study, frozen)
    return ran


def _claim(study: Study, name: str) -> Trial | None:
    """Move one waiting trial of the design to RUNNING (atomically) and return it."""
    storage = study.storage
    for frozen in _waiting(study, name):
        if storage.set_trial_state_values(frozen._trial_id, state=TrialState.RUNNING):
            return Trial(study, frozen._trial_id)
    return None

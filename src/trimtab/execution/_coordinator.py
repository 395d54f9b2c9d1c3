"""The coordinator: the calling process owns the study and serves evaluators' trial calls.

It starts a trial per free slot (``study.ask``), answers the evaluator's requests with the
live ``Trial`` (so the sampler, pruner and storage are used exactly as in-process), and
finishes the trial from the evaluator's outcome. Dead evaluators, per-trial timeouts and
interrupts end their trials FAIL with a reason stored in the ``fail_reason`` system attribute.
"""

from __future__ import annotations

import contextlib
import pickle
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from trimtab import logging
from trimtab.exceptions import TrimtabError
from trimtab.execution._engine import Engine, Event
from trimtab.execution._protocol import STUDY_CALLS, STUDY_READS, Job, Outcome, load_error
from trimtab.storages._heartbeat import heartbeat_thread, is_heartbeat_enabled
from trimtab.study._optimize import OptimizeLoop, finish_trial
from trimtab.study._stale_trials import fail_stale_trials
from trimtab.trial import Trial, TrialState, create_trial
from trimtab.trial._trial import FIXED_PARAMS_KEY

_logger = logging.get_logger(__name__)

FAIL_REASON_KEY = "fail_reason"


class WorkerLostError(TrimtabError):
    """The evaluator running a trial died (killed, crashed, its node lost) or timed out."""


# A slot whose last trial took less than this is sent its next trial ahead (engines that
# prefetch, two slots or more): short trials then start without a round trip to the coordinator,
# and a prefetched trial's ``datetime_start`` is early by at most about this much.
_PREFETCH_BELOW_SECONDS = 0.1


@dataclass
class _Running:
    trial: Trial
    job: Job
    started: float
    retries_left: int
    heartbeat: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    greeted: bool = False
    posted_error: BaseException | None = None  # raised by a call the evaluator did not wait for


@dataclass(frozen=True)
class _Retry:
    params: dict[str, Any]
    failed_number: int
    history: list[int]
    retries_left: int


class Coordinator:
    """Runs one ``OptimizeLoop`` on an engine with ``n_slots`` evaluators."""

    def __init__(
        self,
        loop: OptimizeLoop,
        engine: Engine,
        n_slots: int,
        trial_timeout: float | None = None,
        max_retries: int = 0,
    ) -> None:
        self._loop = loop
        self._study = loop.study
        self._engine = engine
        self._n_slots = n_slots
        self._trial_timeout = trial_timeout
        self._max_retries = max_retries
        self._running: dict[int, _Running] = {}
        self._queued: dict[int, _Running] = {}  # slot -> the trial sent ahead of the running one
        self._last_seconds: dict[int, float] = {}  # slot -> how long its last trial took
        self._may_prefetch = engine.prefetches and n_slots > 1
        self._retries: deque[_Retry] = deque()
        self._error: BaseException | None = None
        self._n_started = 0

    def run(self) -> None:
        """Run trials until the loop says stop and all have finished; re-raise their errors."""
        try:
            self._engine.open(self._n_slots)
            self._serve()
        except BaseException as err:
            self._engine.close(force=True)
            self._fail_all_running(f"the optimization was interrupted by {err!r}")
            raise
        self._engine.close(force=False)
        if self._error is not None:
            raise self._error

    def _serve(self) -> None:
        while True:
            self._fill_free_slots()
            if not self._running:
                return
            ahead = self._slot_to_prefetch()
            events = self._engine.events(0.0 if ahead is not None else self._wait_seconds())
            if not events and ahead is not None:
                # Nothing to answer: ask the slot's next trial now, off the workers' path.
                self._prefetch(ahead)
            for event in events:
                self._handle(event)
            self._enforce_trial_timeout()

    def _fill_free_slots(self) -> None:
        for slot in range(self._n_slots):
            if slot in self._running:
                continue
            started = self._start_next()
            if started is not None:
                self._launch(slot, *started)

    def _slot_to_prefetch(self) -> int | None:
        if not self._may_prefetch or self._error is not None:
            return None
        for slot in self._running:
            if slot not in self._queued and self._last_seconds.get(slot, 1e9) < (
                _PREFETCH_BELOW_SECONDS
            ):
                return slot
        return None

    def _prefetch(self, slot: int) -> None:
        started = self._start_next()
        if started is None:
            self._may_prefetch = False  # until a retry is queued: nothing more may start
        else:
            self._launch(slot, *started, ahead=True)

    def _start_next(self) -> tuple[Trial, int] | None:
        """Start the next trial (a retry first), or None if none may start now."""
        if self._error is not None:
            return None
        if self._retries and self._loop.may_start(0):
            retry = self._retries.popleft()
            return self._start_retry(retry), retry.retries_left
        if self._loop.may_start(self._n_started):
            if is_heartbeat_enabled(self._study.storage):
                fail_stale_trials(self._study)
            self._n_started += 1
            return self._study.ask(), self._max_retries
        return None

    def _launch(self, slot: int, trial: Trial, retries_left: int, ahead: bool = False) -> None:
        frozen = trial._cached
        job = Job(
            trial._trial_id,
            frozen.number,
            self._study.study_name,
            self._study.directions,
            frozen.datetime_start,
            dict(frozen.user_attrs),
            self._loop.gc_after_trial,
            self._engine.greets,
        )
        running = _Running(trial, job, time.monotonic(), retries_left)
        running.heartbeat.enter_context(heartbeat_thread(trial._trial_id, self._study.storage))
        if ahead:
            self._queued[slot] = running
        else:
            self._running[slot] = running
        self._engine.launch(slot, job)

    def _promote(self, slot: int, relaunch: bool) -> None:
        """The slot's trial sent ahead becomes its running one (sent again to a new worker)."""
        running = self._queued.pop(slot, None)
        if running is None:
            return
        running.started = time.monotonic()
        self._running[slot] = running
        if relaunch:
            self._engine.launch(slot, running.job)

    def _start_retry(self, retry: _Retry) -> Trial:
        storage = self._study.storage
        template = create_trial(
            state=TrialState.WAITING,
            system_attrs={
                FIXED_PARAMS_KEY: retry.params,
                "failed_trial": retry.failed_number,
                "retry_history": retry.history,
            },
        )
        study_id = storage.get_study_id_from_name(self._study.study_name)
        trial_id = storage.create_new_trial(study_id, template_trial=template)
        storage.set_trial_state_values(trial_id, TrialState.RUNNING)
        return Trial(self._study, trial_id)

    def _wait_seconds(self) -> float:
        wait = 0.5 if self._loop.timeout is None else 0.05
        if self._trial_timeout is not None:
            now = time.monotonic()
            for running in self._running.values():
                if running.greeted or not self._engine.greets:
                    wait = min(wait, running.started + self._trial_timeout - now)
        return max(wait, 0.0)

    def _handle(self, event: Event) -> None:
        running = self._running.get(event.slot)
        if running is None or running.trial._trial_id != event.trial_id:
            if event.kind == "request":
                self._engine.reply(event.slot, event.trial_id, ("abandon", "trial ended"))
            return
        if event.kind in ("post", "request") and event.payload[0] == "start":
            if running.greeted:
                # A second start: the engine re-ran the evaluation after its worker died.
                if event.kind == "request":
                    self._engine.reply(event.slot, event.trial_id, ("abandon", "trial ended"))
                self._lose(event.slot, "its worker died and the engine restarted the evaluation")
                return
            running.greeted = True
            running.started = time.monotonic()
        if event.kind == "post":
            status, payload = self._answer(running.trial, *event.payload)
            if status == "raise" and running.posted_error is None:
                running.posted_error = payload
        elif event.kind == "request":
            op, args = event.payload
            if op == "flush":
                # Only orders the posts before it; their error, if any, fails the trial.
                reply: tuple[str, Any] = ("ok", None)
            elif running.posted_error is not None:
                # A call the evaluator did not wait for failed: it raises here, as in-process.
                reply = ("raise", running.posted_error)
                running.posted_error = None
            else:
                reply = self._answer(running.trial, op, args)
            self._engine.reply(event.slot, event.trial_id, reply)
        elif event.kind == "done" and event.payload is not None:
            del self._running[event.slot]
            self._last_seconds[event.slot] = time.monotonic() - running.started
            self._promote(event.slot, relaunch=False)
            self._complete(running, event.payload)
        elif event.kind == "done":
            self._lose(event.slot, "its evaluation was abandoned")
        else:
            self._lose(event.slot, str(event.payload))

    def _answer(self, trial: Trial, op: str, args: tuple[Any, ...]) -> tuple[str, Any]:
        try:
            return ("ok", self._dispatch(trial, op, args))
        except Exception as err:
            try:
                pickle.dumps(err)
            except Exception:
                err = TrimtabError(repr(err))
            return ("raise", err)

    def _dispatch(self, trial: Trial, op: str, args: tuple[Any, ...]) -> Any:
        if op == "start":
            return None
        if op == "suggest":
            return trial._suggest(*args)
        if op == "report":
            return trial.report(*args)
        if op == "should_prune":
            return trial.should_prune()
        if op == "set_user_attr":
            return trial.set_user_attr(*args)
        if op == "set_constraint":
            return trial.set_constraint(*args)
        if op == "constraints":
            return trial.constraints
        if op == "set_system_attr":
            return self._study.storage.set_trial_system_attr(trial._trial_id, *args)
        if op == "study_get" and args[0] in STUDY_READS:
            return getattr(self._study, args[0])
        if op == "study_call" and args[0] in STUDY_CALLS:
            name, call_args, call_kwargs = args
            return getattr(self._study, name)(*call_args, **call_kwargs)
        raise ValueError(f"Unknown evaluator request {op!r}.")

    def _complete(self, running: _Running, outcome: Outcome) -> None:
        running.heartbeat.close()
        error: BaseException | None = None
        state: TrialState | None = None
        returned = outcome.value if outcome.kind == "value" else None
        exc_info: Any = None
        if outcome.kind == "value" and running.posted_error is not None:
            error = running.posted_error
            state, returned, exc_info = TrialState.FAIL, None, (type(error), error, None)
            running.trial.storage.set_trial_system_attr(
                running.trial._trial_id, FAIL_REASON_KEY, repr(error)
            )
        elif outcome.kind == "pruned":
            from trimtab.exceptions import TrialPruned

            state, error = TrialState.PRUNED, TrialPruned(outcome.message)
        elif outcome.kind == "error":
            state, error = TrialState.FAIL, load_error(outcome)
            exc_info = (type(error), error, None)
            running.trial.storage.set_trial_system_attr(
                running.trial._trial_id, FAIL_REASON_KEY, outcome.message
            )
        frozen = finish_trial(self._study, running.trial, returned, state, error, exc_info)
        if frozen.state == TrialState.FAIL and error is not None:
            if not isinstance(error, self._loop.catch) and self._error is None:
                self._error = error
        self._loop.trial_finished(frozen)

    def _lose(self, slot: int, reason: str) -> None:
        running = self._running.pop(slot)
        self._promote(slot, relaunch=True)  # never started: its worker is gone
        frozen = self._fail(running, f"Trial {running.trial.number} failed: {reason}.")
        if running.retries_left > 0:
            self._may_prefetch = self._engine.prefetches and self._n_slots > 1
            history = list(frozen.system_attrs.get("retry_history", []))
            self._retries.append(
                _Retry(
                    dict(frozen.params),
                    frozen.system_attrs.get("failed_trial", frozen.number),
                    [*history, frozen.number],
                    running.retries_left - 1,
                )
            )
        self._loop.trial_finished(frozen)

    def _fail(self, running: _Running, reason: str) -> Any:
        running.heartbeat.close()
        trial = running.trial
        trial.storage.set_trial_system_attr(trial._trial_id, FAIL_REASON_KEY, reason)
        return finish_trial(
            self._study, trial, None, TrialState.FAIL, WorkerLostError(reason), None
        )

    def _enforce_trial_timeout(self) -> None:
        if self._trial_timeout is None:
            return
        now = time.monotonic()
        for slot, running in list(self._running.items()):
            if self._engine.greets and not running.greeted:
                continue
            if now - running.started >= self._trial_timeout:
                self._engine.abort(slot, running.trial._trial_id)
                del self._running[slot]
                self._promote(slot, relaunch=True)
                reason = (
                    f"it ran past trial_timeout={self._trial_timeout}s and its evaluator was killed"
                )
                frozen = self._fail(running, f"Trial {running.trial.number} failed: {reason}.")
                self._loop.trial_finished(frozen)

    def _fail_all_running(self, reason: str) -> None:
        unfinished = [*self._running.values(), *self._queued.values()]
        self._running.clear()
        self._queued.clear()
        for running in unfinished:
            number = running.trial.number
            try:
                self._fail(running, f"Trial {number} failed: {reason}.")
            except Exception as err:  # keep failing the others; the storage may be gone
                _logger.warning(f"Could not mark trial {number} FAIL: {err!r}.")

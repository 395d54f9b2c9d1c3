"""``RayExecutor``: trials as Ray tasks with per-trial resources, the study in the caller.

Evaluators send their trial calls to a small async "hub" actor; the coordinator drains the
hub and answers. One ``ray.wait`` watches the hub and every running task, so a finished
trial, a request and a dead worker (``WorkerCrashedError``, a lost node) are seen alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from trimtab.execution._coordinator import Coordinator
from trimtab.execution._engine import Engine, Event
from trimtab.execution._protocol import AbandonedTrial, Job, Outcome, evaluate, unpack_reply
from trimtab.execution._shipping import ship
from trimtab.study._optimize import OptimizeLoop

_UNAVAILABLE_RETRIES = 10
_EXTRA = 'RayExecutor needs Ray: pip install "trimtab[ray]".'


def _import_ray() -> Any:
    try:
        import ray
    except ImportError as err:
        raise ImportError(_EXTRA) from err
    return ray


class RayExecutor:
    """Run each trial as a Ray task; Ray packs them by the resources each trial asks for.

    The Ray the process is connected to is used; otherwise ``ray.init(address=address)``
    (``address=None`` starts Ray on this machine, as ``ray.init()`` does).

    Args:
        num_cpus: CPUs each trial reserves (may be fractional).
        num_gpus: GPUs each trial reserves (fractional GPUs pack several trials on one).
        resources: Custom Ray resources each trial reserves.
        max_retries: Times a trial whose worker or node died is re-run, with the same
            parameters, as a new trial.
        trial_timeout: Seconds a trial may run; past it the trial ends FAIL and its worker
            process is killed (``ray.cancel(force=True)``).
        address: The cluster to connect to when Ray is not initialised yet ("auto", or
            "ray://host:10001", or "host:6379").
        interrupt_grace: Seconds the running trials get to end after Ctrl-C (each gets a
            ``KeyboardInterrupt``, so it can clean up) before their worker processes are
            killed.

    Raises:
        ImportError: Ray is not installed (the message names the extra).
        ValueError: an argument is out of range.
    """

    def __init__(
        self,
        num_cpus: float = 1,
        num_gpus: float = 0,
        resources: dict[str, float] | None = None,
        max_retries: int = 0,
        trial_timeout: float | None = None,
        address: str | None = None,
        interrupt_grace: float = 10.0,
    ) -> None:
        _import_ray()
        if not num_cpus >= 0 or not num_gpus >= 0:
            raise ValueError(
                f"`num_cpus` and `num_gpus` must be >= 0, got {num_cpus!r} and {num_gpus!r}."
            )
        if trial_timeout is not None and not trial_timeout > 0:
            raise ValueError(f"`trial_timeout` must be positive or None, got {trial_timeout!r}.")
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ValueError(f"`max_retries` must be a non-negative int, got {max_retries!r}.")
        if not interrupt_grace >= 0:
            raise ValueError(f"`interrupt_grace` must be >= 0, got {interrupt_grace!r}.")
        self.num_cpus = num_cpus
        self.num_gpus = num_gpus
        self.resources = dict(resources or {})
        self.max_retries = max_retries
        self.trial_timeout = trial_timeout
        self.address = address
        self.interrupt_grace = interrupt_grace

    def _connect(self) -> Any:
        ray = _import_ray()
        if ray.is_initialized():
            return ray
        if self.address not in (None, "auto", "local"):
            _check_reachable(self.address)
        try:
            ray.init(address=self.address, log_to_driver=True)
        except (ConnectionError, RuntimeError, TimeoutError) as err:
            raise ConnectionError(
                f"Could not connect to the Ray cluster at {self.address!r}: {err}. No trial was "
                "started."
            ) from err
        return ray

    def run(self, loop: OptimizeLoop) -> None:
        """Run ``loop`` with ``loop.n_jobs`` trials at once (``-1``: as many as fit)."""
        payload = ship(loop.func)
        ray = self._connect()
        n_slots = loop.n_jobs
        if n_slots == -1:
            cpus = ray.cluster_resources().get("CPU", 1)
            n_slots = max(1, int(cpus // self.num_cpus) if self.num_cpus else int(cpus))
        if n_slots < 1:
            raise ValueError(f"`n_jobs` must be >= 1 for the Ray executor, got {n_slots}.")
        options = {
            "num_cpus": self.num_cpus,
            "num_gpus": self.num_gpus,
            "resources": self.resources,
            "max_retries": 0,  # a dead worker fails the trial; max_retries re-runs it as new
        }
        engine = RayEngine(ray, payload, options, self.interrupt_grace)
        Coordinator(loop, engine, n_slots, self.trial_timeout, self.max_retries).run()


def _check_reachable(address: str, timeout: float = 5.0) -> None:
    """Fail fast on an address nothing listens on (``ray.init`` would retry for minutes)."""
    import socket

    host_port = address.split("://", 1)[-1].rstrip("/")
    host, _, port = host_port.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            return
    except (OSError, ValueError) as err:
        raise ConnectionError(
            f"Could not connect to the Ray cluster at {address!r}: {err}. No trial was started."
        ) from err


class _Hub:
    """The actor evaluators send requests to; the coordinator drains and answers them.

    Both sides may repeat a call whose answer Ray lost (``ActorUnavailableError`` while a node
    goes away): a request is known by ``(slot, trial_id, seq)`` and answered once, a post is
    queued once, and ``drain`` hands out requests until the coordinator acknowledges them.
    """

    def __init__(self) -> None:
        # (key, slot, trial id, is a post, (op, args)), in the order they arrived
        self._requests: list[tuple[int, int, int, bool, tuple[str, tuple[Any, ...]]]] = []
        self._posted: dict[int, tuple[int, set[int]]] = {}  # slot -> trial id, its post seqs
        self._waiters: dict[int, asyncio.Future[Any]] = {}
        self._keys: dict[tuple[int, int, int], int] = {}
        self._answered: dict[int, tuple[tuple[int, int, int], Any]] = {}  # slot -> last answer
        self._arrived: asyncio.Event | None = None
        self._next_key = 0

    def _event(self) -> asyncio.Event:
        if self._arrived is None:
            self._arrived = asyncio.Event()
        return self._arrived

    async def request(
        self, slot: int, trial_id: int, seq: int, op: str, args: tuple[Any, ...]
    ) -> Any:
        ident = (slot, trial_id, seq)
        answered = self._answered.get(slot)
        if answered is not None and answered[0] == ident:
            return answered[1]
        key = self._keys.get(ident)
        if key is None:
            key = self._keys[ident] = self._next_key
            self._next_key += 1
            self._waiters[key] = asyncio.get_running_loop().create_future()
            self._requests.append((key, slot, trial_id, False, (op, args)))
            self._event().set()
        return await asyncio.shield(self._waiters[key])

    async def post(
        self, slot: int, trial_id: int, seq: int, op: str, args: tuple[Any, ...]
    ) -> None:
        """Queue a call the evaluator does not wait for; its answer is not sent back."""
        posted_trial, seqs = self._posted.get(slot, (None, set()))
        if posted_trial != trial_id:
            seqs = set()
            self._posted[slot] = (trial_id, seqs)
        if seq not in seqs:
            seqs.add(seq)
            self._requests.append((self._next_key, slot, trial_id, True, (op, args)))
            self._next_key += 1
            self._event().set()

    async def drain(
        self, timeout: float, acked: int
    ) -> list[tuple[int, int, int, bool, tuple[str, tuple[Any, ...]]]]:
        self._requests = [r for r in self._requests if r[0] > acked]
        if not self._requests:
            self._event().clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._event().wait(), timeout)
        self._event().clear()
        return list(self._requests)

    async def reply(self, key: int, reply: tuple[str, Any]) -> None:
        waiter = self._waiters.pop(key, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(reply)
        for ident, ident_key in list(self._keys.items()):
            if ident_key == key:
                del self._keys[ident]
                self._answered[ident[0]] = (ident, reply)


def _retrying(ray: Any, make_call: Any) -> Any:
    """``ray.get`` of ``make_call()``, made again while the actor is briefly unavailable."""
    for attempt in range(_UNAVAILABLE_RETRIES):
        try:
            return ray.get(make_call())
        except ray.exceptions.ActorUnavailableError:
            if attempt == _UNAVAILABLE_RETRIES - 1:
                raise
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


def ray_evaluate(payload: bytes, hub: Any, slot: int, job: Job) -> Outcome | None:
    """The Ray task: evaluate ``job``, sending trial calls to the hub actor.

    A posted call (``report``, attributes) returns once the hub has queued it, not once the
    coordinator has run it: before the next call, and before the task returns, the task waits
    for its posts to be queued, so the coordinator takes them in order. Posts after the last
    call are followed by a "flush" call, so they are stored before the trial ends.
    """
    import functools
    import itertools
    import pickle

    import ray

    objective = pickle.loads(payload)
    sequence = itertools.count()
    posted: list[tuple[int, str, tuple[Any, ...], Any]] = []  # seq, op, args, ref: not yet queued

    def settle() -> None:
        for seq, op, args, ref in posted:
            try:
                ray.get(ref)
            except ray.exceptions.ActorUnavailableError:
                again = functools.partial(hub.post.remote, slot, job.trial_id, seq, op, args)
                _retrying(ray, again)
        posted.clear()

    def post(op: str, *args: Any) -> None:
        seq = next(sequence)
        posted.append((seq, op, args, hub.post.remote(slot, job.trial_id, seq, op, args)))

    def call(op: str, *args: Any) -> Any:
        settle()
        seq = next(sequence)
        return unpack_reply(
            _retrying(ray, lambda: hub.request.remote(slot, job.trial_id, seq, op, args))
        )

    outcome = evaluate(objective, call, job, post)
    if outcome is not None and posted:
        try:
            call("flush")
        except AbandonedTrial:
            return None
    return outcome


class RayEngine(Engine):
    """One Ray task per trial, one hub actor per run."""

    greets = True

    def __init__(
        self, ray: Any, payload: bytes, options: dict[str, Any], interrupt_grace: float
    ) -> None:
        self._ray = ray
        self._payload = payload
        self._options = options
        self._interrupt_grace = interrupt_grace
        self._tasks: dict[Any, tuple[int, int]] = {}  # task ref -> (slot, trial id)
        self._pending: dict[int, int] = {}  # slot -> hub key of its unanswered request
        self._hub: Any = None
        self._drain: Any = None
        self._payload_ref: Any = None
        self._task: Any = None
        self._acked = -1  # the last request key taken from the hub

    def open(self, n_slots: int) -> None:
        ray = self._ray
        hub_class = ray.remote(num_cpus=0, max_concurrency=max(1000, 4 * n_slots))(_Hub)
        # On the coordinator's node: the run must not depend on another node staying up.
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        here = NodeAffinitySchedulingStrategy(ray.get_runtime_context().get_node_id(), soft=False)
        self._hub = hub_class.options(scheduling_strategy=here).remote()
        self._task = ray.remote(ray_evaluate).options(**self._options)
        self._payload_ref = ray.put(self._payload)

    def launch(self, slot: int, job: Job) -> None:
        ref = self._task.remote(self._payload_ref, self._hub, slot, job)
        self._tasks[ref] = (slot, job.trial_id)

    def events(self, timeout: float) -> list[Event]:
        ray = self._ray
        if self._drain is None:
            self._drain = self._hub.drain.remote(1.0, self._acked)
        ready, _ = ray.wait(
            [self._drain, *self._tasks], num_returns=1, timeout=timeout, fetch_local=True
        )
        events: list[Event] = []
        if self._drain in ready:
            drain, self._drain = self._drain, None
            try:
                requests = ray.get(drain)
            except ray.exceptions.ActorUnavailableError:
                requests = []  # the hub keeps them until acknowledged: the next drain has them
            for key, slot, trial_id, is_post, payload in requests:
                if key <= self._acked:
                    continue
                self._acked = key
                if is_post:
                    events.append(Event(slot, "post", trial_id, payload))
                else:
                    self._pending[slot] = key
                    events.append(Event(slot, "request", trial_id, payload))
        ready_tasks = [ref for ref in self._tasks if ref in ready]
        if ready_tasks:
            done, _ = ray.wait(list(self._tasks), num_returns=len(self._tasks), timeout=0)
            for ref in done:
                events.append(self._finished(ref))
        return events

    def _finished(self, ref: Any) -> Event:
        slot, trial_id = self._tasks.pop(ref)
        try:
            outcome = self._ray.get(ref)
        except Exception as err:
            return Event(
                slot, "lost", trial_id, f"its Ray task failed: {type(err).__name__}: {err}"
            )
        return Event(slot, "done", trial_id, outcome)

    def reply(self, slot: int, trial_id: int, reply: tuple[str, Any]) -> None:
        key = self._pending.pop(slot, None)
        if key is not None:
            self._hub.reply.remote(key, reply)

    def abort(self, slot: int, trial_id: int) -> None:
        for ref, (task_slot, task_trial) in list(self._tasks.items()):
            if task_slot == slot and task_trial == trial_id:
                del self._tasks[ref]
                self._ray.cancel(ref, force=True)
        self._pending.pop(slot, None)

    def close(self, force: bool) -> None:
        refs = list(self._tasks)
        if refs:
            # A KeyboardInterrupt in each task first, so objectives clean up (``trimtab run``
            # stops its programs' process groups); tasks still running then are killed.
            # Only tasks still running at the deadline are force-cancelled: Ray 2.x aborts the
            # driver (RAY_CHECK in its task manager) when a force-cancel races the reply of a
            # task that is just finishing, so finished tasks must never be cancelled again.
            for ref in refs:
                self._ray.cancel(ref, force=False)
            running = refs
            with contextlib.suppress(Exception):
                _, running = self._ray.wait(
                    refs, num_returns=len(refs), timeout=self._interrupt_grace
                )
            for ref in running:
                self._ray.cancel(ref, force=True)
        self._tasks.clear()
        if self._hub is not None:
            self._ray.kill(self._hub)
            self._hub = None

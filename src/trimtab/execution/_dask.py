"""``DaskExecutor``: trials as tasks on a Dask cluster, the study in the calling process.

Evaluators talk to the coordinator through ``distributed.Queue`` objects held by the
scheduler: one queue of requests and outcomes for the run, one reply queue per slot. Dask
re-runs a task whose worker died; the evaluation then greets the coordinator a second time,
which ends the first attempt's trial FAIL (and retries it if asked) and abandons the re-run.
"""

from __future__ import annotations

import pickle
import uuid
from typing import Any

from trimtab.execution._coordinator import Coordinator
from trimtab.execution._engine import Engine, Event
from trimtab.execution._protocol import Job, Outcome, evaluate, unpack_reply
from trimtab.execution._shipping import ship
from trimtab.study._optimize import OptimizeLoop

_EXTRA = 'DaskExecutor needs Dask\'s distributed scheduler: pip install "trimtab[dask]".'


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError as err:
        raise ImportError(_EXTRA) from err
    return distributed


class DaskExecutor:
    """Run each trial as a task on a Dask cluster (local, Slurm/PBS via dask-jobqueue, any).

    Args:
        client: A ``distributed.Client`` (any kind), or a scheduler address to connect to.
        trial_timeout: Seconds a trial may run; past it the trial ends FAIL and the worker
            running it is restarted (its nanny starts a fresh process).
        max_retries: Times a trial whose worker died is re-run, with the same parameters, as
            a new trial.
        resources: Dask worker resources each trial needs, e.g. ``{"GPU": 1}``.
        connect_timeout: Seconds to wait for the scheduler when ``client`` is an address.

    Raises:
        ImportError: Dask's ``distributed`` is not installed (the message names the extra).
        ValueError: an argument is out of range.
    """

    def __init__(
        self,
        client: Any,
        trial_timeout: float | None = None,
        max_retries: int = 0,
        resources: dict[str, float] | None = None,
        connect_timeout: float = 10.0,
    ) -> None:
        distributed = _import_distributed()
        if not isinstance(client, (str, distributed.Client)):
            raise TypeError(
                f"`client` must be a distributed.Client or a scheduler address, got {client!r}."
            )
        if trial_timeout is not None and not trial_timeout > 0:
            raise ValueError(f"`trial_timeout` must be positive or None, got {trial_timeout!r}.")
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ValueError(f"`max_retries` must be a non-negative int, got {max_retries!r}.")
        self.client = client
        self.trial_timeout = trial_timeout
        self.max_retries = max_retries
        self.resources = dict(resources or {})
        self.connect_timeout = connect_timeout

    def _connect(self) -> Any:
        distributed = _import_distributed()
        if not isinstance(self.client, str):
            return self.client
        try:
            self.client = distributed.Client(self.client, timeout=self.connect_timeout)
        except OSError as err:
            raise ConnectionError(
                f"Could not reach the Dask scheduler at {self.client!r}: {err}. No trial was "
                "started."
            ) from err
        return self.client

    def run(self, loop: OptimizeLoop) -> None:
        """Run ``loop`` with ``loop.n_jobs`` trials at once (``-1``: one per worker thread)."""
        payload = ship(loop.func)
        client = self._connect()
        n_slots = loop.n_jobs
        if n_slots == -1:
            n_slots = max(1, sum(client.nthreads().values()))
        if n_slots < 1:
            raise ValueError(f"`n_jobs` must be >= 1 for the Dask executor, got {n_slots}.")
        engine = DaskEngine(client, payload, self.resources)
        Coordinator(loop, engine, n_slots, self.trial_timeout, self.max_retries).run()


class DaskEngine(Engine):
    """One Dask task per trial; scheduler-held queues carry requests and replies."""

    greets = True

    def __init__(self, client: Any, payload: bytes, resources: dict[str, float]) -> None:
        self._client = client
        self._payload = payload
        self._resources = resources or None
        self._prefix = f"trimtab-{uuid.uuid4().hex[:12]}"
        self._futures: dict[int, tuple[Any, int]] = {}  # slot -> (future, trial id)
        self._reply_queues: dict[str, Any] = {}
        self._generation: dict[int, int] = {}
        self._workers: dict[int, str] = {}
        self._requests: Any = None

    def open(self, n_slots: int) -> None:
        distributed = _import_distributed()
        self._requests = distributed.Queue(f"{self._prefix}-requests", client=self._client)
        self._generation = {slot: 0 for slot in range(n_slots)}

    def _reply_queue_name(self, slot: int) -> str:
        return f"{self._prefix}-reply-{slot}-{self._generation[slot]}"

    def launch(self, slot: int, job: Job) -> None:
        future = self._client.submit(
            dask_evaluate,
            self._payload,
            f"{self._prefix}-requests",
            self._reply_queue_name(slot),
            slot,
            job,
            key=f"trimtab-trial-{job.number}-{self._prefix}",
            pure=False,
            resources=self._resources,
        )
        self._futures[slot] = (future, job.trial_id)

    def events(self, timeout: float) -> list[Event]:
        events: list[Event] = []
        try:
            items = [self._requests.get(timeout=max(timeout, 0.01))]
            if self._requests.qsize():
                items.extend(self._requests.get(batch=True))
        except TimeoutError:
            items = []
        for item in items:
            kind, slot, trial_id, payload = pickle.loads(item)
            if kind == "request" and payload[0] == "start" and payload[1][0]:
                self._workers[slot] = payload[1][0]
            if kind == "done":
                if self._futures.get(slot, (None, None))[1] == trial_id:
                    del self._futures[slot]
            events.append(Event(slot, kind, trial_id, payload))
        for slot, (future, trial_id) in list(self._futures.items()):
            if future.status in ("error", "cancelled", "lost"):
                del self._futures[slot]
                reason = future.status
                if future.status == "error":
                    error = future.exception()
                    reason = f"its Dask task failed: {type(error).__name__}: {error}"
                events.append(Event(slot, "lost", trial_id, reason))
        return events

    def reply(self, slot: int, trial_id: int, reply: tuple[str, Any]) -> None:
        name = self._reply_queue_name(slot)
        if name not in self._reply_queues:
            distributed = _import_distributed()
            self._reply_queues[name] = distributed.Queue(name, client=self._client)
        self._reply_queues[name].put(pickle.dumps((trial_id, reply)))

    def abort(self, slot: int, trial_id: int) -> None:
        future, _ = self._futures.pop(slot, (None, None))
        if future is not None:
            future.cancel()
        self._generation[slot] += 1
        worker = self._workers.pop(slot, None)
        if worker is not None:  # a running Python thread cannot be stopped: restart its process
            self._client.restart_workers([worker], raise_for_error=False)

    def close(self, force: bool) -> None:
        for slot, (future, trial_id) in list(self._futures.items()):
            future.cancel()
            self.reply(slot, trial_id, ("abandon", "the optimization stopped"))
        self._futures.clear()
        if not force:  # an abandoned evaluation may still read its reply queue
            for queue in [self._requests, *self._reply_queues.values()]:
                queue.close()
            self._reply_queues.clear()


def dask_evaluate(
    payload: bytes, requests_name: str, replies_name: str, slot: int, job: Job
) -> None:
    """The task run on a Dask worker: evaluate ``job``, talking through the queues."""
    from distributed import Queue, get_worker

    requests, replies = Queue(requests_name), Queue(replies_name)
    try:
        objective = pickle.loads(payload)
    except Exception as err:
        outcome: Outcome | None = Outcome("error", message=f"cannot load the objective: {err!r}")
        requests.put(pickle.dumps(("done", slot, job.trial_id, outcome)))
        return

    def call(op: str, *args: Any) -> Any:
        if op == "start":
            args = (get_worker().address,)
        requests.put(pickle.dumps(("request", slot, job.trial_id, (op, args))))
        while True:
            trial_id, reply = pickle.loads(replies.get())
            if trial_id == job.trial_id:
                return unpack_reply(reply)

    outcome = evaluate(objective, call, job)
    requests.put(pickle.dumps(("done", slot, job.trial_id, outcome)))

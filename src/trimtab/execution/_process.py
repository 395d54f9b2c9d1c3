"""``ProcessExecutor``: ``n_jobs`` worker processes on this machine, one coordinator."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
from multiprocessing.connection import Connection, wait
from typing import Any

from trimtab.execution._coordinator import Coordinator
from trimtab.execution._engine import Engine, Event
from trimtab.execution._protocol import Job, evaluate, unpack_reply
from trimtab.execution._shipping import ship
from trimtab.study._optimize import OptimizeLoop


class ProcessExecutor:
    """Run trials in worker processes so CPU-bound (GIL-bound) objectives use every core.

    The calling process stays the coordinator: it owns the sampler, the pruner and the
    storage (in-memory storages work), and the workers only run the objective.

    Args:
        trial_timeout: Seconds a trial may run; past it its worker is killed, the trial ends
            FAIL and a fresh worker takes its place. None (default) waits forever.
        max_retries: Times a trial whose worker died is re-run, with the same parameters, as
            a new trial.
        start_method: The ``multiprocessing`` start method ("forkserver" by default, "spawn"
            or "fork").

    Raises:
        ValueError: an argument is out of range.
    """

    def __init__(
        self,
        trial_timeout: float | None = None,
        max_retries: int = 0,
        start_method: str = "forkserver",
    ) -> None:
        if trial_timeout is not None and not trial_timeout > 0:
            raise ValueError(f"`trial_timeout` must be positive or None, got {trial_timeout!r}.")
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ValueError(f"`max_retries` must be a non-negative int, got {max_retries!r}.")
        if start_method not in multiprocessing.get_all_start_methods():
            raise ValueError(
                f"`start_method` must be one of {multiprocessing.get_all_start_methods()}, "
                f"got {start_method!r}."
            )
        self.trial_timeout = trial_timeout
        self.max_retries = max_retries
        self.start_method = start_method

    def run(self, loop: OptimizeLoop) -> None:
        """Run ``loop`` on ``loop.n_jobs`` worker processes (``-1``: one per CPU)."""
        n_workers = loop.n_jobs
        if n_workers == -1:
            n_workers = os.cpu_count() or 1
        if n_workers < 1:
            raise ValueError(f"`n_jobs` must be >= 1 for the process executor, got {n_workers}.")
        engine = ProcessEngine(ship(loop.func), self.start_method)
        Coordinator(loop, engine, n_workers, self.trial_timeout, self.max_retries).run()


class _Worker:
    def __init__(self, process: Any, conn: Connection) -> None:
        self.process = process
        self.conn = conn
        self.trial_id: int | None = None


class ProcessEngine(Engine):
    """One process per slot, a pipe to each; a dead process is replaced at the next launch."""

    def __init__(self, payload: bytes, start_method: str) -> None:
        self._payload = payload
        self._context = multiprocessing.get_context(start_method)
        if start_method == "forkserver":
            self._context.set_forkserver_preload(["trimtab.execution._process"])
        self._workers: dict[int, _Worker] = {}

    def open(self, n_slots: int) -> None:
        for slot in range(n_slots):
            self._workers[slot] = self._spawn()

    def _spawn(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(  # type: ignore[attr-defined]
            target=worker_main, args=(child, self._payload), daemon=True
        )
        process.start()
        child.close()
        return _Worker(process, parent)

    def launch(self, slot: int, job: Job) -> None:
        worker = self._workers[slot]
        if not worker.process.is_alive():
            worker.conn.close()
            worker = self._workers[slot] = self._spawn()
        worker.trial_id = job.trial_id
        with contextlib.suppress(OSError):  # died just now: its sentinel reports it
            worker.conn.send(("run", job))

    def events(self, timeout: float) -> list[Event]:
        by_handle: dict[Any, tuple[int, _Worker]] = {}
        for slot, worker in self._workers.items():
            if worker.trial_id is not None:
                by_handle[worker.conn] = (slot, worker)
                by_handle[worker.process.sentinel] = (slot, worker)
        events: list[Event] = []
        for handle in wait(list(by_handle), timeout):
            slot, worker = by_handle[handle]
            if worker.trial_id is None:
                continue
            if handle is worker.conn:
                events.extend(self._read(slot, worker))
            elif not worker.conn.poll():
                events.append(self._lost(slot, worker))
        return events

    def _read(self, slot: int, worker: _Worker) -> list[Event]:
        events = []
        try:
            while worker.trial_id is not None and worker.conn.poll():
                kind, trial_id, payload = worker.conn.recv()
                events.append(Event(slot, kind, trial_id, payload))
                if kind == "done":
                    worker.trial_id = None
        except (EOFError, OSError):
            worker.process.join(1.0)
            events.append(self._lost(slot, worker))
        return events

    def _lost(self, slot: int, worker: _Worker) -> Event:
        trial_id = worker.trial_id
        assert trial_id is not None
        worker.trial_id = None
        worker.process.join(1.0)
        code = worker.process.exitcode
        if code is not None and code < 0:
            how = f"was killed by signal {signal.Signals(-code).name}"
        else:
            how = f"exited with code {code}"
        return Event(slot, "lost", trial_id, f"its worker process (pid {worker.process.pid}) {how}")

    def reply(self, slot: int, trial_id: int, reply: tuple[str, Any]) -> None:
        with contextlib.suppress(OSError):  # the worker died; its sentinel reports it
            self._workers[slot].conn.send(reply)

    def abort(self, slot: int, trial_id: int) -> None:
        worker = self._workers[slot]
        worker.process.kill()
        worker.process.join()
        worker.trial_id = None

    def close(self, force: bool) -> None:
        for worker in self._workers.values():
            if force:
                worker.process.kill()
            else:
                with contextlib.suppress(OSError):
                    worker.conn.send(("stop", None))
        for worker in self._workers.values():
            worker.process.join(None if force else 5.0)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.conn.close()
        self._workers.clear()


def worker_main(conn: Connection, payload: bytes) -> None:
    """A worker process: load the objective once, then evaluate each job the coordinator sends.

    Ctrl-C is left to the coordinator, which stops the workers and fails their trials.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import pickle

    objective = pickle.loads(payload)

    while True:
        try:
            kind, job = conn.recv()
        except (EOFError, OSError):
            return
        if kind == "stop":
            return
        channel = _Channel(conn, job.trial_id)
        outcome = evaluate(objective, channel.call, job, channel.post, channel.flush)
        channel.drain()  # answers to calls posted before an error or abandonment
        conn.send(("done", job.trial_id, outcome))


class _Channel:
    """A worker's calls for one trial: ``call`` waits for its answer, ``post`` does not.

    Answers come in order, so a posted call's answer is read before the next ``call``'s; the
    first error among them is raised there.
    """

    def __init__(self, conn: Connection, trial_id: int) -> None:
        self._conn = conn
        self._trial_id = trial_id
        self._unread = 0

    def post(self, op: str, *args: Any) -> None:
        self._conn.send(("request", self._trial_id, (op, args)))
        self._unread += 1

    def call(self, op: str, *args: Any) -> Any:
        self.post(op, *args)
        return self._read_all()

    def flush(self) -> None:
        if self._unread:
            self._read_all()

    def drain(self) -> None:
        while self._unread:
            self._unread -= 1
            self._conn.recv()

    def _read_all(self) -> Any:
        replies = []
        while self._unread:
            replies.append(self._conn.recv())
            self._unread -= 1
        for reply in replies[:-1]:
            unpack_reply(reply)  # raises what a posted call raised in the coordinator
        return unpack_reply(replies[-1])

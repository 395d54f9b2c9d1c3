"""``ProcessExecutor``: ``n_jobs`` worker processes on this machine, one coordinator."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import select
import selectors
import signal
import sys
import types
from collections import deque
from multiprocessing.connection import Connection
from typing import Any

from trimtab.execution._coordinator import Coordinator
from trimtab.execution._engine import Engine, Event
from trimtab.execution._pipe import MessagePipe
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


def _forkserver_preload() -> list[str]:
    """The modules the fork server imports once, so that the workers it forks start warm.

    Each worker re-runs a main script (or ``python -m`` module) on start-up, and with it every
    import of the main module (numpy, torch, ...): importing those once in the fork server
    makes a worker's start-up a fork. Only modules this process has already imported are
    listed, and none for an interactive main module, which workers do not re-run.
    """
    names = {"trimtab.execution._process"}
    main = sys.modules["__main__"]
    if getattr(main, "__file__", None) is None and getattr(main, "__spec__", None) is None:
        return sorted(names)
    for name, value in list(vars(main).items()):
        if name.startswith("__"):
            continue
        if isinstance(value, types.ModuleType):
            names.add(value.__name__)
        elif isinstance(value, type) or callable(value):
            module = getattr(value, "__module__", None)
            if isinstance(module, str):
                names.add(module)
    names.difference_update(("__main__", "__mp_main__", "builtins"))
    return sorted(name for name in names if name in sys.modules)


class _Worker:
    def __init__(self, process: Any, conn: MessagePipe) -> None:
        self.process = process
        self.conn = conn
        self.trial_ids: deque[int] = deque()  # sent to it and not done: running, then queued
        self.exited = False  # its pipe closed or its process ended: replace it at next launch


class ProcessEngine(Engine):
    """One process per slot, a pipe to each; a dead process is replaced at the next launch.

    A worker may hold a second job sent ahead; it starts it when it sends the first one's
    outcome. One selector, kept for the run, watches every pipe and every process sentinel.
    """

    prefetches = True

    def __init__(self, payload: bytes, start_method: str) -> None:
        self._payload = payload
        self._context = multiprocessing.get_context(start_method)
        if start_method == "forkserver":
            self._context.set_forkserver_preload(_forkserver_preload())
        self._workers: dict[int, _Worker] = {}
        self._selector = selectors.DefaultSelector()

    def open(self, n_slots: int) -> None:
        for slot in range(n_slots):
            self._workers[slot] = self._spawn(slot)

    def _spawn(self, slot: int) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(  # type: ignore[attr-defined]
            target=worker_main, args=(child, self._payload), daemon=True
        )
        process.start()
        child.close()
        conn = _own(parent)
        self._selector.register(conn, selectors.EVENT_READ, (slot, "conn"))
        self._selector.register(process.sentinel, selectors.EVENT_READ, (slot, "sentinel"))
        return _Worker(process, conn)

    def _forget(self, worker: _Worker) -> None:
        worker.exited = True
        with contextlib.suppress(KeyError, ValueError):
            self._selector.unregister(worker.conn)
        with contextlib.suppress(KeyError, ValueError):
            self._selector.unregister(worker.process.sentinel)

    def launch(self, slot: int, job: Job) -> None:
        worker = self._workers[slot]
        if worker.exited:
            if worker.process.is_alive():  # it closed its pipe but lingers
                worker.process.kill()
            worker.process.join()
            worker.conn.close()
            worker = self._workers[slot] = self._spawn(slot)
        worker.trial_ids.append(job.trial_id)
        with contextlib.suppress(OSError):  # died just now: its sentinel reports it
            worker.conn.send(("run", job))

    def events(self, timeout: float) -> list[Event]:
        events: list[Event] = []
        for key, _ in self._selector.select(timeout):
            slot, kind = key.data
            worker = self._workers[slot]
            if worker.exited:
                continue  # its pipe closed earlier in this loop
            if kind == "conn":
                events.extend(self._read(slot, worker))
            else:
                # Its process ended: read what it sent before, then lose its unfinished trial.
                while not worker.exited and _readable(worker.conn):
                    events.extend(self._read(slot, worker))
                if not worker.exited:
                    self._forget(worker)
                    if worker.trial_ids:
                        events.append(self._lost(slot, worker))
        return events

    def _read(self, slot: int, worker: _Worker) -> list[Event]:
        try:
            messages = worker.conn.read()
        except (EOFError, OSError):
            self._forget(worker)
            return [self._lost(slot, worker)] if worker.trial_ids else []
        events = []
        for kind, trial_id, payload in messages:
            if kind == "done" and worker.trial_ids and worker.trial_ids[0] == trial_id:
                worker.trial_ids.popleft()
            events.append(Event(slot, kind, trial_id, payload))
        return events

    def _lost(self, slot: int, worker: _Worker) -> Event:
        trial_id = worker.trial_ids[0]
        worker.trial_ids.clear()
        worker.process.join(1.0)
        code = worker.process.exitcode
        if code is not None and code < 0:
            how = f"was killed by signal {signal.Signals(-code).name}"
        else:
            how = f"exited with code {code}"
        return Event(slot, "lost", trial_id, f"its worker process (pid {worker.process.pid}) {how}")

    def reply(self, slot: int, trial_id: int, reply: tuple[str, Any]) -> None:
        with contextlib.suppress(OSError):  # the worker died; its sentinel reports it
            self._workers[slot].conn.send(("reply", reply))

    def abort(self, slot: int, trial_id: int) -> None:
        worker = self._workers[slot]
        worker.process.kill()
        worker.process.join()
        worker.trial_ids.clear()
        self._forget(worker)

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
        self._selector.close()


def worker_main(conn: Connection, payload: bytes) -> None:
    """A worker process: load the objective once, then evaluate each job the coordinator sends.

    Ctrl-C is left to the coordinator, which stops the workers and fails their trials.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    objective = pickle.loads(payload)
    pipe = _own(conn)
    channel = _Channel(pipe)
    while True:
        try:
            kind, job = channel.next_order()
        except (EOFError, OSError):
            return
        if kind == "stop":
            return
        channel.trial_id = job.trial_id
        outcome = evaluate(objective, channel.call, job, channel.post)
        pipe.send(("done", job.trial_id, outcome))


class _Channel:
    """A worker's side of its pipe: ``call`` waits for the answer, ``post`` gets none.

    The coordinator raises the error of a posted call at the next ``call`` (or fails the trial
    with it when the objective returns). Orders (a job sent ahead, "stop") that arrive while a
    call waits are kept for later.
    """

    def __init__(self, conn: MessagePipe) -> None:
        self._conn = conn
        self._orders: deque[Any] = deque()
        self.trial_id = -1

    def next_order(self) -> Any:
        if self._orders:
            return self._orders.popleft()
        return self._conn.recv()

    def post(self, op: str, *args: Any) -> None:
        self._conn.send(("post", self.trial_id, (op, args)))

    def call(self, op: str, *args: Any) -> Any:
        self._conn.send(("request", self.trial_id, (op, args)))
        while True:
            message = self._conn.recv()
            if message[0] == "reply":
                return unpack_reply(message[1])
            self._orders.append(message)


def _readable(conn: MessagePipe) -> bool:
    poller = select.poll()
    poller.register(conn, select.POLLIN)
    return bool(poller.poll(0))


def _own(conn: Connection) -> MessagePipe:
    """A ``MessagePipe`` on a copy of ``conn``'s descriptor (``conn`` is closed)."""
    pipe = MessagePipe(os.dup(conn.fileno()))
    conn.close()
    return pipe

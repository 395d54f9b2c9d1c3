"""Running one program: its own process group, output read line by line, a clean stop.

The program starts in a new session, so ``SIGTERM``/``SIGKILL`` reach it and every child it
started (unless a child leaves the session itself). Output is read with ``select`` from both
pipes: the raw bytes go to the trial's log files, lines are split with a bounded buffer (a
program that prints binary data or no newline cannot grow memory), and waiting is bounded by
the trial's deadline and by the shared :class:`Interrupt`.
"""

from __future__ import annotations

import collections
import contextlib
import os
import selectors
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from trimtab.exceptions import TrimtabError

MAX_LINE_BYTES = 64 * 1024
_READ_BYTES = 64 * 1024
_POLL_SECONDS = 0.1  # how often to look for the program's exit when pidfds are unavailable
_EXIT_LINGER_SECONDS = 0.05  # output may still arrive right after the program exits
_TAIL_LINES = 20
PING_SECONDS = 2.0  # how often a remote supervisor checks that its coordinator still wants it
_TAIL_LINE_CHARS = 400


class ProgramError(TrimtabError):
    """The program could not be started, or it failed; the message says why."""


class Interrupt:
    """Shared by every running program: Ctrl-C (or SIGTERM) stops them all.

    ``trigger`` is safe to call from a signal handler: it sets a flag and writes one byte to a
    pipe that every supervisor waits on, so each one wakes at once and stops its program. A
    second trigger kills every program group right away.
    """

    def __init__(self) -> None:
        self._read_fd, self._write_fd = os.pipe()
        os.set_blocking(self._write_fd, False)
        self.count = 0
        self._groups: set[int] = set()
        self._lock = threading.Lock()

    @property
    def triggered(self) -> bool:
        return self.count > 0

    def fileno(self) -> int:
        return self._read_fd

    def trigger(self) -> None:
        """Ask every program to stop (the second call kills them)."""
        self.count += 1
        with contextlib.suppress(OSError):
            os.write(self._write_fd, b"!")
        if self.count > 1:
            for group in self._groups.copy():  # one C call: safe while threads add
                with contextlib.suppress(OSError):
                    os.killpg(group, signal.SIGKILL)

    def register(self, group: int) -> None:
        with self._lock:
            self._groups.add(group)

    def unregister(self, group: int) -> None:
        with self._lock:
            self._groups.discard(group)

    def close(self) -> None:
        os.close(self._read_fd)
        os.close(self._write_fd)


def _describe_start_error(argv0: str, err: OSError) -> str:
    if isinstance(err, FileNotFoundError):
        return f"cannot start '{argv0}': no such file or command"
    if isinstance(err, PermissionError):
        return f"cannot start '{argv0}': permission denied (is it executable?)"
    return f"cannot start '{argv0}': {err.strerror or err}"


class Program:
    """One running program with its log files; use as a context manager.

    Args:
        argv: The command line.
        env: The full environment of the program.
        log_dir: Where ``stdout.log`` and ``stderr.log`` go (each created when the program
            first writes to that stream).
        interrupt: Stops the program when triggered.
        cwd: The program's working directory (None: this process's).

    Raises:
        ProgramError: the program cannot be started (missing, not executable).
    """

    def __init__(
        self,
        argv: list[str],
        env: dict[str, str],
        log_dir: Path,
        interrupt: Interrupt,
        cwd: str | None = None,
    ) -> None:
        self._interrupt = interrupt
        log_dir.mkdir(parents=True, exist_ok=True)
        self._log_dir = log_dir
        self._logs: dict[str, BinaryIO] = {}
        self.started_at = time.time()
        try:
            self._process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
                cwd=cwd,
                start_new_session=True,
            )
        except OSError as err:
            self._close_logs()
            raise ProgramError(_describe_start_error(argv[0], err)) from None
        self.group = self._process.pid
        interrupt.register(self.group)
        self.stop_reason: str | None = None
        self.stderr_tail: collections.deque[str] = collections.deque(maxlen=_TAIL_LINES)
        self._pending = {"stdout": bytearray(), "stderr": bytearray()}
        self._selector = selectors.DefaultSelector()
        assert self._process.stdout is not None and self._process.stderr is not None
        self._selector.register(self._process.stdout.fileno(), selectors.EVENT_READ, "stdout")
        self._selector.register(self._process.stderr.fileno(), selectors.EVENT_READ, "stderr")
        self._selector.register(interrupt.fileno(), selectors.EVENT_READ, "interrupt")
        self._pidfd = self._open_pidfd()
        self._exited_at: float | None = None

    def _open_pidfd(self) -> int | None:
        if not hasattr(os, "pidfd_open"):
            return None
        try:
            pidfd = os.pidfd_open(self._process.pid)
        except OSError:
            return None
        self._selector.register(pidfd, selectors.EVENT_READ, "exit")
        return pidfd

    @property
    def returncode(self) -> int | None:
        return self._process.returncode

    def __enter__(self) -> Program:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(grace=0.0)

    def lines(
        self, deadline: float | None, ping: Callable[[], object] | None = None
    ) -> Iterator[tuple[str, str]]:
        """Yield ``(stream, line)`` until the program ends, ``deadline`` passes or an interrupt.

        On a deadline or interrupt, ``stop_reason`` says which ("timeout", "interrupted") and
        the program is still running: call :meth:`close`. ``ping`` is called every few
        seconds; whatever it raises (its supervisor is gone) ends the iteration.
        """
        next_ping = time.monotonic() + PING_SECONDS
        while self._pipes_open() or self._process.poll() is None:
            if ping is not None and time.monotonic() >= next_ping:
                ping()
                next_ping = time.monotonic() + PING_SECONDS
            if self._interrupt.triggered:
                self.stop_reason = "interrupted"
                return
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                self.stop_reason = "timeout"
                return
            if self._exited_at is None and self._process.poll() is not None:
                self._exited_at = now
            if self._exited_at is not None and now - self._exited_at > _EXIT_LINGER_SECONDS:
                break  # the program is gone; children of it still hold the pipes open
            yield from self._pump(self._wait_seconds(now, deadline, ping is not None))
        yield from self._flush_pending()

    def _wait_seconds(self, now: float, deadline: float | None, ping: bool = False) -> float | None:
        waits = [] if deadline is None else [deadline - now]
        if ping:
            waits.append(PING_SECONDS)
        if self._exited_at is not None:
            waits.append(_EXIT_LINGER_SECONDS)
        elif self._pidfd is None:
            waits.append(_POLL_SECONDS)
        return max(0.0, min(waits)) if waits else None

    def _pipes_open(self) -> bool:
        return any(key.data in ("stdout", "stderr") for key in self._selector.get_map().values())

    def _pump(self, timeout: float | None) -> Iterator[tuple[str, str]]:
        for key, _ in self._selector.select(timeout):
            if key.data == "exit":
                self._selector.unregister(key.fd)
                self._process.poll()
            elif key.data in ("stdout", "stderr"):
                yield from self._read(key.fd, key.data)

    def _read(self, fd: int, stream: str) -> Iterator[tuple[str, str]]:
        data = os.read(fd, _READ_BYTES)
        if not data:
            self._selector.unregister(fd)
            yield from self._flush_pending(stream)
            return
        self._log(stream).write(data)
        pending = self._pending[stream]
        pending += data
        while True:
            end = pending.find(b"\n")
            if end < 0 and len(pending) < MAX_LINE_BYTES:
                break
            cut = end + 1 if 0 <= end < MAX_LINE_BYTES else MAX_LINE_BYTES
            yield stream, self._line(stream, bytes(pending[:cut]))
            del pending[:cut]

    def _flush_pending(self, *streams: str) -> Iterator[tuple[str, str]]:
        for stream in streams or ("stdout", "stderr"):
            pending = self._pending[stream]
            if pending:
                yield stream, self._line(stream, bytes(pending))
                pending.clear()

    def _line(self, stream: str, raw: bytes) -> str:
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if stream == "stderr":
            self.stderr_tail.append(line[:_TAIL_LINE_CHARS])
        return line

    def close(self, grace: float) -> None:
        """Stop whatever is left of the program's group: SIGTERM, then SIGKILL after ``grace``.

        Output written meanwhile still goes to the log files. Safe to call twice.
        """
        if self._selector is None:
            return
        with contextlib.suppress(KeyError):
            self._selector.unregister(self._interrupt.fileno())
        if self._group_alive():
            self._signal_group(signal.SIGTERM)
            end = time.monotonic() + grace
            while self._group_alive() and time.monotonic() < end:
                self._drain(min(0.02, max(0.0, end - time.monotonic())))
            if self._group_alive():
                self._signal_group(signal.SIGKILL)
        self._process.wait()
        end = time.monotonic() + _EXIT_LINGER_SECONDS
        while self._pipes_open() and time.monotonic() < end:
            self._drain(max(0.0, end - time.monotonic()))
        self._interrupt.unregister(self.group)
        self._selector.close()
        self._selector = None  # type: ignore[assignment]
        if self._pidfd is not None:
            os.close(self._pidfd)
        assert self._process.stdout is not None and self._process.stderr is not None
        self._process.stdout.close()
        self._process.stderr.close()
        self._close_logs()

    def _drain(self, timeout: float) -> None:
        for _ in self._pump(timeout):
            pass  # the bytes are in the log files; nobody reads the lines any more

    def _group_alive(self) -> bool:
        self._process.poll()
        try:
            os.killpg(self.group, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def _signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.group, signum)

    def _log(self, stream: str) -> BinaryIO:
        """The log file of ``stream``, created at its first byte (no output, no file)."""
        file = self._logs.get(stream)
        if file is None:
            file = self._logs[stream] = open(self._log_dir / f"{stream}.log", "wb", buffering=0)  # noqa: SIM115
        return file

    def _close_logs(self) -> None:
        for file in self._logs.values():
            file.close()

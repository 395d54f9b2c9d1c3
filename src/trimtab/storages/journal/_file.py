"""``JournalFileBackend``: the journal as a file of JSON lines, guarded by a lock file."""

from __future__ import annotations

import abc
import contextlib
import errno
import json
import os
import time
import uuid
from collections.abc import Iterator
from typing import Any

from trimtab import _warnings, logging
from trimtab.exceptions import StorageInternalError
from trimtab.storages.journal._base import (
    REPAIR_COMMAND,
    BaseJournalBackend,
    JournalCorruptedError,
    parse_record,
)

_logger = logging.get_logger(__name__)
LOCK_FILE_SUFFIX = ".lock"
RENAME_FILE_SUFFIX = ".rename"
# How long an unfinished last line must stay unchanged before a writer removes it.
_TORN_TAIL_SETTLE_S = 0.05
_APPEND_FLAGS = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0)


class BaseJournalFileLock(abc.ABC):
    """An inter-process lock for a journal file."""

    @abc.abstractmethod
    def acquire(self) -> bool:
        """Block until the lock is held; return True."""

    @abc.abstractmethod
    def release(self) -> None:
        """Release the lock. Raises RuntimeError when it is not held."""


class _LockFileLock(BaseJournalFileLock):
    """A lock that is the existence of ``<file>.lock``; stale locks are broken after a grace."""

    def __init__(self, filepath: str, grace_period: int | None = 30) -> None:
        self._lock_target_file = filepath
        self._lock_file = filepath + LOCK_FILE_SUFFIX
        if grace_period is not None:
            if grace_period <= 0:
                raise ValueError("The value of `grace_period` should be a positive integer.")
            if grace_period < 3:
                _warnings.warn("The value of `grace_period` might be too small. ")
        self.grace_period = grace_period

    @abc.abstractmethod
    def _try_create(self) -> None:
        """Create the lock file atomically; raise FileExistsError-like OSError if it exists."""

    def acquire(self) -> bool:
        sleep_secs = 0.001
        last_warning = last_change = time.monotonic()
        mtime: float | None = None
        while True:
            try:
                self._try_create()
                return True
            except OSError as err:
                if err.errno != errno.EEXIST:
                    raise
            now = time.monotonic()
            if now - last_warning > 10.0:
                _logger.warning(
                    f"It is taking longer than 10 seconds to acquire the lock file: "
                    f"{self._lock_file} Retrying..."
                )
                last_warning = now
            if self.grace_period is not None:
                try:
                    current = os.stat(self._lock_file).st_mtime
                except OSError:
                    continue
                if current != mtime:
                    mtime, last_change = current, now
                elif now - last_change > self.grace_period:
                    _logger.warning(
                        "The existing lock file has not been released for an extended period. "
                        "Forcibly releasing the lock file."
                    )
                    with contextlib.suppress(RuntimeError):
                        self.release()
                    sleep_secs = 0.001
                    continue
            time.sleep(sleep_secs)
            sleep_secs = min(sleep_secs * 2, 0.05)

    def release(self) -> None:
        # Rename first so that two processes breaking a stale lock cannot both remove it.
        renamed = self._lock_file + str(uuid.uuid4()) + RENAME_FILE_SUFFIX
        try:
            os.rename(self._lock_file, renamed)
        except OSError:
            raise RuntimeError("Error: did not possess lock") from None
        os.unlink(renamed)


class JournalFileSymlinkLock(_LockFileLock):
    """A lock made by creating a symbolic link (works on NFSv2 and later).

    Args:
        filepath: the journal file to guard.
        grace_period: seconds after which a lock that nobody touches is broken (None: never).
    """

    def _try_create(self) -> None:
        os.symlink(self._lock_target_file, self._lock_file)


class JournalFileOpenLock(_LockFileLock):
    """A lock made by ``open(O_CREAT | O_EXCL)`` (NFSv3 and later).

    Args:
        filepath: the journal file to guard.
        grace_period: seconds after which a lock that nobody touches is broken (None: never).
    """

    def _try_create(self) -> None:
        os.close(os.open(self._lock_file, os.O_CREAT | os.O_EXCL | os.O_WRONLY))


@contextlib.contextmanager
def _held(lock: BaseJournalFileLock, path: str) -> Iterator[None]:
    lock.acquire()
    try:
        yield
    finally:
        try:
            lock.release()
        except RuntimeError:
            # Another process took this lock for a stale one (we held it longer than its
            # grace period) and broke it. What we wrote is complete and synced: keep it.
            _logger.warning(
                f"The lock of {path} was broken by another process while this one held it; "
                "a larger grace_period avoids that on a slow or busy machine."
            )


class JournalFileBackend(BaseJournalBackend):
    """The journal in a file, one JSON record per line (Optuna's format).

    A last line without its newline is a write cut short (a killed writer) and is not a
    record yet; the next writer removes it (or ends it, when it is a whole record) under the
    lock, so the file stays readable by Optuna too. A damaged line before the end stops the
    load with ``JournalCorruptedError``: skipping it would renumber every later trial.

    Args:
        file_path: the journal file (created if missing).
        lock_obj: the inter-process lock (default ``JournalFileSymlinkLock(file_path)``).
    """

    def __init__(self, file_path: str, lock_obj: BaseJournalFileLock | None = None) -> None:
        self._file_path = os.fspath(file_path)
        self._lock = lock_obj or JournalFileSymlinkLock(self._file_path)
        if not os.path.exists(self._file_path):
            open(self._file_path, "ab").close()
        self._position = (0, 0)  # (log number, byte offset) read up to

    def read_logs(self, log_number_from: int) -> Iterator[dict[str, Any]]:
        """Yield the complete records numbered ``log_number_from`` and later.

        Raises:
            JournalCorruptedError: a complete line is not a JSON record.
        """
        number, offset = self._position
        if log_number_from < number:
            number, offset = 0, 0
        with open(self._file_path, "rb") as f:
            f.seek(offset)
            data = f.read()
        end = data.rfind(b"\n") + 1
        logs = []
        for line in data[:end].splitlines(keepends=True):
            record = parse_record(line)
            if record is None:
                raise _damaged(self._file_path, number + 1, offset, line)
            if number >= log_number_from:
                logs.append(record)
            number += 1
            offset += len(line)
            self._position = (number, offset)
        return iter(logs)

    def append_logs(self, logs: list[dict[str, Any]]) -> None:
        """Append records under the file lock and fsync them.

        Raises:
            StorageInternalError: the file cannot be written (e.g. the disk is full); no
                unfinished record is left in it.
        """
        data = "".join(json.dumps(log, separators=(",", ":")) + "\n" for log in logs).encode()
        with _held(self._lock, self._file_path):
            fd = os.open(self._file_path, _APPEND_FLAGS, 0o666)
            size = written = 0
            try:
                size = _seal_torn_tail(fd, self._file_path, os.fstat(fd).st_size)
                while written < len(data):
                    written += os.write(fd, data[written:])
                os.fsync(fd)
            except OSError as err:
                _drop_partial_record(fd, size, data[:written])
                raise StorageInternalError(
                    f"Could not write to the journal file {self._file_path!r}: "
                    f"{err.strerror or err} (errno {err.errno})."
                ) from err
            finally:
                os.close(fd)


def _damaged(path: str, line_number: int, offset: int, line: bytes) -> JournalCorruptedError:
    return JournalCorruptedError(
        path,
        line_number,
        f"The journal file {path!r} is damaged at line {line_number} (byte {offset}): "
        f"{line[:80]!r} is not a journal record. The records after it cannot be replayed "
        f"without renumbering trials, so the journal is not loaded. Copy the readable records "
        f"before it to a new file with `{REPAIR_COMMAND} {path} --output NEW_PATH` and use "
        "that file.",
    )


def _drop_partial_record(fd: int, size: int, written: bytes) -> None:
    """After a failed write, cut off the unfinished record it left at the end, if any.

    Whole records stay: other processes may already have read them.
    """
    keep = size + written.rfind(b"\n") + 1
    with contextlib.suppress(OSError):
        if keep < size + len(written) and os.fstat(fd).st_size == size + len(written):
            os.ftruncate(fd, keep)


def _read_at(fd: int, offset: int, size: int) -> bytes:
    os.lseek(fd, offset, os.SEEK_SET)  # appends still go to the end (O_APPEND)
    data = b""
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            break
        data += chunk
    return data


def _seal_torn_tail(fd: int, path: str, size: int) -> int:
    """Deal with a last line a killed writer left without its newline; return the new size.

    Runs under the file lock, so no live writer owns that line. A whole record gets its
    newline; anything else is cut off. Readers never counted it, so no record is renumbered.
    """
    tail_start = _last_line_start(fd, size)
    if tail_start == size:
        return size
    # A writer whose lock was broken as stale could still be in the middle of a write: act
    # only on a tail that stays the same for a moment.
    time.sleep(_TORN_TAIL_SETTLE_S)
    settled = os.fstat(fd).st_size
    if settled != size:
        return _seal_torn_tail(fd, path, settled)
    tail = _read_at(fd, tail_start, size - tail_start)
    if parse_record(tail) is not None:
        os.write(fd, b"\n")
        return size + 1
    _logger.warning(
        f"Removing an unfinished last record of {path} (a write interrupted by a crash): "
        f"{len(tail)} bytes {tail[:80]!r}"
    )
    os.ftruncate(fd, tail_start)
    return tail_start


def _last_line_start(fd: int, size: int) -> int:
    """The offset just after the last newline before ``size`` (0 when there is none)."""
    tail_start = size
    while tail_start > 0:
        chunk_start = max(0, tail_start - 65536)
        chunk = _read_at(fd, chunk_start, tail_start - chunk_start)
        newline = chunk.rfind(b"\n")
        if newline >= 0:
            tail_start = chunk_start + newline + 1
            break
        tail_start = chunk_start
    return tail_start


class JournalFileStorage(JournalFileBackend):
    """Deprecated name of ``trimtab.storages.journal.JournalFileBackend`` (since 4.0.0)."""

    def __init__(self, file_path: str, lock_obj: BaseJournalFileLock | None = None) -> None:
        _warnings.warn_deprecated(
            "JournalFileStorage", "4.0.0", "6.0.0", "trimtab.storages.journal.JournalFileBackend"
        )
        super().__init__(file_path, lock_obj)


class DeprecatedJournalFileSymlinkLock(JournalFileSymlinkLock):
    """``JournalFileSymlinkLock`` imported from its deprecated path ``trimtab.storages``."""

    def __init__(self, filepath: str, grace_period: int | None = 30) -> None:
        _warnings.warn_deprecated(
            "The import path trimtab.storages.JournalFileSymlinkLock",
            "4.0.0",
            "6.0.0",
            "trimtab.storages.journal.JournalFileSymlinkLock",
        )
        super().__init__(filepath, grace_period)


class DeprecatedJournalFileOpenLock(JournalFileOpenLock):
    """``JournalFileOpenLock`` imported from its deprecated path ``trimtab.storages``."""

    def __init__(self, filepath: str, grace_period: int | None = 30) -> None:
        _warnings.warn_deprecated(
            "The import path trimtab.storages.JournalFileOpenLock",
            "4.0.0",
            "6.0.0",
            "trimtab.storages.journal.JournalFileOpenLock",
        )
        super().__init__(filepath, grace_period)

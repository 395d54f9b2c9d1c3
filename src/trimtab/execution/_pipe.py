"""A pickled-message pipe that reads every message already sent with one system call.

``multiprocessing.Connection`` reads a message with two reads (its length, then its body)
and one message per wake-up; a trial of a short objective sends several messages (its
requests, posted calls, its outcome), so the coordinator would make a read, and a pass of its
event loop, for each. Here a message is a 4-byte big-endian length and its pickle, and
``read`` takes all complete messages that one read brought.
"""

from __future__ import annotations

import os
import pickle
import struct
from typing import Any

_HEADER = struct.Struct("!I")
_CHUNK = 1 << 16


class MessagePipe:
    """One end of a stream socket or pipe (a file descriptor this object now owns)."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._buffer = bytearray()
        self.closed = False

    def fileno(self) -> int:
        return self._fd

    def send(self, message: Any) -> None:
        """Write ``message`` whole (blocks while the reader's buffer is full).

        Raises:
            OSError: the other end is closed.
        """
        body = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
        view = memoryview(_HEADER.pack(len(body)) + body)
        while view:
            view = view[os.write(self._fd, view) :]

    def read(self) -> list[Any]:
        """The messages one read brings (waiting for the rest of a message begun).

        Raises:
            EOFError: the other end closed and nothing more is buffered.
        """
        self._fill()
        messages = list(self._parse())
        while not messages and self._buffer:
            self._fill()
            messages.extend(self._parse())
        return messages

    def recv(self) -> Any:
        """The next message, waiting for it."""
        while True:
            for message in self._parse():
                return message
            self._fill()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            os.close(self._fd)

    def _fill(self) -> None:
        chunk = os.read(self._fd, _CHUNK)
        if not chunk:
            raise EOFError("the other end of the pipe is closed")
        self._buffer += chunk

    def _parse(self) -> Any:
        """Yield the complete messages at the front of the buffer, removing them."""
        while len(self._buffer) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(self._buffer)
            end = _HEADER.size + size
            if len(self._buffer) < end:
                return
            body = bytes(self._buffer[_HEADER.size : end])
            del self._buffer[:end]
            yield pickle.loads(body)

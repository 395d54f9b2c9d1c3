"""The message pipe between the coordinator and a process worker."""

from __future__ import annotations

import socket
import threading

import pytest

from trimtab.execution._pipe import MessagePipe


def _pair() -> tuple[MessagePipe, MessagePipe]:
    left, right = socket.socketpair()
    return MessagePipe(left.detach()), MessagePipe(right.detach())


def test_messages_sent_together_come_in_one_read_in_order() -> None:
    writer, reader = _pair()
    for number in range(5):
        writer.send(("post", number, {"value": number / 3}))
    assert reader.read() == [("post", n, {"value": n / 3}) for n in range(5)]
    writer.close()
    reader.close()


def test_a_message_larger_than_one_read_arrives_whole() -> None:
    writer, reader = _pair()
    big = list(range(200_000))  # ~1 MB pickled: more than the socket buffer and one chunk
    sender = threading.Thread(target=lambda: (writer.send(big), writer.send("after")))
    sender.start()
    received = []
    while len(received) < 2:
        received.extend(reader.read())
    sender.join()
    assert received == [big, "after"]
    writer.close()
    reader.close()


def test_recv_returns_one_message_at_a_time_and_eof_is_reported() -> None:
    writer, reader = _pair()
    writer.send("first")
    writer.send("second")
    writer.close()
    assert reader.recv() == "first"
    assert reader.recv() == "second"
    with pytest.raises(EOFError):
        reader.read()
    reader.close()

"""Reading a request body with a size bound that holds before and while it is read.

The bound is checked against ``Content-Length`` before a byte is read, and counted while
reading (chunked bodies have no length), so an oversized upload costs neither the time nor
the memory of reading it. It is sized for the largest body the API accepts: a note of
``MAX_NOTE`` characters in the most verbose JSON a client may send (``\\uXXXX`` escapes, 12
bytes for a character outside the Basic Multilingual Plane), plus room for the envelope.
"""

from __future__ import annotations

from typing import Any

from trimtab.dashboard._notes import MAX_NOTE

MAX_BODY = 12 * MAX_NOTE + 64 * 1024


class BodyTooLargeError(ValueError):
    """The request body is larger than the server accepts (HTTP 413)."""


def _too_large(limit: int) -> BodyTooLargeError:
    return BodyTooLargeError(f"The request body is larger than {limit} bytes.")


async def read_body(request: Any, limit: int = MAX_BODY) -> bytes:
    """Return the body of a Starlette ``request``, refusing one longer than ``limit`` bytes.

    Raises:
        BodyTooLargeError: ``Content-Length`` or the bytes received exceed ``limit``.
        ValueError: ``Content-Length`` is not a number.
    """
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise ValueError("The Content-Length header must be a number of bytes.")
        if int(declared) > limit:
            raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)  # stop reading: the rest is never buffered
        chunks.append(chunk)
    return b"".join(chunks)

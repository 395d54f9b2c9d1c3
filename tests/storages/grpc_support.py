"""Proxy servers for the gRPC tests: in-process (fast) and as real processes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SRC = str(Path(__file__).resolve().parents[2] / "src")
_CLI = "import sys; from trimtab.cli import main; sys.exit(main())"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def trimtab_server(storage: Any) -> Iterator[int]:
    """Serve ``storage`` from a thread of this process; yield the port."""
    from trimtab.storages._grpc._server import make_server

    server, port = make_server(storage, "127.0.0.1", 0)
    server.start()
    try:
        yield port
    finally:
        server.stop(grace=None).wait()


def python_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC
    return env


def start_process(code: str, *args: str) -> subprocess.Popen[str]:
    """Run ``code`` in a new Python process with trimtab's sources first on the path."""
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env=python_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def start_cli_server(url: str, port: int) -> subprocess.Popen[str]:
    """``trimtab storage serve URL --port N`` as a real process."""
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            _CLI,
            "storage",
            "serve",
            url,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=python_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")

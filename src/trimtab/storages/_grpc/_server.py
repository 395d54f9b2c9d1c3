"""``run_grpc_proxy_server``: serve one storage to many workers over gRPC."""

from __future__ import annotations

import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from trimtab import _warnings, logging
from trimtab.storages._base import BaseStorage
from trimtab.storages._factory import get_storage
from trimtab.storages._grpc._imports import import_grpc

_logger = logging.get_logger(__name__)


def make_server(
    storage: BaseStorage | str,
    host: str = "localhost",
    port: int = 13000,
    thread_pool: ThreadPoolExecutor | None = None,
) -> tuple[Any, int]:
    """Build (but do not start) a proxy server; return it and the port it is bound to.

    ``port=0`` binds a free port.

    Raises:
        OSError: the address cannot be bound (in use, or not a local address).
    """
    grpc, _, api_pb2_grpc = import_grpc()
    from trimtab.storages._grpc._servicer import StorageProxyServicer

    server = grpc.server(
        thread_pool or ThreadPoolExecutor(max_workers=10),
        options=[
            ("grpc.max_send_message_length", -1),
            ("grpc.max_receive_message_length", -1),
            ("grpc.so_reuseport", 0),  # a second server on the same port must fail, not share
        ],
    )
    api_pb2_grpc.add_StorageServiceServicer_to_server(
        StorageProxyServicer(get_storage(storage)), server
    )
    try:
        bound = server.add_insecure_port(f"{host}:{port}")
    except RuntimeError as err:
        bound = 0
        cause: Exception | None = err
    else:
        cause = None
    if not bound:
        raise OSError(f"Cannot listen on {host}:{port} (address in use or not local).") from cause
    return server, bound


def run_grpc_proxy_server(
    storage: BaseStorage | str,
    *,
    host: str = "localhost",
    port: int = 13000,
    thread_pool: ThreadPoolExecutor | None = None,
) -> None:
    """Serve ``storage`` to ``GrpcStorageProxy`` clients (trimtab's or Optuna 5.0's) until stopped.

    Workers then need only grpcio, not a database driver, and the server keeps one
    incremental trial cache per study, so a worker's read of a large study costs what changed
    since its last read. The call blocks; SIGTERM or Ctrl-C stops it after in-flight calls.

    Example:
        .. code::

            import trimtab
            from trimtab.storages import run_grpc_proxy_server

            storage = trimtab.storages.get_storage("postgresql://user:pw@db/trimtab")
            run_grpc_proxy_server(storage, host="0.0.0.0", port=13000)

    Args:
        storage: the storage to serve, or its URL.
        host: the address to listen on (``"0.0.0.0"`` for every interface).
        port: the port to listen on (0: a free one, logged).
        thread_pool: the pool that runs calls (default: 10 threads).

    Raises:
        ImportError: grpcio is missing (``pip install "trimtab[grpc]"``).
        OSError: the address cannot be bound.
    """
    _warnings.warn_experimental("run_grpc_proxy_server", "4.2.0")
    server, bound = make_server(storage, host, port, thread_pool)
    server.start()
    _logger.info(f"Server started at {host}:{bound}")
    _logger.info("Listening...")
    stopped = threading.Event()
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        # wait_for_termination returns True when the timeout ran out (the server still runs).
        while not stopped.is_set() and server.wait_for_termination(timeout=0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop(grace=5).wait()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        _logger.info("Server stopped.")

"""``trimtab storage serve URL --port N``: run a gRPC storage proxy for workers to share."""

from __future__ import annotations

from argparse import ArgumentParser, Namespace

from trimtab.cli._commands import open_storage
from trimtab.cli._registry import Command


def storage_serve(args: Namespace) -> int:
    """Serve the storage at ``URL`` (or ``--storage``) until SIGTERM or Ctrl-C."""
    from trimtab.storages import run_grpc_proxy_server

    if args.url is not None:
        args.storage = args.url
    run_grpc_proxy_server(open_storage(args), host=args.host, port=args.port)
    return 0


def configure(parser: ArgumentParser) -> None:
    """Add the arguments of ``storage serve``."""
    parser.add_argument(
        "url",
        nargs="?",
        default=None,
        help="Storage to serve: a DB URL, a journal file or redis:// URL (default: --storage).",
    )
    parser.add_argument("--host", default="localhost", help="Address to listen on.")
    parser.add_argument("--port", type=int, default=13000, help="Port to listen on.")


COMMANDS = {
    "storage serve": Command(
        storage_serve,
        "Serve a storage over gRPC to GrpcStorageProxy clients (trimtab's or Optuna's).",
        configure,
    ),
}

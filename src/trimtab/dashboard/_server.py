"""``run_server`` and the ``trimtab dashboard`` command line."""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from typing import Any

from trimtab import _warnings
from trimtab.dashboard._app import create_app
from trimtab.dashboard._security import LOOPBACK_HOSTS
from trimtab.storages import BaseStorage
from trimtab.storages._factory import STORAGE_CLASSES, storage_location
from trimtab.storages._factory import open_storage as open_location

TOKEN_ENV = "TRIMTAB_DASHBOARD_TOKEN"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def open_storage(storage: str | BaseStorage, storage_class: str | None = None) -> BaseStorage:
    """The storage to serve: a storage as is, else a location opened by the library's rule
    (:mod:`trimtab.storages._factory`), without creating a missing journal file.

    Raises:
        ValueError: ``storage`` is neither a URL nor an existing journal file.
    """
    if isinstance(storage, BaseStorage):
        return storage
    return open_location(storage, storage_class, create=False)


def run_server(
    storage: str | BaseStorage,
    host: str = "127.0.0.1",
    port: int = 8080,
    *,
    read_only: bool = False,
    token: str | None = None,
    quiet: bool = False,
    artifact_store: Any = None,
) -> None:
    """Serve the dashboard with uvicorn until interrupted (blocking).

    Binds 127.0.0.1 unless told otherwise; binding another address warns, since anyone who
    can reach it can read (and, without ``read_only``, change) the studies. With
    ``artifact_store`` the pages list, preview and download the artifacts of studies and trials.

    Raises:
        ImportError: uvicorn or Starlette is not installed (``pip install "trimtab[dashboard]"``).
    """
    try:
        import uvicorn
    except ImportError:
        raise ImportError(
            'The dashboard needs Starlette and uvicorn: pip install "trimtab[dashboard]"'
        ) from None
    loopback = _is_loopback(host)
    if not loopback:
        _warnings.warn(
            f"The dashboard listens on {host}, reachable from other machines"
            + ("" if token else " without an access token (use --token)")
            + "; bind 127.0.0.1 unless you mean to expose it."
        )
    app = create_app(
        open_storage(storage),
        read_only=read_only,
        token=token,
        allowed_hosts=list(LOOPBACK_HOSTS) if loopback else None,
        artifact_store=artifact_store,
    )
    # Read every study in the background now, so that pages open on warm caches.
    context = app.state.context
    context.caches.warm([s.study_id for s in context.storage.get_all_studies()])
    if not quiet:
        shown = f"[{host}]" if ":" in host else host
        suffix = "/?token=<token>" if token else "/"
        print(f"trimtab dashboard: http://{shown}:{port}{suffix}", file=sys.stderr)
    uvicorn.run(app, host=host, port=port, log_level="warning" if quiet else "info")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trimtab dashboard", description="Serve the trimtab web dashboard for a storage."
    )
    parser.add_argument(
        "storage_arg", nargs="?", metavar="STORAGE", help="storage URL or journal file (*.log)"
    )
    parser.add_argument(
        "--storage", help="storage URL (same as STORAGE; default: $TRIMTAB_STORAGE)"
    )
    parser.add_argument(
        "--storage-class", default=None, choices=STORAGE_CLASSES, help="storage class hint"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    parser.add_argument("--read-only", action="store_true", help="refuse every change")
    parser.add_argument(
        "--token", default=None, help=f"access token required by the UI and API (or ${TOKEN_ENV})"
    )
    parser.add_argument("--quiet", action="store_true", help="log only warnings")
    parser.add_argument(
        "--artifact-dir",
        default=None,
        help="directory of a FileSystemArtifactStore whose artifacts to serve",
    )
    return parser


def _artifact_store(directory: str | None) -> Any:
    """A ``FileSystemArtifactStore`` on ``directory``, or None.

    Raises:
        ValueError: ``directory`` is not an existing directory.
    """
    if directory is None:
        return None
    if not os.path.isdir(directory):
        raise ValueError(f"--artifact-dir {directory!r} is not a directory.")
    from trimtab.artifacts import FileSystemArtifactStore

    return FileSystemArtifactStore(directory)


def cli_main(argv: list[str], storage: str | None = None, storage_class: str | None = None) -> int:
    """Run ``trimtab dashboard [STORAGE] [--storage URL] [--host H] [--port P] ...``.

    Args:
        argv: The dashboard's own arguments.
        storage: The location given before the sub-command (``trimtab --storage URL
            dashboard``); used when ``argv`` names none. Without either, ``TRIMTAB_STORAGE``
            or ``OPTUNA_STORAGE``.
        storage_class: ``--storage-class`` given before the sub-command.

    Returns:
        The process exit code (2 for bad arguments).
    """
    parser = _parser()
    args = parser.parse_args(argv)
    if args.storage_arg and args.storage and args.storage_arg != args.storage:
        parser.error("give the storage either as STORAGE or with --storage, not both")
    location = storage_location(args.storage or args.storage_arg or storage)
    if not location:
        parser.error(
            "a storage is needed: trimtab dashboard sqlite:///study.db (or --storage, or "
            "TRIMTAB_STORAGE)"
        )
    token = args.token or os.environ.get(TOKEN_ENV) or None
    try:
        run_server(
            open_storage(location, args.storage_class or storage_class),
            args.host,
            args.port,
            read_only=args.read_only,
            token=token,
            quiet=args.quiet,
            artifact_store=_artifact_store(args.artifact_dir),
        )
    except (ValueError, ImportError) as error:
        print(f"trimtab dashboard: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0


def main() -> Any:
    """Entry point of ``python -m trimtab.dashboard``."""
    return cli_main(sys.argv[1:])

"""The ``trimtab`` command (Optuna's CLI): study administration, listings, ask/tell.

Global options come before or after the sub-command: ``--storage URL`` (or the
``TRIMTAB_STORAGE`` / ``OPTUNA_STORAGE`` environment variable), ``--storage-class``,
``-v``/``-q``, ``--log-file``, ``--debug``, ``--version``.
"""

from __future__ import annotations

import logging as std_logging
import os
import sys
import warnings
from argparse import ArgumentParser, Namespace
from typing import Any

from trimtab import logging
from trimtab.cli import _ablate, _commands, _run, _storage_serve, _worker
from trimtab.exceptions import CLIUsageError
from trimtab.version import __version__

_commands.COMMANDS.update(_storage_serve.COMMANDS)

_STORAGE_CLASSES = (
    "JournalFileBackend",
    "JournalRedisBackend",
    "RDBStorage",
    "JournalFileStorage",
    "JournalRedisStorage",
)


def _common_arguments(parser: ArgumentParser) -> ArgumentParser:
    parser.add_argument(
        "--storage",
        default=None,
        help="DB URL (e.g. sqlite:///example.db) or journal path. Also read from the "
        "TRIMTAB_STORAGE or OPTUNA_STORAGE environment variable.",
    )
    parser.add_argument(
        "--storage-class", default=None, choices=_STORAGE_CLASSES, help="Storage class hint."
    )
    verbosity = parser.add_mutually_exclusive_group()
    verbosity.add_argument(
        "-v",
        "--verbose",
        action="count",
        dest="verbose_level",
        default=1,
        help="Increase verbosity of output.",
    )
    verbosity.add_argument(
        "-q",
        "--quiet",
        action="store_const",
        dest="verbose_level",
        const=0,
        help="Suppress output except warnings and errors.",
    )
    parser.add_argument("--log-file", default=None, help="Specify a file to log output.")
    parser.add_argument("--debug", action="store_true", help="Show tracebacks on errors.")
    return parser


def _parser() -> tuple[ArgumentParser, dict[str, ArgumentParser]]:
    parent = _common_arguments(ArgumentParser(add_help=False))
    main = ArgumentParser(prog="trimtab", parents=[parent])
    main.add_argument("--version", action="version", version=f"trimtab {__version__}")
    sub = main.add_subparsers()
    parsers = {}
    for name, (handler, help_text) in _commands.COMMANDS.items():
        parser = sub.add_parser(name, parents=[parent], help=help_text, description=help_text)
        parser.set_defaults(handler=handler)
        parsers[name] = parser
    parsers.update(_worker.register(sub, parent))
    parsers["run"] = sub.add_parser(
        "run", parents=[parent], help=_run.HELP, description=_run.DESCRIPTION
    )
    parsers["run"].set_defaults(handler=_run.run)
    _run.configure(parsers["run"])
    parsers["ablate"] = sub.add_parser(
        "ablate", parents=[parent], help=_ablate.HELP, description=_ablate.DESCRIPTION
    )
    parsers["ablate"].set_defaults(handler=_ablate.ablate)
    _ablate.configure(parsers["ablate"])
    help_parser = sub.add_parser("help", help="Show help message.")

    def print_help(_args: Namespace) -> int:
        main.print_help()
        return 0

    help_parser.set_defaults(handler=print_help)
    _commands.configure(parsers)
    _storage_serve.configure(parsers)
    return main, parsers


def _preprocess(argv: list[str]) -> list[str]:
    """Move the (possibly two-word) command to the front: ``storage upgrade`` is one command."""
    if not argv:
        return ["help"]
    for i in range(argv.index("--") if "--" in argv else len(argv)):
        for j in (i + 1, i):
            candidate = " ".join(argv[i : j + 1])
            if candidate in _commands.COMMANDS or candidate in ("run", "ablate"):
                return [candidate, *argv[:i], *argv[j + 1 :]]
    return argv


def _configure_logging(args: Namespace) -> None:
    level = {0: std_logging.WARNING, 1: std_logging.INFO}.get(args.verbose_level, std_logging.DEBUG)
    logging.set_verbosity(level)
    if args.log_file is not None:
        handler = std_logging.FileHandler(args.log_file)
        handler.setFormatter(std_logging.Formatter("[%(levelname)1.1s %(asctime)s] %(message)s"))
        std_logging.getLogger("trimtab").addHandler(handler)


def _run_dashboard(argv: list[str]) -> int:
    args = Namespace(dashboard_args=argv)
    try:
        return _commands.dashboard(args)
    except CLIUsageError as err:
        print(f"trimtab dashboard: {err}", file=sys.stderr)
        return 1


def _format_warning(
    message: Warning | str, category: type[Warning], filename: str, lineno: int, line: Any = None
) -> str:
    """Show warnings raised for the command itself without a source location.

    trimtab attributes its warnings to the caller's line; for a command that is the
    console-script launcher (``sys.exit(main())``), which tells the user nothing.
    """
    launcher = os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if launcher is not None and os.path.abspath(filename) == launcher:
        return f"trimtab: {category.__name__}: {message}\n"
    return _default_format_warning(message, category, filename, lineno, line)


_default_format_warning = warnings.formatwarning


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    previous = warnings.formatwarning
    warnings.formatwarning = _format_warning
    try:
        return _main(argv)
    finally:
        warnings.formatwarning = previous


def _main(argv: list[str] | None) -> int:
    raw = list(sys.argv[1:] if argv is None else argv)
    if raw and raw[0] == "dashboard":
        return _run_dashboard(raw[1:])
    parser, parsers = _parser()
    argv = _preprocess(raw)
    args = parser.parse_args(argv)
    _configure_logging(args)
    logger = logging.get_logger("trimtab.cli")
    if not hasattr(args, "handler"):
        logger.error(f"'{' '.join(raw)}' is not a trimtab command. See 'trimtab --help'.")
        parser.print_help()
        return 1
    try:
        return int(args.handler(args))
    except CLIUsageError as err:
        if args.debug:
            logger.exception(err)
        else:
            logger.error(str(err))
            if argv[0] in parsers:
                parsers[argv[0]].print_help()
        return 1
    except Exception as err:  # a clean message instead of a traceback; --debug shows it
        if args.debug:
            raise
        logger.error(f"{type(err).__name__}: {err}")
        return 1


__all__ = ["main"]

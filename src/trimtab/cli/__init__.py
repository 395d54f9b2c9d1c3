"""The ``trimtab`` command (Optuna's CLI): study administration, listings, ask/tell.

Global options come before or after the sub-command: ``--storage URL`` (or the
``TRIMTAB_STORAGE`` / ``OPTUNA_STORAGE`` environment variable), ``--storage-class``,
``-v``/``-q``, ``--log-file``, ``--debug``, ``--version``. The storage string is opened by the
library's one rule (``trimtab.storages._factory``), for ``dashboard`` too.
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
from trimtab.storages._factory import STORAGE_CLASSES
from trimtab.version import __version__

# Every sub-command, from each command module's COMMANDS (see cli/_registry.py).
COMMANDS = {
    **_commands.COMMANDS,
    **_storage_serve.COMMANDS,
    **_worker.COMMANDS,
    **_run.COMMANDS,
    **_ablate.COMMANDS,
}


def _common_arguments(parser: ArgumentParser) -> ArgumentParser:
    parser.add_argument(
        "--storage",
        default=None,
        help="DB URL (e.g. sqlite:///example.db) or journal path. Also read from the "
        "TRIMTAB_STORAGE or OPTUNA_STORAGE environment variable.",
    )
    parser.add_argument(
        "--storage-class", default=None, choices=STORAGE_CLASSES, help="Storage class hint."
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
    for name, command in COMMANDS.items():
        description = command.description or command.help
        parser = sub.add_parser(name, parents=[parent], help=command.help, description=description)
        parser.set_defaults(handler=command.handler)
        if command.configure is not None:
            command.configure(parser)
        parsers[name] = parser
    help_parser = sub.add_parser("help", help="Show help message.")

    def print_help(_args: Namespace) -> int:
        main.print_help()
        return 0

    help_parser.set_defaults(handler=print_help)
    return main, parsers


def _find_command(argv: list[str]) -> tuple[int, int] | None:
    """Where the (possibly two-word) command is: ``argv[start:end]``; None if absent."""
    for i in range(argv.index("--") if "--" in argv else len(argv)):
        for j in (i + 1, i):
            candidate = " ".join(argv[i : j + 1])
            if candidate in COMMANDS:
                return i, j + 1
    return None


def _preprocess(argv: list[str]) -> list[str]:
    """Move the command to the front: ``storage upgrade`` is one command."""
    if not argv:
        return ["help"]
    found = _find_command(argv)
    if found is None:
        return argv
    start, end = found
    return [" ".join(argv[start:end]), *argv[:start], *argv[end:]]


def _configure_logging(args: Namespace) -> None:
    level = {0: std_logging.WARNING, 1: std_logging.INFO}.get(args.verbose_level, std_logging.DEBUG)
    logging.set_verbosity(level)
    if args.log_file is not None:
        handler = std_logging.FileHandler(args.log_file)
        handler.setFormatter(std_logging.Formatter("[%(levelname)1.1s %(asctime)s] %(message)s"))
        std_logging.getLogger("trimtab").addHandler(handler)


def _run_dashboard(global_argv: list[str], argv: list[str]) -> int:
    """``trimtab [global options] dashboard [dashboard options]``: the options before the
    command (``--storage``, ``--storage-class``, ``-v``/``-q``, ...) apply as for any command;
    the rest are the dashboard's own."""
    args = _common_arguments(ArgumentParser(prog="trimtab")).parse_args(global_argv)
    _configure_logging(args)
    args.dashboard_args = argv
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
    found = _find_command(raw)
    if found is not None and raw[found[0]] == "dashboard":
        # The dashboard parses its own options (a web server's, not the CLI's).
        return _run_dashboard(raw[: found[0]], raw[found[1] :])
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

"""What every ``trimtab`` sub-command module exports: ``COMMANDS``, name → :class:`Command`.

``cli/__init__.py`` builds one sub-parser per entry (with the global options), so a new
command is one entry in its module's ``COMMANDS``, and nothing else.
"""

from __future__ import annotations

from argparse import ArgumentParser, Namespace
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    """One sub-command.

    Attributes:
        handler: Runs the command on the parsed arguments; returns the exit code.
        help: One line for ``trimtab --help``.
        configure: Adds the command's own arguments to its sub-parser.
        description: The text of ``trimtab COMMAND --help`` (default: ``help``).
    """

    handler: Callable[[Namespace], int]
    help: str
    configure: Callable[[ArgumentParser], None] | None = None
    description: str | None = None

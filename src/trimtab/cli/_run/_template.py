"""The program's command line with ``{name}`` placeholders for parameters.

``{lr}`` becomes the value of parameter ``lr``; ``{trial_number}``, ``{trial_dir}`` (the trial's
log directory) and ``{study_name}`` are always available; ``{{`` and ``}}`` are literal braces.
Braces around anything that is not a name (``awk '{print $1}'``) are left alone.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterable, Mapping

from trimtab.cli._run._space import NAME_PATTERN
from trimtab.exceptions import CLIUsageError

BUILTINS = ("trial_number", "trial_dir", "study_name")
_TOKEN = re.compile(r"\{\{|\}\}|\{(" + NAME_PATTERN + r")\}")


class CommandTemplate:
    """A command line to fill in per trial.

    Args:
        argv: The words after ``--``.
        names: The parameter names.

    Raises:
        CLIUsageError: the command is empty, or a placeholder names no parameter.
    """

    def __init__(self, argv: list[str], names: Iterable[str]) -> None:
        if not argv:
            raise CLIUsageError(
                "No command to run: put it after '--', e.g. trimtab run ... -- python train.py "
                "--lr {lr}."
            )
        self.argv = list(argv)
        known = set(names)
        self.used: set[str] = set()
        for word in argv:
            for match in _TOKEN.finditer(word):
                name = match.group(1)
                if name is None or name in BUILTINS:
                    continue
                if name not in known:
                    have = ", ".join(sorted(known)) or "none"
                    raise CLIUsageError(
                        f"The command uses the placeholder {{{name}}}, but there is no parameter "
                        f"'{name}' (parameters: {have}; also {', '.join(BUILTINS)}). Write "
                        "{{ and }} for literal braces."
                    )
                self.used.add(name)

    def mentions(self, text: str) -> bool:
        """Whether ``text`` (an environment variable name) appears in the command."""
        return any(text in word for word in self.argv)

    def render(self, values: Mapping[str, str]) -> list[str]:
        """The command with every placeholder replaced by ``values[name]``."""

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name is None:
                return match.group(0)[0]
            return values[name]

        return [_TOKEN.sub(fill, word) for word in self.argv]

    def check_executable(self) -> None:
        """Fail early when the program (the first word) does not exist.

        Raises:
            CLIUsageError: the program is neither a file nor on ``PATH``.
        """
        program = self.argv[0]
        if _TOKEN.search(program):
            return  # decided per trial
        if os.sep in program:
            if not os.path.isfile(program):
                raise CLIUsageError(f"The command '{program}' does not exist.")
            if not os.access(program, os.X_OK):
                raise CLIUsageError(f"The command '{program}' is not executable.")
        elif shutil.which(program) is None:
            raise CLIUsageError(f"The command '{program}' was not found on PATH.")

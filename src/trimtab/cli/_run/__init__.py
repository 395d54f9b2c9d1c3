"""``trimtab run``: tune any program from the command line.

The parts: ``_space`` (``--param``/``--space``/``--grid``/``--enqueue``), ``_template`` (the
command with placeholders), ``_metrics`` (values from output lines), ``_process`` (one
program in its own process group), ``_objective`` (a trial = one program run), ``_command``
(the checks and the ``Study.optimize`` call), ``_arguments`` (the options).

The programs run in threads of this process (``--jobs``). Another executor (Ray, Dask) can
take :class:`~trimtab.cli._run._objective.ProgramObjective` as its objective: it only needs
a trial, a storage and an :class:`~trimtab.cli._run._process.Interrupt`.
"""

from __future__ import annotations

from trimtab.cli._registry import Command
from trimtab.cli._run._arguments import DESCRIPTION, HELP, configure
from trimtab.cli._run._command import run

COMMANDS = {"run": Command(run, HELP, configure, DESCRIPTION)}

__all__ = ["COMMANDS", "DESCRIPTION", "HELP", "configure", "run"]

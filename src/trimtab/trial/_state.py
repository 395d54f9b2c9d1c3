"""The lifecycle states of a trial."""

from __future__ import annotations

import enum


class TrialState(enum.IntEnum):
    """A trial's state: ``WAITING`` → ``RUNNING`` → ``COMPLETE`` | ``PRUNED`` | ``FAIL``."""

    RUNNING = 0
    COMPLETE = 1
    PRUNED = 2
    FAIL = 3
    WAITING = 4

    __str__ = enum.Enum.__str__  # "TrialState.PRUNED", as Optuna prints it (not "2")

    def __repr__(self) -> str:
        return f"TrialState.{self.name}"

    def is_finished(self) -> bool:
        """Return True for COMPLETE, PRUNED and FAIL."""
        return self._value_ in (1, 2, 3)

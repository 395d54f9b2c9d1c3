"""The lifecycle states of a trial."""

from __future__ import annotations

import enum

from trimtab._foreign import optuna_member_name


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

    # Equal to the Optuna member of the same name (real Optuna installed next to trimtab).
    def __eq__(self, other: object) -> bool:
        if isinstance(other, int):
            return int.__eq__(self, other)
        foreign = optuna_member_name(other, "TrialState")
        return NotImplemented if foreign is None else foreign == self.name

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return NotImplemented if equal is NotImplemented else not equal

    __hash__ = enum.IntEnum.__hash__

    def is_finished(self) -> bool:
        """Return True for COMPLETE, PRUNED and FAIL."""
        return self._value_ in (1, 2, 3)

"""The one interface a compute engine (processes, Ray, Dask) implements for the coordinator.

An engine has ``n_slots`` evaluation slots. The coordinator launches one trial per slot at a
time and reads back events; every event carries the id of the trial it concerns, so events of
an evaluation the coordinator has already ended (timed out, lost) are recognised and dropped.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import Any

from trimtab.execution._protocol import Job


@dataclass(frozen=True)
class Event:
    """Something an evaluation did.

    ``kind`` is "request" (``payload`` is ``(op, args)``, answer it with ``Engine.reply``),
    "post" (the same, but the evaluator does not wait: send no answer), "done" (``payload``
    is the ``Outcome``, or None if abandoned) or "lost" (``payload`` is the reason the
    evaluator died).
    """

    slot: int
    kind: str
    trial_id: int
    payload: Any


class Engine(abc.ABC):
    """Runs evaluations for the coordinator."""

    #: Whether evaluations announce their start to the coordinator: for engines that queue
    #: tasks (queueing is not trial time, so ``trial_timeout`` counts from the greeting) or
    #: re-run a task on their own after its worker died (a second greeting is recognised).
    greets = False

    #: Whether a slot may hold a second job, sent ahead: its evaluator starts it as soon as the
    #: current one is done, without waiting for the coordinator. Events of a slot arrive in the
    #: order its evaluator ran them.
    prefetches = False

    @abc.abstractmethod
    def open(self, n_slots: int) -> None:
        """Get ready to run ``n_slots`` evaluations at once."""

    @abc.abstractmethod
    def launch(self, slot: int, job: Job) -> None:
        """Start evaluating ``job`` on ``slot`` (free until now)."""

    @abc.abstractmethod
    def events(self, timeout: float) -> list[Event]:
        """Return what happened since the last call, waiting up to ``timeout`` seconds."""

    @abc.abstractmethod
    def reply(self, slot: int, trial_id: int, reply: tuple[str, Any]) -> None:
        """Answer the pending request of ``trial_id`` on ``slot``."""

    @abc.abstractmethod
    def abort(self, slot: int, trial_id: int) -> None:
        """Stop the evaluation of ``trial_id`` on ``slot`` now (killing its worker if needed)."""

    @abc.abstractmethod
    def close(self, force: bool) -> None:
        """Release every worker; ``force`` kills running evaluations instead of waiting."""

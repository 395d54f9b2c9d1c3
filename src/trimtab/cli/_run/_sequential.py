"""``trimtab run --jobs 1``: a trial's log lines and callbacks run while the next program runs.

``Study.optimize`` with ``n_jobs=1`` logs a finished trial ("Trial 3 finished with value ...
Best is trial 1 ...", which reads the study's attributes and its best trial), runs the
callbacks and redraws the progress bar, and only then asks for the next trial. For a program
that runs for a millisecond, that bookkeeping costs about as much as starting the program.
:class:`SequentialExecutor` runs the same trials in the same order with the same log lines, but
does that bookkeeping for trial ``n`` right after trial ``n + 1``'s program has started, while
the program runs on another core.

Nothing that the next trial depends on is delayed: trial ``n``'s result is stored (and the
sampler's ``after_trial`` has run) before trial ``n + 1`` is asked for, so the sampler sees it,
and a killed ``trimtab run`` loses at most the log line of the last finished trial, never a
finished trial (the running one stays RUNNING, as with ``Study.optimize``). The one difference:
a callback's ``study.stop()`` takes effect one trial later, which ``trimtab run``'s own callback
does not rely on (Ctrl-C stops the programs through the interrupt instead).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from trimtab.cli._run._objective import ProgramObjective
from trimtab.study._optimize import (
    OptimizeLoop,
    call_objective,
    fail_stale_trials_if_enabled,
    raise_uncaught,
    store_trial,
)
from trimtab.trial import FrozenTrial


class SequentialExecutor:
    """Runs ``trimtab run``'s trials one at a time (a ``TrialExecutor`` for ``Study.optimize``).

    It ignores ``gc_after_trial``, which ``trimtab run`` never sets.

    Args:
        objective: The objective ``optimize`` runs; it calls back when its program started.
    """

    def __init__(self, objective: ProgramObjective) -> None:
        self._objective = objective
        self._pending: Callable[[], None] | None = None
        self._error: BaseException | None = None

    def run(self, loop: OptimizeLoop) -> None:
        """Run trials until ``loop.may_start`` says stop."""
        study = loop.study
        self._objective.on_started = self._catch_up
        try:
            n_started = 0
            while loop.may_start(n_started):
                n_started += 1
                fail_stale_trials_if_enabled(study)
                trial = study.ask()
                returned, state, error, exc_info = call_objective(study, trial, self._objective)
                self._catch_up()  # no program started (it could not): the previous trial's turn
                frozen, log = store_trial(study, trial, returned, state, error, exc_info)
                self._pending = partial(self._wrap_up, loop, frozen, log)
                if self._error is not None:
                    raise self._error
                raise_uncaught(frozen, error, loop.catch)
            self._catch_up()
            if self._error is not None:
                raise self._error
        finally:
            self._objective.on_started = None
            self._catch_up()
            study.storage.remove_session()

    @staticmethod
    def _wrap_up(loop: OptimizeLoop, frozen: FrozenTrial, log: Callable[[], None]) -> None:
        log()
        loop.trial_finished(frozen)

    def _catch_up(self) -> None:
        """Log the last finished trial and run its callbacks, if not done yet."""
        pending, self._pending = self._pending, None
        if pending is None:
            return
        try:
            pending()
        except BaseException as err:  # raised by run() once the running trial is stored
            if self._error is None:
                self._error = err

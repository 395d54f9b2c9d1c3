"""The step every pruning callback takes: report a score, raise ``TrialPruned`` if told to."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trimtab.exceptions import TrialPruned

if TYPE_CHECKING:
    from trimtab.trial import Trial


def report_and_check(trial: Trial, score: float, step: int, unit: str = "iteration") -> None:
    """Report ``score`` at ``step`` and prune the trial when its pruner says so.

    Args:
        trial: The running trial.
        score: The intermediate value.
        step: The step (boosting round, epoch) the value belongs to.
        unit: What a step is, for the pruning message.

    Raises:
        TrialPruned: The study's pruner decided to stop this trial.
    """
    trial.report(float(score), step=step)
    if trial.should_prune():
        raise TrialPruned(f"Trial was pruned at {unit} {step}.")

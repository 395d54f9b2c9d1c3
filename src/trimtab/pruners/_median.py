"""``MedianPruner``: the median stopping rule, the default pruner."""

from __future__ import annotations

from trimtab.pruners._percentile import PercentilePruner


class MedianPruner(PercentilePruner):
    """Prune a trial whose best intermediate value is worse than the median at its step.

    The median is taken over the COMPLETE trials' values at the current step, NaN values
    ignored; a trial whose values are all NaN is pruned. The same as
    ``PercentilePruner(50.0, ...)``.

    Args:
        n_startup_trials: Pruning is off until this many trials are COMPLETE.
        n_warmup_steps: Pruning is off while the step is below this.
        interval_steps: Steps between pruning checks, counted from ``n_warmup_steps``.
        n_min_trials: Least number of COMPLETE trials with a value at the step for a decision.
    """

    def __init__(
        self,
        n_startup_trials: int = 5,
        n_warmup_steps: int = 0,
        interval_steps: int = 1,
        *,
        n_min_trials: int = 1,
    ) -> None:
        super().__init__(
            50.0, n_startup_trials, n_warmup_steps, interval_steps, n_min_trials=n_min_trials
        )

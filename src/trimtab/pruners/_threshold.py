"""``ThresholdPruner``: prune a trial whose latest value leaves a fixed band."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from trimtab.pruners._base import BasePruner
from trimtab.pruners._cache import check_number, is_first_in_interval_step
from trimtab.trial import FrozenTrial

if TYPE_CHECKING:
    from trimtab.study import Study


def _as_float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(
            f"The `value` argument is of type '{type(value).__name__}' but supposed to be a float."
        ) from None


class ThresholdPruner(BasePruner):
    """Prune a trial whose latest intermediate value is below ``lower``, above ``upper`` or NaN.

    Args:
        lower: Prune below this value (no lower bound when None).
        upper: Prune above this value (no upper bound when None).
        n_warmup_steps: Pruning is off while the step is below this.
        interval_steps: Steps between pruning checks, counted from ``n_warmup_steps``; a check
            with no value at its step happens at the next reported step.

    Raises:
        TypeError: neither bound is given, or a bound is not a number.
        ValueError: ``lower > upper``, or a step argument is out of range.
    """

    def __init__(
        self,
        lower: float | None = None,
        upper: float | None = None,
        n_warmup_steps: int = 0,
        interval_steps: int = 1,
    ) -> None:
        if lower is None and upper is None:
            raise TypeError("Either lower or upper must be specified.")
        low = _as_float(lower) if lower is not None else -math.inf
        high = _as_float(upper) if upper is not None else math.inf
        if low > high:
            raise ValueError("lower should be smaller than upper.")
        check_number("n_warmup_steps", n_warmup_steps)
        check_number("interval_steps", interval_steps)
        if n_warmup_steps < 0:
            raise ValueError(f"Number of warmup steps cannot be negative but got {n_warmup_steps}.")
        if interval_steps < 1:
            raise ValueError(f"Pruning interval steps must be at least 1 but got {interval_steps}.")
        self._lower = low
        self._upper = high
        self._n_warmup_steps = n_warmup_steps
        self._interval_steps = interval_steps

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        intermediate = trial.intermediate_values
        if not intermediate:
            return False
        step = max(intermediate)
        if step < self._n_warmup_steps:
            return False
        if not is_first_in_interval_step(
            step, intermediate, self._n_warmup_steps, self._interval_steps
        ):
            return False
        latest = intermediate[step]
        return math.isnan(latest) or latest < self._lower or latest > self._upper

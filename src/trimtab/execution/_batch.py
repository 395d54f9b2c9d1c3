"""Batch asking for ask/tell users who feed an external scheduler."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trimtab.distributions import BaseDistribution
from trimtab.trial import Trial

if TYPE_CHECKING:
    from trimtab.study import Study


def ask_batch(
    study: Study, n: int, fixed_distributions: dict[str, BaseDistribution] | None = None
) -> list[Trial]:
    """Start ``n`` trials at once; finish each later with ``study.tell(trial, value)``.

    With ``fixed_distributions`` every trial comes back with its parameters already sampled
    (``trial.params``), ready to hand to a job scheduler. The trials are started one after
    the other, so each is sampled knowing the ones before it are RUNNING (samplers with a
    constant liar, such as ``TPESampler(constant_liar=True)``, spread them out).

    Args:
        study: The study to ask.
        n: How many trials to start.
        fixed_distributions: Parameters to sample in each trial now, by name.

    Returns:
        The ``n`` started trials, in number order.

    Raises:
        ValueError: ``n`` is not a positive int.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"`n` must be a positive int, got {n!r}.")
    return [study.ask(fixed_distributions) for _ in range(n)]

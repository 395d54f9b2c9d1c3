"""The sampler and pruner a study uses when the user names none."""

from __future__ import annotations

from trimtab.pruners import BasePruner, MedianPruner
from trimtab.samplers import BaseSampler, RandomSampler


def default_sampler() -> BaseSampler:
    """The default sampler."""
    return RandomSampler()


def default_pruner() -> BasePruner:
    """The default pruner: ``MedianPruner()``, as in Optuna."""
    return MedianPruner()

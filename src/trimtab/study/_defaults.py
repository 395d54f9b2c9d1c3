"""The sampler and pruner a study uses when the user names none."""

from __future__ import annotations

from trimtab.pruners import BasePruner, MedianPruner
from trimtab.samplers import BaseSampler, TPESampler


def default_sampler() -> BaseSampler:
    """The default sampler: ``TPESampler()`` for single- and multi-objective studies."""
    return TPESampler()


def default_pruner() -> BasePruner:
    """The default pruner: ``MedianPruner()``, as in Optuna."""
    return MedianPruner()

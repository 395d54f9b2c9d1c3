"""The sampler and pruner a study uses when the user names none."""

from __future__ import annotations

from trimtab.pruners import BasePruner
from trimtab.samplers import BaseSampler


def default_sampler() -> BaseSampler:
    """The default sampler: ``TPESampler()`` for single- and multi-objective studies."""
    from trimtab.samplers import TPESampler  # loads numpy/scipy kernels on first use

    return TPESampler()


def default_pruner() -> BasePruner:
    """The default pruner: ``MedianPruner()``, as in Optuna."""
    from trimtab.pruners import MedianPruner  # loads numpy on first use

    return MedianPruner()

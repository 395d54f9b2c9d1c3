"""Samplers: decide which parameter values each trial tries."""

from trimtab.samplers._base import BaseSampler
from trimtab.samplers._brute_force import BruteForceSampler
from trimtab.samplers._grid import GridSampler
from trimtab.samplers._partial_fixed import PartialFixedSampler
from trimtab.samplers._qmc import QMCSampler
from trimtab.samplers._random import RandomSampler

__all__ = [
    "BaseSampler",
    "BruteForceSampler",
    "GridSampler",
    "PartialFixedSampler",
    "QMCSampler",
    "RandomSampler",
]

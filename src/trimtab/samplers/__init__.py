"""Samplers: decide which parameter values each trial tries."""

from trimtab.samplers import nsgaii
from trimtab.samplers._base import BaseSampler
from trimtab.samplers._brute_force import BruteForceSampler
from trimtab.samplers._cmaes import CmaEsSampler
from trimtab.samplers._ga import BaseGASampler
from trimtab.samplers._gp import GPSampler
from trimtab.samplers._grid import GridSampler
from trimtab.samplers._nsga3 import NSGAIIISampler
from trimtab.samplers._partial_fixed import PartialFixedSampler
from trimtab.samplers._qmc import QMCSampler
from trimtab.samplers._random import RandomSampler
from trimtab.samplers._tpe import TPESampler
from trimtab.samplers.nsgaii._sampler import NSGAIISampler

__all__ = [
    "BaseGASampler",
    "BaseSampler",
    "BruteForceSampler",
    "CmaEsSampler",
    "GPSampler",
    "GridSampler",
    "NSGAIIISampler",
    "NSGAIISampler",
    "PartialFixedSampler",
    "QMCSampler",
    "RandomSampler",
    "TPESampler",
    "nsgaii",
]

"""Samplers: decide which parameter values each trial tries.

``TPESampler`` (numpy/scipy kernels) loads on first use, so ``import trimtab`` stays fast.
"""

import importlib
from typing import TYPE_CHECKING, Any

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
from trimtab.samplers.nsgaii._sampler import NSGAIISampler

if TYPE_CHECKING:
    from trimtab.samplers._tpe import TPESampler

_LAZY = {"TPESampler": "trimtab.samplers._tpe"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'trimtab.samplers' has no attribute {name!r}")

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

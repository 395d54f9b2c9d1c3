"""Samplers: decide which parameter values each trial tries.

Every sampler but ``BaseSampler`` loads on first use, so ``import trimtab`` stays fast.
"""

from typing import TYPE_CHECKING

from trimtab._lazy import lazy_getattr as _lazy_getattr
from trimtab.samplers._base import BaseSampler

if TYPE_CHECKING:
    from trimtab.samplers import nsgaii
    from trimtab.samplers._auto import AutoSampler
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

__getattr__ = _lazy_getattr(
    __name__,
    {
        "nsgaii": "trimtab.samplers.nsgaii",
        "AutoSampler": "trimtab.samplers._auto",
        "BruteForceSampler": "trimtab.samplers._brute_force",
        "CmaEsSampler": "trimtab.samplers._cmaes",
        "BaseGASampler": "trimtab.samplers._ga",
        "GPSampler": "trimtab.samplers._gp",
        "GridSampler": "trimtab.samplers._grid",
        "NSGAIIISampler": "trimtab.samplers._nsga3",
        "NSGAIISampler": "trimtab.samplers.nsgaii._sampler",
        "PartialFixedSampler": "trimtab.samplers._partial_fixed",
        "QMCSampler": "trimtab.samplers._qmc",
        "RandomSampler": "trimtab.samplers._random",
        "TPESampler": "trimtab.samplers._tpe",
    },
)

__all__ = [
    "AutoSampler",
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

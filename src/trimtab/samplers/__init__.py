"""Samplers: decide which parameter values each trial tries."""

from trimtab.samplers._base import BaseSampler
from trimtab.samplers._random import RandomSampler

__all__ = ["BaseSampler", "RandomSampler"]

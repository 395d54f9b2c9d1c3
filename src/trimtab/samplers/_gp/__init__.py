"""Gaussian-process Bayesian optimisation: search space → surrogate → acquisition → optimiser."""

from trimtab.samplers._gp._sampler import GPSampler

__all__ = ["GPSampler"]

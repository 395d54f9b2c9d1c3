"""CMA-ES on the ``cmaes`` library, with its state persisted as versioned JSON per trial."""

from trimtab.samplers._cmaes._sampler import CmaEsSampler

__all__ = ["CmaEsSampler"]

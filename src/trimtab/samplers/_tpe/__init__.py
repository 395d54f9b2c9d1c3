"""TPE: the Tree-structured Parzen Estimator sampler and its numpy core."""

from trimtab.samplers._tpe._sampler import TPESampler

__all__ = ["TPESampler"]

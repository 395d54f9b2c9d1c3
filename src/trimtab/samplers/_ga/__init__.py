"""Shared pieces of the genetic-algorithm samplers (NSGA-II, NSGA-III)."""

from trimtab.samplers._ga._base import BaseGASampler

__all__ = ["BaseGASampler"]

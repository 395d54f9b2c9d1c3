"""Pruners: stop unpromising trials early from their intermediate values."""

from trimtab.pruners._base import BasePruner
from trimtab.pruners._nop import NopPruner

__all__ = ["BasePruner", "NopPruner"]

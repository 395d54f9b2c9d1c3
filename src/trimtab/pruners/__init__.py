"""Pruners: stop unpromising trials early from their intermediate values."""

from trimtab.pruners._base import BasePruner
from trimtab.pruners._hyperband import HyperbandPruner
from trimtab.pruners._median import MedianPruner
from trimtab.pruners._nop import NopPruner
from trimtab.pruners._patient import PatientPruner
from trimtab.pruners._percentile import PercentilePruner
from trimtab.pruners._successive_halving import SuccessiveHalvingPruner
from trimtab.pruners._threshold import ThresholdPruner
from trimtab.pruners._wilcoxon import WilcoxonPruner

__all__ = [
    "BasePruner",
    "HyperbandPruner",
    "MedianPruner",
    "NopPruner",
    "PatientPruner",
    "PercentilePruner",
    "SuccessiveHalvingPruner",
    "ThresholdPruner",
    "WilcoxonPruner",
]

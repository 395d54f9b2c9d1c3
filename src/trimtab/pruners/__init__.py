"""Pruners: stop unpromising trials early from their intermediate values.

Pruners other than ``BasePruner`` and ``NopPruner`` load on first use (numpy/scipy).
"""

from typing import TYPE_CHECKING

from trimtab._lazy import lazy_getattr as _lazy_getattr
from trimtab.pruners._base import BasePruner
from trimtab.pruners._nop import NopPruner

if TYPE_CHECKING:
    from trimtab.pruners._hyperband import HyperbandPruner
    from trimtab.pruners._median import MedianPruner
    from trimtab.pruners._patient import PatientPruner
    from trimtab.pruners._percentile import PercentilePruner
    from trimtab.pruners._successive_halving import SuccessiveHalvingPruner
    from trimtab.pruners._threshold import ThresholdPruner
    from trimtab.pruners._wilcoxon import WilcoxonPruner

__getattr__ = _lazy_getattr(
    __name__,
    {
        "HyperbandPruner": "trimtab.pruners._hyperband",
        "MedianPruner": "trimtab.pruners._median",
        "PatientPruner": "trimtab.pruners._patient",
        "PercentilePruner": "trimtab.pruners._percentile",
        "SuccessiveHalvingPruner": "trimtab.pruners._successive_halving",
        "ThresholdPruner": "trimtab.pruners._threshold",
        "WilcoxonPruner": "trimtab.pruners._wilcoxon",
    },
)

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

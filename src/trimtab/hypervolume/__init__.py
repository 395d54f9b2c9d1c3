"""Hypervolume of a set of loss vectors (all objectives minimised) and per-point contributions.

Exact everywhere: a sweep for 2 objectives, a sweep over 2-D slices for 3, and the WFG
algorithm (While, Bradstreet & Barone, 2012) for 4 or more.
"""

from trimtab.hypervolume._compute import compute_hypervolume
from trimtab.hypervolume._contribution import hypervolume_contributions

__all__ = ["compute_hypervolume", "hypervolume_contributions"]

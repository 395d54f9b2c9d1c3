"""Search-space inference over a study's trials."""

from trimtab.search_space._group_decomposed import _GroupDecomposedSearchSpace, _SearchSpaceGroup
from trimtab.search_space._intersection import IntersectionSearchSpace, intersection_search_space

__all__ = [
    "IntersectionSearchSpace",
    "_GroupDecomposedSearchSpace",
    "_SearchSpaceGroup",
    "intersection_search_space",
]

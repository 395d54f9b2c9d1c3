"""Optuna's module path ``optuna.search_space.intersection`` (re-exports)."""

from trimtab.search_space._intersection import IntersectionSearchSpace, intersection_search_space

__all__ = ["IntersectionSearchSpace", "intersection_search_space"]

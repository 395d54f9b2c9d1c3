"""Optuna's module path ``optuna.samplers._tpe.sampler`` (re-export)."""

from trimtab.samplers._tpe._sampler import TPESampler

__all__ = ["TPESampler"]

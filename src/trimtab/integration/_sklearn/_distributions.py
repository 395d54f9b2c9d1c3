"""Search spaces for ``OptunaSearchCV``: trimtab distributions, or Optuna's, recognised by shape.

Users move from Optuna with ``param_distributions`` built from ``optuna.distributions``;
those objects are converted by their class name and attributes, without importing Optuna.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trimtab.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)


def _from_optuna(dist: Any) -> BaseDistribution | None:
    """The trimtab equivalent of an Optuna distribution, or None if ``dist`` is not one."""
    kind = type(dist).__name__
    module = type(dist).__module__ or ""
    if not module.startswith("optuna"):
        return None
    if kind == "FloatDistribution":
        return FloatDistribution(dist.low, dist.high, log=dist.log, step=dist.step)
    if kind == "IntDistribution":
        return IntDistribution(dist.low, dist.high, log=dist.log, step=dist.step)
    if kind == "CategoricalDistribution":
        return CategoricalDistribution(dist.choices)
    if kind == "UniformDistribution":
        return FloatDistribution(dist.low, dist.high)
    if kind == "LogUniformDistribution":
        return FloatDistribution(dist.low, dist.high, log=True)
    if kind == "DiscreteUniformDistribution":
        return FloatDistribution(dist.low, dist.high, step=dist.q)
    if kind == "IntUniformDistribution":
        return IntDistribution(dist.low, dist.high, step=dist.step)
    if kind == "IntLogUniformDistribution":
        return IntDistribution(dist.low, dist.high, log=True)
    return None


def as_trimtab_distributions(param_distributions: Any) -> dict[str, BaseDistribution]:
    """Check ``param_distributions`` and convert Optuna distributions to trimtab's.

    Args:
        param_distributions: A mapping from estimator parameter name to distribution.

    Returns:
        A new dict of trimtab distributions.

    Raises:
        TypeError: Not a mapping, or a value that is not a trimtab or Optuna distribution.
        ValueError: An Optuna distribution with invalid bounds.
    """
    if not isinstance(param_distributions, Mapping):
        raise TypeError(
            "param_distributions must be a mapping from parameter name to distribution, got "
            f"{type(param_distributions).__name__}."
        )
    converted: dict[str, BaseDistribution] = {}
    for name, dist in param_distributions.items():
        if isinstance(dist, BaseDistribution):
            converted[name] = dist
            continue
        equivalent = _from_optuna(dist)
        if equivalent is None:
            raise TypeError(
                f"param_distributions[{name!r}] must be a distribution "
                "(trimtab.distributions.FloatDistribution, IntDistribution or "
                "CategoricalDistribution, or Optuna's), got "
                f"{dist!r} of type {type(dist).__name__}."
            )
        converted[name] = equivalent
    return converted

"""Mutations of one numerical parameter in the transformed space."""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING, Any

import numpy as np

from trimtab._transform import NumericalTransform
from trimtab._warnings import warn_experimental
from trimtab.distributions import BaseDistribution, FloatDistribution, IntDistribution

if TYPE_CHECKING:
    from trimtab.study import Study


class BaseMutation(abc.ABC):
    """Base class of mutations used by ``NSGAIISampler`` on numerical parameters."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        warn_experimental(self.__class__.__name__, "5.0.0")

    def __str__(self) -> str:
        return self.__class__.__name__

    @abc.abstractmethod
    def mutation(
        self,
        param: float,
        rng: np.random.RandomState,
        study: Study,
        search_space_bounds: np.ndarray,
    ) -> float:
        """Return the mutated ``param``; ``search_space_bounds`` has shape ``(2,)``."""


class PolynomialMutation(BaseMutation):
    """Polynomial mutation (Deb & Goyal, 1996), bounded variant of the NSGA-II C code.

    Args:
        eta: Distribution index; larger values keep the mutant closer to the original.
    """

    def __init__(self, eta: float = 20.0) -> None:
        super().__init__()
        if eta < 0:
            raise ValueError("`eta` must be a non-negative float value.")
        self._eta = eta

    def mutation(
        self,
        param: float,
        rng: np.random.RandomState,
        study: Study,
        search_space_bounds: np.ndarray,
    ) -> float:
        u = rng.rand()
        low, high = search_space_bounds
        width = high - low
        if width <= 0.0:
            return param
        power = 1.0 / (self._eta + 1.0)
        if u <= 0.5:
            xy = 1.0 - (param - low) / width
            delta = (2.0 * u + (1.0 - 2.0 * u) * xy ** (self._eta + 1.0)) ** power - 1.0
        else:
            xy = 1.0 - (high - param) / width
            delta = 1.0 - (2.0 * (1.0 - u) + 2.0 * (u - 0.5) * xy ** (self._eta + 1.0)) ** power
        return float(param + delta * width)


def perform_mutation(
    mutation: BaseMutation,
    rng: np.random.RandomState,
    study: Study,
    distribution: BaseDistribution,
    value: Any,
) -> Any | None:
    """Mutate one external value; None for categorical parameters (resampled instead)."""
    if not isinstance(distribution, (FloatDistribution, IntDistribution)):
        return None
    transform = NumericalTransform({"": distribution})
    bounds = transform.bounds[0]
    x = mutation.mutation(float(transform.transform({"": value})[0]), rng, study, bounds)
    return transform.untransform(np.array([np.clip(x, bounds[0], bounds[1])]))[""]

"""``SamplerRandomState``: the random state of every built-in sampler.

A sampler travels by copy: ``pickle`` (Dask's ``client.submit(study.optimize, ...)``,
``multiprocessing``, ``cloudpickle``) or ``copy.deepcopy``. A plain ``np.random.RandomState``
copies its state, so every copy of an unseeded sampler would propose the same parameters.
``SamplerRandomState`` remembers whether its state is reproducible (a seed was given): a
reproducible state is copied exactly, as before; an unseeded one is replaced, in each copy,
by a state seeded from OS entropy. Drawing numbers is ``RandomState``'s own code, unchanged.

Objects sharing one random state (NSGA-II's sampler and its child-generation strategy) still
share one after a copy: ``pickle`` and ``deepcopy`` rebuild a shared object once.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class SamplerRandomState(np.random.RandomState):
    """A ``np.random.RandomState`` whose unseeded copies each draw a fresh seed.

    Args:
        seed: Seed of the generator; ``None`` seeds it from OS entropy.
        fresh_copies: Whether a copy gets a fresh state; by default, when ``seed`` is ``None``.
            ``GridSampler`` passes ``True`` with a fixed seed: its shuffle must be the same in
            every worker, the choices after it need not.
    """

    def __init__(self, seed: int | None = None, *, fresh_copies: bool | None = None) -> None:
        super().__init__(seed)
        self._fresh_copies = seed is None if fresh_copies is None else fresh_copies

    def seed(self, seed: Any = None) -> None:
        """Reseed the generator (from OS entropy for ``None``, which also makes copies fresh)."""
        super().seed(seed)
        self._fresh_copies = seed is None

    def __reduce__(self) -> tuple[Any, ...]:
        if self._fresh_copies:
            return (type(self), ())
        return (type(self), (0,), (self.get_state(legacy=False), False))

    def __setstate__(self, state: Any) -> None:
        rng_state, fresh_copies = state
        super().__setstate__(rng_state)
        self._fresh_copies = fresh_copies

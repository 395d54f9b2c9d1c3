"""The sampler conformance suite on the core samplers."""

from __future__ import annotations

import warnings

from trimtab.samplers import BaseSampler, PartialFixedSampler, QMCSampler, RandomSampler
from trimtab.testing.samplers import SamplerContract


class TestRandomSampler(SamplerContract):
    multi_objective = True

    def make_sampler(self, seed: int | None = None) -> BaseSampler:
        return RandomSampler(seed=seed)


class TestQMCSampler(SamplerContract):
    multi_objective = True

    def make_sampler(self, seed: int | None = None) -> BaseSampler:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return QMCSampler(seed=seed, warn_independent_sampling=False)


class TestPartialFixedSampler(SamplerContract):
    def make_sampler(self, seed: int | None = None) -> BaseSampler:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return PartialFixedSampler({}, RandomSampler(seed=seed))

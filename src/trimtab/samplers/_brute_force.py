"""``BruteForceSampler``: every combination of a discrete, possibly conditional search space."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from trimtab import _warnings
from trimtab._study_view import view_of
from trimtab.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from trimtab.samplers._base import BaseSampler, stop_optimize
from trimtab.samplers._rng import SamplerRandomState
from trimtab.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from trimtab.study import Study


def _all_internal_values(distribution: BaseDistribution) -> list[float]:
    if isinstance(distribution, CategoricalDistribution):
        return [float(i) for i in range(len(distribution.choices))]
    if isinstance(distribution, IntDistribution):
        return [float(v) for v in range(distribution.low, distribution.high + 1, distribution.step)]
    if isinstance(distribution, FloatDistribution):
        if distribution.step is None:
            if distribution.low == distribution.high:
                return [distribution.low]
            raise ValueError(
                "FloatDistribution.step must be given for BruteForceSampler (otherwise, the "
                "search space will be infinite)."
            )
        n_steps = int(round((distribution.high - distribution.low) / distribution.step))
        return [distribution.low + i * distribution.step for i in range(n_steps + 1)]
    raise ValueError(f"BruteForceSampler does not support {distribution!r}.")


class _Node:
    """A position in the tree of define-by-run paths: which parameter comes next, and children."""

    __slots__ = ("param", "children", "leaf", "exhausted")

    def __init__(self) -> None:
        self.param: str | None = None
        self.children: dict[float, _Node] = {}
        self.leaf = False  # a finished trial ended here
        self.exhausted = False

    def expand(self, param: str, values: list[float]) -> None:
        if self.param is None:
            self.param = param
            self.children = {v: _Node() for v in values}
            self.exhausted = False
        elif self.param != param:
            raise ValueError(
                f"BruteForceSampler needs a fixed parameter order: '{param}' is suggested where "
                f"'{self.param}' was suggested before under the same earlier values."
            )
        else:
            for v in values:
                self.children.setdefault(v, _Node())

    def refresh(self) -> None:
        self.exhausted = self.leaf or (
            self.param is not None and all(c.exhausted for c in self.children.values())
        )


def _path(trial: FrozenTrial) -> list[tuple[str, BaseDistribution, float]]:
    return [
        (name, trial.distributions[name], trial.distributions[name].to_internal_repr(value))
        for name, value in trial.params.items()
    ]


class _Tree:
    """The paths of a study's finished trials (a digest of the study view)."""

    def __init__(self) -> None:
        self.root = _Node()

    def add(self, trials: list[FrozenTrial]) -> None:
        for trial in trials:
            BruteForceSampler._add(self.root, _path(trial), leaf=True)


class BruteForceSampler(BaseSampler):
    """Tries every combination of a discrete search space (conditional spaces included), then
    stops the study.

    Floats need a ``step``. Each ``suggest_*`` picks, uniformly at random, a value whose
    sub-tree still has untried combinations.

    Args:
        seed: Seed of the random choice among untried values.
        avoid_premature_stop: Stop only when *finished* trials cover every combination (running
            trials do not count as covering theirs).
    """

    def __init__(self, seed: int | None = None, avoid_premature_stop: bool = False) -> None:
        _warnings.warn_experimental("BruteForceSampler", "3.1.0")
        self._rng = SamplerRandomState(seed)
        self._avoid_premature_stop = avoid_premature_stop

    def reseed_rng(self) -> None:
        self._rng.seed()

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        return {}

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        return {}

    def _root(self, study: Study) -> _Node:
        """The tree of ``study``'s finished trials, brought up to date."""
        with view_of(study).digest(self, _Tree) as tree:
            return tree.root

    @staticmethod
    def _add(root: _Node, path: list[tuple[str, BaseDistribution, float]], leaf: bool) -> None:
        nodes = [root]
        node = root
        for name, dist, value in path:
            node.expand(name, _all_internal_values(dist))
            node = node.children.setdefault(value, _Node())
            nodes.append(node)
        if leaf:
            node.leaf = True
        for visited in reversed(nodes):
            visited.refresh()

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        node = self._root(study)
        for _, _, value in _path(trial):
            child = node.children.get(value)
            if child is None:
                node = _Node()
                break
            node = child
        node.expand(param_name, _all_internal_values(param_distribution))
        busy = self._running_choices(study, trial, param_name)
        open_values = [v for v, c in node.children.items() if not c.exhausted]
        preferred = [v for v in open_values if v not in busy] or open_values
        candidates = preferred or list(node.children)
        choice = candidates[self._rng.randint(len(candidates))]
        return param_distribution.to_external_repr(choice)

    @staticmethod
    def _running_choices(study: Study, trial: FrozenTrial, param_name: str) -> set[float]:
        """Values of ``param_name`` other running trials on the same path have taken."""
        prefix = trial.params
        busy = set()
        for other in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
            if other.number == trial.number or param_name not in other.params:
                continue
            if all(other.params.get(k) == v for k, v in prefix.items()):
                dist = other.distributions[param_name]
                busy.add(dist.to_internal_repr(other.params[param_name]))
        return busy

    def after_trial(
        self,
        study: Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        root = self._root(study)
        self._add(root, _path(trial), leaf=True)
        exhausted = root.exhausted
        if not exhausted and not self._avoid_premature_stop:
            running = [
                t
                for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
                if t.number != trial.number
            ]
            exhausted = bool(running) and self._covered_with(root, running)
        if exhausted:
            stop_optimize(study)

    def _covered_with(self, tree: _Node, running: list[FrozenTrial]) -> bool:
        """Would ``tree`` be exhausted if the running trials finished where they are now?"""
        root = copy.deepcopy(tree)
        for other in running:
            self._add(root, _path(other), leaf=True)
        return root.exhausted

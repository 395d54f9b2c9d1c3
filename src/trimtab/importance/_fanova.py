"""fANOVA: the share of a random forest's variance explained by each parameter alone.

Hutter, Hoos and Leyton-Brown, "An Efficient Approach for Assessing Hyperparameter
Importance" (ICML 2014). Each tree is a piecewise-constant function over the search box.
The main effect of a parameter is the tree's prediction averaged over every other
parameter; its importance is the variance of that marginal over the box divided by the
tree's total variance, averaged over the trees. Both are computed from the leaves' boxes
in closed form (vectorised over leaves), not by evaluating the tree on a grid.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from trimtab.importance._base import (
    BaseImportanceEvaluator,
    Target,
    encode_params,
    import_random_forest,
    require_target_for_multi_objective,
    search_space_of,
    sort_by_importance,
    trials_with_finite_target,
)
from trimtab.study import Study


class _TreeBoxes:
    """A fitted scikit-learn tree as leaf boxes (lo, hi) and leaf values over ``bounds``."""

    def __init__(self, tree: Any, bounds: np.ndarray) -> None:
        n_nodes, n_features = tree.node_count, bounds.shape[0]
        feature, threshold = tree.feature, tree.threshold
        left, right = tree.children_left, tree.children_right
        lo = np.empty((n_nodes, n_features))
        hi = np.empty((n_nodes, n_features))
        lo[0], hi[0] = bounds[:, 0], bounds[:, 1]
        frontier = np.array([0])
        while frontier.size:  # one tree level at a time
            inner = frontier[feature[frontier] >= 0]
            f, t = feature[inner], threshold[inner]
            for child, side in ((left[inner], hi), (right[inner], lo)):
                lo[child], hi[child] = lo[inner], hi[inner]
                side[child, f] = t
            frontier = np.concatenate([left[inner], right[inner]])
        leaves = feature < 0
        self.lo, self.hi = lo[leaves], hi[leaves]
        self.values = tree.value[leaves].reshape(-1, tree.value.shape[-1] * tree.n_outputs)[:, 0]
        self.splits = [np.unique(threshold[feature == j]) for j in range(n_features)]
        self.bounds = bounds
        # Fraction of the box each leaf covers, per dimension and in total.
        self.fractions = (self.hi - self.lo) / (bounds[:, 1] - bounds[:, 0])
        weights = self.fractions.prod(axis=1)
        mean = weights @ self.values
        self.variance = float(weights @ (self.values - mean) ** 2)

    def marginal_variance(self, columns: np.ndarray) -> float:
        """Variance over the box of the prediction averaged over all but ``columns``."""
        edges = [
            np.concatenate([[self.bounds[c, 0]], self.splits[c], [self.bounds[c, 1]]])
            for c in columns
        ]
        shape = tuple(e.size - 1 for e in edges)
        others = np.delete(self.fractions, columns, axis=1).prod(axis=1)
        contribution = self.values * others
        starts = [np.searchsorted(e, self.lo[:, c]) for e, c in zip(edges, columns)]
        stops = [np.searchsorted(e, self.hi[:, c]) for e, c in zip(edges, columns)]
        # Add each leaf's contribution to the block of cells it covers with a k-D
        # difference array: +/- at the block's 2^k corners, then cumulative sums.
        diff_shape = tuple(s + 1 for s in shape)
        flat = np.zeros(int(np.prod(diff_shape)))
        for corner in itertools.product((0, 1), repeat=len(columns)):
            index = tuple(stops[k] if use_stop else starts[k] for k, use_stop in enumerate(corner))
            cells = np.ravel_multi_index(index, diff_shape)
            flat += np.bincount(cells, contribution * (-1.0) ** sum(corner), minlength=flat.size)
        diff = flat.reshape(diff_shape)
        for axis in range(len(columns)):
            diff = np.cumsum(diff, axis=axis)
        marginal = diff[tuple(slice(0, s) for s in shape)]
        sizes = np.ones(shape)
        for axis, e in enumerate(edges):
            width = np.diff(e) / (e[-1] - e[0])
            sizes = sizes * width.reshape([-1 if a == axis else 1 for a in range(len(shape))])
        mean = float((sizes * marginal).sum())
        return max(float((sizes * (marginal - mean) ** 2).sum()), 0.0)


class FanovaImportanceEvaluator(BaseImportanceEvaluator):
    """fANOVA importance evaluator.

    Fits a random forest (scikit-learn) that predicts the target of completed trials from
    their parameters, then measures how much of the forest's variance each parameter
    explains on its own. Use an exploratory sampler (e.g. ``RandomSampler``) for reliable
    results. Requires ``pip install "trimtab[importance]"``.

    Args:
        n_trees: The number of trees in the forest.
        max_depth: The maximum depth of the trees in the forest.
        seed: Seed of the forest; give one for deterministic importances.
    """

    def __init__(self, *, n_trees: int = 64, max_depth: int = 64, seed: int | None = None) -> None:
        forest_cls = import_random_forest()
        self._forest = forest_cls(
            n_estimators=n_trees,
            max_depth=max_depth,
            min_samples_split=2,
            min_samples_leaf=1,
            random_state=seed,
        )

    def evaluate(
        self, study: Study, params: list[str] | None = None, *, target: Target | None = None
    ) -> dict[str, float]:
        require_target_for_multi_objective(study, target)
        distributions = search_space_of(study, params)
        names = list(distributions) if params is None else list(params)
        varying = {n: d for n, d in distributions.items() if not d.single()}
        fixed = [n for n, d in distributions.items() if d.single()]
        if not varying:
            return {n: 0.0 for n in fixed}
        trials, y = trials_with_finite_target(study, names, target)
        if len(trials) <= 1:
            return {n: 0.0 for n in names}
        x, bounds, groups = encode_params(trials, varying)
        self._forest.fit(x, y)
        trees = [_TreeBoxes(e.tree_, bounds) for e in self._forest.estimators_]
        if all(tree.variance == 0 for tree in trees):
            raise RuntimeError("Encountered zero total variance in all trees.")
        explained = [tree for tree in trees if tree.variance > 0.0]
        importances = {
            name: float(np.mean([t.marginal_variance(cols) / t.variance for t in explained]))
            for name, cols in zip(varying, groups)
        }
        importances.update({n: 0.0 for n in fixed})
        return sort_by_importance(importances)

"""Mean decrease in impurity of a random forest, summed over each parameter's columns."""

from __future__ import annotations

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


class MeanDecreaseImpurityImportanceEvaluator(BaseImportanceEvaluator):
    """Mean Decrease Impurity (MDI) parameter importance evaluator.

    Fits a random forest (scikit-learn) predicting the target of completed trials and reports
    its ``feature_importances_``; a categorical parameter sums its one-hot columns.
    Requires ``pip install "trimtab[importance]"``.

    Args:
        n_trees: Number of trees in the random forest.
        max_depth: The maximum depth of each tree in the random forest.
        seed: Seed for the random forest.
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
        if not names:
            return {}
        trials, y = trials_with_finite_target(study, names, target)
        if len(trials) <= 1:
            return {n: 0.0 for n in names}
        x, _, groups = encode_params(trials, distributions)
        self._forest.fit(x, y)
        per_column = self._forest.feature_importances_
        importances = {
            name: float(np.sum(per_column[cols])) for name, cols in zip(distributions, groups)
        }
        return sort_by_importance(importances)

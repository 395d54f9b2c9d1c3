"""The objective ``OptunaSearchCV`` optimises: cross-validate one parameter setting.

Without pruning, scikit-learn's ``cross_validate`` fits each fold. With pruning, every fold's
estimator is trained ``partial_fit`` by ``partial_fit`` (``max_iter`` rounds) and the mean
test score is reported after each round, so the study's pruner can stop a poor setting.
The fold scores are stored as the trial's user attributes (``split0_test_score``,
``mean_test_score``, ...), which become ``cv_results_``.
"""

from __future__ import annotations

import copy
import time
from numbers import Number
from typing import TYPE_CHECKING, Any

import numpy as np

from trimtab.exceptions import TrialPruned

if TYPE_CHECKING:
    from trimtab.distributions import BaseDistribution
    from trimtab.trial import Trial

# Read by trimtab.terminator's CrossValidationErrorEvaluator (Optuna's key).
_CV_SCORES_KEY = "terminator:cv_scores"


class CrossValidationObjective:
    """Score one trial's parameters by cross-validation (the study maximises the mean)."""

    def __init__(
        self,
        estimator: Any,
        param_distributions: dict[str, BaseDistribution],
        x: Any,
        y: Any,
        cv: Any,
        *,
        enable_pruning: bool,
        error_score: Any,
        fit_params: dict[str, Any],
        groups: Any,
        max_iter: int,
        return_train_score: bool,
        scoring: Any,
    ) -> None:
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.x, self.y, self.cv, self.groups = x, y, cv, groups
        self.enable_pruning = enable_pruning
        self.error_score = error_score
        self.fit_params = fit_params
        self.max_iter = max_iter
        self.return_train_score = return_train_score
        self.scoring = scoring

    def __call__(self, trial: Trial) -> float:
        from sklearn.base import clone

        estimator = clone(self.estimator)
        params = {
            name: trial._suggest(name, distribution)
            for name, distribution in self.param_distributions.items()
        }
        estimator.set_params(**params)
        fit_params = copy.deepcopy(self.fit_params)
        if self.enable_pruning:
            scores = self._cross_validate_with_pruning(trial, estimator, fit_params)
        else:
            scores = self._cross_validate(estimator, fit_params)
        self._store(trial, scores)
        test_scores = [float(s) for s in scores["test_score"]]
        if len(test_scores) > 1:
            trial.storage.set_trial_system_attr(trial._trial_id, _CV_SCORES_KEY, test_scores)
        return trial.user_attrs["mean_test_score"]

    def _cross_validate(self, estimator: Any, fit_params: dict[str, Any]) -> dict[str, Any]:
        from sklearn.model_selection import cross_validate

        try:
            return cross_validate(
                estimator,
                self.x,
                self.y,
                cv=self.cv,
                error_score=self.error_score,
                params=fit_params,
                groups=self.groups,
                return_train_score=self.return_train_score,
                scoring=self.scoring,
            )
        except ValueError:
            # Every fold failed; score them error_score, as optuna-integration does.
            if self.error_score == "raise":
                raise
            n_splits = self.cv.get_n_splits(self.x, self.y, self.groups)
            failed = np.full(n_splits, np.nan)
            scores = {"fit_time": failed, "score_time": failed}
            scores["test_score"] = np.full(n_splits, float(self.error_score))
            if self.return_train_score:
                scores["train_score"] = np.full(n_splits, float(self.error_score))
            return scores

    def _cross_validate_with_pruning(
        self, trial: Trial, estimator: Any, fit_params: dict[str, Any]
    ) -> dict[str, Any]:
        from sklearn.base import clone, is_classifier

        partial_fit_params = dict(fit_params)
        if is_classifier(estimator):
            # partial_fit needs every class up front; a fold may miss some.
            y = getattr(self.y, "values", self.y)
            partial_fit_params.setdefault("classes", np.unique(y))
        n_splits = self.cv.get_n_splits(self.x, self.y, groups=self.groups)
        folds = list(self.cv.split(self.x, self.y, groups=self.groups))
        estimators = [clone(estimator) for _ in range(n_splits)]
        scores: dict[str, Any] = {
            "fit_time": np.zeros(n_splits),
            "score_time": np.zeros(n_splits),
            "test_score": np.empty(n_splits),
        }
        if self.return_train_score:
            scores["train_score"] = np.empty(n_splits)
        for step in range(self.max_iter):
            for i, (train, test) in enumerate(folds):
                self._partial_fit_and_score(
                    estimators[i], train, test, partial_fit_params, i, scores
                )
            trial.report(float(np.nanmean(scores["test_score"])), step=step)
            if trial.should_prune():
                self._store(trial, scores)
                raise TrialPruned(f"Trial was pruned at iteration {step}.")
        return scores

    def _partial_fit_and_score(
        self,
        estimator: Any,
        train: np.ndarray,
        test: np.ndarray,
        partial_fit_params: dict[str, Any],
        fold: int,
        scores: dict[str, Any],
    ) -> None:
        from sklearn.utils import _safe_indexing

        x_train, y_train = _safe_indexing(self.x, train), _take(self.y, train)
        x_test, y_test = _safe_indexing(self.x, test), _take(self.y, test)
        start = time.perf_counter()
        try:
            estimator.partial_fit(x_train, y_train, **partial_fit_params)
        except Exception as err:
            if self.error_score == "raise":
                raise
            if not isinstance(self.error_score, Number):
                raise ValueError("error_score must be 'raise' or a number.") from err
            scores["fit_time"][fold] += time.perf_counter() - start
            scores["test_score"][fold] = self.error_score
            if self.return_train_score:
                scores["train_score"][fold] = self.error_score
            return
        fitted = time.perf_counter()
        scores["fit_time"][fold] += fitted - start
        scores["test_score"][fold] = self.scoring(estimator, x_test, y_test)
        if self.return_train_score:
            scores["train_score"][fold] = self.scoring(estimator, x_train, y_train)
        scores["score_time"][fold] += time.perf_counter() - fitted

    @staticmethod
    def _store(trial: Trial, scores: dict[str, Any]) -> None:
        for name, values in scores.items():
            if name in ("test_score", "train_score"):
                for i, score in enumerate(values):
                    trial.set_user_attr(f"split{i}_{name}", float(score))
            trial.set_user_attr(f"mean_{name}", float(np.nanmean(values)))
            trial.set_user_attr(f"std_{name}", float(np.nanstd(values)))


def _take(values: Any, indices: np.ndarray) -> Any:
    if values is None:
        return None
    from sklearn.utils import _safe_indexing

    return _safe_indexing(values, indices)

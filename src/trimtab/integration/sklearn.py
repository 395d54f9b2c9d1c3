"""``OptunaSearchCV`` (also ``TrimtabSearchCV``): hyperparameter search as a scikit-learn estimator.

Like ``GridSearchCV``/``RandomizedSearchCV``, but each candidate is a trial of a study (TPE by
default), so the search adapts to the scores seen so far; with ``enable_pruning`` an
estimator that has ``partial_fit`` is trained incrementally and poor candidates are stopped.
``param_distributions`` takes trimtab distributions, or Optuna's.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from numbers import Integral
from typing import TYPE_CHECKING, Any

import numpy as np

from trimtab import logging as trimtab_logging
from trimtab.integration._imports import import_or_explain
from trimtab.integration._sklearn._distributions import as_trimtab_distributions
from trimtab.integration._sklearn._objective import CrossValidationObjective
from trimtab.samplers import TPESampler
from trimtab.study import StudyDirection, create_study

if TYPE_CHECKING:
    from trimtab.study import Study
    from trimtab.trial import FrozenTrial

_sklearn = import_or_explain("sklearn", "sklearn", "OptunaSearchCV")
from sklearn.base import BaseEstimator, clone  # noqa: E402

_logger = trimtab_logging.get_logger(__name__)


def _n_samples(x: Any) -> int:
    shape = getattr(x, "shape", None)
    if shape is not None and isinstance(shape[0], Integral):
        return int(shape[0])
    return len(x)


def _subsample_fit_params(
    x: Any, fit_params: dict[str, Any], indices: np.ndarray
) -> dict[str, Any]:
    """Index the fit parameters that are per-sample arrays (``sample_weight``) like ``x``."""
    from sklearn.utils import _safe_indexing

    n = _n_samples(x)
    subsampled = {}
    for key, value in fit_params.items():
        per_sample = hasattr(value, "__len__") or hasattr(value, "shape")
        if per_sample and not isinstance(value, (str, dict)) and _n_samples(value) == n:
            subsampled[key] = _safe_indexing(value, indices)
        else:
            subsampled[key] = value
    return subsampled


class OptunaSearchCV(BaseEstimator):
    """Search an estimator's hyperparameters with a study, scored by cross-validation.

    Args:
        estimator: The scikit-learn estimator (or pipeline) to tune.
        param_distributions: Estimator parameter name (``"clf__C"`` in a pipeline) to a
            distribution: ``trimtab.distributions.FloatDistribution``, ``IntDistribution``,
            ``CategoricalDistribution``, or the Optuna ones.
        cv: Folds, as in scikit-learn (``None``: 5-fold, stratified for classifiers).
        enable_pruning: Train with ``partial_fit`` for up to ``max_iter`` rounds, reporting the
            mean test score each round so that the study's pruner can stop a trial.
        error_score: The score of a fold whose fit fails, or ``"raise"``.
        max_iter: The number of ``partial_fit`` rounds when pruning.
        n_jobs: Trials run in parallel (threads), as ``Study.optimize``'s ``n_jobs``.
        n_trials: The number of trials (``None``: until ``timeout``).
        random_state: Seeds the default TPE sampler and the subsampling.
        refit: Refit the best parameters on the whole data as ``best_estimator_``.
        return_train_score: Also record the training scores.
        scoring: A scikit-learn scorer or its name (``None``: the estimator's ``score``).
        study: The study to record trials in (direction ``"maximize"``); by default a new
            in-memory study with a seeded TPE sampler.
        subsample: Search on this fraction (float) or number (int) of the samples.
        timeout: Stop starting trials after this many seconds.
        verbose: 0 quiet, 1 progress, 2 debug messages.
        callbacks: Study callbacks ``f(study, frozen_trial)``.
        catch: Exceptions that fail a trial without stopping the search.

    Attributes:
        best_estimator_: The estimator refit with ``best_params_`` (``refit=True``).
        n_splits_: The number of folds.
        refit_time_: Seconds spent refitting.
        sample_indices_: The samples the search used.
        scorer_: The scorer.
        study_: The study.
    """

    _required_parameters = ["estimator", "param_distributions"]

    def __init__(
        self,
        estimator: Any,
        param_distributions: Mapping[str, Any],
        *,
        cv: int | Any | Iterable[Any] | None = None,
        enable_pruning: bool = False,
        error_score: float | str = np.nan,
        max_iter: int = 1000,
        n_jobs: int | None = None,
        n_trials: int | None = 10,
        random_state: int | np.random.RandomState | None = None,
        refit: bool = True,
        return_train_score: bool = False,
        scoring: Callable[..., float] | str | None = None,
        study: Study | None = None,
        subsample: float | int = 1.0,
        timeout: float | None = None,
        verbose: int = 0,
        callbacks: list[Callable[[Study, FrozenTrial], None]] | None = None,
        catch: Iterable[type[Exception]] | type[Exception] = (),
    ) -> None:
        as_trimtab_distributions(param_distributions)  # fail early, naming the parameter
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.cv = cv
        self.enable_pruning = enable_pruning
        self.error_score = error_score
        self.max_iter = max_iter
        self.n_jobs = n_jobs
        self.n_trials = n_trials
        self.random_state = random_state
        self.refit = refit
        self.return_train_score = return_train_score
        self.scoring = scoring
        self.study = study
        self.subsample = subsample
        self.timeout = timeout
        self.verbose = verbose
        self.callbacks = callbacks
        self.catch = catch

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import get_tags

        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.estimator_type = inner.estimator_type
        tags.classifier_tags = inner.classifier_tags
        tags.regressor_tags = inner.regressor_tags
        tags.non_deterministic = True
        return tags

    # -- results -----------------------------------------------------------------------

    def _check_is_fitted(self) -> None:
        from sklearn.utils.validation import check_is_fitted

        attributes = ["n_splits_", "sample_indices_", "scorer_", "study_"]
        if self.refit:
            attributes += ["best_estimator_", "refit_time_"]
        check_is_fitted(self, attributes)

    @property
    def best_index_(self) -> int:
        """The number of the best trial (the index into ``cv_results_``)."""
        return self.best_trial_.number

    @property
    def best_params_(self) -> dict[str, Any]:
        """The best trial's parameters."""
        self._check_is_fitted()
        return self.study_.best_params

    @property
    def best_score_(self) -> float:
        """The best mean cross-validated score."""
        self._check_is_fitted()
        return self.study_.best_value

    @property
    def best_trial_(self) -> FrozenTrial:
        """The best trial."""
        self._check_is_fitted()
        return self.study_.best_trial

    @property
    def classes_(self) -> Any:
        """The class labels of the refit classifier."""
        self._check_is_fitted()
        return self.best_estimator_.classes_

    @property
    def cv_results_(self) -> dict[str, list[Any]]:
        """Each trial's fold scores and timings, by key (``mean_test_score``, ...)."""
        records = [trial.user_attrs for trial in self.trials_]
        if not records:
            return {}
        return {key: [record.get(key) for record in records] for key in records[0]}

    @property
    def n_trials_(self) -> int:
        """The number of trials in the study."""
        return len(self.trials_)

    @property
    def trials_(self) -> list[FrozenTrial]:
        """Every trial of the study."""
        self._check_is_fitted()
        return self.study_.trials

    @property
    def user_attrs_(self) -> dict[str, Any]:
        """The study's user attributes."""
        self._check_is_fitted()
        return self.study_.user_attrs

    @property
    def set_user_attr(self) -> Callable[[str, Any], None]:
        """The study's ``set_user_attr``."""
        self._check_is_fitted()
        return self.study_.set_user_attr

    @property
    def trials_dataframe(self) -> Callable[..., Any]:
        """The study's ``trials_dataframe``."""
        self._check_is_fitted()
        return self.study_.trials_dataframe

    # -- the refit estimator's methods -----------------------------------------------------

    def _best(self, method: str) -> Any:
        self._check_is_fitted()
        return getattr(self.best_estimator_, method)

    def decision_function(self, X: Any, **kwargs: Any) -> Any:
        """``best_estimator_.decision_function``."""
        return self._best("decision_function")(X, **kwargs)

    def inverse_transform(self, X: Any, *args: Any, **kwargs: Any) -> Any:
        """``best_estimator_.inverse_transform``."""
        return self._best("inverse_transform")(X, *args, **kwargs)

    def predict(self, X: Any, **kwargs: Any) -> Any:
        """``best_estimator_.predict``."""
        return self._best("predict")(X, **kwargs)

    def predict_log_proba(self, X: Any, **kwargs: Any) -> Any:
        """``best_estimator_.predict_log_proba``."""
        return self._best("predict_log_proba")(X, **kwargs)

    def predict_proba(self, X: Any, **kwargs: Any) -> Any:
        """``best_estimator_.predict_proba``."""
        return self._best("predict_proba")(X, **kwargs)

    @property
    def score_samples(self) -> Callable[..., Any]:
        """``best_estimator_.score_samples``."""
        return self._best("score_samples")

    def transform(self, X: Any, *args: Any, **kwargs: Any) -> Any:
        """``best_estimator_.transform``."""
        return self._best("transform")(X, *args, **kwargs)

    def score(self, X: Any, y: Any = None) -> float:
        """Score ``best_estimator_`` on ``X``, ``y`` with the search's scorer."""
        return self.scorer_(self.best_estimator_, X, y)

    # -- fitting ---------------------------------------------------------------------------

    def _check_params(self) -> dict[str, Any]:
        if not hasattr(self.estimator, "fit"):
            raise ValueError(f"estimator must be a scikit-learn estimator, got {self.estimator!r}.")
        distributions = as_trimtab_distributions(self.param_distributions)
        if self.enable_pruning and not hasattr(self.estimator, "partial_fit"):
            raise ValueError(
                f"enable_pruning=True needs an estimator with partial_fit; "
                f"{type(self.estimator).__name__} has none."
            )
        if not isinstance(self.max_iter, Integral) or self.max_iter <= 0:
            raise ValueError(f"max_iter must be a positive int, got {self.max_iter!r}.")
        if self.study is not None and (
            len(self.study.directions) != 1 or self.study.direction != StudyDirection.MAXIMIZE
        ):
            raise ValueError("study must have the single direction 'maximize'.")
        return distributions

    def fit(self, X: Any, y: Any = None, groups: Any = None, **fit_params: Any) -> OptunaSearchCV:
        """Search, then refit the best parameters on all of ``X`` (with ``refit=True``).

        Args:
            X: Training data.
            y: Targets (``None`` for unsupervised estimators).
            groups: Group labels for group-aware ``cv`` splitters.
            **fit_params: Passed to the estimator's ``fit`` (``partial_fit`` when pruning).

        Returns:
            self.

        Raises:
            TypeError: ``param_distributions`` holds something that is not a distribution.
            ValueError: ``enable_pruning`` without ``partial_fit``, a bad ``max_iter``, or a
                study that does not maximise.
        """
        from sklearn.metrics import check_scoring
        from sklearn.model_selection import check_cv
        from sklearn.utils import _safe_indexing, check_random_state

        distributions = self._check_params()
        random_state = check_random_state(self.random_state)
        n_samples = _n_samples(X)
        self.sample_indices_ = np.arange(n_samples)
        max_samples = self.subsample
        if isinstance(max_samples, float):
            max_samples = int(max_samples * n_samples)
        if max_samples < n_samples:
            chosen = random_state.choice(self.sample_indices_, max_samples, replace=False)
            self.sample_indices_ = np.sort(chosen)
        x_used = _safe_indexing(X, self.sample_indices_)
        y_used = None if y is None else _safe_indexing(y, self.sample_indices_)
        groups_used = None if groups is None else _safe_indexing(groups, self.sample_indices_)
        fit_params_used = _subsample_fit_params(X, fit_params, self.sample_indices_)

        from sklearn.base import is_classifier

        cv = check_cv(self.cv, y_used, classifier=is_classifier(self.estimator))
        self.n_splits_ = cv.get_n_splits(x_used, y_used, groups=groups_used)
        self.scorer_ = check_scoring(self.estimator, scoring=self.scoring)
        if self.study is None:
            seed = int(random_state.randint(0, np.iinfo("int32").max))
            self.study_ = create_study(direction="maximize", sampler=TPESampler(seed=seed))
        else:
            self.study_ = self.study
        objective = CrossValidationObjective(
            self.estimator,
            distributions,
            x_used,
            y_used,
            cv,
            enable_pruning=self.enable_pruning,
            error_score=self.error_score,
            fit_params=fit_params_used,
            groups=groups_used,
            max_iter=self.max_iter,
            return_train_score=self.return_train_score,
            scoring=self.scorer_,
        )
        level = _logger.level
        _logger.setLevel(
            logging.DEBUG if self.verbose > 1 else logging.INFO if self.verbose else logging.WARNING
        )
        try:
            _logger.info(
                f"Searching the best hyperparameters on {len(self.sample_indices_)} samples."
            )
            self.study_.optimize(
                objective,
                n_jobs=self.n_jobs or 1,
                n_trials=self.n_trials,
                timeout=self.timeout,
                callbacks=self.callbacks,
                catch=self.catch,
            )
            if self.refit:
                self._refit(X, y, **fit_params)
        finally:
            _logger.setLevel(level)
        return self

    def _refit(self, X: Any, y: Any = None, **fit_params: Any) -> None:
        self.best_estimator_ = clone(self.estimator).set_params(**self.study_.best_params)
        start = time.perf_counter()
        self.best_estimator_.fit(X, y, **fit_params)
        self.refit_time_ = time.perf_counter() - start
        _logger.info(f"Refit the best estimator in {self.refit_time_:.3f} s.")


TrimtabSearchCV = OptunaSearchCV

__all__ = ["OptunaSearchCV", "TrimtabSearchCV"]

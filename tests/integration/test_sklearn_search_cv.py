"""OptunaSearchCV / TrimtabSearchCV as a real scikit-learn estimator."""

from __future__ import annotations

import numpy as np
import pytest

import trimtab
from trimtab.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from trimtab.trial import TrialState

sklearn = pytest.importorskip("sklearn")
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.linear_model import LogisticRegression, SGDClassifier  # noqa: E402
from sklearn.model_selection import cross_val_score  # noqa: E402
from sklearn.neighbors import KNeighborsClassifier  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.tree import DecisionTreeClassifier  # noqa: E402

from trimtab.integration import OptunaSearchCV, TrimtabSearchCV  # noqa: E402


@pytest.fixture(scope="module")
def iris() -> tuple[np.ndarray, np.ndarray]:
    return load_iris(return_X_y=True)


def test_search_in_a_pipeline(iris: tuple) -> None:
    x, y = iris
    pipeline = Pipeline([("scale", StandardScaler()), ("clf", KNeighborsClassifier())])
    search = TrimtabSearchCV(
        pipeline,
        {
            "clf__n_neighbors": IntDistribution(1, 30, log=True),
            "clf__weights": CategoricalDistribution(["uniform", "distance"]),
        },
        n_trials=5,
        cv=3,
        random_state=0,
        scoring="accuracy",
        return_train_score=True,
    )
    assert TrimtabSearchCV is OptunaSearchCV
    assert sklearn.base.is_classifier(search)
    search.fit(x, y)

    assert search.n_trials_ == 5 == len(search.trials_)
    assert set(search.best_params_) == {"clf__n_neighbors", "clf__weights"}
    assert search.best_score_ == max(t.value for t in search.trials_)
    assert search.best_index_ == search.best_trial_.number
    best_k = search.best_params_["clf__n_neighbors"]
    assert search.best_estimator_.get_params()["clf__n_neighbors"] == best_k
    # best_score_ is the mean of the stored fold scores, reproduced by scikit-learn itself.
    rerun = cross_val_score(
        sklearn.base.clone(pipeline).set_params(**search.best_params_), x, y, cv=3
    )
    assert search.best_score_ == pytest.approx(rerun.mean())
    results = search.cv_results_
    assert len(results["mean_test_score"]) == 5
    assert {"split0_test_score", "split2_test_score", "mean_train_score", "std_fit_time"} <= set(
        results
    )
    assert (search.predict(x) == search.best_estimator_.predict(x)).all()
    assert search.predict_proba(x).shape == (150, 3)
    assert list(search.classes_) == [0, 1, 2]
    assert search.score(x, y) == pytest.approx((search.predict(x) == y).mean())
    assert search.study_.trials[0].system_attrs["terminator:cv_scores"] == [
        results["split0_test_score"][0],
        results["split1_test_score"][0],
        results["split2_test_score"][0],
    ]


def test_pruning_through_partial_fit(iris: tuple) -> None:
    x, y = iris
    study = trimtab.create_study(
        direction="maximize", pruner=trimtab.pruners.ThresholdPruner(lower=0.95)
    )
    search = OptunaSearchCV(
        SGDClassifier(random_state=0),
        {"alpha": FloatDistribution(1e-5, 1e-1, log=True)},
        enable_pruning=True,
        max_iter=5,
        n_trials=3,
        cv=3,
        study=study,
        refit=False,
    )
    search.fit(x, y)
    pruned = [t for t in search.trials_ if t.state == TrialState.PRUNED]
    assert pruned, "SGD on unscaled iris stays below 0.95 accuracy after one round"
    for trial in pruned:
        assert list(trial.intermediate_values) == [0]
        assert "mean_test_score" in trial.user_attrs
    assert search.user_attrs_ == {}


def test_optuna_distributions_are_accepted(iris: tuple) -> None:
    optuna = pytest.importorskip("optuna")
    x, y = iris
    search = OptunaSearchCV(
        DecisionTreeClassifier(random_state=0),
        {
            "max_features": optuna.distributions.FloatDistribution(0.2, 1.0, log=True),
            "max_depth": optuna.distributions.IntDistribution(1, 5, step=2),
            "criterion": optuna.distributions.CategoricalDistribution(["gini", "entropy"]),
        },
        n_trials=3,
        cv=2,
        random_state=1,
    ).fit(x, y)
    trial = search.trials_[0]
    assert trial.distributions == {
        "max_features": FloatDistribution(0.2, 1.0, log=True),
        "max_depth": IntDistribution(1, 5, step=2),
        "criterion": CategoricalDistribution(["gini", "entropy"]),
    }
    assert trial.params["max_depth"] in (1, 3, 5)


def test_bad_input(iris: tuple) -> None:
    x, y = iris
    with pytest.raises(TypeError, match=r"param_distributions\['C'\] must be a distribution.*list"):
        OptunaSearchCV(LogisticRegression(), {"C": [0.1, 1.0]})
    with pytest.raises(TypeError, match="param_distributions must be a mapping"):
        OptunaSearchCV(LogisticRegression(), [("C", FloatDistribution(0.1, 1))])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="partial_fit; LogisticRegression has none"):
        OptunaSearchCV(
            LogisticRegression(), {"C": FloatDistribution(0.1, 1)}, enable_pruning=True
        ).fit(x, y)
    with pytest.raises(ValueError, match="max_iter must be a positive int"):
        OptunaSearchCV(SGDClassifier(), {}, enable_pruning=True, max_iter=0).fit(x, y)
    with pytest.raises(ValueError, match="'maximize'"):
        OptunaSearchCV(LogisticRegression(), {}, study=trimtab.create_study()).fit(x, y)


def test_error_score_and_timeout(iris: tuple) -> None:
    x, y = iris
    # l1 penalty is not supported by the lbfgs solver: every fold fails to fit.
    search = OptunaSearchCV(
        LogisticRegression(solver="lbfgs"),
        {"l1_ratio": CategoricalDistribution([1.0])},
        n_trials=1,
        cv=2,
        error_score=-1.0,
        refit=False,
    )
    with pytest.warns(Warning):
        search.fit(x, y)
    assert search.best_score_ == -1.0
    assert search.trials_[0].user_attrs["split1_test_score"] == -1.0

    with pytest.raises(ValueError):
        OptunaSearchCV(
            LogisticRegression(solver="lbfgs"),
            {"l1_ratio": CategoricalDistribution([1.0])},
            n_trials=1,
            cv=2,
            error_score="raise",
        ).fit(x, y)

    timed = OptunaSearchCV(
        DecisionTreeClassifier(),
        {"max_depth": IntDistribution(1, 4)},
        n_trials=None,
        timeout=0.5,
        cv=2,
    ).fit(x, y)
    assert timed.n_trials_ >= 1


def test_clone_and_nested_cross_validation(iris: tuple) -> None:
    x, y = iris
    search = OptunaSearchCV(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": IntDistribution(1, 4)},
        n_trials=3,
        cv=2,
        random_state=0,
    )
    twin = sklearn.base.clone(search)
    assert twin.get_params()["param_distributions"] == {"max_depth": IntDistribution(1, 4)}
    # The search as the estimator of an outer cross-validation: a fresh study per outer fold.
    scores = cross_val_score(search, x, y, cv=2)
    assert len(scores) == 2 and all(0.5 < s <= 1.0 for s in scores)
    assert not hasattr(search, "study_")

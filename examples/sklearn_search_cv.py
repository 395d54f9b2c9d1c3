"""scikit-learn: OptunaSearchCV (alias TrimtabSearchCV) tuning a Pipeline.

Like RandomizedSearchCV, but the candidates come from a study (TPE), which adapts to the
scores seen so far. Parameters of pipeline steps are named ``step__param`` (needs
scikit-learn).
"""

from sklearn.datasets import load_breast_cancer
from sklearn.decomposition import PCA
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from trimtab.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from trimtab.integration import OptunaSearchCV

if __name__ == "__main__":
    x, y = load_breast_cancer(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(x, y, random_state=0, stratify=y)
    pipeline = Pipeline(
        [
            ("scale", StandardScaler()),
            ("pca", PCA(random_state=0)),
            ("clf", SGDClassifier(random_state=0)),
        ]
    )
    search = OptunaSearchCV(
        pipeline,
        {
            "pca__n_components": IntDistribution(2, 20),
            "clf__alpha": FloatDistribution(1e-6, 1e-1, log=True),
            "clf__loss": CategoricalDistribution(["hinge", "log_loss", "modified_huber"]),
        },
        cv=3,
        n_trials=20,
        scoring="accuracy",
        random_state=0,
    )
    search.fit(x_train, y_train)
    print(f"Trials: {search.n_trials_}")
    print(f"Best cross-validated accuracy: {search.best_score_:.4f}")
    print(f"Best params: {search.best_params_}")
    print(f"Held-out accuracy of the refit pipeline: {search.score(x_test, y_test):.4f}")

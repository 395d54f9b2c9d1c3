"""Problems of the suite benchmark (``benchmarks.quality_suite``) that the older benchmarks lack.

Every objective is minimised. Instances (peak positions, rotations) are fixed per problem, so
the seed only drives the sampler and the noise: runs with different seeds are repeats of one
problem, which the Mann-Whitney tests of the suite assume.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from benchmarks._functions import Objective, floats


def rastrigin_rotated(d: int, instance: int = 1) -> Callable[[int], Objective]:
    """BBOB f15-like: a shifted, rotated, ill-conditioned Rastrigin in [-5, 5]^d.

    The optimum (value 0) is at a random point, not at the centre of the box, and the
    axes are rotated, so separable or centre-seeking searches get no free help.
    """
    rng = np.random.RandomState(20_000 + instance)
    optimum = rng.uniform(-4.0, 4.0, d)
    rotation = np.linalg.qr(rng.standard_normal((d, d)))[0]
    scales = 10.0 ** (0.5 * np.arange(d) / max(d - 1, 1))

    def f(t: Any) -> float:
        z = scales * (rotation @ (floats(t, d, -5.0, 5.0) - optimum))
        return float(10 * d + np.sum(z**2 - 10 * np.cos(2 * math.pi * z)))

    return lambda seed: f


def gallagher(d: int, peaks: int = 21, instance: int = 1) -> Callable[[int], Objective]:
    """BBOB f21/f22-like: ``peaks`` rotated, ill-conditioned Gaussian peaks in [-5, 5]^d.

    The highest peak (10) is the optimum (value 0); the others are 1.1-9.1 high, so a
    search that settles on the first good basin it meets is trapped.
    """
    rng = np.random.RandomState(10_000 + instance)
    centres = rng.uniform(-4.9, 4.9, (peaks, d))
    centres[0] = rng.uniform(-3.92, 3.92, d)
    heights = np.r_[10.0, 1.1 + 8.0 * np.arange(peaks - 1) / (peaks - 2)]
    alphas = np.r_[1000.0, 1000.0 ** (2.0 * rng.permutation(peaks - 1) / (peaks - 2))]
    scales = np.array([a ** (rng.permutation(d) / (d - 1)) / a**0.25 for a in alphas])
    rotation = np.linalg.qr(rng.standard_normal((d, d)))[0]

    def f(t: Any) -> float:
        z = (floats(t, d, -5.0, 5.0) - centres) @ rotation.T
        quad = np.sum(scales * z**2, axis=1) / (2.0 * d)
        return float(10.0 - np.max(heights * np.exp(-quad)))

    return lambda seed: f


def trap_branch(seed: int) -> Objective:
    """A conditional space whose broad branch is a trap.

    ``branch="wide"``: a gentle bowl over two wide floats, never below 1.0 - almost every
    sample there scores 1.0-1.5. ``branch="narrow"``: two floats and an int whose values
    are ~2.0 (worse than anything in the wide branch) except in a small basin that reaches
    0.0. A random narrow sample lands below 1.0 about 4% of the time.
    """

    def f(t: Any) -> float:
        if t.suggest_categorical("branch", ["wide", "narrow"]) == "wide":
            x = t.suggest_float("wide_x", -10.0, 10.0)
            y = t.suggest_float("wide_y", -10.0, 10.0)
            return 1.0 + 0.002 * ((x - 3.0) ** 2 + (y + 4.0) ** 2)
        u = t.suggest_float("narrow_u", 0.0, 1.0)
        v = t.suggest_float("narrow_v", 0.0, 1.0)
        k = t.suggest_int("narrow_k", 1, 10)
        d2 = ((u - 0.71) ** 2 + (v - 0.23) ** 2) / 0.12**2 + 0.1 * (k - 7) ** 2
        return 2.0 - 2.0 * math.exp(-d2 / 2.0)

    return f


def _boosting_error(t: Any) -> float:
    lr = math.log10(t.suggest_float("gb_learning_rate", 1e-3, 1.0, log=True))
    n = math.log10(t.suggest_int("gb_n_estimators", 10, 2000, log=True))
    depth = t.suggest_int("gb_max_depth", 1, 10)
    subsample = t.suggest_float("gb_subsample", 0.5, 1.0)
    # Learning rate and number of trees trade off: a ridge along lr * n = const.
    ridge = (lr + 0.8 * (n - 2.5) + 1.3) ** 2
    return 0.05 + 0.12 * ridge + 0.01 * (depth - 4) ** 2 + 0.3 * (subsample - 0.8) ** 2


def _svm_error(t: Any) -> float:
    c = math.log10(t.suggest_float("svm_C", 1e-3, 1e3, log=True))
    kernel = t.suggest_categorical("svm_kernel", ["rbf", "poly", "linear"])
    if kernel == "linear":
        return 0.19 + 0.01 * (c - 0.0) ** 2
    gamma = math.log10(t.suggest_float("svm_gamma", 1e-5, 1e1, log=True))
    base = 0.08 if kernel == "rbf" else 0.13
    return base + 0.03 * (c - 1.2) ** 2 + 0.08 * (gamma + 2.6) ** 2


def _forest_error(t: Any) -> float:
    n = math.log10(t.suggest_int("rf_n_estimators", 10, 1000, log=True))
    depth = t.suggest_int("rf_max_depth", 2, 32)
    features = t.suggest_float("rf_max_features", 0.1, 1.0)
    return 0.1 + 0.02 * (n - 2.5) ** 2 + 0.0005 * (depth - 18) ** 2 + 0.2 * (features - 0.35) ** 2


def _knn_error(t: Any) -> float:
    k = t.suggest_int("knn_k", 1, 100)
    weights = t.suggest_categorical("knn_weights", ["uniform", "distance"])
    return 0.16 + 0.00005 * (k - 15) ** 2 + (0.01 if weights == "uniform" else 0.0)


def _logreg_error(t: Any) -> float:
    c = math.log10(t.suggest_float("lr_C", 1e-4, 1e2, log=True))
    return 0.2 + 0.02 * (c - 0.5) ** 2


_MODELS: dict[str, Callable[[Any], float]] = {
    "logreg": _logreg_error,
    "svm": _svm_error,
    "forest": _forest_error,
    "knn": _knn_error,
    "boosting": _boosting_error,
}


def model_choice(seed: int) -> Objective:
    """A classifier choice, each classifier with its own parameters (a validation error).

    The best model (boosting, 0.05) has a narrow ridge between learning rate and number of
    trees; an RBF SVM (0.08) and a forest (0.10) are easier to get near their best. Errors
    saturate at 0.5 (chance level).
    """

    def f(t: Any) -> float:
        name = t.suggest_categorical("classifier", list(_MODELS))
        return min(0.5, _MODELS[name](t))

    return f


def noisy_hpo(seed: int) -> Objective:
    """A synthetic validation loss with evaluation noise (sd 0.03) over a typical net's space.

    The noiseless value is stored in the user attribute ``"noiseless"``; the suite scores a
    run by the noiseless value of its best reported trial.
    """

    def f(t: Any) -> float:
        opt = t.suggest_categorical("optimizer", ["sgd", "adam", "rmsprop"])
        lr = math.log10(t.suggest_float("lr", 1e-6, 1.0, log=True))
        wd = math.log10(t.suggest_float("weight_decay", 1e-7, 1e-1, log=True))
        layers = t.suggest_int("n_layers", 1, 8)
        units = math.log2(t.suggest_int("n_units", 8, 1024, log=True))
        dropout = t.suggest_float("dropout", 0.0, 0.6)
        best_lr = {"sgd": -1.5, "adam": -3.2, "rmsprop": -3.6}[opt]
        if lr > best_lr + 1.5:
            value = 2.303
        else:
            z = (
                (lr - best_lr) ** 2 + 0.15 * (wd + 4.5) ** 2 + ((units - 8.0) / 2.5) ** 2
                + 0.08 * (layers - 4) ** 2 + 3.0 * (dropout - 0.25) ** 2
            )
            value = 0.08 + (0.05 if opt == "sgd" else 0.0) + 2.2 * (1.0 - math.exp(-z / 4.0))
        t.set_user_attr("noiseless", value)
        noise = np.random.RandomState(seed * 100_003 + t.number).normal(0.0, 0.03)
        return value + float(noise)

    return f


def noiseless_best(study: Any) -> float:
    """The noiseless value of the best reported trial (for ``noisy_hpo``)."""
    return float(study.best_trial.user_attrs["noiseless"])


def sklearn_model_choice(seed: int) -> Objective:
    """Real model choice on the digits data (1,797 images): 3-fold CV error of one of four
    classifiers, each with its own parameters."""
    import warnings

    from sklearn.datasets import load_digits
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.svm import SVC

    x, y = load_digits(return_X_y=True)
    x = x / 16.0

    def f(t: Any) -> float:
        name = t.suggest_categorical("classifier", ["logreg", "svc", "forest", "knn"])
        model: Any
        if name == "logreg":
            model = LogisticRegression(C=t.suggest_float("lr_C", 1e-4, 1e2, log=True), max_iter=200)
        elif name == "svc":
            model = SVC(
                C=t.suggest_float("svc_C", 1e-3, 1e3, log=True),
                gamma=t.suggest_float("svc_gamma", 1e-5, 1e1, log=True),
            )
        elif name == "forest":
            model = RandomForestClassifier(
                n_estimators=t.suggest_int("rf_n_estimators", 5, 60, log=True),
                max_depth=t.suggest_int("rf_max_depth", 2, 24),
                max_features=t.suggest_float("rf_max_features", 0.05, 1.0),
                random_state=0,
            )
        else:
            model = KNeighborsClassifier(
                n_neighbors=t.suggest_int("knn_k", 1, 50),
                weights=t.suggest_categorical("knn_weights", ["uniform", "distance"]),
            )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return 1.0 - float(np.mean(cross_val_score(model, x, y, cv=3)))

    return f

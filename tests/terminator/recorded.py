"""Recorded studies for comparing the terminator with Optuna 5.0's, and the comparison itself.

Each study is recorded once with trimtab (seeded TPE), then its trials are given unchanged to
both libraries' evaluators; ``stopping_trials`` walks the prefixes of the study as the
``Terminator`` would after each trial and returns where each library stops.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import trimtab
import trimtab.terminator

MAX_TRIALS = 60


def _svc_wine(trial: Any, seed: int) -> float:
    from sklearn.datasets import load_wine
    from sklearn.model_selection import KFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    X, y = load_wine(return_X_y=True)
    model = make_pipeline(
        StandardScaler(),
        SVC(
            C=trial.suggest_float("C", 1e-4, 1e2, log=True),
            gamma=trial.suggest_float("gamma", 1e-4, 1e1, log=True),
            kernel=trial.suggest_categorical("kernel", ["rbf", "sigmoid"]),
        ),
    )
    scores = cross_val_score(model, X, y, cv=KFold(5, shuffle=True, random_state=seed))
    trimtab.terminator.report_cross_validation_scores(trial, scores)
    return float(scores.mean())


def _logreg_cancer(trial: Any, seed: int) -> float:
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import KFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = load_breast_cancer(return_X_y=True)
    model = make_pipeline(
        StandardScaler(),
        LogisticRegression(
            C=trial.suggest_float("C", 1e-5, 1e2, log=True),
            l1_ratio=trial.suggest_float("l1_ratio", 0.0, 1.0),
            solver="saga",
            random_state=0,
            max_iter=trial.suggest_int("max_iter", 20, 200, step=20),
        ),
    )
    scores = cross_val_score(model, X, y, cv=KFold(5, shuffle=True, random_state=seed))
    trimtab.terminator.report_cross_validation_scores(trial, scores)
    return float(scores.mean())


def _sphere(trial: Any, seed: int) -> float:
    return sum(trial.suggest_float(f"x{i}", -10.0, 10.0) ** 2 for i in range(5))


def _mixed(trial: Any, seed: int) -> float:
    x = trial.suggest_float("x", -5.0, 5.0)
    lr = trial.suggest_float("lr", 1e-5, 1.0, log=True)
    n = trial.suggest_int("n", 1, 8)
    c = trial.suggest_categorical("c", ["a", "b", "c"])
    return x**2 + 0.3 * np.log10(lr) ** 2 + 0.1 * (n - 3) ** 2 + {"a": 0.0, "b": 3.0, "c": 1.0}[c]


@dataclass(frozen=True)
class Case:
    """A recorded study and the terminator configuration it is judged with."""

    name: str
    objective: Callable[[Any, int], float]
    direction: str
    seed: int
    evaluators: str  # "regret+cv", "emmr+median", "regret+static", "stagnation"


CASES = [
    Case("svc-wine-cv", _svc_wine, "maximize", 0, "regret+cv"),
    Case("svc-wine-cv-seed1", _svc_wine, "maximize", 1, "regret+cv"),
    Case("logreg-cancer-cv", _logreg_cancer, "maximize", 7, "regret+cv"),
    Case("sphere5-emmr", _sphere, "minimize", 0, "emmr+median"),
    Case("sphere5-emmr-seed3", _sphere, "minimize", 3, "emmr+median"),
    Case("mixed-emmr", _mixed, "minimize", 4, "emmr+median"),
    Case("mixed-regret-static", _mixed, "minimize", 8, "regret+static"),
    Case("sphere5-stagnation", _sphere, "minimize", 6, "stagnation"),
]


def record(case: Case, n_trials: int = MAX_TRIALS) -> trimtab.Study:
    """Run ``case``'s objective with a seeded trimtab TPE sampler."""
    study = trimtab.create_study(
        direction=case.direction, sampler=trimtab.samplers.TPESampler(seed=case.seed)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study.optimize(lambda t: case.objective(t, case.seed), n_trials=n_trials)
    return study


def to_optuna(trials: list[trimtab.trial.FrozenTrial]) -> list[Any]:
    """The same trials as Optuna ``FrozenTrial`` objects (params, values, system attrs)."""
    import optuna
    import optuna.terminator  # noqa: F401  (``evaluators`` reads it as an attribute)

    def dist(d: Any) -> Any:
        return optuna.distributions.json_to_distribution(
            trimtab.distributions.distribution_to_json(d)
        )

    return [
        optuna.trial.create_trial(
            params=t.params,
            distributions={k: dist(d) for k, d in t.distributions.items()},
            value=t.value,
            system_attrs=t.system_attrs,
        )
        for t in trials
    ]


def evaluators(lib: Any, kind: str) -> tuple[Any, Any]:
    """(improvement, error) evaluators of ``lib.terminator`` for a configuration name."""
    term = lib.terminator
    if kind == "regret+cv":
        return term.RegretBoundEvaluator(seed=0), term.CrossValidationErrorEvaluator()
    if kind == "regret+static":
        return term.RegretBoundEvaluator(seed=0), term.StaticErrorEvaluator(0.5)
    if kind == "emmr+median":
        return term.EMMREvaluator(seed=0), term.MedianErrorEvaluator(term.EMMREvaluator(seed=0))
    return term.BestValueStagnationEvaluator(10), term.StaticErrorEvaluator(0)


@dataclass
class Walk:
    """Where one library's terminator stops on a recorded study, and what it computed."""

    stop: int | None  # number of complete trials at the first ``improvement < error``
    improvements: list[float]
    errors: list[float]
    seconds: float


def walk(lib: Any, trials: list[Any], direction: Any, kind: str, min_n_trials: int = 20,
         until: int | None = None, stop_early: bool = False) -> Walk:
    """Evaluate after each trial (from ``min_n_trials``) as ``Terminator.should_terminate``.

    Walks to ``until`` complete trials (default: the end of the study), or with
    ``stop_early`` only to the first stop.
    """
    import time

    improvement, error = evaluators(lib, kind)
    out = Walk(None, [], [], 0.0)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for n in range(min_n_trials, (until or len(trials)) + 1):
            imp = improvement.evaluate(trials[:n], direction)
            err = error.evaluate(trials[:n], direction)
            out.improvements.append(imp)
            out.errors.append(err)
            if out.stop is None and imp < err:
                out.stop = n
                if stop_early:
                    break
    out.seconds = time.perf_counter() - start
    return out

"""Small studies built with ``add_trials(create_trial(...))``, identically in trimtab and Optuna."""

from __future__ import annotations

import datetime
from types import ModuleType
from typing import Any

import numpy as np

START = datetime.datetime(2024, 1, 1, 12, 0, 0)


def distributions(mod: ModuleType) -> dict[str, Any]:
    d = mod.distributions
    return {
        "x": d.FloatDistribution(-5.0, 5.0),
        "lr": d.FloatDistribution(1e-5, 1.0, log=True),
        "n": d.IntDistribution(1, 8),
        "c": d.CategoricalDistribution(["a", "b", "c"]),
    }


def objective(p: dict[str, Any]) -> float:
    return p["x"] ** 2 + 0.3 * np.log10(p["lr"]) ** 2 + {"a": 0.0, "b": 3.0, "c": 1.0}[p["c"]]


def sample_params(rng: np.random.Generator) -> dict[str, Any]:
    return {
        "x": float(rng.uniform(-5, 5)),
        "lr": float(np.exp(rng.uniform(np.log(1e-5), 0.0))),
        "n": int(rng.integers(1, 9)),
        "c": ["a", "b", "c"][int(rng.integers(3))],
    }


def build(
    mod: ModuleType,
    n: int = 40,
    *,
    seed: int = 0,
    direction: str = "minimize",
    constraints: bool = False,
    pruned_every: int = 0,
    name: str | None = None,
) -> Any:
    """A single-objective study of ``n`` trials over x, lr (log), n (int), c (categorical).

    Every trial reports intermediate values; with ``pruned_every`` k, every k-th trial is
    PRUNED; with ``constraints``, trials with x > 2 are infeasible.
    """
    rng = np.random.default_rng(seed)
    study = mod.create_study(direction=direction, study_name=name)
    dists = distributions(mod)
    trials = []
    for i in range(n):
        params = sample_params(rng)
        value = objective(params)
        pruned = pruned_every and i % pruned_every == pruned_every - 1
        kwargs: dict[str, Any] = {}
        if constraints:
            kwargs["constraints"] = {"c0": params["x"] - 2.0}
        trial = mod.trial.create_trial(
            params=params,
            distributions=dists,
            state=mod.trial.TrialState.PRUNED if pruned else mod.trial.TrialState.COMPLETE,
            value=None if pruned else value,
            intermediate_values={s: value + 1.0 / (s + 1) for s in range(3)},
            **kwargs,
        )
        trial.datetime_start = START + datetime.timedelta(seconds=2 * i)
        trial.datetime_complete = START + datetime.timedelta(seconds=2 * i + 1)
        trials.append(trial)
    study.add_trials(trials)
    return study


def build_multi(mod: ModuleType, n: int = 30, *, seed: int = 0, n_objectives: int = 2) -> Any:
    """A multi-objective study (minimize, maximize[, minimize]) over x and y."""
    rng = np.random.default_rng(seed)
    directions = ["minimize", "maximize", "minimize"][:n_objectives]
    study = mod.create_study(directions=directions)
    d = mod.distributions
    dists = {"x": d.FloatDistribution(0.0, 1.0), "y": d.FloatDistribution(0.0, 1.0)}
    trials = []
    for i in range(n):
        x, y = float(rng.uniform()), float(rng.uniform())
        values = [x, 1.0 - (1.0 - x) ** 2 * y, x * y][:n_objectives]
        kwargs = {"constraints": {"c": 0.6 - x}} if i % 3 == 0 else {}
        trial = mod.trial.create_trial(
            params={"x": x, "y": y}, distributions=dists, values=values, **kwargs
        )
        trials.append(trial)
    study.add_trials(trials)
    return study

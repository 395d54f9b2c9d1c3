"""Side by side with Optuna 5.0.0: the same learning curves get the same pruning decisions."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import trimtab

optuna = pytest.importorskip("optuna")

N_TRIALS, N_STEPS = 50, 30


def recorded_curves(seed: int) -> np.ndarray:
    """Learning curves that cross (fast starters that plateau high), noisy, a few NaNs."""
    rng = np.random.default_rng(seed)
    rates = rng.uniform(0.02, 0.4, N_TRIALS)
    finals = rng.uniform(0.0, 1.0, N_TRIALS)
    steps = np.arange(N_STEPS)
    curves = finals[:, None] + 2.0 * np.exp(-rates[:, None] * steps)
    curves += rng.normal(0.0, 0.05, curves.shape)
    curves[rng.integers(N_TRIALS, size=3), rng.integers(N_STEPS, size=3)] = np.nan
    return curves


def run(lib: Any, pruner: Any, curves: np.ndarray, direction: str) -> list[tuple]:
    def objective(trial: Any) -> float:
        trial.suggest_float("x", 0.0, 1.0)
        for step in range(N_STEPS):
            trial.report(float(curves[trial.number, step]), step)
            if trial.should_prune():
                raise lib.TrialPruned()
        last = float(curves[trial.number, -1])
        return last if last == last else 0.0

    study = lib.create_study(
        study_name="side-by-side",
        direction=direction,
        pruner=pruner,
        sampler=lib.samplers.RandomSampler(seed=0),
    )
    study.optimize(objective, n_trials=N_TRIALS)
    return [
        (
            t.state.name,
            t.value,
            max(t.intermediate_values),
            sorted((k, v) for k, v in t.system_attrs.items() if k.startswith("completed_rung")),
        )
        for t in study.trials
    ]


CONFIGS = [
    ("MedianPruner", {}),
    ("MedianPruner", dict(n_startup_trials=3, n_warmup_steps=5, interval_steps=3)),
    ("MedianPruner", dict(n_startup_trials=2, n_min_trials=4)),
    ("PercentilePruner", dict(percentile=25.0, n_warmup_steps=2)),
    ("PercentilePruner", dict(percentile=80.0, interval_steps=4)),
    ("SuccessiveHalvingPruner", {}),
    ("SuccessiveHalvingPruner", dict(min_resource=1, reduction_factor=3)),
    ("SuccessiveHalvingPruner", dict(min_resource=2, reduction_factor=2, bootstrap_count=2)),
    (
        "SuccessiveHalvingPruner",
        dict(min_resource=1, reduction_factor=4, min_early_stopping_rate=1),
    ),
    ("HyperbandPruner", {}),
    ("HyperbandPruner", dict(min_resource=1, max_resource=N_STEPS, reduction_factor=2)),
    ("HyperbandPruner", dict(min_resource=2, max_resource=N_STEPS, reduction_factor=3)),
    ("ThresholdPruner", dict(upper=1.5, n_warmup_steps=4)),
    ("ThresholdPruner", dict(lower=0.3, interval_steps=5)),
    ("PatientPruner", dict(wrapped_pruner=None, patience=3)),
    ("PatientPruner", dict(wrapped_pruner="MedianPruner", patience=2, min_delta=0.01)),
]


def build(lib: Any, name: str, kwargs: dict) -> Any:
    kwargs = dict(kwargs)
    if isinstance(kwargs.get("wrapped_pruner"), str):
        kwargs["wrapped_pruner"] = getattr(lib.pruners, kwargs["wrapped_pruner"])()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return getattr(lib.pruners, name)(**kwargs)


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
@pytest.mark.parametrize(
    "name, kwargs", CONFIGS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CONFIGS)]
)
def test_same_decisions_as_optuna(name: str, kwargs: dict, direction: str) -> None:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    trimtab.logging.set_verbosity(trimtab.logging.WARNING)
    curves = recorded_curves(seed=len(name) + len(kwargs))
    if direction == "maximize":
        curves = -curves  # learning curves that rise
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = run(optuna, build(optuna, name, kwargs), curves, direction)
        ours = run(trimtab, build(trimtab, name, kwargs), curves, direction)
    assert ours == theirs
    if name != "ThresholdPruner" or "upper" in kwargs:
        assert any(state == "PRUNED" for state, *_ in ours)  # the comparison is not vacuous


def run_instances(lib: Any, pruner: Any, scores: np.ndarray, direction: str) -> list[tuple]:
    """Per-instance objectives (k-fold style), instances visited in a per-trial order."""
    n_trials, n_instances = scores.shape

    def objective(trial: Any) -> float:
        order = np.random.default_rng(trial.number).permutation(n_instances)
        seen = []
        for instance in order:
            seen.append(float(scores[trial.number, instance]))
            trial.report(seen[-1], int(instance))
            if trial.should_prune():
                return float(np.mean(seen))
        return float(np.mean(seen))

    study = lib.create_study(direction=direction, pruner=pruner)
    study.optimize(objective, n_trials=n_trials)
    return [(t.state.name, len(t.intermediate_values), t.value) for t in study.trials]


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
@pytest.mark.parametrize("rounding", [None, 1])
def test_wilcoxon_same_decisions_as_optuna(direction: str, rounding: int | None) -> None:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    trimtab.logging.set_verbosity(trimtab.logging.WARNING)
    rng = np.random.default_rng(7)
    scores = rng.normal(0.0, 1.0, (1, 12)) + rng.normal(0.0, 0.5, (25, 1))
    scores = scores + rng.normal(0.0, 0.2, scores.shape)
    if rounding is not None:
        scores = np.round(scores, rounding)  # ties and zero differences
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = run_instances(
            optuna, optuna.pruners.WilcoxonPruner(p_threshold=0.2), scores, direction
        )
        ours = run_instances(
            trimtab, trimtab.pruners.WilcoxonPruner(p_threshold=0.2), scores, direction
        )
    assert ours == theirs
    assert any(n < 12 for _, n, _ in ours)


BAD_ARGUMENTS = [
    ("MedianPruner", dict(n_startup_trials=-1)),
    ("MedianPruner", dict(n_warmup_steps=-1)),
    ("MedianPruner", dict(interval_steps=0)),
    ("MedianPruner", dict(n_min_trials=0)),
    ("PercentilePruner", dict(percentile=101.0)),
    ("SuccessiveHalvingPruner", dict(min_resource="x")),
    ("SuccessiveHalvingPruner", dict(min_resource=0)),
    ("SuccessiveHalvingPruner", dict(reduction_factor=1)),
    ("SuccessiveHalvingPruner", dict(min_early_stopping_rate=-1)),
    ("SuccessiveHalvingPruner", dict(min_resource=1, bootstrap_count=-1)),
    ("SuccessiveHalvingPruner", dict(bootstrap_count=1)),
    ("HyperbandPruner", dict(max_resource="x")),
    ("HyperbandPruner", dict(bootstrap_count=2)),
    ("ThresholdPruner", dict()),
    ("ThresholdPruner", dict(lower="x")),
    ("ThresholdPruner", dict(lower=1.0, upper=0.0)),
    ("ThresholdPruner", dict(upper=1.0, n_warmup_steps=-1)),
    ("ThresholdPruner", dict(upper=1.0, interval_steps=0)),
    ("PatientPruner", dict(wrapped_pruner=None, patience=-1)),
    ("PatientPruner", dict(wrapped_pruner=None, patience=1, min_delta=-1.0)),
    ("WilcoxonPruner", dict(p_threshold=2.0)),
    ("WilcoxonPruner", dict(n_startup_steps=-1)),
]


@pytest.mark.parametrize("name, kwargs", BAD_ARGUMENTS)
def test_bad_arguments_raise_what_optuna_raises(name: str, kwargs: dict) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as theirs:
            getattr(optuna.pruners, name)(**kwargs)
        with pytest.raises(Exception) as ours:
            getattr(trimtab.pruners, name)(**kwargs)
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value) == str(theirs.value)


def test_report_semantics_match_optuna() -> None:
    def exercise(lib: Any) -> list[Any]:
        study = lib.create_study()
        trial = study.ask()
        out: list[Any] = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            trial.report(1.0, 0)
            trial.report(2.0, 0)  # kept: 1.0
            trial.report(float("nan"), 1)
            trial.report(np.float32(0.5), np.int64(2))
            trial.report("0.25", 3.0)  # type: ignore[arg-type]
        out.append([str(w.message) for w in caught])
        for value, step in ((object(), 4), (1.0, "x"), (1.0, -1)):
            try:
                trial.report(value, step)
            except Exception as err:  # noqa: BLE001
                out.append((type(err).__name__, str(err)))
        frozen = study.tell(trial, state=lib.trial.TrialState.PRUNED)
        iv = dict(frozen.intermediate_values)
        out.append((sorted(iv), iv[0], np.isnan(iv[1]), iv[2], iv[3], frozen.value))
        multi = lib.create_study(directions=["minimize", "minimize"]).ask()
        for call in (lambda: multi.report(1.0, 0), multi.should_prune):
            with pytest.raises(NotImplementedError) as err:
                call()
            out.append(str(err.value))
        return out

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    trimtab.logging.set_verbosity(trimtab.logging.WARNING)
    assert exercise(trimtab) == exercise(optuna)

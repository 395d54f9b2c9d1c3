"""CmaEsSampler: search quality, persisted state, resume, options, warm start, bad input."""

from __future__ import annotations

import json
import warnings
from typing import Any

import numpy as np
import pytest

import trimtab
from trimtab.distributions import BaseDistribution
from trimtab.exceptions import TrialPruned
from trimtab.samplers import BaseSampler, CmaEsSampler, RandomSampler
from trimtab.samplers._cmaes._snapshot import from_snapshot
from trimtab.testing.samplers import SamplerContract
from trimtab.trial import FrozenTrial, Trial

trimtab.logging.set_verbosity(trimtab.logging.WARNING)


def _make(**kwargs: Any) -> CmaEsSampler:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CmaEsSampler(**kwargs)


class TestCmaEsContract(SamplerContract):
    def make_sampler(self, seed: int | None = None) -> BaseSampler:
        return _make(seed=seed, warn_independent_sampling=False, popsize=4)


def _sphere(dim: int, centre: float = 0.3) -> Any:
    def objective(trial: Trial) -> float:
        x = np.array([trial.suggest_float(f"x{i}", -5, 5) for i in range(dim)])
        return float(((x - centre) ** 2).sum())

    return objective


def _state(trial: FrozenTrial, prefix: str = "cma") -> dict[str, Any]:
    record = trial.system_attrs[f"{prefix}:state"]
    assert record["version"] == 1
    return record["state"]


def test_beats_random_search() -> None:
    def best(sampler: BaseSampler) -> float:
        study = trimtab.create_study(sampler=sampler)
        study.optimize(_sphere(6), n_trials=150)
        return study.best_value

    assert best(_make(seed=0)) < best(RandomSampler(seed=0)) / 5


def test_state_is_versioned_json_and_restores_the_optimizer() -> None:
    study = trimtab.create_study(sampler=_make(seed=0, popsize=5))
    study.optimize(_sphere(3), n_trials=16)
    generations = [t.system_attrs.get("cma:generation") for t in study.trials]
    assert generations == [None] + [0] * 5 + [1] * 5 + [2] * 5
    openers = [t for t in study.trials[1:] if "optimizer" in _state(t)]
    assert [t.number for t in openers] == [6, 11]
    snapshot = json.loads(json.dumps(_state(openers[-1])["optimizer"]))
    optimizer = from_snapshot(snapshot)
    assert optimizer.generation == 2 and optimizer.population_size == 5
    assert np.all(np.isfinite(optimizer._C))


def test_resumed_study_continues_the_same_search() -> None:
    study = trimtab.create_study(sampler=_make(seed=0, popsize=4))
    study.optimize(_sphere(3), n_trials=13)
    resumed = trimtab.load_study(
        study_name=study.study_name, storage=study._storage, sampler=_make(seed=1, popsize=4)
    )
    resumed.optimize(_sphere(3), n_trials=8)
    generations = [t.system_attrs.get("cma:generation") for t in resumed.trials]
    assert generations[13:] == [3] * 4 + [4] * 4


def test_two_workers_share_one_search() -> None:
    study = trimtab.create_study(sampler=_make(seed=0, popsize=4))
    other = trimtab.load_study(
        study_name=study.study_name, storage=study._storage, sampler=_make(seed=1, popsize=4)
    )
    objective = _sphere(2)
    for i in range(41):
        current = study if i % 2 == 0 else other
        trial = current.ask()
        current.tell(trial, objective(trial))
    generations = [t.system_attrs.get("cma:generation") for t in study.trials][1:]
    assert generations == sorted(generations) and generations[-1] == 9
    assert study.best_value < 0.5


def test_maximize_direction() -> None:
    study = trimtab.create_study(direction="maximize", sampler=_make(seed=0))
    study.optimize(lambda t: -_sphere(3)(t), n_trials=120)
    assert study.best_value > -0.5


@pytest.mark.parametrize(
    "kwargs,prefix",
    [
        ({"use_separable_cma": True}, "sepcma"),
        ({"with_margin": True}, "cmawm"),
        ({"lr_adapt": True}, "cma"),
    ],
)
def test_variants_run_mixed_integer_spaces(kwargs: dict[str, Any], prefix: str) -> None:
    study = trimtab.create_study(sampler=_make(seed=0, **kwargs))

    def objective(trial: Trial) -> float:
        x = trial.suggest_float("x", -3, 3)
        n = trial.suggest_int("n", -5, 5)
        q = trial.suggest_float("q", 0, 1, step=0.1)
        lr = trial.suggest_float("lr", 1e-4, 1, log=True)
        return x**2 + (n - 2) ** 2 + q + abs(np.log10(lr) + 2)

    study.optimize(objective, n_trials=80)
    assert _state(study.trials[-1], prefix)["generation"] > 3
    assert study.best_value < 2.0
    if prefix == "cmawm":
        assert all("x_for_tell" in _state(t, prefix) for t in study.trials[1:])


def test_x0_and_sigma0_set_the_start() -> None:
    with pytest.warns(FutureWarning) as record:
        sampler = CmaEsSampler(x0={"x": 4.0, "y": -4.0}, sigma0=1e-3, seed=0)
    assert {str(w.message)[:8] for w in record} == {"`x0` has", "`sigma0`"}
    study = trimtab.create_study(sampler=sampler)
    study.optimize(lambda t: t.suggest_float("x", -5, 5) + t.suggest_float("y", -5, 5), 4)
    for trial in study.trials[1:]:
        assert trial.params["x"] == pytest.approx(4.0, abs=0.1)
        assert trial.params["y"] == pytest.approx(-4.0, abs=0.1)


def test_source_trials_warm_start_near_the_old_optimum() -> None:
    source = trimtab.create_study(sampler=_make(seed=0))
    source.optimize(_sphere(2, centre=2.0), n_trials=60)
    with pytest.warns(trimtab.exceptions.ExperimentalWarning):
        sampler = CmaEsSampler(source_trials=source.trials, seed=0, n_startup_trials=0)
    study = trimtab.create_study(sampler=sampler)
    study.optimize(_sphere(2, centre=2.0), n_trials=6)
    xs = np.array([[t.params["x0"], t.params["x1"]] for t in study.trials])
    assert np.abs(xs.mean(axis=0) - 2.0).max() < 1.5


def test_pruned_trials_are_used_when_asked() -> None:
    def objective(trial: Trial) -> float:
        value = _sphere(2)(trial)
        trial.report(value, 0)
        if trial.number % 2:
            raise TrialPruned()
        return value

    sampler = _make(seed=0, popsize=4, consider_pruned_trials=True)
    study = trimtab.create_study(sampler=sampler)
    study.optimize(objective, n_trials=21)
    assert _state(study.trials[-1])["generation"] == 4
    plain = trimtab.create_study(sampler=_make(seed=0, popsize=4))
    plain.optimize(objective, n_trials=21)
    assert _state(plain.trials[-1])["generation"] == 2


def test_categorical_parameters_go_to_the_independent_sampler() -> None:
    calls: list[str] = []

    class Recording(RandomSampler):
        def sample_independent(
            self, study: Any, trial: FrozenTrial, name: str, dist: BaseDistribution
        ) -> Any:
            calls.append(name)
            return super().sample_independent(study, trial, name, dist)

    sampler = _make(seed=0, independent_sampler=Recording(seed=0), warn_independent_sampling=False)
    study = trimtab.create_study(sampler=sampler)
    study.optimize(
        lambda t: t.suggest_float("x", 0, 1) + len(t.suggest_categorical("c", ["a", "bb"])), 10
    )
    assert calls.count("c") == 10 and calls.count("x") == 1


def test_multi_objective_is_rejected() -> None:
    study = trimtab.create_study(directions=["minimize", "minimize"], sampler=_make(seed=0))
    with pytest.raises(ValueError, match="multi-objective"):
        study.optimize(lambda t: (t.suggest_float("x", 0, 1), 0.0), n_trials=2)


def test_constraints_warn() -> None:
    study = trimtab.create_study(sampler=_make(seed=0))

    def objective(trial: Trial) -> float:
        trial.set_constraint("c", 1.0)
        return trial.suggest_float("x", 0, 1)

    with pytest.warns(UserWarning, match="Constraints have been set"):
        study.optimize(objective, n_trials=1)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"sigma0": 0.0}, "sigma0"),
        ({"sigma0": -1.0}, "sigma0"),
        ({"restart_strategy": "random"}, "restart_strategy"),
        ({"popsize": 1}, "popsize"),
        ({"inc_popsize": 0}, "inc_popsize"),
        ({"n_startup_trials": -1}, "n_startup_trials"),
        ({"source_trials": [], "x0": {"x": 1.0}}, "source_trials"),
        ({"source_trials": [], "use_separable_cma": True}, "source_trials"),
        ({"lr_adapt": True, "with_margin": True}, "lr_adapt"),
        ({"use_separable_cma": True, "with_margin": True}, "with_margin"),
    ],
)
def test_bad_arguments(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        _make(**kwargs)


def _worker(url: str, name: str, seed: int) -> None:
    import warnings as _warnings

    import trimtab as _trimtab

    _trimtab.logging.set_verbosity(_trimtab.logging.WARNING)
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")
        sampler = _trimtab.samplers.CmaEsSampler(seed=seed, popsize=4)
    study = _trimtab.load_study(study_name=name, storage=url, sampler=sampler)
    study.optimize(_sphere(3), n_trials=16)


def test_worker_processes_continue_one_search(tmp_path: Any) -> None:
    import multiprocessing

    url = f"sqlite:///{tmp_path / 'cma.db'}"
    study = trimtab.create_study(storage=url, study_name="cma")
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_worker, args=(url, "cma", s)) for s in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
        assert w.exitcode == 0
    trials = study.get_trials()
    assert len(trials) == 32 and all(t.state.name == "COMPLETE" for t in trials)
    states = [_state(t) for t in trials if "cma:state" in t.system_attrs]
    # Both processes advanced the same optimizer: generations keep growing past what either
    # process alone (16 trials, popsize 4) could reach from a fresh start.
    assert max(s["generation"] for s in states) >= 5
    assert sum("optimizer" in s for s in states) >= 5

"""Copies of a sampler (pickle, deepcopy, a pickled study in worker processes): an unseeded
sampler's copies explore independently, a seeded sampler's copies reproduce it exactly."""

from __future__ import annotations

import copy
import multiprocessing
import pickle
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import trimtab
from trimtab.samplers import (
    AutoSampler,
    BaseSampler,
    BruteForceSampler,
    CmaEsSampler,
    GPSampler,
    GridSampler,
    NSGAIIISampler,
    NSGAIISampler,
    PartialFixedSampler,
    QMCSampler,
    RandomSampler,
    TPESampler,
)
from trimtab.samplers._rng import SamplerRandomState
from trimtab.storages import JournalStorage
from trimtab.storages.journal import JournalFileBackend
from trimtab.trial import Trial

_N_TRIALS = 6
_GRID = {"x": list(range(30)), "y": list(range(30))}

_FACTORIES: dict[str, Callable[[int | None], BaseSampler]] = {
    "random": lambda seed: RandomSampler(seed=seed),
    "tpe": lambda seed: TPESampler(seed=seed, n_startup_trials=3),
    "gp": lambda seed: GPSampler(seed=seed, n_startup_trials=3),
    "cmaes": lambda seed: CmaEsSampler(seed=seed, n_startup_trials=1),
    "nsgaii": lambda seed: NSGAIISampler(seed=seed, population_size=4),
    "nsgaiii": lambda seed: NSGAIIISampler(seed=seed, population_size=4),
    "brute_force": lambda seed: BruteForceSampler(seed=seed),
    "grid": lambda seed: GridSampler(_GRID, seed=seed),
    "partial_fixed": lambda seed: PartialFixedSampler({"z": 1.0}, TPESampler(seed=seed)),
    "auto": lambda seed: AutoSampler(seed=seed, n_startup_trials=3),
}


def _discrete(trial: Trial) -> float:
    x = trial.suggest_int("x", 0, 29)
    y = trial.suggest_int("y", 0, 29)
    return float((x - 3) ** 2 + (y - 7) ** 2)


def _continuous(trial: Trial) -> float:
    x = trial.suggest_float("x", -5.0, 5.0)
    y = trial.suggest_float("y", -5.0, 5.0)
    z = trial.suggest_float("z", -5.0, 5.0)
    return (x - 1.0) ** 2 + (y + 2.0) ** 2 + z**2


def _make(name: str, seed: int | None) -> BaseSampler:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _FACTORIES[name](seed)


def _proposals(sampler: BaseSampler, name: str) -> list[tuple[Any, ...]]:
    """The parameters ``sampler`` proposes on a fresh in-memory study."""
    objective = _discrete if name in ("grid", "brute_force") else _continuous
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = trimtab.create_study(sampler=sampler)
        study.optimize(objective, n_trials=_N_TRIALS)
    return [tuple(sorted(t.params.items())) for t in study.trials]


def _copies(sampler: BaseSampler) -> list[BaseSampler]:
    return [
        pickle.loads(pickle.dumps(sampler)),
        pickle.loads(pickle.dumps(sampler)),
        copy.deepcopy(sampler),
    ]


@pytest.mark.parametrize("name", sorted(set(_FACTORIES) - {"grid"}))
def test_unseeded_copies_propose_different_parameters(name: str) -> None:
    runs = [_proposals(c, name) for c in _copies(_make(name, None))]
    assert runs[0] != runs[1] and runs[0] != runs[2] and runs[1] != runs[2]


def test_unseeded_grid_copies_share_the_order_but_not_the_later_choices() -> None:
    """The shuffled grid order is the study's, the same in every worker (trial ``n`` takes
    grid point ``n``); the random choices once the grid is exhausted are each copy's own."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sampler = GridSampler({"x": [0, 1, 2, 3], "y": [0, 1, 2, 3]})
        runs = []
        for clone in _copies(sampler):
            study = trimtab.create_study(sampler=clone)
            study.optimize(_discrete, n_trials=16)  # the grid, then the study stops
            for _ in range(10):
                study.optimize(_discrete, n_trials=1)
            runs.append([(t.params["x"], t.params["y"]) for t in study.trials])
    assert runs[0][:16] == runs[1][:16] == runs[2][:16]
    assert len(set(runs[0][:16])) == 16
    assert runs[0][16:] != runs[1][16:] and runs[0][16:] != runs[2][16:]


@pytest.mark.parametrize("name", sorted(_FACTORIES))
def test_seeded_copies_reproduce_the_original(name: str) -> None:
    sampler = _make(name, 7)
    copies = _copies(sampler)
    expected = _proposals(sampler, name)
    for clone in copies:
        assert _proposals(clone, name) == expected


def test_unseeded_qmc_copies_share_one_scrambled_sequence() -> None:
    """Like Optuna: an unseeded QMCSampler draws its scrambling seed once, so its copies walk
    one sequence; on one study they continue it instead of repeating its points."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sampler = QMCSampler(warn_independent_sampling=False)
    first, second = pickle.loads(pickle.dumps(sampler)), copy.deepcopy(sampler)
    assert first._seed == second._seed == sampler._seed
    assert _proposals(first, "qmc")[1:] == _proposals(second, "qmc")[1:]
    study = trimtab.create_study(sampler=first)
    study.optimize(_continuous, n_trials=5)
    study.sampler = second
    study.optimize(_continuous, n_trials=5)
    points = [tuple(t.params.values()) for t in study.trials]
    assert len(set(points)) == 10


def test_random_state_copies() -> None:
    unseeded = SamplerRandomState()
    assert pickle.loads(pickle.dumps(unseeded)).rand() != copy.deepcopy(unseeded).rand()
    seeded = SamplerRandomState(3)
    seeded.rand()  # mid-stream: the copy continues from the same point
    clone = pickle.loads(pickle.dumps(seeded))
    assert type(clone) is SamplerRandomState
    assert clone.rand() == copy.deepcopy(seeded).rand() == seeded.rand()
    assert pickle.loads(pickle.dumps(clone)).rand() == clone.rand()  # copies of copies too
    # The same draws as a plain RandomState, so seeded results did not change.
    plain = np.random.RandomState(3).uniform(size=5).tolist()
    assert SamplerRandomState(3).uniform(size=5).tolist() == plain
    # A reseeded generator is unseeded from then on; a fixed seed may still give fresh copies.
    seeded.seed()
    assert pickle.loads(pickle.dumps(seeded)).rand() != pickle.loads(pickle.dumps(seeded)).rand()
    shuffled = SamplerRandomState(0, fresh_copies=True)
    assert copy.deepcopy(shuffled).rand() != copy.deepcopy(shuffled).rand()
    # Objects sharing one generator (NSGA-II's sampler and its strategy) still share one.
    pair = pickle.loads(pickle.dumps((unseeded, unseeded)))
    assert pair[0] is pair[1]


def test_pickled_study_copies_explore_independently() -> None:
    """Optuna's Dask example pickles the whole study into each task."""
    study = trimtab.create_study()
    runs = []
    for clone in (pickle.loads(pickle.dumps(study)), copy.deepcopy(study)):
        clone.optimize(_continuous, n_trials=3)
        runs.append([t.params for t in clone.trials])
    assert runs[0] != runs[1]


def _optimize_pickled(payloads: list[bytes]) -> None:
    for payload in payloads:
        study = pickle.loads(payload)
        study.optimize(_continuous, n_trials=10)


def test_worker_processes_unpickling_one_study_explore_independently(tmp_path: Path) -> None:
    """4 spawned workers each unpickle the same unseeded studies (random, TPE) on one journal."""
    storage = JournalStorage(JournalFileBackend(str(tmp_path / "journal.log")))
    studies = [
        trimtab.create_study(study_name=name, storage=storage, sampler=sampler)
        for name, sampler in (("random", RandomSampler()), ("tpe", TPESampler()))
    ]
    payloads = [pickle.dumps(study) for study in studies]
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_optimize_pickled, args=(payloads,)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(180)
        assert worker.exitcode == 0
    for study in studies:
        trials = study.get_trials()
        assert len(trials) == 40
        assert len({tuple(t.params.values()) for t in trials}) >= 38, study.study_name

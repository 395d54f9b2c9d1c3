"""CMA-ES optimizer snapshots: cmaes' pickling contract, the earlier format, field checks."""

from __future__ import annotations

import copy
import json
import pickle
import warnings
from typing import Any

import numpy as np
import pytest

import trimtab
from trimtab.samplers import CmaEsSampler
from trimtab.samplers._cmaes import _snapshot
from trimtab.samplers._cmaes._snapshot import from_snapshot, import_cmaes, to_snapshot
from trimtab.trial import Trial

trimtab.logging.set_verbosity(trimtab.logging.WARNING)
cmaes = pytest.importorskip("cmaes")


def _told(kind: str) -> Any:
    mean = np.zeros(3)
    if kind == "CMAwM":
        bounds = np.array([[-2.0, 2.0]] * 3)
        optimizer = cmaes.CMAwM(mean=mean, sigma=1.0, bounds=bounds, steps=np.array([0, 1, 0.5]))
    else:
        optimizer = getattr(cmaes, kind)(mean=mean, sigma=1.0, seed=3)
    for _ in range(3):
        asked = [optimizer.ask() for _ in range(optimizer.population_size)]
        xs = [a[1] if kind == "CMAwM" else a for a in asked]
        optimizer.tell([(x, float((x**2).sum())) for x in xs])
    return optimizer


def _legacy(optimizer: Any) -> dict[str, Any]:
    """A snapshot in the earlier stored format: the attributes, minus the random state."""
    attrs = {
        name: {"optimizer": _legacy(value)}
        if type(value).__name__ in ("CMA", "SepCMA")
        else _snapshot._encode(value)
        for name, value in vars(optimizer).items()
        if not isinstance(value, np.random.RandomState)
    }
    return {"class": type(optimizer).__name__, "attrs": attrs}


def _asks(optimizer: Any, seed: int) -> list[np.ndarray]:
    optimizer.reseed_rng(seed)
    return [
        np.ravel(
            np.asarray(
                optimizer.ask()[0] if isinstance(optimizer, cmaes.CMAwM) else optimizer.ask()
            )
        )
        for _ in range(4)
    ]


@pytest.mark.parametrize("kind", ["CMA", "SepCMA", "CMAwM"])
def test_snapshot_rebuilds_what_pickle_rebuilds(kind: str) -> None:
    optimizer = _told(kind)
    snapshot = json.loads(json.dumps(to_snapshot(optimizer)))
    assert snapshot["cmaes"] == cmaes.__version__
    rebuilt = from_snapshot(snapshot)
    unpickled = pickle.loads(pickle.dumps(optimizer))
    assert rebuilt.generation == optimizer.generation
    for a, b in zip(_asks(rebuilt, 7), _asks(unpickled, 7)):
        assert np.array_equal(a, b)


@pytest.mark.parametrize("kind", ["CMA", "SepCMA", "CMAwM"])
def test_earlier_format_still_loads(kind: str) -> None:
    optimizer = _told(kind)
    legacy = json.loads(json.dumps(_legacy(optimizer)))
    rebuilt = from_snapshot(legacy)
    # The earlier format held the attributes themselves: the very same optimizer comes back.
    for a, b in zip(_asks(rebuilt, 11), _asks(optimizer, 11)):
        assert np.array_equal(a, b)


def test_fields_of_another_cmaes_release_give_a_clear_error() -> None:
    snapshot = to_snapshot(_told("CMA"))
    snapshot["state"]["_renamed_in_a_later_release"] = snapshot["state"].pop("_mean")
    snapshot["cmaes"] = "99.0.0"
    with pytest.raises(ValueError, match=r"cmaes 99\.0\.0.*missing: \['_mean'\]"):
        from_snapshot(snapshot)
    legacy = _legacy(_told("SepCMA"))
    del legacy["attrs"]["_sigma"]
    with pytest.raises(ValueError, match="earlier trimtab"):
        from_snapshot(legacy)


def _sphere(trial: Trial) -> float:
    return sum(trial.suggest_float(f"x{i}", -5, 5) ** 2 for i in range(3))


def _sampler(seed: int) -> CmaEsSampler:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CmaEsSampler(seed=seed, popsize=4)


def _continued(trials: list[Any], n: int) -> list[dict[str, Any]]:
    study = trimtab.create_study(sampler=_sampler(5))
    study.add_trials(trials)
    study.optimize(_sphere, n_trials=n)
    return [t.params for t in study.trials[len(trials) :]]


def test_a_study_stored_in_the_earlier_format_resumes_the_same_search() -> None:
    study = trimtab.create_study(sampler=_sampler(0))
    study.optimize(_sphere, n_trials=13)
    trials = study.get_trials()
    legacy_trials = []
    for trial in copy.deepcopy(trials):
        record = trial.system_attrs.get("cma:state")
        if record is not None and "optimizer" in record["state"]:
            optimizer = from_snapshot(record["state"]["optimizer"])
            record["state"]["optimizer"] = json.loads(json.dumps(_legacy(optimizer)))
        legacy_trials.append(trial)
    assert any(
        "attrs" in t.system_attrs["cma:state"]["state"].get("optimizer", {})
        for t in legacy_trials[1:]
    )
    assert _continued(legacy_trials, 6) == _continued(trials, 6)


def test_a_stored_state_cmaes_cannot_read_stops_with_the_reason() -> None:
    study = trimtab.create_study(sampler=_sampler(0))
    study.optimize(_sphere, n_trials=9)
    trials = study.get_trials()
    for trial in trials:
        snapshot = trial.system_attrs.get("cma:state", {}).get("state", {}).get("optimizer")
        if snapshot is not None:
            snapshot["state"]["_unknown_field"] = snapshot["state"].pop("_sigma")
    with pytest.raises(ValueError, match="Install the cmaes release that wrote it"):
        _continued(trials, 4)
    assert import_cmaes() is cmaes

"""CmaEsSampler restarts: termination criteria, IPOP/BIPOP schedules, resuming after a restart."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import trimtab
from trimtab.samplers import CmaEsSampler
from trimtab.samplers._cmaes._restart import RestartState
from trimtab.samplers._cmaes._stop import history_length, record_generation, restart_reason
from trimtab.trial import Trial

trimtab.logging.set_verbosity(trimtab.logging.WARNING)


def _make(**kwargs: Any) -> CmaEsSampler:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CmaEsSampler(**kwargs)


def _bowl(trial: Trial) -> float:
    return trial.suggest_float("x", -1, 1) ** 2 + trial.suggest_float("y", -1, 1) ** 2


def _flat(trial: Trial) -> float:
    trial.suggest_float("x", -1, 1)
    trial.suggest_float("y", -1, 1)
    return 1.0


def _runs(study: Any) -> list[dict[str, Any]]:
    """The restart state of each run, at the generation that started it (in trial order)."""
    runs: dict[int, dict[str, Any]] = {}
    for trial in study.trials:
        record = trial.system_attrs.get("cma:state", {}).get("state", {})
        if "restart_state" in record:
            runs.setdefault(record["restart"], record["restart_state"])
    return [runs[k] for k in sorted(runs)]


def test_ipop_restarts_a_converged_run_with_a_doubled_population() -> None:
    study = trimtab.create_study(sampler=_make(seed=0, restart_strategy="ipop"))
    study.optimize(_bowl, n_trials=700)
    runs = _runs(study)
    # A 2-D bowl converges within ~200 trials; Hansen's own tolerances would need thousands.
    assert len(runs) >= 3
    assert [r["popsize"] for r in runs[1:3]] == [12, 24]  # default popsize 6 in 2-D
    assert study.best_value < 1e-6


def test_a_flat_objective_restarts_soon() -> None:
    study = trimtab.create_study(sampler=_make(seed=0, restart_strategy="ipop"))
    study.optimize(_flat, n_trials=200)
    assert len(_runs(study)) >= 2


@pytest.mark.parametrize("objective", [_bowl, _flat])
def test_default_never_restarts(objective: Any) -> None:
    study = trimtab.create_study(sampler=_make(seed=0))
    study.optimize(objective, n_trials=500)
    records = [t.system_attrs["cma:state"]["state"] for t in study.trials[1:]]
    assert {r["restart"] for r in records} == {0}
    assert [r["generation"] for r in records] == sorted(r["generation"] for r in records)
    assert records[-1]["generation"] == (499 - 1) // 6  # trials 1-499, popsize 6 in 2-D


def test_bipop_alternates_regimes_by_budget() -> None:
    study = trimtab.create_study(sampler=_make(seed=1, restart_strategy="bipop"))
    study.optimize(_bowl, n_trials=1500)
    runs = _runs(study)
    regimes = [r["regime"] for r in runs[1:]]
    assert regimes[0] == "large" and "small" in regimes  # the first run counts for neither
    for previous, run in zip(runs[1:], runs[2:]):
        spent = run["small_evals"] + run["large_evals"]
        assert spent > previous["small_evals"] + previous["large_evals"]
    for run in runs[1:]:
        # The regime that has used fewer evaluations so far runs next, ties going to large.
        assert (run["regime"] == "small") == (run["small_evals"] < run["large_evals"])
        large = 6 * 2 ** run["large_restarts"]  # default popsize 6 in 2-D
        if run["regime"] == "large":
            assert run["popsize"] == large and run["max_evals"] == 0
        else:
            assert 6 <= run["popsize"] <= 2 * large
            assert run["max_evals"] == max(run["last_large_evals"] // 2, run["popsize"])
    # Small runs stop once they have used their evaluations (at most one generation more).
    for run, after in zip(runs[1:], runs[2:]):
        if run["regime"] == "small":
            used = after["small_evals"] - run["small_evals"]
            assert used < run["max_evals"] + run["popsize"]


def test_resumed_study_and_second_worker_continue_after_a_restart() -> None:
    study = trimtab.create_study(sampler=_make(seed=0, restart_strategy="ipop"))
    study.optimize(_flat, n_trials=200)
    last = study.trials[-1].system_attrs["cma:state"]["state"]
    assert last["restart"] >= 1
    resumed = trimtab.load_study(
        study_name=study.study_name,
        storage=study._storage,
        sampler=_make(seed=5, restart_strategy="ipop"),
    )
    other = trimtab.load_study(
        study_name=study.study_name,
        storage=study._storage,
        sampler=_make(seed=6, restart_strategy="ipop"),
    )
    for i in range(240):
        current = resumed if i % 2 else other
        trial = current.ask()
        current.tell(trial, _flat(trial))
    records = [t.system_attrs["cma:state"]["state"] for t in study.trials[200:]]
    slots = [(r["restart"], r["generation"]) for r in records]
    # Both samplers pick up the run in progress, then share the runs that follow it.
    assert slots[0] == (last["restart"], last["generation"]) or slots[0][0] > last["restart"]
    assert slots == sorted(slots)
    assert slots[-1][0] > last["restart"]


def _state_after(generations: list[np.ndarray], dim: int = 2) -> RestartState:
    state = RestartState()
    for values in generations:
        record_generation(state, values, dim)
    return state


class _Frozen:
    """A stand-in optimizer whose step size is large: only value-based criteria can fire."""

    population_size = 6
    generation = 30

    def __init__(self) -> None:
        self._C = np.eye(2)
        self._sigma = 0.2
        self._pc = np.full(2, 0.1)

    def should_stop(self) -> bool:
        return False


@pytest.mark.parametrize("scale,shift", [(1.0, 0.0), (1e6, -3e7), (1e-3, 5.0)])
def test_tolhistfun_is_relative_to_the_objective_scale(scale: float, shift: float) -> None:
    rng = np.random.RandomState(0)
    span = history_length(2, 6)
    early = [shift + scale * rng.uniform(0, 10, 6) for _ in range(5)]
    settled = [np.full(6, shift + scale * 1.0) + scale * 1e-9 * rng.rand(6) for _ in range(span)]
    improving = [shift + scale * (2.0 ** -(k / 4) + rng.uniform(0, 0.1, 6)) for k in range(span)]
    assert restart_reason(_Frozen(), _state_after(early + settled), 2) == "tolhistfun"
    assert restart_reason(_Frozen(), _state_after(early + improving), 2) is None
    assert restart_reason(_Frozen(), _state_after(early + settled[:-1]), 2) is None


def test_equal_best_values_count_as_a_plateau() -> None:
    span = history_length(2, 6)
    plateau = [np.array([0.0, 0.0, 0.0, 1.0, 2.0, 3.0]) for _ in range(span)]
    assert restart_reason(_Frozen(), _state_after(plateau), 2) == "equalfunvalues"


def test_history_stays_bounded_and_json_serialisable() -> None:
    state = _state_after([np.array([np.inf, 1.0, np.nan, 2.0, 3.0, 4.0])] * 1000)
    assert len(state.best) == 120 + 30 * 2 // 6
    assert all(np.isfinite(state.best)) and np.isfinite(state.scale)
    assert RestartState.from_json(state.to_json()) == state


def test_restart_state_reads_records_of_older_and_newer_versions() -> None:
    old = {
        "restart": 2,
        "popsize": 24,
        "large_restarts": 1,
        "small_evals": 10,
        "large_evals": 30,
        "regime": "small",
    }
    state = RestartState.from_json(old)
    assert state.popsize == 24 and state.best == [] and state.max_evals == 0
    assert RestartState.from_json({**old, "added_later": 1}) == state


@pytest.mark.parametrize("strategy", ["ipop", "bipop"])
def test_concurrent_workers_start_the_same_new_run(strategy: str) -> None:
    from trimtab._study_records import StudyDirection
    from trimtab._transform import NumericalTransform
    from trimtab.distributions import FloatDistribution
    from trimtab.samplers._cmaes._restart import init_optimizer, restart_optimizer

    trans = NumericalTransform(
        {"x": FloatDistribution(0, 1), "y": FloatDistribution(-3, 3)}, transform_0_1=True
    )
    told = np.column_stack([np.random.RandomState(0).rand(6, 2), np.arange(6.0)])
    starts = []
    for seed in (1, 2):
        sampler = _make(seed=seed, restart_strategy=strategy)
        finished = init_optimizer(sampler, trans, StudyDirection.MINIMIZE)
        state = RestartState(restart=3, large_restarts=1, large_evals=60, last_large_evals=60)
        optimizer, new = restart_optimizer(sampler, trans, finished, state, told)
        starts.append((optimizer._mean.tolist(), optimizer._sigma, new))
    assert starts[0] == starts[1]
    other = restart_optimizer(sampler, trans, finished, state, told + 1e-3)[0]
    assert other._mean.tolist() != starts[0][0]

"""The Ray executor on a real local Ray (``ray.init(num_cpus=2)``); worker processes are
SIGKILLed for real. The two-node cluster lives in ``test_ray_cluster.py``."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from typing import Any

import cloudpickle
import pytest

import trimtab
from trimtab.execution import FAIL_REASON_KEY, RayExecutor
from trimtab.pruners import MedianPruner
from trimtab.samplers import RandomSampler
from trimtab.trial import TrialState

from . import objectives

cloudpickle.register_pickle_by_value(objectives)  # Ray workers do not import the tests


def _count(study: trimtab.Study, state: TrialState) -> int:
    return sum(t.state == state for t in study.trials)


def test_missing_ray_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # as if it were not installed
    with pytest.raises(ImportError, match=r'pip install "trimtab\[ray\]"'):
        RayExecutor()


@pytest.mark.parametrize(
    ("argument", "value"),
    [("num_cpus", -1), ("max_retries", -1), ("trial_timeout", 0), ("interrupt_grace", -1.0)],
)
def test_bad_ray_executor_argument_is_named(argument: str, value: float) -> None:
    with pytest.raises(ValueError, match=f"`{argument}`"):
        RayExecutor(**{argument: value})


def test_unreachable_ray_address_is_a_clear_error_and_starts_nothing() -> None:
    import ray

    if ray.is_initialized():
        pytest.skip("Ray is already initialised in this process")
    study = trimtab.create_study()
    with pytest.raises(ConnectionError, match="Could not connect to the Ray cluster"):
        study.optimize(
            objectives.gil_bound, n_trials=3, executor=RayExecutor(address="127.0.0.1:9")
        )
    assert study.trials == [] and not ray.is_initialized()


@pytest.fixture(scope="module")
def local_ray() -> Iterator[Any]:
    import ray

    ray.init(address="local", num_cpus=2, include_dashboard=False)
    try:
        yield ray
    finally:
        ray.shutdown()


@pytest.mark.slow
def test_gil_bound_pruned_and_multi_objective_studies_on_ray(local_ray: Any) -> None:
    study = trimtab.create_study(sampler=RandomSampler(seed=0))
    study.optimize(objectives.gil_bound, n_trials=12, n_jobs=2, executor=RayExecutor())
    assert _count(study, TrialState.COMPLETE) == 12
    assert [t.number for t in study.trials] == list(range(12))
    assert len({t.user_attrs["pid"] for t in study.trials}) >= 2

    pruned = trimtab.create_study(
        sampler=RandomSampler(seed=0), pruner=MedianPruner(n_startup_trials=3)
    )
    pruned.optimize(objectives.pruned_half, n_trials=16, n_jobs=2, executor=RayExecutor())
    assert _count(pruned, TrialState.PRUNED) >= 3
    assert _count(pruned, TrialState.PRUNED) + _count(pruned, TrialState.COMPLETE) == 16

    multi = trimtab.create_study(directions=["minimize", "maximize"])
    multi.optimize(objectives.two_objectives, n_trials=8, n_jobs=2, executor=RayExecutor())
    assert _count(multi, TrialState.COMPLETE) == 8 and multi.best_trials


@pytest.mark.slow
def test_sigkilled_ray_worker_fails_its_trial_and_is_retried(local_ray: Any) -> None:
    study = trimtab.create_study()
    study.optimize(
        objectives.kill_self_on_trial(2),
        n_trials=8,
        n_jobs=2,
        executor=RayExecutor(max_retries=1),
    )
    trials = study.trials
    assert len(trials) == 9
    assert _count(study, TrialState.COMPLETE) == 8 and trials[2].state == TrialState.FAIL
    assert "Ray task failed" in trials[2].system_attrs[FAIL_REASON_KEY]
    retry = next(t for t in trials if t.system_attrs.get("failed_trial") == 2)
    assert retry.params == trials[2].params and retry.state == TrialState.COMPLETE


@pytest.mark.slow
def test_ray_trial_timeout_kills_the_worker_process(local_ray: Any) -> None:
    study = trimtab.create_study()
    study.optimize(
        objectives.hang_on_trial(1, 120.0),
        n_trials=4,
        n_jobs=2,
        executor=RayExecutor(trial_timeout=3.0),
    )
    trials = study.trials
    assert _count(study, TrialState.COMPLETE) == 3 and trials[1].state == TrialState.FAIL
    assert "trial_timeout=3.0" in trials[1].system_attrs[FAIL_REASON_KEY]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(trials[1].user_attrs["pid"], 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    pytest.fail("the hung Ray worker process is still alive")


@pytest.mark.slow
def test_ray_objective_error_and_non_number(local_ray: Any) -> None:
    def objective(trial: Any) -> Any:
        if trial.suggest_int("n", 0, 0) == 0 and trial.number == 0:
            raise RuntimeError("bad batch in worker")
        return {"not": "a number"}

    study = trimtab.create_study()
    with pytest.raises(RuntimeError, match="bad batch in worker") as info:
        study.optimize(objective, n_trials=3, executor=RayExecutor())
    assert "in objective" in str(info.value.__cause__)
    study.optimize(objective, n_trials=2, executor=RayExecutor())
    assert _count(study, TrialState.FAIL) == 3


@pytest.mark.slow
def test_ray_calls_not_waited_for_are_stored_in_order_and_their_errors_fail_the_trial(
    local_ray: Any,
) -> None:
    # report/set_user_attr return once the hub queued them; the last ones before the objective
    # ends (returning or pruned) are still stored, and an error they raise fails the trial.
    def objective(trial: Any) -> float:
        x = trial.suggest_float("x", 0, 1)
        for step in range(3):
            trial.report(x + step, step)
        if trial.number % 3 == 0:
            trial.report("not a number", 3)  # raises in the coordinator
        trial.set_user_attr("number", trial.number)
        if trial.number % 3 == 1:
            raise trimtab.TrialPruned()
        return x

    study = trimtab.create_study(sampler=RandomSampler(seed=0))
    study.optimize(objective, n_trials=6, n_jobs=2, executor=RayExecutor(), catch=(Exception,))
    expected = [TrialState.FAIL, TrialState.PRUNED, TrialState.COMPLETE] * 2
    assert [t.state for t in study.trials] == expected
    assert "TypeError" in study.trials[0].system_attrs[FAIL_REASON_KEY]
    for trial in study.trials:
        x = trial.params["x"]
        assert trial.intermediate_values == {0: x, 1: x + 1, 2: x + 2}
        if trial.state != TrialState.FAIL:
            assert trial.user_attrs == {"number": trial.number}

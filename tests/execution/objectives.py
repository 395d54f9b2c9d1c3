"""Objectives the execution tests ship to evaluators (importable by every worker)."""

from __future__ import annotations

import os
import signal
import time
from typing import Any


def busy_python(n: int) -> int:
    """GIL-bound pure-Python work."""
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


def gil_bound(trial: Any) -> float:
    x = trial.suggest_float("x", -5, 5)
    y = trial.suggest_int("y", 0, 3)
    busy_python(50_000)
    trial.set_user_attr("pid", os.getpid())
    return x * x + y


def pruned_half(trial: Any) -> float:
    x = trial.suggest_float("x", 0, 1)
    for step in range(5):
        trial.report(x + step, step)
        if trial.should_prune():
            raise trial_pruned()
    return x


def trial_pruned() -> Exception:
    import trimtab

    return trimtab.TrialPruned("pruned at a median")


def two_objectives(trial: Any) -> tuple[float, float]:
    x = trial.suggest_float("x", 0, 1)
    return x, 1 - x * x


def kill_self_on_trial(number: int) -> Any:
    def objective(trial: Any) -> float:
        x = trial.suggest_float("x", 0, 1)
        if trial.number == number:
            os.kill(os.getpid(), signal.SIGKILL)
        return x

    return objective


def hang_on_trial(number: int, seconds: float) -> Any:
    def objective(trial: Any) -> float:
        trial.set_user_attr("pid", os.getpid())
        if trial.number == number:
            time.sleep(seconds)
        return 1.0

    return objective


def on_ray_node(trial: Any) -> float:
    import ray

    trial.set_user_attr("node", ray.get_runtime_context().get_node_id())
    trial.set_user_attr("window", [time.time(), 0.0])
    time.sleep(0.3)
    trial.set_user_attr("window", [trial.user_attrs["window"][0], time.time()])
    return trial.suggest_float("x", 0, 1)


def slow_with_pid(trial: Any) -> float:
    trial.set_user_attr("pid", os.getpid())
    x = trial.suggest_float("x", 0, 1)
    time.sleep(0.4)
    return x


def two_objectives_sum(trial: Any) -> float:
    return sum(two_objectives(trial))


def stall_once_on_node(node_id: str, marker: str) -> Any:
    """The first trial that lands on ``node_id`` writes ``marker`` and stalls there (until
    the test kills that node); every other trial returns at once."""

    def objective(trial: Any) -> float:
        import ray

        x = trial.suggest_float("x", 0, 1)
        here = ray.get_runtime_context().get_node_id()
        trial.set_user_attr("node", here)
        if here == node_id and not os.path.exists(marker):
            with open(marker, "w") as file:
                file.write(str(trial.number))
            time.sleep(120)
        return x

    return objective

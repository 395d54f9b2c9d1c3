"""TPE sampler cost per trial: trimtab vs Optuna 5.0.0 in one run, as ratios.

For each search space (10 floats; a mixed space of floats, log floats, stepped and log ints and
categoricals) and each history size N, a study is filled with N finished trials (random
parameters, via ``add_trials``), then K more trials run with ``TPESampler`` and the CPU time
spent inside the sampler's methods is measured per trial. Optuna and trimtab alternate in the
same process. Run with ``python -m benchmarks.overhead_tpe`` (``--quick`` for a short run); the
``section`` function is what ``benchmarks.overhead`` calls.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np

_SAMPLER_METHODS = (
    "infer_relative_search_space",
    "sample_relative",
    "sample_independent",
    "before_trial",
    "after_trial",
)


def _space_floats(lib: Any) -> dict[str, Any]:
    return {f"x{i}": lib.distributions.FloatDistribution(-5.0, 5.0) for i in range(10)}


def _space_mixed(lib: Any) -> dict[str, Any]:
    d = lib.distributions
    return {
        "f0": d.FloatDistribution(-5.0, 5.0),
        "f1": d.FloatDistribution(0.0, 1.0),
        "f2": d.FloatDistribution(-1.0, 1.0, step=0.1),
        "lr": d.FloatDistribution(1e-5, 1e-1, log=True),
        "wd": d.FloatDistribution(1e-6, 1e-2, log=True),
        "layers": d.IntDistribution(1, 8),
        "units": d.IntDistribution(16, 512, step=16),
        "batch": d.IntDistribution(8, 1024, log=True),
        "opt": d.CategoricalDistribution(["sgd", "adam", "rmsprop", "adagrad"]),
        "act": d.CategoricalDistribution(["relu", "tanh", "gelu"]),
    }


SPACES: dict[str, Callable[[Any], dict[str, Any]]] = {
    "10 floats": _space_floats,
    "mixed (10)": _space_mixed,
}


def _value(params: dict[str, Any]) -> float:
    total = 0.0
    for name, v in params.items():
        if isinstance(v, str):
            total += len(v) % 3
        elif name in ("lr", "wd", "batch"):
            total += abs(math.log10(v) + 3.0)
        else:
            total += (float(v) - 0.3) ** 2
    return total


def _random_params(space: dict[str, Any], rng: np.random.RandomState) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name, dist in space.items():
        if hasattr(dist, "choices"):
            params[name] = dist.choices[rng.randint(len(dist.choices))]
            continue
        if dist.log:
            value = math.exp(rng.uniform(math.log(dist.low), math.log(dist.high)))
        else:
            value = rng.uniform(dist.low, dist.high)
        if dist.step is not None:
            value = dist.low + round((value - dist.low) / dist.step) * dist.step
            value = min(max(value, dist.low), dist.high)
        params[name] = int(round(value)) if type(dist).__name__ == "IntDistribution" else value
    return params


class _Timer:
    """Wraps a sampler's methods on the instance and sums their CPU time."""

    def __init__(self, sampler: Any) -> None:
        self.seconds = 0.0
        for name in _SAMPLER_METHODS:
            setattr(sampler, name, self._timed(getattr(sampler, name)))

    def _timed(self, method: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return method(*args, **kwargs)
            finally:
                self.seconds += time.process_time() - start

        return wrapper


def sampler_ms_per_trial(name: str, space_name: str, n_history: int, n_timed: int) -> float:
    """CPU ms spent in TPESampler per trial, after ``n_history`` finished trials."""
    lib = __import__(name)
    lib.logging.set_verbosity(lib.logging.WARNING)
    space = SPACES[space_name](lib)
    rng = np.random.RandomState(0)
    study = lib.create_study(sampler=lib.samplers.TPESampler(seed=0))
    trials = []
    for _ in range(n_history):
        params = _random_params(space, rng)
        trials.append(
            lib.trial.create_trial(params=params, distributions=space, value=_value(params))
        )
    study.add_trials(trials)

    def objective(trial: Any) -> float:
        params = {}
        for pname, dist in space.items():
            if hasattr(dist, "choices"):
                params[pname] = trial.suggest_categorical(pname, dist.choices)
            elif type(dist).__name__ == "IntDistribution":
                params[pname] = trial.suggest_int(
                    pname, dist.low, dist.high, step=dist.step, log=dist.log
                )
            else:
                params[pname] = trial.suggest_float(
                    pname, dist.low, dist.high, step=dist.step, log=dist.log
                )
        return _value(params)

    study.optimize(objective, n_trials=2)  # warm-up: first reads, imports, caches
    timer = _Timer(study.sampler)
    study.optimize(objective, n_trials=n_timed)
    return 1e3 * timer.seconds / n_timed


def run(sizes: list[int], n_timed: int) -> list[dict[str, Any]]:
    rows = []
    for space_name in SPACES:
        for n in sizes:
            best: dict[str, float] = {}
            for name in ("optuna", "trimtab", "optuna", "trimtab"):  # interleaved, best of two
                ms = sampler_ms_per_trial(name, space_name, n, n_timed)
                best[name] = min(ms, best.get(name, math.inf))
            rows.append(
                {
                    "space": space_name,
                    "trials": n,
                    "trimtab ms": round(best["trimtab"], 3),
                    "optuna ms": round(best["optuna"], 3),
                    "optuna/trimtab": round(best["optuna"] / best["trimtab"], 1),
                }
            )
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    headers = list(rows[0])
    widths = [max(len(str(h)), *(len(str(r[h])) for r in rows)) for h in headers]
    print("  ".join(str(h).ljust(w) for h, w in zip(headers, widths)))
    for row in rows:
        print("  ".join(str(row[h]).ljust(w) for h, w in zip(headers, widths)))


def section(quick: bool) -> None:
    """Print the TPE table (called by ``benchmarks.overhead``)."""
    print("\nTPESampler: CPU time inside the sampler per trial, after N finished trials")
    sizes = [100, 1000] if quick else [100, 1000, 5000]
    print_table(run(sizes, n_timed=10 if quick else 30))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100 and 1,000 trials only")
    args = parser.parse_args(argv)
    section(args.quick)


if __name__ == "__main__":
    main()

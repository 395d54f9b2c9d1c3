"""DaskStorage throughput: trimtab's vs optuna-integration 5.0's, side by side in one run.

    python -m benchmarks.dask_storage            # 4 tasks x 50 trials, 3 rounds
    python -m benchmarks.dask_storage --quick    # 4 tasks x 15 trials, 1 round

Optuna's official Dask example, timed: one ``LocalCluster`` of 2 worker processes (2 threads
each) runs ``client.submit(study.optimize, objective, n_trials=N)`` 4 times on one study in a
``DaskStorage`` (in memory, on the scheduler). Both libraries use the same cluster, in
alternating rounds. Objective: 3 float parameters, no work; sampler: RandomSampler (what the
storage costs, not the sampler) and the library's default TPE in a second row. Reported: wall
seconds per round (best of the rounds), finished trials per second, and the CPU seconds of the
scheduler's (this) process. The machine may be shared: compare the ratios.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from pathlib import Path
from typing import Any

N_TASKS = 4


def _objective(trial: Any) -> float:
    return sum(trial.suggest_float(f"x{i}", -5, 5) ** 2 for i in range(3))


def _study(lib: str, sampler: str) -> Any:
    if lib == "trimtab":
        import trimtab
        from trimtab.integration.dask import DaskStorage

        module: Any = trimtab
    else:
        import optuna
        from optuna_integration.dask import DaskStorage

        module = optuna
    module.logging.set_verbosity(module.logging.WARNING)
    chosen = module.samplers.RandomSampler(seed=0) if sampler == "random" else None
    return module.create_study(storage=DaskStorage(), sampler=chosen)


def _quiet() -> None:
    """Run on each worker: no per-trial log lines (they would dominate the timing)."""
    import optuna

    import trimtab

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    trimtab.logging.set_verbosity(trimtab.logging.WARNING)


def _round(client: Any, lib: str, sampler: str, n_trials: int) -> tuple[float, float]:
    import distributed

    study = _study(lib, sampler)
    cpu, start = time.process_time(), time.perf_counter()
    futures = [
        client.submit(study.optimize, _objective, n_trials=n_trials, pure=False)
        for _ in range(N_TASKS)
    ]
    distributed.wait(futures)
    for future in futures:
        future.result()
    wall = time.perf_counter() - start
    assert len(study.trials) == N_TASKS * n_trials
    return wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n_trials, rounds = (15, 1) if args.quick else (50, 3)

    import distributed

    import trimtab

    warnings.simplefilter("ignore")
    src = str(Path(trimtab.__file__).resolve().parents[1])
    os.environ["PYTHONPATH"] = os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=2, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:  # fmt: skip
        client.run(_quiet)
        for lib in ("optuna", "trimtab"):  # warm-up: imports on the workers
            _round(client, lib, "random", 2)
        print(f"{N_TASKS} tasks x {n_trials} trials, 2 worker processes; best of {rounds}")
        print(
            f"{'sampler':8} {'library':8} {'wall s':>8} {'trials/s':>9} {'CPU s':>7} {'ratio':>6}"
        )
        for sampler in ("random", "default"):
            best: dict[str, tuple[float, float]] = {}
            for _ in range(rounds):
                for lib in ("optuna", "trimtab"):
                    wall, cpu = _round(client, lib, sampler, n_trials)
                    if lib not in best or wall < best[lib][0]:
                        best[lib] = (wall, cpu)
            for lib in ("optuna", "trimtab"):
                wall, cpu = best[lib]
                ratio = best["optuna"][0] / wall
                rate = N_TASKS * n_trials / wall
                print(f"{sampler:8} {lib:8} {wall:8.2f} {rate:9.1f} {cpu:7.2f} {ratio:5.2f}x")


if __name__ == "__main__":
    main()

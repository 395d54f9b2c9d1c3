"""A worker process for the storage concurrency tests (run as a script, not collected).

Usage: ``python storage_worker.py '<json>'`` with keys ``backend``, ``location``, ``study``,
``mode`` (``optimize``, ``drain`` or ``hang``), ``n_trials``, ``go`` (a file to wait for, so
that all workers start together), ``out`` (a file to append executed trial numbers to).
"""

from __future__ import annotations

import json
import os
import sys
import time

from storage_backends import open_storage

import trimtab

trimtab.logging.set_verbosity(trimtab.logging.WARNING)


def _objective(out: str | None):  # noqa: ANN202 - a closure returned to optimize
    def objective(trial: trimtab.Trial) -> float:
        x = trial.suggest_float("x", -10, 10)
        i = trial.suggest_int("i", 0, 10_000)
        trial.suggest_categorical("c", ["a", "b"])
        trial.report(x, 0)
        trial.report(x / 2, 1)
        trial.set_user_attr("pid", os.getpid())
        if out is not None:
            with open(out, "a") as f:
                f.write(f"{trial.number} {i}\n")
        return x * x

    return objective


GRID = {"a": list(range(8)), "b": [0.5, 1.5, 2.5]}


def _grid_objective(trial: trimtab.Trial) -> float:
    return trial.suggest_int("a", 0, 7) + trial.suggest_float("b", 0.5, 2.5)


def main() -> None:
    args = json.loads(sys.argv[1])
    kwargs = {}
    if args["mode"] == "hang":
        kwargs = {"heartbeat_interval": 1, "grace_period": 2}
    storage = open_storage(args["backend"], args["location"], **kwargs)
    while args.get("go") and not os.path.exists(args["go"]):
        time.sleep(0.01)
    sampler: trimtab.samplers.BaseSampler = trimtab.samplers.RandomSampler()
    if args["mode"] == "grid":
        sampler = trimtab.samplers.GridSampler(GRID, seed=0)
    study = trimtab.load_study(study_name=args["study"], storage=storage, sampler=sampler)
    objective = _objective(args.get("out"))
    if args["mode"] == "grid":
        study.optimize(_grid_objective, n_trials=args["n_trials"])
    elif args["mode"] == "optimize":
        study.optimize(objective, n_trials=args["n_trials"])
    elif args["mode"] == "drain":
        while study.get_trials(deepcopy=False, states=(trimtab.trial.TrialState.WAITING,)):
            study.optimize(objective, n_trials=1)
    else:

        def hang(trial: trimtab.Trial) -> float:
            trial.suggest_float("x", -10, 10)
            trial.report(1.0, 0)
            with open(args["out"], "w") as f:
                f.write(str(trial.number))
            time.sleep(600)
            return 0.0

        study.optimize(hang, n_trials=1)


if __name__ == "__main__":
    main()

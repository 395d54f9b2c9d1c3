"""A worker process for the storage race and kill tests (run as a script, not collected).

Usage: ``python race_worker.py '<json>'`` with keys ``backend``, ``location``, ``study``,
``mode``, ``n_trials``, ``go`` (a file to wait for: every worker is started first, imports
trimtab, then spins on this gate so that all of them open the storage at the same instant) and
``out`` (a file for the worker's outcome). With ``fork`` (a number), the script imports
trimtab once and forks that many workers, each marking itself ready before the gate.

Modes:
    ``race``: ``create_study(..., load_if_exists=True)`` on a storage that may not exist yet,
        then ``optimize`` ``n_trials`` trials.
    ``create``: ``create_study`` without ``load_if_exists``; write ``created`` or
        ``duplicated`` (a DuplicatedStudyError) to ``out``.
    ``until_deleted``: load the study and optimize until something stops the worker; write the
        error's class and message to ``out``.
    ``slow_ask``: with heartbeats on, optimize forever with a sampler whose ``before_trial``
        takes a while (as a GP fit does), so the worker spends most of its time between the
        creation of a trial and its first heartbeat; killed by the test.
"""

from __future__ import annotations

import faulthandler
import json
import os
import signal
import sys
import time
from typing import Any

from storage_backends import RDB_BACKENDS, open_storage

import trimtab
from trimtab.exceptions import DuplicatedStudyError
from trimtab.storages import RetryFailedTrialCallback

trimtab.logging.set_verbosity(trimtab.logging.ERROR)


def _objective(trial: trimtab.Trial) -> float:
    x = trial.suggest_float("x", -10, 10)
    trial.suggest_int("i", 0, 100)
    trial.set_user_attr("pid", os.getpid())
    return x * x


class _SlowBeforeTrialSampler(trimtab.samplers.RandomSampler):
    def before_trial(self, study: trimtab.Study, trial: Any) -> None:
        with open(os.environ["RACE_WORKER_ASKED"], "a") as f:
            f.write(f"{trial.number}\n")
        time.sleep(0.4)


def _storage(args: dict[str, Any], **kwargs: Any) -> Any:
    """A URL string for the RDB backends (as a user passes it), else a storage object."""
    if args["backend"] in RDB_BACKENDS and not kwargs:
        return args["location"]
    return open_storage(args["backend"], args["location"], **kwargs)


def _wait_for_gate(go: str | None) -> None:
    while go and not os.path.exists(go):
        time.sleep(0.001)


def _forked(n_procs: int, go: str) -> int:
    """Fork ``n_procs`` workers (trimtab is imported once); return this process's index.

    The launcher (index -1) waits for them and exits 1 if any failed. Each worker marks
    itself ready (``<go>.ready.<index>``) and waits for the gate.
    """
    children = []
    for index in range(n_procs):
        pid = os.fork()
        if pid == 0:
            open(f"{go}.ready.{index}", "w").close()
            return index
        children.append(pid)
    failed = 0
    for pid in children:
        _, status = os.waitpid(pid, 0)
        failed += os.waitstatus_to_exitcode(status) != 0
    sys.exit(1 if failed else 0)


def main() -> None:
    faulthandler.register(signal.SIGUSR1)  # a test that gives up on a worker sees its stacks
    args = json.loads(sys.argv[1])
    mode = args["mode"]
    if args.get("fork"):
        _forked(args["fork"], args["go"])
        try:
            _wait_for_gate(args.get("go"))
            _run(args, mode)
        except BaseException:
            import traceback

            traceback.print_exc()
            sys.stderr.flush()
            os._exit(1)
        sys.stderr.flush()
        os._exit(0)
    _wait_for_gate(args.get("go"))
    _run(args, mode)


def _run(args: dict[str, Any], mode: str) -> None:
    if mode == "race":
        study = trimtab.create_study(
            storage=_storage(args), study_name=args["study"], load_if_exists=True
        )
        study.optimize(_objective, n_trials=args["n_trials"])
    elif mode == "create":
        try:
            trimtab.create_study(storage=_storage(args), study_name=args["study"])
            outcome = "created"
        except DuplicatedStudyError:
            outcome = "duplicated"
        with open(args["out"], "a") as f:
            f.write(outcome + "\n")
    elif mode == "until_deleted":
        study = trimtab.load_study(study_name=args["study"], storage=_storage(args))
        with open(args["ready"], "a") as f:
            f.write("ready\n")
        try:
            study.optimize(_objective, n_trials=1_000_000)
            outcome = {"type": "none", "message": "optimize returned"}
        except Exception as err:  # noqa: BLE001 - the test inspects what stopped the worker
            outcome = {"type": f"{type(err).__module__}.{type(err).__name__}", "message": str(err)}
        with open(args["out"], "w") as f:
            json.dump(outcome, f)
    elif mode == "slow_ask":
        retry = RetryFailedTrialCallback(max_retry=None)
        storage = _storage(
            args, heartbeat_interval=1, grace_period=2, heartbeat_stale_trial_callback=retry
        )
        os.environ["RACE_WORKER_ASKED"] = args["out"]
        study = trimtab.load_study(
            study_name=args["study"], storage=storage, sampler=_SlowBeforeTrialSampler()
        )
        study.optimize(_objective, n_trials=1_000_000)
    else:
        raise ValueError(mode)


if __name__ == "__main__":
    main()

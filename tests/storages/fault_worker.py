"""A worker for the fault-injection tests: runs trials until it is SIGKILLed (not collected).

After each trial is told, the worker appends ``{"number", "params", "value"}`` to its own log
file and fsyncs it: a trial in that log finished before the kill, so the storage must hold it.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

from storage_backends import RDB_BACKENDS, REDIS_URL

import trimtab

# A killed journal writer leaves the file lock behind; waiters break it after this many
# seconds (the default, 30 s, would only make the test slow).
LOCK_GRACE_PERIOD = 3


def open_fault_storage(backend: str, location: str) -> Any:
    """The storage a worker (and the checks afterwards) use for ``backend`` at ``location``."""
    from trimtab.storages import RDBStorage
    from trimtab.storages.journal import (
        JournalFileBackend,
        JournalFileSymlinkLock,
        JournalRedisBackend,
        JournalStorage,
    )

    if backend in RDB_BACKENDS:
        return RDBStorage(location)
    if backend == "journal_file":
        lock = JournalFileSymlinkLock(location, grace_period=LOCK_GRACE_PERIOD)
        return JournalStorage(JournalFileBackend(location, lock_obj=lock))
    return JournalStorage(JournalRedisBackend(REDIS_URL, prefix=location))


def objective_params(trial: trimtab.Trial) -> float:
    """Suggest three parameters, report, set an attribute; return the value."""
    x = trial.suggest_float("x", -10, 10)
    i = trial.suggest_int("i", 0, 1000)
    c = trial.suggest_categorical("c", ["a", "b", "c"])
    trial.report(x, 0)
    trial.set_user_attr("pid", os.getpid())
    return x * x + i + len(c)


def run(backend: str, location: str, study_name: str, log_path: str, go_path: str) -> None:
    """Run trials forever, logging each finished one; start when ``go_path`` exists."""
    trimtab.logging.set_verbosity(trimtab.logging.ERROR)
    while not os.path.exists(go_path):
        time.sleep(0.005)
    storage = open_fault_storage(backend, location)
    sampler = trimtab.samplers.RandomSampler(seed=os.getpid())
    study = trimtab.load_study(study_name=study_name, storage=storage, sampler=sampler)
    log = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    while True:
        trial = study.ask()
        value = objective_params(trial)
        frozen = study.tell(trial, value)
        record = {"number": frozen.number, "params": frozen.params, "value": value}
        os.write(log, (json.dumps(record) + "\n").encode())
        os.fsync(log)

"""Workers SIGKILLed at random moments while writing; afterwards the storage still loads (in
trimtab and in Optuna), every trial a worker saw finish is intact, and new trials can be added.

Workers are forked from the test process (real processes, real SIGKILLs) so that a kill
costs no interpreter start-up; they start together behind a file barrier.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from fault_worker import LOCK_GRACE_PERIOD, objective_params, open_fault_storage, run
from storage_backends import BACKENDS, RDB_BACKENDS, REDIS_URL
from storage_servers import redis_client, storage_url

import trimtab
from trimtab.trial import TrialState

optuna = pytest.importorskip("optuna")
pytestmark = pytest.mark.filterwarnings("ignore::Warning")
_FORK = multiprocessing.get_context("fork")


def _kill_round(
    backend: str, location: str, name: str, logs: Path, n_workers: int, rng: random.Random
) -> int:
    """Start ``n_workers`` together, SIGKILL each at a random moment; return the kills.

    The kills fall at random times within a window that opens when the first trial of the
    round has finished, so they hit workers in every phase of a trial's writes.
    """
    go = logs / f"go-{uuid.uuid4().hex}"
    workers, worker_logs = [], []
    for _ in range(n_workers):
        log = logs / f"worker-{uuid.uuid4().hex}.jsonl"
        worker = _FORK.Process(target=run, args=(backend, location, name, str(log), str(go)))
        worker.start()
        workers.append(worker)
        worker_logs.append(log)
    try:
        go.touch()
        _wait_for_a_finished_trial(workers, worker_logs)
        started = time.monotonic()
        window = 1.5
        if backend == "journal_file":
            # A worker killed while it holds the file lock stalls the others for the grace
            # period; later kills must give them time to break the lock and write again.
            window += LOCK_GRACE_PERIOD
        for worker, at in zip(workers, sorted(rng.uniform(0.1, window) for _ in workers)):
            time.sleep(max(0.0, started + at - time.monotonic()))
            assert worker.is_alive(), f"a worker died before its kill (exit code {worker.exitcode})"
            os.kill(worker.pid, signal.SIGKILL)  # type: ignore[arg-type]
            worker.join()
            assert worker.exitcode == -signal.SIGKILL
    finally:
        for worker in workers:  # after a failed assertion: leave no worker running
            if worker.is_alive():
                worker.kill()
                worker.join()
    return n_workers


def _wait_for_a_finished_trial(workers: list[Any], worker_logs: list[Path]) -> None:
    """Start the kill clock once the round writes (a slow server may take seconds to)."""
    deadline = time.monotonic() + 120
    while not any(log.exists() and log.stat().st_size for log in worker_logs):
        assert all(w.is_alive() for w in workers), "a worker died before any kill"
        assert time.monotonic() < deadline, "no trial finished within 120 s"
        time.sleep(0.01)


def _finished(logs: Path) -> list[dict[str, Any]]:
    records = []
    for path in logs.glob("worker-*.jsonl"):
        records += [json.loads(line) for line in path.read_text().splitlines()]
    return records


def _check_intact(trials: list[Any], finished: list[dict[str, Any]], complete: Any) -> None:
    by_number = {t.number: t for t in trials}
    assert sorted(by_number) == list(range(len(trials)))  # dense numbers, no duplicates
    for record in finished:
        trial = by_number[record["number"]]
        assert trial.state == complete, record
        assert trial.params == record["params"], record
        assert trial.value == record["value"], record
        assert trial.user_attrs["pid"] > 0


def _optuna_storage(backend: str, location: str) -> Any:
    if backend in RDB_BACKENDS:
        return optuna.storages.RDBStorage(location)
    journal = optuna.storages.journal
    if backend == "journal_file":
        lock = journal.JournalFileSymlinkLock(location, grace_period=LOCK_GRACE_PERIOD)
        return optuna.storages.JournalStorage(journal.JournalFileBackend(location, lock))
    return optuna.storages.JournalStorage(journal.JournalRedisBackend(REDIS_URL, prefix=location))


def _dispose(storage: Any) -> None:
    engine = getattr(storage, "engine", None)
    if engine is not None:
        engine.dispose()


def _inject_and_check(backend: str, tmp_path: Path, n_rounds: int, n_workers: int) -> None:
    location = storage_url(backend, tmp_path)
    name = f"faults-{uuid.uuid4().hex[:8]}"
    setup = open_fault_storage(backend, location)
    trimtab.create_study(storage=setup, study_name=name)
    _dispose(setup)
    logs = tmp_path / "logs"
    logs.mkdir()
    rng = random.Random(os.getpid())
    kills = sum(_kill_round(backend, location, name, logs, n_workers, rng) for _ in range(n_rounds))
    finished = _finished(logs)
    assert finished, "no trial finished before the kills: the test exercised nothing"
    try:
        storage = open_fault_storage(backend, location)  # a fresh storage object
        study = trimtab.load_study(study_name=name, storage=storage)
        _check_intact(study.trials, finished, TrialState.COMPLETE)
        left_running = sum(t.state == TrialState.RUNNING for t in study.trials)
        # The storage takes new trials after the kills.
        study.optimize(objective_params, n_trials=2)
        assert [t.state for t in study.trials[-2:]] == [TrialState.COMPLETE] * 2
        n_trials = len(study.trials)
        _dispose(storage)
        by_optuna = optuna.load_study(study_name=name, storage=_optuna_storage(backend, location))
        _check_intact(by_optuna.trials, finished, optuna.trial.TrialState.COMPLETE)
        assert len(by_optuna.trials) == n_trials
        _dispose(by_optuna._storage)
        print(
            f"{backend}: {kills} kills, {len(finished)} finished trials intact, "
            f"{left_running} left RUNNING by the kills, {n_trials} trials in all"
        )
    finally:
        if backend == "journal_redis":
            client = redis_client()
            keys = list(client.scan_iter(match=f"{location}:*"))
            if keys:
                client.delete(*keys)


@pytest.mark.parametrize("backend", BACKENDS)
def test_workers_killed_at_random_moments_lose_no_finished_trial(
    backend: str, tmp_path: Path
) -> None:
    _inject_and_check(backend, tmp_path, n_rounds=1, n_workers=4)


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_fifty_random_kills_lose_no_finished_trial(backend: str, tmp_path: Path) -> None:
    _inject_and_check(backend, tmp_path, n_rounds=10, n_workers=5)

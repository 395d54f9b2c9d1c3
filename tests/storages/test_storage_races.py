"""Races between real worker processes: a cold start on a new storage, the same study name
created at once, a study deleted under running workers, workers killed right after ``ask``.

Every worker is a real process; the ones that race are started first and released together
through a file gate, and the killed ones get SIGKILL.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from storage_backends import BACKENDS, RDB_BACKENDS, open_storage
from storage_servers import (
    MYSQL_ADMIN_URL,
    PG_ADMIN_URL,
    _ServerDatabase,
    redis_client,
    server_database,
)

import trimtab
from trimtab.storages import RetryFailedTrialCallback, fail_stale_trials
from trimtab.trial import TrialState

_WORKER = str(Path(__file__).with_name("race_worker.py"))
trimtab.logging.set_verbosity(trimtab.logging.ERROR)


def _start(args: dict[str, Any]) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), *sys.path])}
    return subprocess.Popen(
        [sys.executable, _WORKER, json.dumps(args)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _released_together(n_procs: int, gate: Path, args: dict[str, Any]) -> None:
    """Run ``n_procs`` workers (forked from one launcher) released at once by ``gate``."""
    launcher = _start({**args, "go": str(gate), "fork": n_procs})
    deadline = time.monotonic() + 120
    while len(list(gate.parent.glob(f"{gate.name}.ready.*"))) < n_procs:
        assert launcher.poll() is None, launcher.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.01)
    gate.touch()
    _, err = launcher.communicate(timeout=600)
    assert launcher.returncode == 0, err
    assert "Traceback" not in err, err


@contextmanager
def _fresh_storage(kind: str, tmp_path: Path) -> Iterator[str]:
    """A location naming a storage that does not exist yet (a new database on a server)."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path}/{uuid.uuid4().hex}.db"
    elif kind == "journal_file":
        yield str(tmp_path / f"{uuid.uuid4().hex}.log")
    elif kind == "journal_redis":
        client = redis_client()
        prefix = f"trimtab-race-{uuid.uuid4().hex}"
        try:
            yield prefix
        finally:
            keys = list(client.scan_iter(match=f"{prefix}:*"))
            if keys:
                client.delete(*keys)
    else:
        server_database(kind)  # skips (locally) or fails (CI) when the server is down
        admin = (PG_ADMIN_URL, "postgres") if kind == "postgresql" else (MYSQL_ADMIN_URL, "test")
        database = _ServerDatabase(*admin)
        try:
            yield database.url
        finally:
            database.drop()


def _dispose(storage: Any) -> None:
    engine = getattr(storage, "engine", None)
    if engine is not None:
        engine.dispose()


def _cold_start_rounds(kind: str, tmp_path: Path, rounds: int, n_procs: int) -> None:
    n_trials = 3
    for round_index in range(rounds):
        with _fresh_storage(kind, tmp_path) as location:
            name = "cold-start"
            args = {"backend": kind, "location": location, "study": name, "mode": "race"}
            gate = tmp_path / f"go-{round_index}"
            _released_together(n_procs, gate, {**args, "n_trials": n_trials})
            storage = open_storage(kind, location)
            try:
                assert trimtab.get_all_study_names(storage) == [name]
                trials = trimtab.load_study(study_name=name, storage=storage).trials
                assert sorted(t.number for t in trials) == list(range(n_procs * n_trials))
                assert all(t.state == TrialState.COMPLETE for t in trials)
                assert len({t.user_attrs["pid"] for t in trials}) == n_procs
            finally:
                _dispose(storage)


@pytest.mark.parametrize("kind", BACKENDS)
def test_workers_started_together_on_a_new_storage(kind: str, tmp_path: Path) -> None:
    _cold_start_rounds(kind, tmp_path, rounds=2, n_procs=8)


@pytest.mark.slow
@pytest.mark.timeout(3600)
@pytest.mark.parametrize("kind", BACKENDS)
def test_workers_started_together_on_a_new_storage_20_rounds(kind: str, tmp_path: Path) -> None:
    _cold_start_rounds(kind, tmp_path, rounds=20, n_procs=16)


@pytest.mark.parametrize("kind", BACKENDS)
def test_same_study_name_created_at_once(kind: str, tmp_path: Path) -> None:
    with _fresh_storage(kind, tmp_path) as location:
        storage = open_storage(kind, location)  # the storage exists; only the name races
        _dispose(storage)
        out = tmp_path / "outcomes.txt"
        args = {"backend": kind, "location": location, "study": "same", "mode": "create"}
        _released_together(8, tmp_path / "go", {**args, "out": str(out)})
        assert sorted(out.read_text().split()) == ["created"] + ["duplicated"] * 7
        storage = open_storage(kind, location)
        assert trimtab.get_all_study_names(storage) == ["same"]
        _dispose(storage)


def _delete_under_running_workers(kind: str, tmp_path: Path, rounds: int) -> None:
    for round_index in range(rounds):
        with _fresh_storage(kind, tmp_path) as location:
            name = f"doomed-{round_index}"
            storage = open_storage(kind, location)
            trimtab.create_study(storage=storage, study_name=name)
            ready = tmp_path / f"ready-{round_index}"
            outs = [tmp_path / f"stopped-{round_index}-{i}.json" for i in range(2)]
            args = {"backend": kind, "location": location, "study": name}
            procs = [
                _start({**args, "mode": "until_deleted", "ready": str(ready), "out": str(out)})
                for out in outs
            ]
            deadline = time.monotonic() + 120
            study = trimtab.load_study(study_name=name, storage=storage)
            # Both workers must be running trials (not still loading the study) when it goes.
            while (
                len(study.trials) < 20 + 10 * round_index % 30
                or not ready.exists()
                or len(ready.read_text().split()) < len(procs)
            ):
                assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
                assert time.monotonic() < deadline
                time.sleep(0.05)
            trimtab.delete_study(study_name=name, storage=storage)  # must win while they run
            assert trimtab.get_all_study_names(storage) == []
            for proc, out in zip(procs, outs):
                _, err = proc.communicate(timeout=120)
                assert proc.returncode == 0, err
                stopped = json.loads(out.read_text())
                assert stopped["type"] == "trimtab.exceptions.StudyDeletedError", stopped
                assert repr(name) in stopped["message"], stopped
            _dispose(storage)


@pytest.mark.parametrize("kind", RDB_BACKENDS)
def test_delete_study_wins_over_running_workers(kind: str, tmp_path: Path) -> None:
    _delete_under_running_workers(kind, tmp_path, rounds=1)


@pytest.mark.slow
@pytest.mark.timeout(3600)
@pytest.mark.parametrize("kind", RDB_BACKENDS)
def test_delete_study_wins_over_running_workers_10_rounds(kind: str, tmp_path: Path) -> None:
    _delete_under_running_workers(kind, tmp_path, rounds=10)


def _kill_right_after_ask(kind: str, tmp_path: Path, kills: int) -> int:
    """SIGKILL workers just after ``ask`` created (or claimed) a trial; return stale found.

    Workers and the recovering process retry stale trials, so later kills also hit trials
    claimed from the queue.
    """
    rng = random.Random()
    with _fresh_storage(kind, tmp_path) as location:
        storage = open_storage(kind, location)
        trimtab.create_study(storage=storage, study_name="killed")
        _dispose(storage)
        killed: list[int] = []
        for kill in range(kills):
            asked = tmp_path / f"asked-{kill}.txt"
            asked.touch()
            args = {"backend": kind, "location": location, "study": "killed"}
            proc = _start({**args, "mode": "slow_ask", "out": str(asked)})
            target = rng.randint(1, 2)  # killed in its first or second trial
            deadline = time.monotonic() + 300
            while len(asked.read_text().split()) < target:
                assert proc.poll() is None, proc.communicate()
                if time.monotonic() > deadline:
                    proc.send_signal(signal.SIGUSR1)  # the worker prints its stacks
                    time.sleep(1.0)
                    proc.kill()
                    pytest.fail(f"worker {kill} never asked: {proc.communicate()}")
                time.sleep(0.005)
            # The sampler's before_trial takes 0.4 s: the kill lands after the trial was
            # created (or claimed) and before the objective would start its heartbeat thread.
            time.sleep(rng.uniform(0.0, 0.35))
            proc.send_signal(signal.SIGKILL)
            proc.communicate()
            killed.append(int(asked.read_text().split()[-1]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # heartbeats are experimental
            recovering = open_storage(
                kind,
                location,
                heartbeat_interval=1,
                grace_period=1,
                heartbeat_stale_trial_callback=RetryFailedTrialCallback(max_retry=None),
            )
        study = trimtab.load_study(study_name="killed", storage=recovering)
        time.sleep(2.5)  # past the grace period of the last kill's trial
        fail_stale_trials(study)
        trials = study.get_trials(deepcopy=False)
        assert [t.number for t in trials if t.state == TrialState.RUNNING] == []
        failed = {t.number for t in trials if t.state == TrialState.FAIL}
        assert failed == set(killed)
        # Every failed trial was retried: a later trial names it last in its retry history.
        history = [t.system_attrs.get("retry_history") for t in trials]
        retried = [h[-1] for h in history if h]
        assert sorted(retried) == sorted(failed)
        _dispose(recovering)
        return len(failed)


@pytest.mark.parametrize(("kind", "kills"), [("sqlite", 4), ("journal_file", 3)])
def test_trial_killed_right_after_ask_goes_stale(kind: str, kills: int, tmp_path: Path) -> None:
    assert _kill_right_after_ask(kind, tmp_path, kills) == kills


@pytest.mark.slow
@pytest.mark.timeout(3600)
@pytest.mark.parametrize(
    ("kind", "kills"),
    [
        ("sqlite", 25),
        ("postgresql", 10),
        ("mysql", 10),
        ("journal_file", 10),
        ("journal_redis", 10),
    ],
)
def test_trial_killed_right_after_ask_goes_stale_many_kills(
    kind: str, kills: int, tmp_path: Path
) -> None:
    assert _kill_right_after_ask(kind, tmp_path, kills) == kills

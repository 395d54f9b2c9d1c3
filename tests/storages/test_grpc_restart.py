"""Workers keep going when the proxy server is killed (SIGKILL) and started again."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest

pytest.importorskip("grpc")

from grpc_support import free_port, start_cli_server, start_process, wait_for_port  # noqa: E402

import trimtab  # noqa: E402
from trimtab.trial import TrialState  # noqa: E402

N_WORKERS = 4
N_TRIALS = 25

_WORKER = textwrap.dedent(
    """
    import sys, time
    import trimtab
    trimtab.logging.set_verbosity(trimtab.logging.ERROR)
    storage = trimtab.storages.GrpcStorageProxy(
        host="127.0.0.1", port=int(sys.argv[1]), connect_timeout=60, reconnect_timeout=120
    )
    study = trimtab.load_study(study_name="restart", storage=storage)

    def objective(trial):
        x = trial.suggest_float("x", -1, 1)
        time.sleep(0.05)
        y = trial.suggest_int("y", 0, 9)
        return x * x + y

    def told(study, trial):
        print(trial.number, trial.state.name, flush=True)

    study.optimize(objective, n_trials=int(sys.argv[2]), callbacks=[told])
    """
)


def _count_complete(url: str) -> int:
    storage = trimtab.storages.RDBStorage(url)
    try:
        study_id = storage.get_study_id_from_name("restart")
        return storage.get_n_trials(study_id, TrialState.COMPLETE)
    finally:
        storage.engine.dispose()


@pytest.mark.slow
def test_workers_survive_a_killed_and_restarted_server(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    trimtab.create_study(storage=url, study_name="restart")
    port = free_port()
    server = start_cli_server(url, port)
    wait_for_port(port)
    workers = [start_process(_WORKER, str(port), str(N_TRIALS)) for _ in range(N_WORKERS)]
    try:
        deadline = time.monotonic() + 120
        while _count_complete(url) < 20 and time.monotonic() < deadline:
            time.sleep(0.1)
        server.kill()  # SIGKILL: no goodbye to the workers
        server.communicate(timeout=30)
        time.sleep(1.0)
        done_while_down = _count_complete(url)
        server = start_cli_server(url, port)
        outputs = [worker.communicate(timeout=300) for worker in workers]
    finally:
        server.terminate()
        server.communicate(timeout=30)
        for worker in workers:
            worker.kill()
    for worker, (_, err) in zip(workers, outputs):
        assert worker.returncode == 0, err
    reported = [line.split() for out, _ in outputs for line in out.splitlines()]
    assert len(reported) == N_WORKERS * N_TRIALS
    assert done_while_down < N_WORKERS * N_TRIALS  # the kill happened mid-run

    trials = trimtab.load_study(study_name="restart", storage=url).trials
    complete = sorted(t.number for t in trials if t.state == TrialState.COMPLETE)
    # No trial lost, none counted twice: what the workers were told is exactly what is stored.
    assert complete == sorted(int(number) for number, state in reported if state == "COMPLETE")
    assert len(complete) == N_WORKERS * N_TRIALS
    assert sorted(t.number for t in trials) == list(range(len(trials)))
    # A kill between a trial's creation and its reply can orphan that one RUNNING trial.
    assert len(trials) - len(complete) <= 1

"""Wire compatibility with Optuna 5.0's gRPC storage proxy, both ways.

In one process (fast: both libraries' generated modules load side by side) and with real
server and worker processes (slow marker).
"""

from __future__ import annotations

import textwrap
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

pytest.importorskip("grpc")
optuna = pytest.importorskip("optuna")

from grpc_support import (  # noqa: E402
    free_port,
    start_cli_server,
    start_process,
    trimtab_server,
    wait_for_port,
)

import trimtab  # noqa: E402
from trimtab.storages import GrpcStorageProxy  # noqa: E402

optuna.logging.set_verbosity(optuna.logging.WARNING)
trimtab.logging.set_verbosity(trimtab.logging.WARNING)
warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)


def _objective(trial: object) -> float:
    x = trial.suggest_float("x", -3, 3)  # type: ignore[attr-defined]
    kind = trial.suggest_categorical("kind", ["a", "b", None])  # type: ignore[attr-defined]
    n = trial.suggest_int("n", 1, 64, log=True)  # type: ignore[attr-defined]
    trial.report(x * x, 0)  # type: ignore[attr-defined]
    trial.set_user_attr("kind_was", kind)  # type: ignore[attr-defined]
    return x * x + n / 64


@contextmanager
def optuna_server(url: str) -> Iterator[int]:
    from optuna.storages._grpc.server import make_server

    port = free_port()
    server = make_server(optuna.storages.get_storage(url), "127.0.0.1", port)
    server.start()
    try:
        yield port
    finally:
        server.stop(grace=None).wait()


def _summary(trials: list) -> list[tuple]:  # type: ignore[type-arg]
    return [
        (t.number, t.state.name, t.values, t.params, t.user_attrs, t.intermediate_values)
        for t in trials
    ]


def test_optuna_client_on_trimtab_server(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    with trimtab_server(url) as port:
        client = optuna.storages.GrpcStorageProxy(host="127.0.0.1", port=port)
        study = optuna.create_study(storage=client, study_name="o", directions=["minimize"])
        study.set_user_attr("owner", "optuna")
        study.optimize(_objective, n_trials=8)
        enqueued = study.enqueue_trial({"x": 0.0, "kind": None, "n": 1})
        del enqueued
        study.optimize(_objective, n_trials=1)
        seen_by_optuna = _summary(study.trials)
        client.close()
    direct = trimtab.load_study(study_name="o", storage=url)
    assert _summary(direct.trials) == seen_by_optuna
    assert direct.user_attrs == {"owner": "optuna"}
    assert direct.trials[-1].params == {"x": 0.0, "kind": None, "n": 1}


def test_trimtab_client_on_optuna_server(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    with optuna_server(url) as port:
        proxy = GrpcStorageProxy(host="127.0.0.1", port=port)
        study = trimtab.create_study(storage=proxy, study_name="t", direction="maximize")
        study.optimize(_objective, n_trials=8)
        with pytest.raises(trimtab.exceptions.DuplicatedStudyError):
            trimtab.create_study(storage=proxy, study_name="t")
        with pytest.raises(KeyError):
            proxy.get_trial(10**6)
        seen_by_trimtab = _summary(study.trials)
        proxy.close()
    direct = optuna.load_study(study_name="t", storage=url)
    assert _summary(direct.trials) == seen_by_trimtab
    assert direct.direction == optuna.study.StudyDirection.MAXIMIZE


_OPTUNA_WORKER = textwrap.dedent(
    """
    import sys, warnings
    import optuna
    warnings.simplefilter("ignore")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = optuna.storages.GrpcStorageProxy(host="127.0.0.1", port=int(sys.argv[1]))
    storage.wait_server_ready(timeout=60)
    study = optuna.load_study(study_name="shared", storage=storage)
    study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=int(sys.argv[2]))
    """
)


@pytest.mark.slow
def test_optuna_worker_processes_on_trimtab_cli_server(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    trimtab.create_study(storage=url, study_name="shared")
    port = free_port()
    server = start_cli_server(url, port)
    try:
        wait_for_port(port)
        workers = [start_process(_OPTUNA_WORKER, str(port), "20") for _ in range(3)]
        for worker in workers:
            _, err = worker.communicate(timeout=300)
            assert worker.returncode == 0, err
    finally:
        server.terminate()
        server.communicate(timeout=30)
    assert server.returncode == 0
    trials = trimtab.load_study(study_name="shared", storage=url).trials
    assert sorted(t.number for t in trials) == list(range(60))
    assert all(t.state == trimtab.trial.TrialState.COMPLETE for t in trials)


_OPTUNA_SERVER = textwrap.dedent(
    """
    import sys, warnings
    import optuna
    warnings.simplefilter("ignore")
    storage = optuna.storages.get_storage(sys.argv[1])
    optuna.storages.run_grpc_proxy_server(storage, host="127.0.0.1", port=int(sys.argv[2]))
    """
)

_TRIMTAB_WORKER = textwrap.dedent(
    """
    import sys
    import trimtab
    trimtab.logging.set_verbosity(trimtab.logging.WARNING)
    storage = trimtab.storages.GrpcStorageProxy(
        host="127.0.0.1", port=int(sys.argv[1]), connect_timeout=60
    )
    study = trimtab.load_study(study_name="shared", storage=storage)
    study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=int(sys.argv[2]))
    """
)


@pytest.mark.slow
def test_trimtab_worker_processes_on_optuna_server(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    optuna.create_study(storage=url, study_name="shared")
    port = free_port()
    server = start_process(_OPTUNA_SERVER, url, str(port))
    try:
        wait_for_port(port)
        workers = [start_process(_TRIMTAB_WORKER, str(port), "20") for _ in range(3)]
        for worker in workers:
            _, err = worker.communicate(timeout=300)
            assert worker.returncode == 0, err
    finally:
        server.kill()
        server.communicate(timeout=30)
    trials = optuna.load_study(study_name="shared", storage=url).trials
    assert sorted(t.number for t in trials) == list(range(60))
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in trials)

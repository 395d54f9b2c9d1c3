"""The gRPC storage proxy in one process: the storage contract, errors, incremental reads."""

from __future__ import annotations

import pickle
import subprocess
import sys
from collections.abc import Iterator

import pytest

pytest.importorskip("grpc")

from grpc_support import free_port, trimtab_server  # noqa: E402

import trimtab  # noqa: E402
from trimtab.distributions import FloatDistribution  # noqa: E402
from trimtab.storages import BaseStorage, GrpcStorageProxy, InMemoryStorage  # noqa: E402
from trimtab.testing.storages import StorageContract  # noqa: E402
from trimtab.trial import TrialState, create_trial  # noqa: E402

trimtab.logging.set_verbosity(trimtab.logging.WARNING)


class TestGrpcProxyContract(StorageContract):
    """Every storage promise holds through the proxy (server on an in-memory storage)."""

    @pytest.fixture(autouse=True)
    def _servers(self) -> Iterator[None]:
        self._open: list[object] = []
        yield
        for context in self._open:
            context.__exit__(None, None, None)  # type: ignore[attr-defined]

    def make_storage(self) -> BaseStorage:
        context = trimtab_server(InMemoryStorage())
        port = context.__enter__()
        self._open.append(context)
        return GrpcStorageProxy(host="127.0.0.1", port=port)


@pytest.fixture()
def proxy(tmp_path: object) -> Iterator[GrpcStorageProxy]:
    with trimtab_server(f"sqlite:///{tmp_path}/proxy.db") as port:
        storage = GrpcStorageProxy(host="127.0.0.1", port=port)
        yield storage
        storage.close()


def test_optimize_through_the_proxy(proxy: GrpcStorageProxy) -> None:
    study = trimtab.create_study(storage=proxy, study_name="opt")

    def objective(trial: trimtab.Trial) -> float:
        x = trial.suggest_float("x", -5, 5)
        trial.report(x, 0)
        trial.set_user_attr("doubled", 2 * x)
        return (x - 1) ** 2

    study.optimize(objective, n_trials=30)
    again = trimtab.load_study(study_name="opt", storage=proxy)
    assert len(again.trials) == 30
    assert again.best_value == study.best_value
    best = again.best_trial
    assert best.user_attrs == {"doubled": 2 * best.params["x"]}
    assert best.intermediate_values == {0: best.params["x"]}
    assert [s.study_name for s in trimtab.get_all_study_summaries(proxy)] == ["opt"]


def test_server_answers_get_trials_with_only_what_changed() -> None:
    backend = InMemoryStorage()
    study_id = backend.create_new_study([trimtab.study.StudyDirection.MINIMIZE], "big")
    for i in range(10_000):
        backend.create_new_trial(
            study_id,
            create_trial(
                params={"x": i / 10_000},
                distributions={"x": FloatDistribution(0, 1)},
                value=float(i),
            ),
        )
    with trimtab_server(backend) as port:
        proxy = GrpcStorageProxy(host="127.0.0.1", port=port)
        received: list[int] = []
        fetch = proxy._fetch_trials

        def counting_fetch(*args: object) -> object:
            trials = fetch(*args)  # type: ignore[arg-type]
            received.append(len(trials))
            return trials

        proxy._cache._fetch = counting_fetch
        assert len(proxy.get_all_trials(study_id, deepcopy=False)) == 10_000
        running = proxy.create_new_trial(study_id)
        assert proxy.get_n_trials(study_id) == 10_001
        proxy.set_trial_state_values(running, TrialState.COMPLETE, [0.5])
        assert proxy.get_all_trials(study_id, deepcopy=False)[-1].values == [0.5]
        assert proxy.get_all_trials(study_id, deepcopy=False)[-1].state == TrialState.COMPLETE
        assert received == [10_000, 1, 1, 0]


def test_get_trials_since_through_the_proxy(proxy: GrpcStorageProxy) -> None:
    study_id = proxy.create_new_study([trimtab.study.StudyDirection.MINIMIZE], "since")
    first = proxy.create_new_trial(study_id)
    trials, cursor = proxy.get_trials_since(study_id, 0)
    assert [t.number for t in trials] == [0]
    assert proxy.get_trials_since(study_id, cursor)[0] == []
    proxy.set_trial_state_values(first, TrialState.COMPLETE, [1.0])
    proxy.create_new_trial(study_id)
    trials, _ = proxy.get_trials_since(study_id, cursor)
    assert [(t.number, t.state) for t in trials] == [
        (0, TrialState.COMPLETE),
        (1, TrialState.RUNNING),
    ]


def test_reads_while_sampling_a_new_trial_share_one_fetch(
    proxy: GrpcStorageProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a thread creates a trial, its reads of the study up to its next write are
    answered by one GetTrials; a write, another thread or the time limit fetch again."""
    import threading

    from trimtab.storages._grpc import _ask_window

    other = GrpcStorageProxy(host="127.0.0.1", port=proxy._port)
    study_id = proxy.create_new_study([trimtab.study.StudyDirection.MINIMIZE], "ask")
    fetches: list[int] = []
    fetch = proxy._fetch_trials

    def counting_fetch(*args: object) -> object:
        fetches.append(1)
        return fetch(*args)  # type: ignore[arg-type]

    proxy._cache._fetch = counting_fetch
    running = proxy.create_new_trial(study_id)
    assert proxy.get_trial(running).number == 0
    assert [t.number for t in proxy.get_all_trials(study_id)] == [0]
    finished = other.create_new_trial(study_id)
    other.set_trial_state_values(finished, TrialState.COMPLETE, [1.0])
    assert [t.number for t in proxy.get_all_trials(study_id)] == [0]
    assert [t.number for t in proxy.get_trials_since(study_id, 0)[0]] == [0]
    assert len(fetches) == 1

    seen: list[int] = []
    reader = threading.Thread(target=lambda: seen.extend(proxy.get_trials_since(study_id, 0)[1:]))
    reader.start()
    reader.join()
    assert len(fetches) == 2

    proxy.set_trial_param(running, "x", 0.5, FloatDistribution(0, 1))
    trials = proxy.get_all_trials(study_id)
    assert [(t.number, t.state) for t in trials] == [
        (0, TrialState.RUNNING),
        (1, TrialState.COMPLETE),
    ]
    assert trials[0].params == {"x": 0.5}
    proxy.get_all_trials(study_id)
    assert len(fetches) == 4  # no trial created since the write: every read fetches

    monkeypatch.setattr(_ask_window, "SECONDS", 0.0)
    proxy.create_new_trial(study_id)
    proxy.get_all_trials(study_id)
    proxy.get_all_trials(study_id)
    assert len(fetches) == 6
    other.close()


def test_unreachable_server_names_host_and_port() -> None:
    port = free_port()
    proxy = GrpcStorageProxy(host="127.0.0.1", port=port, connect_timeout=0.5)
    with pytest.raises(ConnectionError, match=f"127.0.0.1:{port}"):
        trimtab.create_study(storage=proxy)
    with pytest.raises(ConnectionError, match=f"127.0.0.1:{port}"):
        proxy.wait_server_ready(timeout=0.2)


def test_proxy_pickles_for_worker_processes(proxy: GrpcStorageProxy) -> None:
    study_id = proxy.create_new_study([trimtab.study.StudyDirection.MAXIMIZE], "pickled")
    copy = pickle.loads(pickle.dumps(proxy))
    assert copy.get_study_name_from_id(study_id) == "pickled"


def test_server_that_cannot_bind_says_where() -> None:
    from trimtab.storages._grpc._server import make_server

    with trimtab_server(InMemoryStorage()) as port:
        with pytest.raises(OSError, match=f"127.0.0.1:{port}"):
            make_server(InMemoryStorage(), "127.0.0.1", port)


def test_grpc_loads_only_when_used_and_its_absence_names_the_extra() -> None:
    code = (
        "import sys, trimtab, trimtab.storages; "
        "assert 'grpc' not in sys.modules and 'google.protobuf' not in sys.modules; "
        "sys.modules['grpc'] = None; "
        "from trimtab.storages import GrpcStorageProxy\n"
        "try:\n    GrpcStorageProxy()\nexcept ImportError as e:\n    print(e)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert 'pip install "trimtab[grpc]"' in out.stdout


def test_running_trials_are_current_without_rereading_them(tmp_path: object) -> None:
    """Workers see each other's running trials as they are written. Those created through the
    server are answered from the writes it passed on; one created in the database directly is
    read from there again."""
    from sqlalchemy import event

    url = f"sqlite:///{tmp_path}/served.db"
    backend = trimtab.storages.RDBStorage(url)
    study_id = backend.create_new_study([trimtab.study.StudyDirection.MINIMIZE], "live")
    statements: list[str] = []
    event.listen(backend.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    dist = FloatDistribution(0, 1)
    with trimtab_server(backend) as port:
        first, second, reader = (GrpcStorageProxy(host="127.0.0.1", port=port) for _ in "abc")
        a = first.create_new_trial(study_id)
        b = second.create_new_trial(study_id)
        first.set_trial_param(a, "x", 0.1, dist)
        second.set_trial_param(b, "x", 0.2, dist)
        assert [t.params for t in reader.get_all_trials(study_id)] == [{"x": 0.1}, {"x": 0.2}]

        first.set_trial_param(a, "y", 0.3, dist)
        second.set_trial_user_attr(b, "note", "half way")
        statements.clear()
        trials = reader.get_all_trials(study_id)
        assert [t.params for t in trials] == [{"x": 0.1, "y": 0.3}, {"x": 0.2}]
        assert trials[1].user_attrs == {"note": "half way"}
        queries = [sql for sql in statements if sql.startswith("SELECT")]
        assert len(queries) == 1  # which trials are new or changed state; nothing else

        direct = trimtab.storages.RDBStorage(url)
        c = direct.create_new_trial(study_id)
        direct.set_trial_param(c, "x", 0.4, dist)
        assert reader.get_all_trials(study_id)[2].params == {"x": 0.4}
        direct.set_trial_param(c, "y", 0.5, dist)
        first.set_trial_state_values(a, TrialState.COMPLETE, [1.0])
        trials = reader.get_all_trials(study_id)
        assert [t.state for t in trials] == [
            TrialState.COMPLETE,
            TrialState.RUNNING,
            TrialState.RUNNING,
        ]
        assert trials[2].params == {"x": 0.4, "y": 0.5}
        assert trials[0].values == [1.0]

"""Bad input and damaged storages give clear errors; schema versions; heartbeats; retries."""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy

import trimtab
from trimtab.exceptions import StorageInternalError
from trimtab.storages import (
    RDBStorage,
    RetryFailedTrialCallback,
    RetryHeartbeatStaleTrialCallback,
    fail_stale_trials,
)
from trimtab.storages.journal import JournalFileBackend, JournalFileOpenLock, JournalStorage
from trimtab.trial import TrialState

trimtab.logging.set_verbosity(trimtab.logging.WARNING)


def test_unknown_url_scheme() -> None:
    with pytest.raises(ValueError, match="Unknown storage URL scheme 'foo'"):
        RDBStorage("foo://somewhere/db")


def test_unreachable_server() -> None:
    with pytest.raises(StorageInternalError, match="Could not open the storage"):
        RDBStorage("postgresql+psycopg2://postgres@127.0.0.1:1/nothing")


def test_wrong_password_is_reported_without_the_password() -> None:
    from storage_servers import server_database

    server_database("mysql")  # skips (locally) or fails (CI) when MariaDB is down
    with pytest.raises(StorageInternalError, match="Access denied") as info:
        RDBStorage("mysql+pymysql://root:not-the-password@127.0.0.1:3306/test")
    assert "not-the-password" not in str(info.value)


def test_redis_url_given_as_a_string_opens_a_redis_journal() -> None:
    # The one storage rule (storages/_factory): Optuna refuses the string, trimtab opens the
    # journal the CLI would open. Only read here: other tests share this server's keys.
    from trimtab.storages import JournalStorage, get_storage

    with pytest.warns(trimtab.exceptions.ExperimentalWarning):
        assert isinstance(get_storage("redis://localhost:6379"), JournalStorage)


def test_read_only_sqlite_reads_and_refuses_writes_clearly(tmp_path: Path) -> None:
    path = tmp_path / "ro.db"
    study = trimtab.create_study(storage=f"sqlite:///{path}", study_name="ro")
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"
    loaded = trimtab.load_study(study_name="ro", storage=read_only)
    assert len(loaded.trials) == 2
    with pytest.raises(StorageInternalError, match="read-only"):
        loaded.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)


def test_schema_revisions(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    storage = RDBStorage(url)
    assert storage.get_current_version() == storage.get_head_version() == "v3.2.0.a"
    assert storage.get_all_versions()[-1] == "v0.9.0.a"
    with storage.engine.begin() as conn:
        conn.execute(sqlalchemy.text("UPDATE alembic_version SET version_num = 'v3.0.0.d'"))
    with pytest.raises(RuntimeError, match=r"v3\.0\.0\.d.*v3\.2\.0\.a.*trimtab storage upgrade"):
        RDBStorage(url)
    old = RDBStorage(url, skip_compatibility_check=True)
    old.upgrade()
    assert RDBStorage(url).get_current_version() == "v3.2.0.a"
    with storage.engine.begin() as conn:
        conn.execute(sqlalchemy.text("UPDATE alembic_version SET version_num = 'v9.0.0.a'"))
    with pytest.raises(RuntimeError, match=r"v9\.0\.0\.a.*newer"):
        RDBStorage(url)
    with storage.engine.begin() as conn:
        conn.execute(sqlalchemy.text("UPDATE alembic_version SET version_num = 'v1.3.0.a'"))
    with pytest.raises(RuntimeError, match="optuna storage upgrade"):
        RDBStorage(url)
    with pytest.raises(RuntimeError, match="from revision v3.0.0.d onwards"):
        RDBStorage(url, skip_compatibility_check=True).upgrade()


def test_truncated_last_journal_line_keeps_the_study_readable(tmp_path: Path) -> None:
    path = tmp_path / "journal.log"
    storage = JournalStorage(JournalFileBackend(str(path)))
    study = trimtab.create_study(storage=storage, study_name="j")
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    with open(path, "ab") as f:
        f.write(b'{"op_code": 4, "worker_id": "crashed", "study_id": 0, "datetime_st')
    reopened = trimtab.load_study(
        study_name="j", storage=JournalStorage(JournalFileBackend(str(path)))
    )
    assert len(reopened.trials) == 3
    reopened.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    again = trimtab.load_study(
        study_name="j", storage=JournalStorage(JournalFileBackend(str(path)))
    )
    assert [t.number for t in again.trials] == [0, 1, 2, 3, 4]
    assert all(t.state == TrialState.COMPLETE for t in again.trials)


def test_stale_file_lock_is_broken_after_the_grace_period(tmp_path: Path) -> None:
    path = tmp_path / "journal.log"
    path.touch()
    Path(str(path) + ".lock").touch()  # left behind by a killed writer
    lock = JournalFileOpenLock(str(path), grace_period=1)
    backend = JournalFileBackend(str(path), lock_obj=lock)
    started = time.monotonic()
    backend.append_logs([{"op_code": 0, "worker_id": "w", "study_name": "s", "directions": [1]}])
    assert time.monotonic() - started < 30
    assert list(backend.read_logs(0))[0]["study_name"] == "s"


def test_heartbeat_arguments() -> None:
    with pytest.raises(ValueError, match="heartbeat_interval"):
        RDBStorage("sqlite:///:memory:", heartbeat_interval=0)
    with pytest.raises(ValueError, match="grace_period"):
        RDBStorage("sqlite:///:memory:", grace_period=-1)
    with pytest.raises(ValueError, match="only one"):
        RDBStorage(
            "sqlite:///:memory:",
            heartbeat_stale_trial_callback=print,  # type: ignore[arg-type]
            failed_trial_callback=print,  # type: ignore[arg-type]
        )
    with pytest.warns(FutureWarning, match="failed_trial_callback"):
        storage = RDBStorage("sqlite:///:memory:", failed_trial_callback=print)  # type: ignore[arg-type]
    assert storage.get_heartbeat_stale_trial_callback() is print


def test_deprecated_names_warn(tmp_path: Path) -> None:
    from trimtab import storages

    with pytest.warns(FutureWarning, match="JournalFileStorage"):
        storages.JournalFileStorage(str(tmp_path / "a.log"))
    with pytest.warns(FutureWarning, match="JournalFileOpenLock"):
        storages.JournalFileOpenLock(str(tmp_path / "a.log"))
    with pytest.warns(FutureWarning, match="RetryFailedTrialCallback"):
        RetryFailedTrialCallback()


@pytest.mark.parametrize("kind", ["rdb", "journal"])
def test_stale_trials_fail_and_retry_with_history(tmp_path: Path, kind: str) -> None:
    callback = RetryHeartbeatStaleTrialCallback(max_retry=1, inherit_intermediate_values=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if kind == "rdb":
            storage = RDBStorage(
                f"sqlite:///{tmp_path}/hb.db",
                heartbeat_interval=1,
                grace_period=1,
                heartbeat_stale_trial_callback=callback,
            )
        else:
            storage = JournalStorage(
                JournalFileBackend(str(tmp_path / "hb.log")),
                heartbeat_interval=1,
                grace_period=1,
                heartbeat_stale_trial_callback=callback,
            )
        study = trimtab.create_study(storage=storage, study_name="hb")
        for attempt in range(2):  # the original trial, then its retry
            trial = study.ask()
            assert trial.number == attempt
            trial.suggest_float("x", 0, 1)
            if attempt == 0:
                trial.report(0.5, 0)
            storage.record_heartbeat(trial._trial_id)
            time.sleep(2.2)
            fail_stale_trials(study)
            if attempt == 0:  # the queued retry starts without the old trial's heartbeat
                (queued,) = study.get_trials(deepcopy=False, states=(TrialState.WAITING,))
                assert "trimtab:heartbeat" not in queued.system_attrs
    first, retry = study.get_trials(deepcopy=False)  # the retry was not retried (max_retry=1)
    assert first.state == retry.state == TrialState.FAIL
    assert retry.params == first.params
    assert retry.intermediate_values == {0: 0.5}
    assert retry.system_attrs["failed_trial"] == 0
    assert retry.system_attrs["retry_history"] == [0]
    assert RetryHeartbeatStaleTrialCallback.retried_trial_number(retry) == 0
    assert RetryHeartbeatStaleTrialCallback.retry_history(retry) == [0]
    fail_stale_trials(study)  # nothing more is stale
    assert len(study.get_trials(deepcopy=False)) == 2


def test_redis_journal_snapshot_speeds_up_a_new_reader() -> None:
    from storage_backends import REDIS_URL
    from storage_servers import redis_client

    from trimtab.storages.journal import JournalRedisBackend

    client = redis_client()
    prefix = f"trimtab-test-snap-{time.time_ns()}"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            storage = JournalStorage(JournalRedisBackend(REDIS_URL, prefix=prefix))
            study = trimtab.create_study(storage=storage, study_name="snap")
            study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=101)
            assert client.get(f"{prefix}:trimtab_snapshot") is not None
            backend = JournalRedisBackend(REDIS_URL, prefix=prefix)
            read_from: list[int] = []
            original = backend.read_logs

            def spy(log_number_from: int) -> Any:
                read_from.append(log_number_from)
                return original(log_number_from)

            backend.read_logs = spy  # type: ignore[method-assign]
            reader = JournalStorage(backend)
            assert read_from[0] > 0  # started from the snapshot, not the first record
        loaded = trimtab.load_study(study_name="snap", storage=reader)
        assert [t.number for t in loaded.trials] == list(range(101))
        assert loaded.best_value == study.best_value
    finally:
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)

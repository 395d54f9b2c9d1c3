"""PostgreSQL and MySQL: the storage's transactions, and ``storage.engine``, run at the
isolation level configured (READ COMMITTED unless ``engine_kwargs`` names another), while
its reads and single-statement writes run in autocommit mode; busy threads keep their
connections."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import sqlalchemy
from storage_servers import storage_url

import trimtab
from trimtab.storages import RDBStorage
from trimtab.trial import TrialState

trimtab.logging.set_verbosity(trimtab.logging.WARNING)


@pytest.mark.parametrize("kind", ["postgresql", "mysql"])
@pytest.mark.parametrize("level", [None, "SERIALIZABLE"])
def test_transactions_keep_the_configured_isolation_level(
    kind: str, level: str | None, tmp_path: Any
) -> None:
    engine_kwargs = {} if level is None else {"isolation_level": level}
    storage = RDBStorage(storage_url(kind, tmp_path), engine_kwargs=engine_kwargs)
    expected = level or "READ COMMITTED"
    try:
        with storage.engine.connect() as conn:
            assert conn.get_isolation_level() == expected
        study = trimtab.create_study(storage=storage)
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
        trial_id = storage.create_new_trial(study._study_id)
        assert storage.set_trial_state_values(trial_id, TrialState.COMPLETE, [0.5])
        assert [t.state for t in study.trials] == [TrialState.COMPLETE] * 4
        with storage.engine.begin() as conn:  # after the storage's own reads and writes
            assert conn.get_isolation_level() == expected
            assert not _autocommit(conn.connection.dbapi_connection)
    finally:
        storage.engine.dispose()


def _autocommit(dbapi_connection: Any) -> bool:
    if hasattr(dbapi_connection, "get_autocommit"):  # PyMySQL
        return bool(dbapi_connection.get_autocommit())
    return bool(dbapi_connection.autocommit)  # psycopg2 / psycopg


@pytest.mark.parametrize("kind", ["postgresql", "mysql"])
def test_connections_beyond_five_are_kept(kind: str, tmp_path: Any) -> None:
    # With SQLAlchemy's default pool, each connection beyond the fifth was closed on return:
    # ten busy threads (a gRPC proxy server's) opened a server session per call or so.
    storage = RDBStorage(storage_url(kind, tmp_path))
    opened = []
    sqlalchemy.event.listen(storage.engine.pool, "connect", lambda *_: opened.append(1))
    try:
        study = trimtab.create_study(storage=storage)
        busy = [storage.engine.connect() for _ in range(10)]  # ten threads in the database
        for conn in busy:
            conn.close()
        before = len(opened)
        assert before <= 10
        trial_ids = [storage.create_new_trial(study._study_id) for _ in range(3)]
        start = threading.Barrier(len(trial_ids))

        def write(trial_id: int) -> None:
            start.wait()
            for k in range(20):
                storage.set_trial_user_attr(trial_id, f"k{k}", k)

        threads = [threading.Thread(target=write, args=(i,)) for i in trial_ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(opened) == before
        assert storage.engine.pool.checkedin() == len(busy)  # type: ignore[attr-defined]
        assert storage.get_trial(trial_ids[0]).user_attrs["k19"] == 19
    finally:
        storage.engine.dispose()


def test_trial_numbers_stay_dense_between_writers(tmp_path: Any) -> None:
    # A storage counts only the trials after its last own one; trials other writers add in
    # between (another storage, a copied trial, Optuna itself) must still be counted.
    import optuna

    url = storage_url("postgresql", tmp_path)
    first, second = RDBStorage(url), RDBStorage(url)
    try:
        study_id = trimtab.create_study(storage=first, study_name="dense")._study_id
        done = trimtab.create_trial(value=1.0)
        for _ in range(3):
            first.create_new_trial(study_id)
        second.create_new_trial(study_id)
        second.create_new_trial(study_id, template_trial=done)
        first.create_new_trial(study_id)
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        optuna.load_study(study_name="dense", storage=url).ask()
        first.create_new_trial(study_id)
        second.create_new_trial(study_id)
        numbers = [t.number for t in RDBStorage(url).get_all_trials(study_id)]
        assert sorted(numbers) == list(range(9))
    finally:
        first.engine.dispose()
        second.engine.dispose()

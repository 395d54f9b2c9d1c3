"""``RDBStorage.get_trials_since`` reads only what changed: one query when nothing did, and only
the new or re-stated trials' rows when something did (what the gRPC proxy's cache relies on)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event

from trimtab.distributions import FloatDistribution
from trimtab.storages import RDBStorage
from trimtab.study import StudyDirection
from trimtab.trial import TrialState


@contextmanager
def counted(storage: RDBStorage) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = storage._handle.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_unchanged_running_trials_cost_one_query_and_changes_only_their_rows(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    reader, writer = RDBStorage(url), RDBStorage(url)
    study_id = writer.create_new_study([StudyDirection.MINIMIZE], "s")
    ids = [writer.create_new_trial(study_id) for _ in range(4)]
    dist = FloatDistribution(0, 1)
    for trial_id in ids:
        writer.set_trial_param(trial_id, "x", 0.5, dist)
    trials, cursor = reader.get_trials_since(study_id, 0)
    assert [t.number for t in trials] == [0, 1, 2, 3]

    with counted(reader) as statements:
        assert reader.get_trials_since(study_id, cursor) == ([], cursor)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1

    writer.set_trial_param(ids[1], "y", 0.25, dist)  # a running trial changes, same state
    writer.set_trial_user_attr(ids[2], "note", "done")
    writer.set_trial_state_values(ids[2], TrialState.COMPLETE, [0.1])
    new_id = writer.create_new_trial(study_id)
    with counted(reader) as statements:
        trials, cursor = reader.get_trials_since(study_id, cursor)
    assert [(t.number, t.state) for t in trials] == [
        (2, TrialState.COMPLETE),
        (4, TrialState.RUNNING),
    ]
    assert trials[0].values == [0.1] and trials[0].user_attrs == {"note": "done"}
    assert trials[0].params == {"x": 0.5}
    assert trials[1]._trial_id == new_id
    # The changed trials' rows only: the unchanged running trials are not read again.
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 6
    # get_all_trials still reads running trials afresh.
    assert reader.get_all_trials(study_id)[1].params == {"x": 0.5, "y": 0.25}
    assert reader.get_trials_since(study_id, cursor) == ([], cursor)


def test_proxy_index_serves_running_trials_afresh_in_one_pass(tmp_path: Path) -> None:
    # The gRPC server's index reads the listed unfinished trials together (a fixed number of
    # queries, not six per trial) and still returns their latest params.
    pytest.importorskip("grpc")
    from trimtab.storages._grpc._convert import trial_from_proto
    from trimtab.storages._grpc._trial_index import TrialIndex

    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    served, writer = RDBStorage(url), RDBStorage(url)
    study_id = writer.create_new_study([StudyDirection.MINIMIZE], "s")
    ids = [writer.create_new_trial(study_id) for _ in range(8)]
    index = TrialIndex(served)
    assert len(index.select(study_id, -1, [])) == 8
    dist = FloatDistribution(0, 1)
    for n, trial_id in enumerate(ids):
        writer.set_trial_param(trial_id, "x", n / 10, dist)
    writer.set_trial_state_values(ids[0], TrialState.COMPLETE, [1.0])
    with counted(served) as statements:
        messages = index.select(study_id, ids[-1], ids)
    trials = [trial_from_proto(m) for m in messages]
    assert [t.params for t in trials] == [{"x": n / 10} for n in range(8)]
    assert trials[0].state == TrialState.COMPLETE
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) <= 14


def test_trials_this_process_finished_are_not_read_back(tmp_path: Path) -> None:
    # What Study.optimize's "Best is trial ..." line costs per trial: one query, as the
    # storage already holds the trial it finished; another process's trials are still read.
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    storage, other = RDBStorage(url), RDBStorage(url)
    study_id = storage.create_new_study([StudyDirection.MINIMIZE], "s")
    dist = FloatDistribution(0, 1)
    storage.get_study_directions(study_id)  # the study's cache is set up once, not per trial
    for number, value in enumerate((0.5, 0.25)):
        trial_id = storage.create_new_trial(study_id)
        storage.set_trial_param(trial_id, "x", value, dist)
        storage.set_trial_user_attr(trial_id, "note", {"v": value})
        with counted(storage) as statements:
            storage.set_trial_state_values(trial_id, TrialState.COMPLETE, [value])
            best = storage.get_best_trial(study_id)
        assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
        assert (best.number, best.value, best.params) == (number, value, {"x": value})
        assert best.user_attrs == {"note": {"v": value}}
        assert best == other.get_trial(trial_id)  # the record equals what a reader gets

    theirs = other.create_new_trial(study_id)
    other.set_trial_param(theirs, "x", 0.125, dist)
    other.set_trial_state_values(theirs, TrialState.COMPLETE, [0.125])
    best = storage.get_best_trial(study_id)
    assert (best.number, best.params, best.value) == (2, {"x": 0.125}, 0.125)
    assert [t.number for t in storage.get_all_trials(study_id)] == [0, 1, 2]


def test_trials_this_process_wrote_are_not_read_back(tmp_path: Path) -> None:
    # A worker that created and finished a trial already holds its record: its next
    # incremental read costs the one query over the trial rows, and returns the same record a
    # reader in another process builds from the database.
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    worker, other = RDBStorage(url), RDBStorage(url)
    study_id = worker.create_new_study([StudyDirection.MINIMIZE], "s")
    _, cursor = worker.get_trials_since(study_id, 0)
    dist = FloatDistribution(0, 1)
    done = worker.create_new_trial(study_id)
    worker.set_trial_param(done, "x", 0.5, dist)
    worker.set_trial_user_attr(done, "note", {"k": [1, 2]})
    worker.set_trial_intermediate_value(done, 0, 0.75)
    worker.set_trial_state_values(done, TrialState.COMPLETE, [0.25])
    running = worker.create_new_trial(study_id)
    worker.set_trial_param(running, "x", 0.125, dist)
    with counted(worker) as statements:
        trials, _ = worker.get_trials_since(study_id, cursor)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
    from_db, _ = other.get_trials_since(study_id, 0)
    assert trials == from_db
    assert [(t.state, t.params) for t in trials] == [
        (TrialState.COMPLETE, {"x": 0.5}),
        (TrialState.RUNNING, {"x": 0.125}),
    ]
    assert trials[0].user_attrs == {"note": {"k": [1, 2]}}
    assert trials[0].intermediate_values == {0: 0.75}

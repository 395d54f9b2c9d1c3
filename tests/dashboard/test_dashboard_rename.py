"""Renaming a study from the dashboard: in place where the storage can (RDB, in-memory),
else by copying; either way trial notes, artifacts, attributes and trials are kept."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from dashboard_support import HOSTILE, WRITE, make_client, make_study

import trimtab
from trimtab.artifacts import FileSystemArtifactStore, get_all_artifact_meta, upload_artifact
from trimtab.storages import BaseStorage, InMemoryStorage, JournalStorage, get_storage
from trimtab.storages.journal import JournalFileBackend
from trimtab.trial import TrialState


@pytest.fixture(params=["inmemory", "sqlite", "journal"])
def any_storage(request: pytest.FixtureRequest, tmp_path: Path) -> BaseStorage:
    if request.param == "inmemory":
        return InMemoryStorage()
    if request.param == "sqlite":
        return get_storage(f"sqlite:///{tmp_path / 'db.sqlite'}")
    return JournalStorage(JournalFileBackend(str(tmp_path / "journal.log")))


def _in_place(storage: BaseStorage) -> bool:
    return not isinstance(storage, JournalStorage)


def test_rename_keeps_notes_artifacts_attrs_and_trials(any_storage: Any, tmp_path: Path) -> None:
    storage = any_storage
    study = make_study(storage, "old", n=3)
    sid = study._study_id
    storage.set_study_user_attr(sid, "owner", "me")
    (tmp_path / "store").mkdir()
    store = FileSystemArtifactStore(tmp_path / "store")
    upload_artifact(
        artifact_store=store, file_path=io.BytesIO(b"s"), study_or_trial=study, filename="s.txt"
    )
    study.enqueue_trial({"x": 1.0})
    trial = storage.get_all_trials(sid)[-1]  # WAITING: it takes artifacts
    upload_artifact(
        artifact_store=store,
        file_path=io.BytesIO(b"t"),
        study_or_trial=trial,
        storage=storage,
        filename="t.txt",
    )
    client = make_client(storage, artifact_store=store)
    for number, text in ((0, "first trial"), (2, "third trial")):
        url = f"/api/studies/{sid}/trials/{number}/note"
        assert client.put(url, json={"version": 1, "body": text}, headers=WRITE).status_code == 200
    client.put(f"/api/studies/{sid}/note", json={"version": 1, "body": "study"}, headers=WRITE)
    params = [t.params for t in storage.get_all_trials(sid)]

    renamed = client.post(f"/api/studies/{sid}/rename", json={"study_name": HOSTILE}, headers=WRITE)
    assert renamed.status_code == 200, renamed.text
    new_id = renamed.json()["study_id"]
    assert (new_id == sid) == _in_place(storage)
    assert storage.get_study_id_from_name(HOSTILE) == new_id
    with pytest.raises(KeyError):
        storage.get_study_id_from_name("old")
    if not _in_place(storage):
        assert client.get(f"/api/studies/{sid}").status_code == 404
    listed = client.get("/api/studies").json()["studies"]
    assert [(s["study_id"], s["study_name"]) for s in listed] == [(new_id, HOSTILE)]
    assert client.get(f"/api/studies/{new_id}").json()["study_name"] == HOSTILE
    assert [t.params for t in storage.get_all_trials(new_id)] == params
    assert storage.get_study_user_attrs(new_id) == {"owner": "me"}
    notes = [client.get(f"/api/studies/{new_id}/trials/{n}/note").json() for n in range(3)]
    assert [n["body"] for n in notes] == ["first trial", "", "third trial"]
    assert client.get(f"/api/studies/{new_id}/note").json()["body"] == "study"
    again = client.put(
        f"/api/studies/{new_id}/trials/0/note", json={"version": 2, "body": "v2"}, headers=WRITE
    )
    assert again.status_code == 200
    moved = trimtab.load_study(study_name=HOSTILE, storage=storage)
    assert [a.filename for a in get_all_artifact_meta(moved)] == ["s.txt"]
    last = f"/api/studies/{new_id}/trials/{trial.number}/artifacts"
    assert [a["filename"] for a in client.get(last).json()["artifacts"]] == ["t.txt"]


def test_rename_to_a_taken_name_is_a_conflict(any_storage: Any) -> None:
    storage = any_storage
    first = make_study(storage, "first", n=1)._study_id
    make_study(storage, "second", n=1)
    client = make_client(storage)
    answer = client.post(
        f"/api/studies/{first}/rename", json={"study_name": "second"}, headers=WRITE
    )
    assert answer.status_code == 409
    assert storage.get_study_name_from_id(first) == "first"
    assert sorted(s.study_name for s in storage.get_all_studies()) == ["first", "second"]


def test_running_trials_go_on_after_an_in_place_rename(any_storage: Any) -> None:
    storage = any_storage
    study = make_study(storage, "busy", n=2)
    running = study.ask()
    client = make_client(storage)
    url = f"/api/studies/{study._study_id}/rename"
    answer = client.post(url, json={"study_name": "calm"}, headers=WRITE)
    if not _in_place(storage):  # a copy would orphan the worker's trial: refused
        assert answer.status_code == 400 and "RUNNING" in answer.json()["error"]
        assert storage.get_study_name_from_id(study._study_id) == "busy"
        return
    assert answer.status_code == 200 and answer.json()["study_id"] == study._study_id
    study.tell(running, 0.5)  # the worker's study object still works: same id
    trials = trimtab.load_study(study_name="calm", storage=storage).get_trials()
    assert trials[-1].state == TrialState.COMPLETE and trials[-1].value == 0.5

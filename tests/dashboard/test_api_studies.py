"""The study list and study routes, on in-memory and SQLite storages."""

from __future__ import annotations

import time
from typing import Any

from dashboard_support import HOSTILE, WRITE, make_client, make_study

from trimtab.trial import TrialState


def test_study_list_shows_counts_best_and_activity(storage: Any) -> None:
    make_study(storage, "single", n=20)
    make_study(storage, "multi", n=8, directions=["minimize", "maximize"])
    client = make_client(storage)
    cold = client.get("/api/studies").json()["studies"]
    assert [s["study_name"] for s in cold] == ["single", "multi"]
    assert all(s["loading"] and s["n_trials"] is None for s in cold)  # read in the background
    studies = loaded_list(client)
    single, multi = studies
    assert single["n_trials"] == 20
    assert single["state_counts"]["COMPLETE"] == 18 and single["state_counts"]["PRUNED"] == 2
    complete = [t for t in storage.get_all_trials(single["study_id"]) if t.values]
    assert single["best_values"] == [min(t.values[0] for t in complete)]
    assert single["last_activity"].startswith("2024-01-01T00:00:20")
    assert multi["directions"] == ["minimize", "maximize"] and multi["best_values"] is None


def loaded_list(client: Any) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 30
    while True:
        studies = client.get("/api/studies").json()["studies"]
        if not any(s["loading"] for s in studies):
            return list(studies)
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_create_and_delete(storage: Any) -> None:
    client = make_client(storage)
    created = client.post(
        "/api/studies", json={"study_name": HOSTILE, "directions": ["maximize"]}, headers=WRITE
    )
    assert created.status_code == 200
    study_id = created.json()["study_id"]
    assert storage.get_study_name_from_id(study_id) == HOSTILE
    duplicate = client.post("/api/studies", json={"study_name": HOSTILE}, headers=WRITE)
    assert duplicate.status_code == 409

    new_id = make_study(storage, "other", n=5)._study_id
    assert client.delete(f"/api/studies/{new_id}", headers=WRITE).status_code == 200
    names = [s["study_name"] for s in client.get("/api/studies").json()["studies"]]
    assert names == [HOSTILE]
    assert client.delete(f"/api/studies/{new_id}", headers=WRITE).status_code == 404


def test_create_rejects_bad_input(storage: Any) -> None:
    client = make_client(storage)
    for body in (
        {"study_name": "a", "directions": ["sideways"]},
        {"study_name": "a", "directions": []},
        {"study_name": "   "},
        {"study_name": 3},
        {"study_name": "a", "extra": 1},
        {},
    ):
        response = client.post("/api/studies", json=body, headers=WRITE)
        assert response.status_code == 400, body
        assert response.json()["error"]
    raw = client.post("/api/studies", content=b"study_name=a", headers=WRITE)
    assert raw.status_code == 400


def test_study_detail(storage: Any) -> None:
    study = make_study(storage, "s", n=12)
    study.set_metric_names(["loss"])
    detail = make_client(storage).get(f"/api/studies/{study._study_id}").json()
    assert detail["objective_names"] == ["loss"]
    assert detail["n_trials"] == 12
    assert [p["name"] for p in detail["params"]] == ["k", "opt", "x"]
    opt = detail["params"][1]
    assert opt["kind"] == "categorical" and opt["choices"] == ["adam", "sgd", HOSTILE]
    assert detail["params"][0]["log"] is True
    assert detail["user_attr_keys"] == ["size", "tag"]
    assert detail["has_intermediate_values"] is True
    best = study.best_trial
    assert detail["best_trial_numbers"] == [best.number]
    assert detail["cursor"] == 12
    assert detail["state_counts"][TrialState.PRUNED.name] == 1


def test_unknown_study_is_404(storage: Any) -> None:
    client = make_client(storage)
    for path in (
        "/api/studies/99",
        "/api/studies/99/trials",
        "/api/studies/99/updates",
        "/api/studies/99/note",
        "/api/studies/99/charts/history",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "error" in response.json()

"""Human in the loop: finish RUNNING/WAITING trials from the UI, enqueue trials."""

from __future__ import annotations

from typing import Any

from dashboard_support import WRITE, make_client, make_study

import trimtab
from trimtab.trial import TrialState


def test_tell_a_running_trial(storage: Any) -> None:
    study = make_study(storage, "h", n=2)
    trial = study.ask()
    trial.suggest_float("x", -10, 10)
    client = make_client(storage)
    url = f"/api/studies/{study._study_id}/trials/{trial.number}/tell"
    response = client.post(url, json={"state": "COMPLETE", "values": [0.25]}, headers=WRITE)
    assert response.status_code == 200, response.text
    finished = study.trials[trial.number]
    assert finished.state == TrialState.COMPLETE and finished.values == [0.25]
    again = client.post(url, json={"state": "FAIL"}, headers=WRITE)
    assert again.status_code == 400 and "COMPLETE" in again.json()["error"]


def test_tell_validates_state_and_values(storage: Any) -> None:
    study = make_study(storage, "v", n=1)
    trial = study.ask()
    client = make_client(storage)
    url = f"/api/studies/{study._study_id}/trials/{trial.number}/tell"
    assert client.post(url, json={"state": "COMPLETE"}, headers=WRITE).status_code == 400
    assert client.post(url, json={"state": "DONE"}, headers=WRITE).status_code == 400
    two = client.post(url, json={"state": "COMPLETE", "values": [1, 2]}, headers=WRITE)
    assert two.status_code == 400
    assert study.trials[trial.number].state == TrialState.RUNNING
    pruned = client.post(url, json={"state": "PRUNED"}, headers=WRITE)
    assert pruned.status_code == 200
    assert study.trials[trial.number].state == TrialState.PRUNED


def test_enqueue_then_finish_the_waiting_trial(storage: Any) -> None:
    study = make_study(storage, "q", n=1)
    client = make_client(storage)
    url = f"/api/studies/{study._study_id}/enqueue"
    response = client.post(url, json={"params": {"x": 1.5, "opt": "sgd"}}, headers=WRITE)
    assert response.status_code == 200
    waiting = study.get_trials(states=(TrialState.WAITING,))
    assert len(waiting) == 1
    tell = client.post(
        f"/api/studies/{study._study_id}/trials/{waiting[0].number}/tell",
        json={"state": "FAIL"},
        headers=WRITE,
    )
    assert tell.status_code == 200
    assert study.trials[waiting[0].number].state == TrialState.FAIL


def test_enqueued_params_are_used_by_the_next_trial(storage: Any) -> None:
    study = make_study(storage, "e", n=1)
    make_client(storage).post(
        f"/api/studies/{study._study_id}/enqueue", json={"params": {"x": 2.5}}, headers=WRITE
    )
    trial = study.ask()
    assert trial.suggest_float("x", -10, 10) == 2.5


def test_enqueue_rejects_nested_values(storage: Any) -> None:
    study = make_study(storage, "r", n=1)
    response = make_client(storage).post(
        f"/api/studies/{study._study_id}/enqueue", json={"params": {"x": [1]}}, headers=WRITE
    )
    assert response.status_code == 400
    assert study.get_trials(states=(TrialState.WAITING,)) == []


def test_tell_unknown_trial_is_404(storage: Any) -> None:
    study = trimtab.create_study(storage=storage, study_name="u")
    response = make_client(storage).post(
        f"/api/studies/{study._study_id}/trials/5/tell", json={"state": "FAIL"}, headers=WRITE
    )
    assert response.status_code == 404


def test_refused_tell_leaves_a_waiting_trial_waiting(storage: Any) -> None:
    study = make_study(storage, "w", n=1)
    study.enqueue_trial({"x": 1.0})
    waiting = study.get_trials(states=(TrialState.WAITING,))[0]
    client = make_client(storage)
    url = f"/api/studies/{study._study_id}/trials/{waiting.number}/tell"
    headers = {**WRITE, "content-type": "application/json"}
    for body in (
        '{"state": "COMPLETE", "values": [NaN]}',
        '{"state": "COMPLETE", "values": [1, 2]}',
        '{"state": "COMPLETE"}',
        '{"state": "FAIL", "values": [1]}',
        '{"state": "COMPLETE", "values": ["1"]}',
    ):
        response = client.post(url, content=body, headers=headers)
        assert response.status_code == 400, body
        assert study.trials[waiting.number].state == TrialState.WAITING, body
    assert (
        "not acceptable"
        in client.post(
            url, content='{"state": "COMPLETE", "values": [NaN]}', headers=headers
        ).json()["error"]
    )
    # Still available to a worker, which gets the enqueued params.
    trial = study.ask()
    assert trial.number == waiting.number and trial.suggest_float("x", -10, 10) == 1.0


def test_enqueue_rejects_non_finite_numbers(storage: Any) -> None:
    study = make_study(storage, "f", n=1)
    client = make_client(storage)
    url = f"/api/studies/{study._study_id}/enqueue"
    headers = {**WRITE, "content-type": "application/json"}
    for literal in ("NaN", "Infinity", "-Infinity", "1e400", "-1e400"):
        response = client.post(url, content=f'{{"params": {{"x": {literal}}}}}', headers=headers)
        assert response.status_code == 400, literal
        assert "'x'" in response.json()["error"] and "finite" in response.json()["error"]
    assert study.get_trials(states=(TrialState.WAITING,)) == []

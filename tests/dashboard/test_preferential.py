"""Preferential studies: the Python API, optuna-dashboard's records, and the preferential GP."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from trimtab.dashboard import preferential
from trimtab.dashboard.preferential import PreferentialGPSampler, create_study, load_study
from trimtab.samplers._gp._preferential import latent_utilities
from trimtab.storages import InMemoryStorage
from trimtab.trial import TrialState


def test_latent_utilities_order_the_compared_items() -> None:
    kernel = np.eye(4) + 0.1
    # 0 ≻ 1 ≻ 2 ≻ 3, told as adjacent pairs plus one long-range pair.
    utility = latent_utilities(kernel, np.array([[0, 1], [1, 2], [2, 3], [0, 3]]))
    assert list(np.argsort(-utility)) == [0, 1, 2, 3]


def _ask(study: preferential.PreferentialStudy) -> Any:
    trial = study.ask()
    trial.suggest_float("x", 0, 1)
    trial.suggest_float("y", 0, 1)
    return trial


def test_study_api_and_records(tmp_path: Any) -> None:
    storage = InMemoryStorage()
    study = create_study(n_generate=3, storage=storage, study_name="pref")
    with pytest.raises(ValueError, match="n_generate"):
        create_study(n_generate=1, storage=storage)
    trials = []
    while study.should_generate():
        trials.append(_ask(study))
    assert len(trials) == 3
    study.report_preference(trials[0], [trials[1], trials[2]])
    assert [(b.number, w.number) for b, w in study.preferences] == [(0, 1), (0, 2)]
    assert [t.number for t in study.best_trials] == [0]
    assert all(t.state == TrialState.COMPLETE for t in study.trials)
    assert study.should_generate()  # two of three were reported worse
    with pytest.raises(ValueError, match="both better and worse"):
        study.report_preference(trials[0], trials[0])
    study.enqueue_trial({"x": 0.5, "y": 0.5})
    assert _ask(study).params == {"x": 0.5, "y": 0.5}
    again = load_study(study_name="pref", storage=storage)
    assert again.n_generate == 3 and len(again.preferences) == 2
    plain = preferential.create_study(n_generate=2, storage=storage, study_name="p2")
    same = create_study(n_generate=2, storage=storage, study_name="p2", load_if_exists=True)
    assert same.study_name == plain.study_name
    preferential.register_preference_feedback_component(study, "artifact", "image")
    with pytest.raises(ValueError, match="artifact_key"):
        preferential.register_preference_feedback_component(study, "artifact")


def test_optuna_dashboard_reads_the_preferences() -> None:
    pytest.importorskip("optuna_dashboard")
    from optuna_dashboard.preferential._system_attrs import get_n_generate, get_preferences

    storage = InMemoryStorage()
    study = create_study(n_generate=2, storage=storage)
    a, b = _ask(study), _ask(study)
    study.report_preference(b, a)
    attrs = storage.get_study_system_attrs(study._study._study_id)
    assert get_preferences(attrs) == [[1, 0]]
    assert get_n_generate(attrs) == 2 and attrs["preference:is_preferential"] is True


@pytest.mark.slow  # a minute under load: GP fits on every ask
def test_preferential_gp_finds_what_the_person_prefers() -> None:
    target = np.array([0.8, 0.3])

    def distance(trial: Any) -> float:
        return float(np.linalg.norm(np.array([trial.params["x"], trial.params["y"]]) - target))

    def run(sampler: Any) -> float:
        study = create_study(n_generate=3, storage=InMemoryStorage(), sampler=sampler)
        for _ in range(10):
            while study.should_generate():
                _ask(study)
            active = [
                t
                for t in study.get_trials(states=(TrialState.COMPLETE, TrialState.RUNNING))
                if t.number not in {w.number for _, w in study.preferences}
            ]
            best = min(active, key=distance)
            study.report_preference(best, [t for t in active if t is not best])
        return min(distance(t) for t in study.best_trials)

    from trimtab.samplers import RandomSampler

    gp = run(PreferentialGPSampler(seed=0))
    random = [run(RandomSampler(seed=s)) for s in range(5)]
    assert gp < np.median(random) and gp < 0.15, (gp, random)


def test_compare_page_api_records_and_undoes_answers() -> None:
    from dashboard_support import HOSTILE, WRITE, make_client

    from trimtab.dashboard import save_note

    storage = InMemoryStorage()
    study = create_study(n_generate=3, storage=storage, study_name="cmp")
    trials = [_ask(study) for _ in range(3)]
    save_note(trials[1], "**look** " + HOSTILE)
    client = make_client(storage)
    sid = study._study._study_id
    assert client.get(f"/api/studies/{sid}").json()["preferential"] is True
    url = f"/api/studies/{sid}/preferences"
    page = client.get(url).json()
    assert [c["row"]["number"] for c in page["candidates"]] == [0, 1, 2]
    assert "<strong>look</strong>" in page["candidates"][1]["note_html"]
    assert "<script>" not in page["candidates"][1]["note_html"]
    for bad in ({"candidates": [0, 1], "worst": 2}, {"candidates": [0], "worst": 0}):
        assert client.post(url, json=bad, headers=WRITE).status_code == 400
    done = client.post(url, json={"candidates": [0, 1, 2], "worst": 1}, headers=WRITE)
    assert done.status_code == 200
    assert [(b.number, w.number) for b, w in study.preferences] == [(0, 1), (2, 1)]
    page = client.get(url).json()
    assert [c["row"]["number"] for c in page["candidates"]] == [0, 2]
    assert study.should_generate()
    (answer,) = page["answers"]
    assert client.delete(f"{url}/{answer['answer_id']}", headers=WRITE).status_code == 200
    assert study.preferences == [] and not study.should_generate()
    assert client.delete(f"{url}/nope", headers=WRITE).status_code == 404
    plain = client.post("/api/studies", json={"study_name": "plain"}, headers=WRITE).json()
    assert client.get(f"/api/studies/{plain['study_id']}/preferences").status_code == 400

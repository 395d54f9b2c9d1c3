"""The dashboard's ablation route and page: the report of ``trimtab.ablation`` as JSON."""

from __future__ import annotations

import random
from typing import Any

from dashboard_support import make_client, make_study

import trimtab
from trimtab.ablation import ablation_effects, enqueue_ablation, run_ablation, trial_seed
from trimtab.dashboard._ablation_schema import AblationList
from trimtab.dashboard._jsonschema import parse


def _objective(trial: trimtab.Trial) -> float:
    x = trial.suggest_float("x", -5, 5)
    k = trial.suggest_int("k", 1, 5)
    return 3.0 * (x < 0) + 0.0 * k + random.Random(trial_seed(trial)).gauss(0, 0.2)


def test_ablation_route_reports_each_design(storage: Any) -> None:
    study = trimtab.create_study(storage=storage, study_name="abl")
    enqueue_ablation(study, {"x": -1.0, "k": 2}, base={"x": 1.0, "k": 3}, n_repeats=5)
    run_ablation(study, _objective)
    enqueue_ablation(study, {"k": 1}, base={"x": 1.0, "k": 3}, n_repeats=2, name="later")
    client = make_client(storage)
    response = client.get(f"/api/studies/{study._study_id}/ablation", params={"test": "paired"})
    assert response.status_code == 200, response.text
    answer = parse(AblationList, response.json())
    assert answer.test == "paired" and answer.confidence == 0.95
    designs = {d.name: d for d in answer.designs}
    assert set(designs) == {"ablation", "later"}
    assert designs["later"].pending == 4 and designs["ablation"].pending == 0
    effects = {e.variant: e for e in designs["ablation"].effects}
    expected = {e.variant: e for e in ablation_effects(study, test="paired")}
    assert effects["x=-1.0"].significant and not effects["k=2"].significant
    assert effects["x=-1.0"].effect == expected["x=-1.0"].effect
    assert effects["x=-1.0"].n == 5 and effects["x=-1.0"].changes == {"x": -1.0}
    assert designs["later"].effects[0].effect is None  # nothing ran yet: null, not NaN


def test_ablation_route_without_designs_and_with_bad_queries(storage: Any) -> None:
    study = make_study(storage, "plain", n=5)
    client = make_client(storage)
    path = f"/api/studies/{study._study_id}/ablation"
    assert client.get(path).json()["designs"] == []
    bad = client.get(path, params={"test": "anova"})
    assert bad.status_code == 400 and "'test' must be one of" in bad.json()["error"]
    bad = client.get(path, params={"confidence": "2"})
    assert bad.status_code == 400 and "'confidence'" in bad.json()["error"]
    assert client.get("/api/studies/999/ablation").status_code == 404


def test_ablation_page_is_served(storage: Any) -> None:
    client = make_client(storage)
    page = client.get("/static/ablation.html")
    assert page.status_code == 200 and "/static/ablation.js" in page.text
    script = client.get("/static/ablation.js")
    assert script.status_code == 200 and "/ablation?" in script.text

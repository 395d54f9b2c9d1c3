"""Chart data comes from trimtab.visualization's data functions, computed on the cache."""

from __future__ import annotations

import importlib
import json
from typing import Any

import pytest
from dashboard_support import make_client, make_study

import trimtab
from trimtab.dashboard._jsonschema import to_jsonable
from trimtab.dashboard.handlers._charts import _CHARTS, _DATA, available_charts

# Importance evaluators are randomised (forests): compare their structure only.
DETERMINISTIC = [k for k in _CHARTS if k not in ("importances", "pareto")]


def _direct(kind: str, study: Any, **kwargs: Any) -> Any:
    module, name, _ = _CHARTS[kind]
    function = getattr(importlib.import_module(_DATA + module), name)
    return json.loads(json.dumps(to_jsonable(function(study, **kwargs))))


@pytest.mark.parametrize("kind", DETERMINISTIC)
def test_chart_equals_the_visualization_data_function(storage: Any, kind: str) -> None:
    if kind not in available_charts():
        pytest.skip(f"{kind} data function not installed")
    study = make_study(storage, "c", n=40)
    client = make_client(storage)
    query = {"params": json.dumps(["k", "x"])} if kind in ("contour", "rank") else {}
    response = client.get(f"/api/studies/{study._study_id}/charts/{kind}", params=query)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["kind"] == kind and answer["cursor"] == 40
    loaded = trimtab.load_study(study_name="c", storage=storage)
    kwargs = {"params": ["k", "x"]} if kind in ("contour", "rank") else {}
    assert answer["data"] == _direct(kind, loaded, **kwargs)
    if kind == "intermediate":
        assert answer["extra"]["pruned"] == [9, 19, 29, 39]


def test_multi_objective_charts(storage: Any) -> None:
    study = make_study(storage, "mo", n=20, directions=["minimize", "maximize"])
    client = make_client(storage)
    base = f"/api/studies/{study._study_id}/charts"
    if "pareto" in available_charts():
        pareto = client.get(f"{base}/pareto").json()["data"]
        front = sorted(t.number for t in study.best_trials)
        assert sorted(n for n, _ in pareto["best_trials_with_values"]) == front
    history = client.get(f"{base}/history", params={"objective": 1}).json()["data"][0]
    assert history["values_info"]["values"] == [t.values[1] for t in study.trials]
    assert history["values_info"]["label_name"] == "Objective 1"


def test_importances_chart_names_every_param(storage: Any) -> None:
    if "importances" not in available_charts():
        pytest.skip("importance evaluators not installed")
    study = make_study(storage, "imp", n=30)
    data = make_client(storage).get(f"/api/studies/{study._study_id}/charts/importances").json()
    assert sorted(data["data"][0]["param_names"]) == ["k", "opt", "x"]


def test_chart_answers_are_cached_per_cursor(storage: Any) -> None:
    study = make_study(storage, "cache", n=5)
    client = make_client(storage)
    url = f"/api/studies/{study._study_id}/charts/history"
    first = client.get(url).json()
    assert client.get(url).json() == first
    study.optimize(lambda t: t.suggest_float("x", -10, 10), n_trials=1)
    client.app.state.context.caches.get(study._study_id, refresh=False).refresh(force=True)  # type: ignore[attr-defined]
    second = client.get(url).json()
    assert second["cursor"] == 6 and len(second["data"][0]["trial_numbers"]) == 6


def test_unknown_and_bad_chart_requests(storage: Any) -> None:
    study = make_study(storage, "bad", n=5)
    client = make_client(storage)
    base = f"/api/studies/{study._study_id}/charts"
    assert client.get(f"{base}/nope").status_code == 404
    assert client.get(f"{base}/slice", params={"params": "[1]"}).status_code == 400
    assert client.get(f"{base}/slice", params={"params": '["missing"]'}).status_code == 400
    if "pareto" in available_charts():
        assert client.get(f"{base}/pareto").status_code == 400


def test_pareto_of_four_objectives_plots_the_first_three() -> None:
    if "pareto" not in available_charts():
        pytest.skip("pareto data function not installed")
    from trimtab.storages import InMemoryStorage

    storage = InMemoryStorage()
    study = trimtab.create_study(storage=storage, directions=["minimize"] * 4)
    study.optimize(lambda t: [t.suggest_float(f"x{i}", 0, 1) for i in range(4)], n_trials=10)
    response = make_client(storage).get(f"/api/studies/{study._study_id}/charts/pareto")
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["n_targets"] == 3 and len(data["target_names"]) == 3

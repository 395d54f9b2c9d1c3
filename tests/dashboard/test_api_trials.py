"""The trial table (pagination, sort, filter, CSV), trial detail and incremental updates."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from dashboard_support import HOSTILE, add_trials, make_client, make_study

import trimtab
from trimtab.storages import InMemoryStorage
from trimtab.trial import TrialState

N = 3000


@pytest.fixture(scope="module")
def big() -> tuple[Any, int, list[Any]]:
    storage = InMemoryStorage()
    study_id = storage.create_new_study([trimtab.study.StudyDirection.MINIMIZE], "big")
    add_trials(storage, study_id, N)
    return storage, study_id, storage.get_all_trials(study_id)


def _page(client: Any, study_id: int, **params: Any) -> dict[str, Any]:
    if "filters" in params:
        params["filters"] = json.dumps(params["filters"])
    response = client.get(f"/api/studies/{study_id}/trials", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_pagination_walks_every_trial_once(big: Any) -> None:
    storage, study_id, trials = big
    client = make_client(storage)
    seen = []
    for offset in range(0, N, 1000):
        page = _page(client, study_id, offset=offset, limit=1000)
        assert page["total"] == N and page["n_trials"] == N
        seen += [row["number"] for row in page["rows"]]
    assert seen == list(range(N))
    assert _page(client, study_id, offset=N, limit=10)["rows"] == []
    assert _page(client, study_id, limit=100000)["limit"] == 1000  # capped


def test_sort_by_value_puts_missing_last(big: Any) -> None:
    storage, study_id, trials = big
    client = make_client(storage)
    complete = sorted((t for t in trials if t.values), key=lambda t: (t.values[0], t.number))
    page = _page(client, study_id, sort="value", limit=5)
    assert [r["number"] for r in page["rows"]] == [t.number for t in complete[:5]]
    last = _page(client, study_id, sort="value", offset=N - 3, limit=3)
    assert all(r["state"] == "PRUNED" for r in last["rows"])
    desc = _page(client, study_id, sort="value", desc=1, limit=1)
    assert desc["rows"][0]["values"][0] == max(t.values[0] for t in complete)


@pytest.mark.parametrize(
    "column, key",
    [
        ("params_x", lambda t: t.params["x"]),
        ("params_k", lambda t: t.params["k"]),
        ("user_attrs_size", lambda t: t.user_attrs["size"]),
        ("user_attrs_tag", lambda t: t.user_attrs["tag"]),
        ("duration", lambda t: t.duration),
    ],
)
def test_sort_by_param_attr_and_duration(big: Any, column: str, key: Any) -> None:
    storage, study_id, trials = big
    rows = _page(make_client(storage), study_id, sort=column, limit=50)["rows"]
    expected = sorted(trials, key=lambda t: (key(t), t.number))[:50]
    assert [r["number"] for r in rows] == [t.number for t in expected]


def test_filters_combine(big: Any) -> None:
    storage, study_id, trials = big
    client = make_client(storage)
    filters = [
        {"column": "params_x", "op": ">=", "value": 0},
        {"column": "params_x", "op": "<", "value": 5},
        {"column": "params_opt", "op": "in", "value": ["sgd", HOSTILE]},
        {"column": "state", "op": "==", "value": "COMPLETE"},
        {"column": "user_attrs_tag", "op": "!=", "value": "t1"},
    ]
    page = _page(client, study_id, filters=filters, limit=1000)
    expected = [
        t.number for t in trials
        if 0 <= t.params["x"] < 5 and t.params["opt"] != "adam"
        and t.state == TrialState.COMPLETE and t.user_attrs["tag"] != "t1"
    ]  # fmt: skip
    assert page["total"] == len(expected) > 0
    assert [r["number"] for r in page["rows"]] == expected[:1000]
    value = _page(client, study_id, filters=[{"column": "value", "op": "<=", "value": 1}])
    assert value["total"] == sum(1 for t in trials if t.values and t.values[0] <= 1)
    contains = [{"column": "params_opt", "op": "contains", "value": "SCRIPT"}]
    text = _page(client, study_id, filters=contains)
    assert text["total"] == sum(1 for t in trials if t.params["opt"] == HOSTILE)


@pytest.mark.parametrize(
    "filters",
    [
        [{"column": "params_nope", "op": "==", "value": 1}],
        [{"column": "params_x", "op": "~", "value": 1}],
        [{"column": "params_x", "op": ">", "value": "abc"}],
        [{"column": "state", "op": "==", "value": "DONE"}],
        [{"column": "params_x", "op": ">"}],
        {"column": "number"},
    ],
)
def test_bad_filters_are_400(big: Any, filters: Any) -> None:
    storage, study_id, _ = big
    response = make_client(storage).get(
        f"/api/studies/{study_id}/trials", params={"filters": json.dumps(filters)}
    )
    assert response.status_code == 400
    assert response.json()["error"]


def test_bad_query_values_are_400(big: Any) -> None:
    storage, study_id, _ = big
    client = make_client(storage)
    assert client.get(f"/api/studies/{study_id}/trials?offset=x").status_code == 400
    assert client.get(f"/api/studies/{study_id}/trials?sort=bogus").status_code == 400
    assert client.get(f"/api/studies/{study_id}/trials?filters=[").status_code == 400


def test_csv_export_matches_the_filtered_table(storage: Any) -> None:
    study = make_study(storage, "csv", n=30)
    client = make_client(storage)
    filters = json.dumps([{"column": "params_opt", "op": "==", "value": HOSTILE}])
    response = client.get(f"/api/studies/{study._study_id}/trials.csv", params={"filters": filters})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="csv.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 10
    assert rows[0]["params_opt"] == HOSTILE
    assert set(rows[0]) >= {"number", "state", "value", "params_x", "user_attrs_tag", "duration"}


def test_csv_neutralises_spreadsheet_formulas(storage: Any) -> None:
    study = trimtab.create_study(storage=storage, study_name="f")
    study.optimize(lambda t: t.set_user_attr("cmd", "=HYPERLINK(1)") or 1.0, n_trials=1)
    text = make_client(storage).get(f"/api/studies/{study._study_id}/trials.csv").text
    assert "'=HYPERLINK(1)" in text


def test_trial_detail(storage: Any) -> None:
    study = trimtab.create_study(storage=storage, study_name="d")

    def objective(trial: Any) -> float:
        x = trial.suggest_float("x", 0, 1)
        trial.report(0.5, 0)
        trial.set_user_attr("who", HOSTILE)
        trial.set_constraint("c0", -1.0)
        return x

    study.optimize(objective, n_trials=2)
    client = make_client(storage)
    detail = client.get(f"/api/studies/{study._study_id}/trials/1").json()
    trial = study.trials[1]
    assert detail["row"]["number"] == 1 and detail["row"]["params"] == trial.params
    assert detail["row"]["user_attrs"]["who"] == HOSTILE
    assert detail["intermediate_values"] == [[0, 0.5]]
    assert detail["distributions"]["x"].startswith('{"name": "FloatDistribution"')
    assert detail["system_attrs"] is None
    assert detail["row"]["duration"] >= 0
    assert detail["constraints"] == [-1.0] and detail["feasible"] is True
    with_system = client.get(f"/api/studies/{study._study_id}/trials/1?system_attrs=1").json()
    assert with_system["system_attrs"] == trial.system_attrs
    assert client.get(f"/api/studies/{study._study_id}/trials/7").status_code == 404


def test_updates_send_only_what_changed_since_the_cursor(storage: Any) -> None:
    study = make_study(storage, "live", n=10)
    client = make_client(storage)
    app_ctx = client.app.state.context  # type: ignore[attr-defined]
    first = client.get(f"/api/studies/{study._study_id}/updates", params={"cursor": 0}).json()
    assert [r["number"] for r in first["changed"]] == list(range(10))
    cursor = first["cursor"]
    idle = client.get(f"/api/studies/{study._study_id}/updates", params={"cursor": cursor}).json()
    assert idle["changed"] == [] and idle["cursor"] == cursor

    add_trials(storage, study._study_id, 2, start=10)
    running = study.ask()
    app_ctx.caches.get(study._study_id, refresh=False).refresh(force=True)
    up = client.get(f"/api/studies/{study._study_id}/updates", params={"cursor": cursor}).json()
    assert [r["number"] for r in up["changed"]] == [10, 11, 12]
    assert up["changed"][2]["state"] == "RUNNING"
    assert up["n_trials"] == 13 and up["state_counts"]["RUNNING"] == 1

    running.suggest_float("late", 0, 1)  # a running trial's params change without a new state
    app_ctx.caches.get(study._study_id, refresh=False).refresh(force=True)
    up2 = client.get(f"/api/studies/{study._study_id}/updates", params={"cursor": up["cursor"]})
    changed = up2.json()["changed"]
    assert [r["number"] for r in changed] == [12] and "late" in changed[0]["params"]
    assert "late" in [p["name"] for p in up2.json()["params"]]

    study.tell(running, 0.0)
    app_ctx.caches.get(study._study_id, refresh=False).refresh(force=True)
    up3 = client.get(
        f"/api/studies/{study._study_id}/updates", params={"cursor": up2.json()["cursor"]}
    ).json()
    assert [(r["number"], r["state"]) for r in up3["changed"]] == [(12, "COMPLETE")]
    assert up3["best_values"] == [0.0]
    assert client.get(f"/api/studies/{study._study_id}/trials").json()["n_trials"] == 13

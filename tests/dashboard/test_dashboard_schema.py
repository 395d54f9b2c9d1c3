"""One schema source: every JSON answer parses back into its dataclass; OpenAPI covers routes."""

from __future__ import annotations

import json
from typing import Any

from dashboard_support import WRITE, make_client, make_study
from starlette.routing import Route

from trimtab.dashboard._jsonschema import parse
from trimtab.dashboard._routes import ROUTES
from trimtab.dashboard._schema import MODELS


def test_openapi_document_describes_every_route_and_model(storage: Any) -> None:
    client = make_client(storage)
    document = client.get("/api/schema.json").json()
    assert document["openapi"].startswith("3.")
    for route in ROUTES:
        path = route.path.replace(":int", "").replace(":str", "")
        assert route.method.lower() in document["paths"][path]
        operation = document["paths"][path][route.method.lower()]
        if route.body is not None:
            ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            assert ref.endswith("/" + route.body.__name__)
    assert set(document["components"]["schemas"]) == {m.__name__ for m in MODELS}
    note = document["components"]["schemas"]["SaveNote"]
    assert note["required"] == ["version", "body"]
    assert note["properties"]["version"] == {"type": "integer"}
    ids = [op["operationId"] for ops in document["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))


def test_every_route_is_mounted(storage: Any) -> None:
    app = make_client(storage).app
    mounted = {(r.path, m) for r in app.routes if isinstance(r, Route) for m in r.methods or ()}
    for route in ROUTES:
        assert (route.path, route.method) in mounted


def test_json_answers_match_their_response_models(storage: Any) -> None:
    study = make_study(storage, "schema", n=15)
    study.ask()
    client = make_client(storage)
    sid = study._study_id
    client.put(f"/api/studies/{sid}/note", json={"version": 1, "body": "n"}, headers=WRITE)
    storage.set_study_system_attr(sid, "preference:is_preferential", True)  # compare page
    checked = 0
    for route in ROUTES:
        if route.method != "GET" or route.response is None:
            continue
        path = route.path.replace("{study_id:int}", str(sid)).replace("{number:int}", "3")
        path = path.replace("{kind:str}", "history")
        response = client.get(path, params={"system_attrs": "1"})
        assert response.status_code == 200, (path, response.text)
        parse(route.response, response.json())
        checked += 1
    assert checked >= 8


def test_error_answers_match_the_error_model(storage: Any) -> None:
    from trimtab.dashboard._schema import Error

    client = make_client(storage)
    response = client.get("/api/studies/5")
    assert parse(Error, response.json()).error
    bad = client.get("/api/studies/0/trials", params={"filters": json.dumps([{"x": 1}])})
    assert parse(Error, bad.json()).error

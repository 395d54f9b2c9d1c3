"""Read-only mode, access token, cross-site write refusal, host checks, headers, escaping."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from dashboard_support import HOSTILE, WRITE, make_client, make_study

from trimtab.dashboard import create_app
from trimtab.dashboard._routes import ROUTES
from trimtab.storages import InMemoryStorage

TOKEN = "s3cret-token-123"


def _concrete(path: str) -> str:
    return (
        path.replace("{study_id:int}", "0").replace("{number:int}", "0")
        .replace("{kind:str}", "history")
    )  # fmt: skip


BODIES = {
    "CreateStudy": {"study_name": "n"},
    "RenameStudy": {"study_name": "n2"},
    "SaveNote": {"version": 1, "body": "x"},
    "TellTrial": {"state": "FAIL"},
    "EnqueueTrial": {"params": {"x": 1}},
}


@pytest.fixture
def populated() -> Any:
    storage = InMemoryStorage()
    study = make_study(storage, "s", n=3)
    study.ask()  # trial 3 RUNNING
    return storage


def test_read_only_refuses_every_mutating_route(populated: Any) -> None:
    client = make_client(populated, read_only=True)
    mutating = [r for r in ROUTES if r.mutating]
    assert {r.method for r in mutating} == {"POST", "PUT", "DELETE"}
    before = populated.get_all_studies()
    for route in mutating:
        path = _concrete(route.path).replace("/trials/0/", "/trials/3/")
        body = BODIES.get(route.body.__name__) if route.body else None
        response = client.request(route.method, path, json=body, headers=WRITE)
        assert response.status_code == 403, (route.method, path)
        assert "read-only" in response.json()["error"]
    assert populated.get_all_studies() == before
    assert len(populated.get_all_trials(0)) == 4
    assert client.get("/api/meta").json()["read_only"] is True
    assert client.get("/api/studies").status_code == 200


def test_writes_need_the_dashboard_header_and_same_origin(populated: Any) -> None:
    client = make_client(populated)
    body = {"study_name": "x"}
    assert client.post("/api/studies", json=body).status_code == 403
    cross = client.post(
        "/api/studies", json=body, headers={**WRITE, "Origin": "http://evil.example"}
    )
    assert cross.status_code == 403
    fetch_site = client.post(
        "/api/studies", json=body, headers={**WRITE, "Sec-Fetch-Site": "cross-site"}
    )
    assert fetch_site.status_code == 403
    assert [s.study_name for s in populated.get_all_studies()] == ["s"]
    same = client.post("/api/studies", json=body, headers={**WRITE, "Origin": "http://testserver"})
    assert same.status_code == 200


def test_token_protects_pages_static_files_and_api(populated: Any) -> None:
    client = make_client(populated, token=TOKEN)
    for path in ("/", "/static/app.js", "/api/studies", "/api/schema.json"):
        assert client.get(path).status_code == 401, path
    wrong = client.get("/api/studies", headers={"Authorization": "Bearer wrong-token"})
    assert wrong.status_code == 401
    ok = client.get("/api/studies", headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 200
    login = client.get(f"/?token={TOKEN}", follow_redirects=False)
    assert login.status_code == 303 and login.headers["location"] == "/"
    cookie = login.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert client.get("/api/studies").status_code == 200  # the client kept the cookie
    assert client.get("/api/meta").json()["token_required"] is True


def test_token_login_never_redirects_off_site(populated: Any) -> None:
    app = create_app(populated, token=TOKEN)
    sent: list[dict[str, Any]] = []
    scope = {
        "type": "http",
        "method": "GET",
        "path": "//evil.example/x",
        "raw_path": b"//evil.ex",
        "query_string": f"token={TOKEN}".encode(),
        "headers": [(b"host", b"localhost")],
        "scheme": "http",
        "server": ("localhost", 80),
        "client": ("127.0.0.1", 1),
        "root_path": "",
        "http_version": "1.1",
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    headers = dict(sent[0]["headers"])
    assert sent[0]["status"] == 303 and headers[b"location"] == b"/evil.example/x"  # same site


def test_bad_tokens_are_rejected() -> None:
    for token in ("short", "has space in it", "semi;colon=token"):
        with pytest.raises(ValueError, match="token"):
            make_client(InMemoryStorage(), token=token)


def test_loopback_binding_refuses_foreign_host_headers(populated: Any) -> None:
    client = make_client(populated, allowed_hosts=["localhost", "127.0.0.1"])
    assert client.get("/api/studies", headers={"Host": "attacker.example"}).status_code == 400
    assert client.get("/api/studies", headers={"Host": "127.0.0.1:8080"}).status_code == 200
    assert client.get("/api/studies", headers={"Host": "localhost:8080"}).status_code == 200


def test_security_headers(populated: Any) -> None:
    client = make_client(populated)
    for path in ("/", "/api/studies", "/static/app.js"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("style-src")[0]
        assert headers["x-content-type-options"] == "nosniff"
    assert client.get("/api/studies").headers["cache-control"] == "no-store"


def test_static_files_are_a_fixed_set(populated: Any) -> None:
    client = make_client(populated)
    assert client.get("/static/app.js").status_code == 200
    plotly = client.get("/static/plotly.min.js")
    assert plotly.status_code == 200 and len(plotly.content) > 1_000_000
    for path in (
        "/static/..%2F_app.py",
        "/static/../_app.py",
        "/static/%2e%2e%2f__init__.py",
        "/static/_app.py",
        "/static/nope.js",
    ):
        assert client.get(path).status_code == 404, path


def test_page_uses_no_remote_resources(populated: Any) -> None:
    client = make_client(populated)
    html = client.get("/").text
    assert "http://" not in html and "https://" not in html
    scripts = ("app.js", "charts.js", "trials.js", "panels.js")
    for script in scripts:
        assert f'<script src="/static/{script}" defer></script>' in html
    js = "".join(client.get(f"/static/{script}").text for script in scripts)
    assert "innerHTML = note.html" in js  # the one HTML insertion: server-escaped notes
    assert "feedback.innerHTML = c.note_html" in js  # the same notes on the compare page
    assert js.count("innerHTML") == 3


def test_hostile_names_come_back_as_data(populated: Any) -> None:
    client = make_client(populated)
    client.post("/api/studies", json={"study_name": HOSTILE}, headers=WRITE)
    response = client.get("/api/studies")
    assert response.headers["content-type"].startswith("application/json")
    assert HOSTILE in [s["study_name"] for s in response.json()["studies"]]


@pytest.mark.parametrize(
    "path",
    ["/\\localhost:18080/", "//evil.example/", "/\\/evil.example", "/%5C%5Cevil.example/"],
)
def test_token_login_redirect_stays_on_this_site(populated: Any, path: str) -> None:
    client = make_client(populated, token=TOKEN)
    response = client.get(f"{path}?token={TOKEN}", follow_redirects=False)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/") and location[1:2] not in ("/", "\\")
    assert "\\" not in location and "//" not in location


def test_token_login_redirect_keeps_the_path(populated: Any) -> None:
    client = make_client(populated, token=TOKEN)
    response = client.get(f"/api/studies?token={TOKEN}", follow_redirects=False)
    assert response.headers["location"] == "/api/studies"

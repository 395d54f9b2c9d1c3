"""Regression tests of the server's limits: chart cache bound, body size, ids, nesting."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from dashboard_support import WRITE, make_client, make_study

from trimtab.dashboard import create_app
from trimtab.dashboard._body import MAX_BODY
from trimtab.dashboard._chart_cache import ChartCache
from trimtab.storages import InMemoryStorage

HUGE = "99999999999999999999999"


@pytest.mark.parametrize("read_only", [False, True])
def test_unknown_query_params_create_no_chart_cache_entries(read_only: bool) -> None:
    storage = InMemoryStorage()
    study = make_study(storage, "c", n=40)
    client = make_client(storage, read_only=read_only)
    charts = client.app.state.context.charts  # type: ignore[attr-defined]
    url = f"/api/studies/{study._study_id}/charts/history"
    first = client.get(url)
    assert first.status_code == 200
    size = charts.n_bytes
    for i in range(40):
        response = client.get(f"{url}?junk={i}&objective=0&n_recent={i}")
        assert response.status_code == 200
        assert response.content == first.content
    assert len(charts) == 1 and charts.n_bytes == size


def test_chart_cache_evicts_least_recently_used_by_bytes() -> None:
    cache = ChartCache(max_bytes=100)
    cache.put("a", 1, b"a" * 40)
    cache.put("b", 1, b"b" * 40)
    assert cache.get("a", 1) == b"a" * 40  # a is now the most recently used
    cache.put("c", 1, b"c" * 40)  # 120 bytes: b goes
    assert cache.get("b", 1) is None and cache.get("a", 1) and cache.get("c", 1)
    assert cache.n_bytes == 80
    cache.put("a", 2, b"A" * 10)  # a newer cursor replaces, not adds
    assert cache.get("a", 1) is None and cache.n_bytes == 50
    cache.put("big", 1, b"x" * 101)  # larger than the bound: not kept, nothing evicted
    assert cache.get("big", 1) is None and len(cache) == 2


def test_server_chart_cache_stays_within_its_bound() -> None:
    storage = InMemoryStorage()
    study = make_study(storage, "c", n=40)
    client = make_client(storage)
    ctx = client.app.state.context  # type: ignore[attr-defined]
    ctx.charts = ChartCache(max_bytes=20_000)
    url = f"/api/studies/{study._study_id}/charts/"
    for kind in ("history", "edf", "slice", "timeline", "parallel", "rank", "contour"):
        assert client.get(url + kind).status_code == 200
        assert ctx.charts.n_bytes <= 20_000
    assert 0 < len(ctx.charts) < 7


def test_chart_params_are_validated() -> None:
    storage = InMemoryStorage()
    study = make_study(storage, "c", n=10)
    client = make_client(storage)
    url = f"/api/studies/{study._study_id}/charts/slice"
    for bad in ('["nope"]', "{}", "[1]", "[" * 10_000):
        response = client.get(url, params={"params": bad})
        assert response.status_code == 400, bad
        assert "params" in response.json()["error"]
    assert client.get(url, params={"params": '["x"]'}).status_code == 200


def _call(app: Any, method: str, path: str, headers: dict[str, str], chunks: list[bytes]) -> Any:
    """Drive the ASGI app with a body sent in ``chunks``; return (status, chunks pulled)."""
    pulled = 0
    sent: list[dict[str, Any]] = []
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        + [(b"host", b"testserver")],
        "scheme": "http",
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 1),
        "root_path": "",
        "http_version": "1.1",
    }

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        if pulled >= len(chunks):
            await asyncio.sleep(3600)  # a client that never finishes sending
        pulled += 1
        return {"type": "http.request", "body": chunks[pulled - 1], "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(asyncio.wait_for(app(scope, receive, send), 30))
    return sent[0]["status"], pulled


def test_body_over_the_limit_is_refused_on_content_length_before_reading() -> None:
    storage = InMemoryStorage()
    app = create_app(storage)
    headers = {**WRITE, "content-type": "application/json", "content-length": str(300 << 20)}
    status, pulled = _call(app, "POST", "/api/studies", headers, [b"{" * 1024] * 10)
    assert status == 413 and pulled == 0
    assert storage.get_all_studies() == []


def test_chunked_body_is_refused_while_reading() -> None:
    storage = InMemoryStorage()
    app = create_app(storage)
    chunk = b" " * (1 << 20)
    n_chunks = MAX_BODY // len(chunk) + 50  # never completely sent
    headers = {**WRITE, "content-type": "application/json", "transfer-encoding": "chunked"}
    status, pulled = _call(app, "POST", "/api/studies", headers, [chunk] * n_chunks)
    assert status == 413
    assert pulled == MAX_BODY // len(chunk) + 1  # stopped at the first chunk past the limit


def test_largest_note_fits_the_body_limit() -> None:
    storage = InMemoryStorage()
    study = make_study(storage, "n", n=1)
    client = make_client(storage)
    url = f"/api/studies/{study._study_id}/note"
    for encode in (json.dumps, lambda b: json.dumps(b, ensure_ascii=False)):
        version = client.get(url).json()["version"] + 1
        body = encode({"version": version, "body": "€" * 700_000}).encode()
        headers = {**WRITE, "content-type": "application/json"}
        response = client.put(url, content=body, headers=headers)
        assert response.status_code == 200, response.text[:200]
        assert client.get(url).json()["body"] == "€" * 700_000
    emoji = json.dumps({"version": version + 1, "body": "😀" * 1_000_000}).encode()
    assert len(emoji) < MAX_BODY
    too_long = json.dumps({"version": version + 1, "body": "a" * 1_000_001})
    response = client.put(
        url, content=too_long, headers={**WRITE, "content-type": "application/json"}
    )
    assert response.status_code == 400 and "1000000 characters" in response.json()["error"]


def test_ids_beyond_64_bits_are_not_found() -> None:
    storage = InMemoryStorage()
    study = make_study(storage, "i", n=2)
    study.ask()
    client = make_client(storage)
    sid = study._study_id
    assert client.get(f"/api/studies/{HUGE}").status_code == 404
    assert client.get(f"/api/studies/{sid}/trials/{HUGE}").status_code == 404
    assert client.get(f"/api/studies/{HUGE}/charts/history").status_code == 404
    tell = client.post(
        f"/api/studies/{sid}/trials/{HUGE}/tell", json={"state": "FAIL"}, headers=WRITE
    )
    assert tell.status_code == 404 and "64-bit" in tell.json()["error"]
    note = client.put(
        f"/api/studies/{sid}/note", content=f'{{"version": {HUGE}, "body": "x"}}',
        headers={**WRITE, "content-type": "application/json"},
    )  # fmt: skip
    assert note.status_code == 409
    values = client.post(
        f"/api/studies/{sid}/trials/2/tell", content='{"state": "COMPLETE", "values": [1e400]}',
        headers={**WRITE, "content-type": "application/json"},
    )  # fmt: skip
    assert values.status_code == 200  # inf is a value Optuna accepts
    huge_int = client.post(
        f"/api/studies/{sid}/enqueue", content='{"params": {"x": 1' + "0" * 400 + "}}",
        headers={**WRITE, "content-type": "application/json"},
    )  # fmt: skip
    assert huge_int.status_code == 400 and "out of range" in huge_int.json()["error"]


def test_deeply_nested_json_is_a_400() -> None:
    storage = InMemoryStorage()
    study = make_study(storage, "d", n=2)
    client = make_client(storage)
    sid = study._study_id
    deep = "[" * 100_000 + "]" * 100_000
    headers = {**WRITE, "content-type": "application/json"}
    body = client.post("/api/studies", content=deep, headers=headers)
    assert body.status_code == 400 and "deeply" in body.json()["error"]
    nested_param = '{"params": {"x": ' + deep + "}}"
    enqueue = client.post(f"/api/studies/{sid}/enqueue", content=nested_param, headers=headers)
    assert enqueue.status_code == 400
    deep = "[" * 10_000 + "]" * 10_000  # URLs are limited to 64 kB
    table = client.get(f"/api/studies/{sid}/trials", params={"filters": deep})
    assert table.status_code == 400 and "deeply" in table.json()["error"]
    csv = client.get(f"/api/studies/{sid}/trials.csv", params={"filters": deep})
    assert csv.status_code == 400
    assert len(storage.get_all_trials(sid)) == 2

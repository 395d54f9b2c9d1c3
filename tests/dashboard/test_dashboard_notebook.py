"""``show``: a background server shown in an IFrame, embeddable by notebooks only, stopped
cleanly."""

from __future__ import annotations

import json
import socket
import urllib.request
from typing import Any

import pytest
from dashboard_support import make_study

from trimtab.dashboard import show
from trimtab.storages import InMemoryStorage

pytest.importorskip("uvicorn")


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.headers, response.read()


def test_show_serves_the_study_in_an_iframe_and_stops(monkeypatch: Any) -> None:
    ipython_display = pytest.importorskip("IPython.display")
    shown: list[Any] = []
    monkeypatch.setattr(ipython_display, "display", lambda obj: shown.append(obj))
    storage = InMemoryStorage()
    study = make_study(storage, "nb", n=5)
    handle = show(study, height=600)
    try:
        assert handle.running
        assert handle.url.endswith(f"/#/studies/{study._study_id}")
        (frame,) = shown
        assert isinstance(frame, ipython_display.IFrame)
        assert frame.src == handle.url and frame.height == 600
        base = handle.url.split("#")[0].rstrip("/")
        headers, body = _get(base + "/api/studies")
        assert [s["study_name"] for s in json.loads(body)["studies"]] == ["nb"]
        csp = _get(base + "/")[0]["content-security-policy"]
        assert "frame-ancestors 'self' http://localhost:*" in csp and "vscode-webview:" in csp
        assert "x-frame-options" not in {k.lower() for k in headers}
    finally:
        handle.stop()
    assert not handle.running
    port = int(base.rsplit(":", 1)[1])
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0  # nothing listens any more


def test_show_outside_a_notebook_prints_the_url(monkeypatch: Any, capsys: Any) -> None:
    import builtins

    real_import = builtins.__import__

    def no_ipython(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("IPython"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ipython)
    handle = show("sqlite:///:memory:", read_only=True)
    try:
        assert capsys.readouterr().out.strip() == f"trimtab dashboard: {handle.url}"
        assert json.loads(_get(handle.url + "api/meta")[1])["read_only"] is True
    finally:
        handle.stop()


def test_the_standalone_server_still_refuses_framing() -> None:
    from starlette.testclient import TestClient

    from trimtab.dashboard import create_app

    headers = TestClient(create_app(InMemoryStorage())).get("/").headers
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]

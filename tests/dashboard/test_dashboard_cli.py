"""``trimtab dashboard`` arguments, storage opening, and ``run_server``'s binding rules."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

import trimtab
from trimtab.dashboard import _server, cli_main, run_server
from trimtab.storages import InMemoryStorage


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    uvicorn = pytest.importorskip("uvicorn")
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append({"app": app, **kw}))
    return calls


def test_cli_serves_a_sqlite_url(served: list[dict[str, Any]], tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    trimtab.create_study(storage=url, study_name="x")
    assert cli_main([url, "--port", "9999", "--read-only", "--quiet"]) == 0
    call = served[0]
    assert call["host"] == "127.0.0.1" and call["port"] == 9999
    context = call["app"].state.context
    assert context.read_only is True
    assert [s.study_name for s in context.storage.get_all_studies()] == ["x"]


def test_cli_storage_option_and_token_from_env(
    served: list[dict[str, Any]], tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIMTAB_DASHBOARD_TOKEN", "env-token-123")
    url = f"sqlite:///{tmp_path / 'b.db'}"
    assert cli_main(["--storage", url, "--quiet"]) == 0
    assert served[0]["app"].state.context.token_required is True


def test_cli_opens_a_journal_file(served: list[dict[str, Any]], tmp_path: Any) -> None:
    from trimtab.storages.journal import JournalFileBackend, JournalStorage

    path = str(tmp_path / "study.log")
    storage = JournalStorage(JournalFileBackend(path))
    trimtab.create_study(storage=storage, study_name="j").optimize(
        lambda t: t.suggest_float("x", 0, 1), n_trials=3
    )
    assert cli_main([path, "--quiet"]) == 0
    opened = served[0]["app"].state.context.storage
    assert isinstance(opened, JournalStorage)
    assert len(opened.get_all_trials(0)) == 3


def test_cli_argument_errors(served: list[dict[str, Any]], capsys: Any) -> None:
    with pytest.raises(SystemExit) as missing:
        cli_main([])
    assert missing.value.code == 2
    with pytest.raises(SystemExit):
        cli_main(["sqlite:///a.db", "--storage", "sqlite:///b.db"])
    assert cli_main(["nowhere.log", "--quiet"]) == 2
    assert "No journal file" in capsys.readouterr().err
    assert cli_main(["study.txt", "--quiet"]) == 2
    assert served == []


def test_binding_elsewhere_warns_and_allows_any_host(served: list[dict[str, Any]]) -> None:
    with pytest.warns(UserWarning, match="reachable from other machines"):
        run_server(InMemoryStorage(), host="0.0.0.0", port=8081, quiet=True)
    with pytest.warns(UserWarning, match="--token"):
        run_server(InMemoryStorage(), host="0.0.0.0", quiet=True)
    assert served[0]["host"] == "0.0.0.0"


def test_loopback_binding_restricts_hosts(served: list[dict[str, Any]]) -> None:
    run_server(InMemoryStorage(), quiet=True)
    middleware = served[0]["app"].user_middleware[0]
    assert "localhost" in middleware.kwargs["allowed_hosts"]
    assert _server._is_loopback("::1") and not _server._is_loopback("192.168.1.2")


def test_python_dash_m_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "trimtab.dashboard", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    assert "--read-only" in result.stdout and "--token" in result.stdout


def test_importing_trimtab_does_not_import_the_web_server() -> None:
    code = "import sys, trimtab; print('starlette' in sys.modules, 'uvicorn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False False"

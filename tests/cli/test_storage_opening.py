"""One rule for storage strings, through the real ``trimtab`` command in a subprocess.

``--storage`` before or after the sub-command, or ``TRIMTAB_STORAGE``, works the same for
every command, ``dashboard`` included; URLs, journal files and Redis URLs open the same way
in the library, the CLI and the dashboard.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import trimtab
from trimtab.storages import InMemoryStorage, RDBStorage, get_storage
from trimtab.storages.journal import JournalStorage

_LAUNCH = "import sys; from trimtab.cli import main; sys.exit(main())"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TRIMTAB_STORAGE", "OPTUNA_STORAGE")}
    env.update(extra)
    return env


def _trimtab(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _LAUNCH, *args],
        capture_output=True,
        text=True,
        env=env or _env(),
        timeout=120,
        check=False,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _served_study_names(args: list[str], env: dict[str, str]) -> list[str]:
    """Start ``trimtab ARGS`` (a dashboard), read its study list over HTTP, stop it."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", _LAUNCH, *args, "--port", str(port), "--quiet"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise AssertionError(f"the dashboard exited: {process.communicate()[1]}")
            try:
                url = f"http://127.0.0.1:{port}/api/studies"
                with urllib.request.urlopen(url, timeout=5) as response:
                    body = json.load(response)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    finally:
        process.terminate()
        process.wait(timeout=30)
    return sorted(s["study_name"] for s in body["studies"])


@pytest.mark.parametrize("form", ["before", "after", "positional", "environment"])
def test_dashboard_takes_the_storage_like_every_command(tmp_path: Path, form: str) -> None:
    pytest.importorskip("uvicorn")
    url = f"sqlite:///{tmp_path / 'd.db'}"
    created = _trimtab("--storage", url, "create-study", "--study-name", "shown")
    assert created.returncode == 0, created.stderr
    args = {
        "before": ["--storage", url, "dashboard"],
        "after": ["dashboard", "--storage", url],
        "positional": ["dashboard", url],
        "environment": ["dashboard"],
    }[form]
    env = _env(TRIMTAB_STORAGE=url) if form == "environment" else _env()
    assert _served_study_names(args, env) == ["shown"]


def test_dashboard_without_any_storage_says_how_to_give_one() -> None:
    done = _trimtab("dashboard")
    assert done.returncode == 2
    assert "TRIMTAB_STORAGE" in done.stderr


@pytest.mark.parametrize("where", ["before", "after", "environment"])
def test_every_command_reads_the_storage_the_same_way(tmp_path: Path, where: str) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    for command in (["create-study", "--study-name", "a"], ["study-names"]):
        if where == "before":
            done = _trimtab("--storage", url, *command)
        elif where == "after":
            done = _trimtab(*command, "--storage", url)
        else:
            done = _trimtab(*command, env=_env(TRIMTAB_STORAGE=url))
        assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["a"]


def test_a_new_journal_file_is_created_and_reopened(tmp_path: Path) -> None:
    path = str(tmp_path / "study.log")
    assert _trimtab("--storage", path, "create-study", "--study-name", "j").returncode == 0
    assert os.path.isfile(path)
    # The library opens the same string the same way.
    storage = get_storage(path)
    assert isinstance(storage, JournalStorage)
    assert [s.study_name for s in storage.get_all_studies()] == ["j"]


def test_unusable_locations_give_a_clear_error(tmp_path: Path) -> None:
    done = _trimtab("--storage", str(tmp_path / "nothing-here"), "study-names")
    assert done.returncode == 1
    assert "neither a URL" in done.stderr
    database = tmp_path / "x.db"
    trimtab.create_study(storage=f"sqlite:///{database}", study_name="s")
    done = _trimtab("--storage", str(database), "study-names")
    assert done.returncode == 1
    assert f"sqlite:///{database}" in done.stderr  # the hint: give it as a URL


def test_library_strings_follow_the_same_rule(tmp_path: Path) -> None:
    assert isinstance(get_storage(None), InMemoryStorage)
    assert isinstance(get_storage(f"sqlite:///{tmp_path / 'l.db'}"), RDBStorage)
    with pytest.raises(ValueError, match="No journal file"):
        from trimtab.storages._factory import open_storage

        open_storage(str(tmp_path / "missing.log"), create=False)
    with pytest.raises(ValueError, match="Unknown storage class"):
        open_storage("sqlite:///x.db", "MongoStorage")
    with pytest.raises(TypeError, match="`storage` must be"):
        get_storage(3)  # type: ignore[arg-type]


def test_a_redis_url_opens_a_journal_on_redis() -> None:
    pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379"
    # Read only: other tests may share this server's journal keys.
    with pytest.warns(trimtab.exceptions.ExperimentalWarning):
        storage = get_storage(url)
    assert isinstance(storage, JournalStorage)
    listed = _trimtab("--storage", url, "study-names")
    assert listed.returncode == 0, listed.stderr

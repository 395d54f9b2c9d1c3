"""Uploading and deleting artifacts from the dashboard: limits, read-only mode, escaping."""

from __future__ import annotations

import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from dashboard_support import WRITE, make_client

import trimtab
from trimtab.artifacts import FileSystemArtifactStore, download_artifact, get_all_artifact_meta
from trimtab.dashboard.handlers._artifacts import MAX_UPLOAD_BYTES

# A browser's File.name never has a "/", so the hostile name is HOSTILE without "</script>".
HOSTILE_NAME = '<img src=x onerror=alert(1)> "q" & ünïcødé ✓.png'
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture()
def setup(tmp_path: Path) -> dict[str, Any]:
    base = tmp_path / "artifacts"
    base.mkdir()
    study = trimtab.create_study(storage=f"sqlite:///{tmp_path / 'db.sqlite'}", study_name="u")
    running = study.ask()
    done = study.ask()
    study.tell(done, 1.0)
    return {
        "study": study,
        "store": FileSystemArtifactStore(base),
        "base": base,
        "running": running.number,
        "done": done.number,
    }


def _upload(client: Any, url: str, name: str, body: bytes) -> Any:
    query = urllib.parse.urlencode({"filename": name})
    return client.post(
        f"{url}/artifacts?{query}",
        content=body,
        headers={**WRITE, "content-type": "application/octet-stream"},
    )


def test_upload_to_study_and_trial_then_download_and_delete(setup: dict[str, Any]) -> None:
    study, store = setup["study"], setup["store"]
    client = make_client(study._storage, artifact_store=store)
    url = f"/api/studies/{study._study_id}"
    name = HOSTILE_NAME
    up = _upload(client, url, name, PNG)
    assert up.status_code == 200, up.text
    info = up.json()
    assert (info["filename"], info["mimetype"], info["preview"]) == (name, "image/png", "image")
    assert client.get(info["url"]).content == PNG
    trial_url = f"{url}/trials/{setup['running']}"
    csv = _upload(client, trial_url, "loss.csv", b"step,loss\n0,1\n").json()
    assert csv["url"].startswith(trial_url + "/artifacts/")
    # The library sees both uploads, with the names as given.
    (meta,) = get_all_artifact_meta(study)
    assert meta.filename == name
    with download_artifact_text(store, csv["artifact_id"], setup["base"]) as text:
        assert text == "step,loss\n0,1\n"

    gone = client.delete(info["url"], headers=WRITE)
    assert gone.status_code == 200
    assert client.get(f"{url}/artifacts").json()["artifacts"] == []
    assert get_all_artifact_meta(study) == []
    assert not (setup["base"] / info["artifact_id"]).exists()
    assert client.get(info["url"]).status_code == 404
    assert client.delete(info["url"], headers=WRITE).status_code == 404
    assert client.delete(csv["url"], headers=WRITE).status_code == 200
    assert client.get(f"{trial_url}/artifacts").json()["artifacts"] == []


class download_artifact_text:  # noqa: N801 - a tiny context manager used like a function
    def __init__(self, store: Any, artifact_id: str, base: Path) -> None:
        self.path = base.parent / "downloaded"
        download_artifact(artifact_store=store, artifact_id=artifact_id, file_path=str(self.path))

    def __enter__(self) -> str:
        return self.path.read_text()

    def __exit__(self, *exc: Any) -> None:
        self.path.unlink()


def test_finished_trials_refuse_uploads_and_deletions(setup: dict[str, Any]) -> None:
    study = setup["study"]
    client = make_client(study._storage, artifact_store=setup["store"])
    answer = _upload(
        client, f"/api/studies/{study._study_id}/trials/{setup['done']}", "a.txt", b"x"
    )
    assert answer.status_code == 400 and "COMPLETE" in answer.json()["error"]
    assert list(setup["base"].iterdir()) == []  # nothing reached the store


@pytest.mark.parametrize("name", ["", "../etc/passwd", "a\\b", "..", "a\nb", "x" * 256])
def test_bad_file_names_are_refused(setup: dict[str, Any], name: str) -> None:
    study = setup["study"]
    client = make_client(study._storage, artifact_store=setup["store"])
    answer = _upload(client, f"/api/studies/{study._study_id}", name, b"x")
    assert answer.status_code == 400 and "filename" in answer.json()["error"]
    assert list(setup["base"].iterdir()) == []


def test_uploads_are_limited_before_reading_and_need_a_store(setup: dict[str, Any]) -> None:
    study = setup["study"]
    url = f"/api/studies/{study._study_id}/artifacts?filename=big.bin"
    client = make_client(study._storage, artifact_store=setup["store"])
    declared = client.post(
        url, content=b"x", headers={**WRITE, "content-length": str(MAX_UPLOAD_BYTES + 1)}
    )
    assert declared.status_code in (400, 413)

    def chunks() -> Any:  # no Content-Length: counted while reading
        for _ in range(MAX_UPLOAD_BYTES // (1 << 20) + 1):
            yield b"x" * (1 << 20)

    streamed = client.post(url, content=chunks(), headers=WRITE)
    assert streamed.status_code == 413 and str(MAX_UPLOAD_BYTES) in streamed.json()["error"]
    assert list(setup["base"].iterdir()) == []
    bare = make_client(study._storage)
    answer = _upload(bare, f"/api/studies/{study._study_id}", "a.txt", b"x")
    assert answer.status_code == 400 and "--artifact-dir" in answer.json()["error"]


def test_read_only_refuses_upload_and_delete(setup: dict[str, Any]) -> None:
    study = setup["study"]
    writer = make_client(study._storage, artifact_store=setup["store"])
    info = _upload(writer, f"/api/studies/{study._study_id}", "a.txt", b"keep").json()
    reader = make_client(study._storage, artifact_store=setup["store"], read_only=True)
    assert _upload(reader, f"/api/studies/{study._study_id}", "b.txt", b"x").status_code == 403
    assert reader.delete(info["url"], headers=WRITE).status_code == 403
    assert reader.get(info["url"]).content == b"keep"
    assert len(list(setup["base"].iterdir())) == 1

"""The artifact routes: listing, preview types, downloads, and what they refuse to serve."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from dashboard_support import HOSTILE, make_client

import trimtab
from trimtab.artifacts import FileSystemArtifactStore, upload_artifact

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture()
def setup(tmp_path: Path) -> dict[str, Any]:
    base = tmp_path / "artifacts"
    base.mkdir()
    store = FileSystemArtifactStore(base)
    study = trimtab.create_study(storage=f"sqlite:///{tmp_path / 'db.sqlite'}", study_name="a")
    trial = study.ask()
    ids = {
        "png": upload_artifact(
            artifact_store=store,
            file_path=io.BytesIO(PNG),
            study_or_trial=trial,
            filename="plot.png",
        ),
        "csv": upload_artifact(
            artifact_store=store,
            file_path=io.BytesIO(b"a,b\n1,2\n"),
            study_or_trial=trial,
            filename="table.csv",
        ),
        "html": upload_artifact(
            artifact_store=store,
            file_path=io.BytesIO(b"<script>alert(1)</script>"),
            study_or_trial=trial,
            filename=HOSTILE + ".html",
        ),
        "js": upload_artifact(
            artifact_store=store,
            file_path=io.BytesIO(b"alert(1)"),
            study_or_trial=trial,
            filename="x.js",
        ),
    }
    study.tell(trial, 1.0)
    study_note = upload_artifact(
        artifact_store=store,
        file_path=io.BytesIO(b"hello"),
        study_or_trial=study,
        filename="readme.txt",
    )
    return {"study": study, "store": store, "ids": ids, "study_artifact": study_note}


def test_trial_and_study_artifacts_are_listed_with_preview_kinds(setup: dict[str, Any]) -> None:
    client = make_client(setup["study"]._storage, artifact_store=setup["store"])
    sid = setup["study"]._study_id
    listed = client.get(f"/api/studies/{sid}/trials/0/artifacts").json()
    assert listed["store_configured"] is True
    kinds = {a["artifact_id"]: a["preview"] for a in listed["artifacts"]}
    ids = setup["ids"]
    assert kinds == {ids["png"]: "image", ids["csv"]: "csv", ids["html"]: None, ids["js"]: None}
    study_list = client.get(f"/api/studies/{sid}/artifacts").json()["artifacts"]
    assert [(a["filename"], a["preview"]) for a in study_list] == [("readme.txt", "text")]
    body = client.get(study_list[0]["url"])
    assert body.status_code == 200 and body.content == b"hello"
    assert body.headers["content-type"].startswith("text/plain")


def test_bodies_are_downloads_with_safe_types(setup: dict[str, Any]) -> None:
    client = make_client(setup["study"]._storage, artifact_store=setup["store"])
    base = f"/api/studies/{setup['study']._study_id}/trials/0/artifacts/"
    ids = setup["ids"]
    png = client.get(base + ids["png"])
    assert png.content == PNG and png.headers["content-type"] == "image/png"
    assert png.headers["content-disposition"].startswith('attachment; filename="plot.png"')
    csv = client.get(base + ids["csv"])
    assert csv.text == "a,b\n1,2\n" and csv.headers["content-type"].startswith("text/csv")
    for risky in ("html", "js"):
        answer = client.get(base + ids[risky])
        assert answer.headers["content-type"] == "application/octet-stream"
        assert "sandbox" in answer.headers.get_list("content-security-policy")[0]
        assert answer.headers["x-content-type-options"] == "nosniff"
    disposition = client.get(base + ids["html"]).headers["content-disposition"]
    assert "<" not in disposition and '"quoted"' not in disposition and "\n" not in disposition
    assert "filename*=UTF-8''%3Cscript%3E" in disposition


def test_only_artifacts_recorded_on_the_path_owner_are_served(setup: dict[str, Any]) -> None:
    client = make_client(setup["study"]._storage, artifact_store=setup["store"])
    sid = setup["study"]._study_id
    other_owner = client.get(f"/api/studies/{sid}/artifacts/{setup['ids']['png']}")
    assert other_owner.status_code == 404
    for bad in ("..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", "unknown-id"):
        answer = client.get(f"/api/studies/{sid}/trials/0/artifacts/{bad}")
        assert answer.status_code == 404, bad
    unknown = client.get(f"/api/studies/{sid}/trials/0/artifacts/unknown-id")
    assert "No artifact 'unknown-id'" in unknown.json()["error"]
    assert client.get(f"/api/studies/{sid}/trials/7/artifacts").status_code == 404


def test_without_a_store_artifacts_are_listed_but_not_served(setup: dict[str, Any]) -> None:
    client = make_client(setup["study"]._storage)
    sid = setup["study"]._study_id
    listed = client.get(f"/api/studies/{sid}/trials/0/artifacts").json()
    assert listed["store_configured"] is False and len(listed["artifacts"]) == 4
    answer = client.get(listed["artifacts"][0]["url"])
    assert answer.status_code == 400 and "--artifact-dir" in answer.json()["error"]


def test_missing_body_is_a_clear_404(setup: dict[str, Any]) -> None:
    setup["store"].remove(setup["ids"]["csv"])
    client = make_client(setup["study"]._storage, artifact_store=setup["store"])
    url = f"/api/studies/{setup['study']._study_id}/trials/0/artifacts/{setup['ids']['csv']}"
    answer = client.get(url)
    assert answer.status_code == 404 and "no body" in answer.json()["error"]


def test_artifacts_uploaded_by_optuna_are_listed(tmp_path: Path) -> None:
    optuna = pytest.importorskip("optuna")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    base = tmp_path / "store"
    base.mkdir()
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    study = optuna.create_study(storage=url, study_name="o")
    source = tmp_path / "loss.csv"
    source.write_text("step,loss\n0,1\n")
    optuna.artifacts.upload_artifact(
        artifact_store=optuna.artifacts.FileSystemArtifactStore(str(base)),
        file_path=str(source),
        study_or_trial=study,
    )
    client = make_client(url, artifact_store=FileSystemArtifactStore(base))
    sid = client.get("/api/studies").json()["studies"][0]["study_id"]
    (info,) = client.get(f"/api/studies/{sid}/artifacts").json()["artifacts"]
    assert (info["filename"], info["preview"]) == ("loss.csv", "csv")
    assert client.get(info["url"]).text == "step,loss\n0,1\n"


def test_cli_rejects_a_missing_artifact_dir(tmp_path: Path) -> None:
    from trimtab.dashboard._server import cli_main

    code = cli_main([f"sqlite:///{tmp_path / 'x.db'}", "--artifact-dir", str(tmp_path / "no")])
    assert code == 2

"""Handlers for the artifacts of a study or trial: list, bodies, upload and delete.

Uploads go through ``trimtab.artifacts.upload_artifact`` (the body is the request's raw
bytes, at most ``MAX_UPLOAD_BYTES``; the name comes from ``?filename=``), so the metadata is
Optuna's and optuna-dashboard's; a trial takes uploads and deletions only while it is
running or waiting, as in both. Deleting removes the body from the store and marks the
record ``null``, as optuna-dashboard does (system attributes cannot be removed).

Only artifacts recorded on the study or trial in the path are served (an id from the request
never reaches the store otherwise), always as a download with a sandboxing CSP, and with a
content type from a short list of types a browser cannot run (anything else is
``application/octet-stream``); the page previews images, text and CSV from those bodies.
"""

from __future__ import annotations

import io
import json
import urllib.parse
from typing import Any

from trimtab.artifacts import upload_artifact
from trimtab.artifacts._meta import ARTIFACTS_ATTR_PREFIX, ArtifactMeta
from trimtab.artifacts.exceptions import ArtifactNotFound
from trimtab.dashboard._context import ApiRequest, Context, Raw
from trimtab.dashboard._schema import ArtifactInfo, ArtifactList, Done
from trimtab.dashboard.handlers._studies import _study_id
from trimtab.study import load_study

MAX_ARTIFACT_BYTES = 256 * 1024 * 1024
MAX_UPLOAD_BYTES = 64 * 1024 * 1024
MAX_FILENAME = 255
_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp")
_TEXT_TYPES = ("text/plain", "application/json", "text/markdown", "text/x-python", "text/x-log")


def _preview(meta: ArtifactMeta) -> str | None:
    if meta.encoding:  # compressed bodies are downloaded, not shown
        return None
    if meta.mimetype in _IMAGE_TYPES:
        return "image"
    if meta.mimetype == "text/csv":
        return "csv"
    if meta.mimetype in _TEXT_TYPES:
        return "text"
    return None


def _served_type(meta: ArtifactMeta) -> str:
    preview = _preview(meta)
    if preview == "image":
        return meta.mimetype
    if preview == "csv":
        return "text/csv; charset=utf-8"
    if preview == "text":
        return "text/plain; charset=utf-8"
    return "application/octet-stream"


def _owner(ctx: Context, req: ApiRequest) -> tuple[str, dict[str, Any]]:
    """The URL prefix and system attributes of the study or trial the path names."""
    study_id = _study_id(ctx, req)
    prefix = f"/api/studies/{study_id}"
    if "number" not in req.path:
        return prefix, ctx.storage.get_study_system_attrs(study_id)
    number = int(req.path["number"])
    trial_id = ctx.storage.get_trial_id_from_study_id_trial_number(study_id, number)
    return f"{prefix}/trials/{number}", ctx.storage.get_trial(trial_id).system_attrs


def _metas(attrs: dict[str, Any]) -> list[ArtifactMeta]:
    found = []
    for key, value in attrs.items():
        if not key.startswith(ARTIFACTS_ATTR_PREFIX):
            continue
        try:
            found.append(ArtifactMeta.from_json(value))
        except (ValueError, KeyError, TypeError):
            continue  # a malformed record is skipped, not fatal to the list
    return found


def _info(prefix: str, meta: ArtifactMeta) -> ArtifactInfo:
    return ArtifactInfo(
        artifact_id=meta.artifact_id,
        filename=meta.filename,
        mimetype=meta.mimetype,
        encoding=meta.encoding,
        preview=_preview(meta),
        url=f"{prefix}/artifacts/{urllib.parse.quote(meta.artifact_id, safe='')}",
    )


def list_artifacts(ctx: Context, req: ApiRequest) -> ArtifactList:
    """The artifacts uploaded to a study (or to a trial, when the path names one)."""
    prefix, attrs = _owner(ctx, req)
    return ArtifactList(
        store_configured=ctx.artifact_store is not None,
        artifacts=[_info(prefix, m) for m in _metas(attrs)],
    )


def _store(ctx: Context) -> Any:
    if ctx.artifact_store is None:
        raise ValueError(
            "No artifact store is configured: start the dashboard with --artifact-dir DIR."
        )
    return ctx.artifact_store


def _writable_trial(ctx: Context, study_id: int, number: int) -> Any:
    """The FrozenTrial ``number`` of the study, checked to take attributes."""
    trial_id = ctx.storage.get_trial_id_from_study_id_trial_number(study_id, number)
    trial = ctx.storage.get_trial(trial_id)
    if trial.state.is_finished():
        raise ValueError(
            f"Trial {number} is {trial.state.name}: artifacts can be added to or deleted from "
            "running and waiting trials only (or from the study)."
        )
    return trial


def _check_filename(name: str | None) -> str:
    if not name or not name.strip():
        raise ValueError("Query parameter 'filename' is required (the uploaded file's name).")
    if len(name) > MAX_FILENAME:
        raise ValueError(f"Query parameter 'filename' must be at most {MAX_FILENAME} characters.")
    if any(c in name for c in "/\\") or name in (".", "..") or not name.isprintable():
        raise ValueError(
            "Query parameter 'filename' must be a file name without path separators or "
            f"control characters, got {name!r}."
        )
    return name


def upload(ctx: Context, req: ApiRequest) -> ArtifactInfo:
    """Upload the request body as an artifact of the study (or of a running/waiting trial)."""
    store = _store(ctx)
    name = _check_filename(req.query.get("filename"))
    study_id = _study_id(ctx, req)
    prefix = f"/api/studies/{study_id}"
    with ctx.write_lock:
        if "number" in req.path:
            number = int(req.path["number"])
            owner: Any = _writable_trial(ctx, study_id, number)
            prefix += f"/trials/{number}"
        else:
            owner = load_study(
                study_name=ctx.storage.get_study_name_from_id(study_id), storage=ctx.storage
            )
        artifact_id = upload_artifact(
            artifact_store=store,
            file_path=io.BytesIO(req.body),
            study_or_trial=owner,
            storage=ctx.storage,
            filename=name,
        )
    _, attrs = _owner(ctx, req)
    meta = next(m for m in _metas(attrs) if m.artifact_id == artifact_id)
    return _info(prefix, meta)


def delete(ctx: Context, req: ApiRequest) -> Done:
    """Delete an artifact of the study (or of a running/waiting trial): body and record."""
    artifact_id = str(req.path["artifact_id"])
    store = _store(ctx)
    study_id = _study_id(ctx, req)
    with ctx.write_lock:
        _, attrs = _owner(ctx, req)
        if not any(m.artifact_id == artifact_id for m in _metas(attrs)):
            raise KeyError(f"No artifact {artifact_id!r} was uploaded here.")
        key = ARTIFACTS_ATTR_PREFIX + artifact_id
        if "number" in req.path:
            trial = _writable_trial(ctx, study_id, int(req.path["number"]))
            _remove_body(store, artifact_id)
            ctx.storage.set_trial_system_attr(trial._trial_id, key, json.dumps(None))
        else:
            _remove_body(store, artifact_id)
            ctx.storage.set_study_system_attr(study_id, key, json.dumps(None))
    return Done(ok=True, study_id=study_id)


def _remove_body(store: Any, artifact_id: str) -> None:
    try:
        store.remove(artifact_id)
    except ArtifactNotFound:
        pass  # already gone from the store: the record is what is left to drop


def artifact_body(ctx: Context, req: ApiRequest) -> Raw:
    """The body of one artifact of the study or trial, as a download."""
    artifact_id = str(req.path["artifact_id"])
    _, attrs = _owner(ctx, req)
    meta = next((m for m in _metas(attrs) if m.artifact_id == artifact_id), None)
    if meta is None:
        raise KeyError(f"No artifact {artifact_id!r} was uploaded here.")
    store = _store(ctx)
    try:
        with store.open_reader(artifact_id) as reader:
            content = reader.read(MAX_ARTIFACT_BYTES + 1)
    except ArtifactNotFound as err:
        raise KeyError(f"The artifact store has no body for artifact {artifact_id!r}.") from err
    if len(content) > MAX_ARTIFACT_BYTES:
        raise ValueError(
            f"Artifact {artifact_id!r} is larger than {MAX_ARTIFACT_BYTES} bytes; "
            "use trimtab.artifacts.download_artifact."
        )
    return Raw(
        content=content,
        media_type=_served_type(meta),
        headers={
            "content-security-policy": "sandbox; default-src 'none'",
            "content-disposition": _disposition(meta.filename),
        },
    )


def _safe_filename(name: str) -> str:
    return (
        "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in name)
        or "artifact"
    )


def _disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback name and the exact name (RFC 6266/5987)."""
    exact = urllib.parse.quote(name, safe="")
    return f"attachment; filename=\"{_safe_filename(name)}\"; filename*=UTF-8''{exact}"

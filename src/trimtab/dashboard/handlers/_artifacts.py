"""Handlers for the artifacts of a study or trial: their list and their bodies.

Only artifacts recorded on the study or trial in the path are served (an id from the
request never reaches the store otherwise), always as a download with a sandboxing CSP, and
with a content type from a short list of types a browser cannot run (anything else is
``application/octet-stream``); the page previews images, text and CSV from those bodies.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from trimtab.artifacts._meta import ARTIFACTS_ATTR_PREFIX, ArtifactMeta
from trimtab.artifacts.exceptions import ArtifactNotFound
from trimtab.dashboard._context import ApiRequest, Context, Raw
from trimtab.dashboard._schema import ArtifactInfo, ArtifactList
from trimtab.dashboard.handlers._studies import _study_id

MAX_ARTIFACT_BYTES = 256 * 1024 * 1024
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


def list_artifacts(ctx: Context, req: ApiRequest) -> ArtifactList:
    """The artifacts uploaded to a study (or to a trial, when the path names one)."""
    prefix, attrs = _owner(ctx, req)
    return ArtifactList(
        store_configured=ctx.artifact_store is not None,
        artifacts=[
            ArtifactInfo(
                artifact_id=m.artifact_id,
                filename=m.filename,
                mimetype=m.mimetype,
                encoding=m.encoding,
                preview=_preview(m),
                url=f"{prefix}/artifacts/{urllib.parse.quote(m.artifact_id, safe='')}",
            )
            for m in _metas(attrs)
        ],
    )


def artifact_body(ctx: Context, req: ApiRequest) -> Raw:
    """The body of one artifact of the study or trial, as a download."""
    artifact_id = str(req.path["artifact_id"])
    _, attrs = _owner(ctx, req)
    meta = next((m for m in _metas(attrs) if m.artifact_id == artifact_id), None)
    if meta is None:
        raise KeyError(f"No artifact {artifact_id!r} was uploaded here.")
    if ctx.artifact_store is None:
        raise ValueError(
            "No artifact store is configured: start the dashboard with --artifact-dir DIR."
        )
    try:
        with ctx.artifact_store.open_reader(artifact_id) as reader:
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

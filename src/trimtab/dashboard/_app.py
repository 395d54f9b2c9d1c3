"""``create_app``: the dashboard as an ASGI application (Starlette)."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from typing import Any

from trimtab.dashboard._body import BodyTooLargeError, read_body
from trimtab.dashboard._cache import CacheRegistry
from trimtab.dashboard._context import ApiRequest, Context, Raw
from trimtab.dashboard._jsonschema import parse, to_jsonable
from trimtab.dashboard._notes import NoteConflictError
from trimtab.dashboard._openapi import openapi_document
from trimtab.dashboard._routes import ROUTES, Endpoint
from trimtab.dashboard._security import SecurityMiddleware
from trimtab.dashboard.handlers._actions import TrialTakenError
from trimtab.exceptions import DuplicatedStudyError
from trimtab.storages import BaseStorage, get_storage

STATIC_DIR = Path(__file__).parent / "static"
_STATIC_TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html"}
_TOKEN = re.compile(r"[A-Za-z0-9._~+/=-]{8,256}")
# Ids are 64-bit integers in every storage; larger ones name nothing (and overflow SQL).
MAX_ID = 2**63 - 1


def _require_starlette() -> None:
    if importlib.util.find_spec("starlette") is None:
        raise ImportError(
            'The dashboard needs Starlette and uvicorn: pip install "trimtab[dashboard]"'
        )


def _status(error: Exception) -> int:
    if isinstance(error, BodyTooLargeError):
        return 413
    if isinstance(error, (DuplicatedStudyError, NoteConflictError, TrialTakenError)):
        return 409
    if isinstance(error, KeyError):
        return 404
    return 400


def _message(error: Exception) -> str:
    if isinstance(error, KeyError) and error.args:
        return str(error.args[0])
    if isinstance(error, RecursionError):
        return "The request nests lists or objects too deeply."
    if isinstance(error, OverflowError):
        return f"A number in the request is out of range ({error})."
    return str(error)


def _check_path_ids(path_params: dict[str, Any]) -> None:
    """Raise KeyError (404) for an id or number no storage can hold."""
    for name, value in path_params.items():
        if isinstance(value, int) and not 0 <= value <= MAX_ID:
            raise KeyError(f"No {name.replace('_', ' ')} {value} exists (ids are 64-bit).")


def _json_response(data: Any, status: int = 200) -> Any:
    from starlette.responses import Response

    text = json.dumps(to_jsonable(data), separators=(",", ":"), ensure_ascii=False)
    return Response(text, status_code=status, media_type="application/json")


def _endpoint(ctx: Context, spec: Endpoint) -> Any:
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import Response

    async def endpoint(request: Request) -> Response:
        if spec.mutating and ctx.read_only:
            return _json_response({"error": "The dashboard is read-only."}, 403)
        try:
            _check_path_ids(request.path_params)
            body: Any = None
            if spec.upload_limit is not None:
                body = await read_body(request, spec.upload_limit)
            elif spec.body is not None:
                raw = await read_body(request)
                if "application/json" not in request.headers.get("content-type", ""):
                    raise ValueError("The request body must be JSON (application/json).")
                body = parse(spec.body, json.loads(raw or b"null"))
            api_request = ApiRequest(request.path_params, request.query_params, body)
            result = await run_in_threadpool(spec.handler, ctx, api_request)
        except (
            KeyError,
            ValueError,
            TypeError,
            DuplicatedStudyError,
            NoteConflictError,
            TrialTakenError,
            RecursionError,
            OverflowError,
        ) as error:
            return _json_response({"error": _message(error)}, _status(error))
        if isinstance(result, Raw):
            headers = dict(result.headers)
            if result.filename is not None:
                headers["content-disposition"] = f'attachment; filename="{result.filename}"'
            return Response(result.content, media_type=result.media_type, headers=headers)
        return _json_response(result)

    return endpoint


def _static_routes() -> list[Any]:
    from starlette.requests import Request
    from starlette.responses import FileResponse, JSONResponse, Response
    from starlette.routing import Route

    # Only these files are ever served: no path from a request reaches the file system.
    files = {p.name: p for p in STATIC_DIR.iterdir() if p.suffix in _STATIC_TYPES}
    plotly_spec = importlib.util.find_spec("plotly")
    if plotly_spec is not None and plotly_spec.origin is not None:
        bundled = Path(plotly_spec.origin).parent / "package_data" / "plotly.min.js"
        if bundled.exists():
            files["plotly.min.js"] = bundled

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        path = files.get(name)
        if path is None:
            return JSONResponse({"error": "Not found."}, status_code=404)
        # Plotly's 4 MB bundle changes only with the plotly package: let browsers keep it.
        headers = {"cache-control": "max-age=86400" if name == "plotly.min.js" else "no-cache"}
        return FileResponse(path, media_type=_STATIC_TYPES[path.suffix], headers=headers)

    async def index(request: Request) -> Response:
        return FileResponse(files["index.html"], media_type="text/html")

    return [Route("/", index), Route("/static/{name:str}", static)]


def create_app(
    storage: str | BaseStorage,
    *,
    read_only: bool = False,
    token: str | None = None,
    allowed_hosts: list[str] | None = None,
    artifact_store: Any = None,
    frame_ancestors: list[str] | None = None,
) -> Any:
    """Return the dashboard as an ASGI application, for uvicorn or any ASGI server.

    Args:
        storage: A storage URL or a ``BaseStorage``.
        read_only: Refuse every request that would change the storage.
        token: An access token every request must carry (header, cookie or ``?token=``).
        allowed_hosts: Host names the app answers to (None: any); ``run_server`` passes the
            loopback names when binding a loopback address.
        artifact_store: The store artifacts were uploaded to (e.g.
            ``FileSystemArtifactStore("./artifacts")``); without it artifacts are listed but
            not served.
        frame_ancestors: Origins allowed to embed the pages in a frame (CSP
            ``frame-ancestors`` sources, e.g. ``http://localhost:*``); None: no framing.

    Raises:
        ImportError: Starlette is not installed.
        ValueError: the token is too short or has characters a cookie cannot hold.
    """
    _require_starlette()
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.routing import Route

    if token is not None and not _TOKEN.fullmatch(token):
        raise ValueError("The token must be 8-256 characters of A-Z a-z 0-9 . _ ~ + / = -.")
    backend = get_storage(storage)
    ctx = Context(
        backend,
        CacheRegistry(backend),
        read_only=read_only,
        token_required=bool(token),
        artifact_store=artifact_store,
    )
    routes = [Route(r.path, _endpoint(ctx, r), methods=[r.method]) for r in ROUTES]
    document = openapi_document(ROUTES)

    async def schema(request: Any) -> Any:
        return _json_response(document)

    routes.append(Route("/api/schema.json", schema))
    routes.extend(_static_routes())
    middleware = [
        Middleware(
            SecurityMiddleware,
            token=token,
            allowed_hosts=allowed_hosts,
            frame_ancestors=frame_ancestors,
        )
    ]
    app = Starlette(routes=routes, middleware=middleware)
    app.state.context = ctx
    return app

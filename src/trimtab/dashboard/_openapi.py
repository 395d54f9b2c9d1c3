"""The OpenAPI 3.1 document of the API, generated from the route table and ``_schema``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from trimtab.dashboard._jsonschema import component_schema
from trimtab.dashboard._schema import MODELS
from trimtab.version import __version__


def _plain_path(path: str) -> str:
    return re.sub(r"{(\w+):\w+}", r"{\1}", path)


def _operation(route: Any) -> dict[str, Any]:
    path_params = re.findall(r"{(\w+):(\w+)}", route.path)
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "integer" if kind == "int" else "string"},
        }
        for name, kind in path_params
    ]
    parameters += [
        {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
        for name in route.query
    ]
    if route.response is None:
        content = {"text/csv": {"schema": {"type": "string"}}}
    else:
        ref = {"$ref": f"#/components/schemas/{route.response.__name__}"}
        content = {"application/json": {"schema": ref}}
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    operation: dict[str, Any] = {
        "summary": route.summary,
        "operationId": route.method.lower() + re.sub(r"\W+", "_", _plain_path(route.path)),
        "parameters": parameters,
        "responses": {
            "200": {"description": "OK", "content": content},
            "4XX": {"description": "Error", "content": error},
        },
    }
    if route.upload_limit is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/octet-stream": {"schema": {"type": "string"}}},
            "description": f"The file's bytes (at most {route.upload_limit}).",
        }
    elif route.body is not None:
        body_ref = {"$ref": f"#/components/schemas/{route.body.__name__}"}
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": body_ref}},
        }
    return operation


def openapi_document(routes: Sequence[Any]) -> dict[str, Any]:
    """Return the OpenAPI document describing ``routes``."""
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        path = _plain_path(route.path)
        paths.setdefault(path, {})[route.method.lower()] = _operation(route)
    return {
        "openapi": "3.1.0",
        "info": {"title": "trimtab dashboard API", "version": __version__},
        "paths": paths,
        "components": {"schemas": {m.__name__: component_schema(m) for m in MODELS}},
    }

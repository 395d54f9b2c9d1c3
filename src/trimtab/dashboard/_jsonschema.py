"""JSON Schema from the ``_schema`` dataclasses, request parsing, and JSON encoding.

The same type hints drive the served schema (``schema_of``), the validation of request
bodies (``parse``) and the encoding of answers (``to_jsonable``), so they cannot drift apart.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import math
import types
import typing
from typing import Any, TypeVar, Union

import numpy as np

from trimtab.trial import FrozenTrial

T = TypeVar("T")

_SCALARS: dict[Any, dict[str, Any]] = {
    int: {"type": "integer"},
    float: {"type": "number"},
    str: {"type": "string"},
    bool: {"type": "boolean"},
    type(None): {"type": "null"},
    Any: {},
}


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _is_union(tp: Any) -> bool:
    return typing.get_origin(tp) in (Union, types.UnionType)


def schema_of(tp: Any) -> dict[str, Any]:
    """Return the JSON Schema of a type hint; dataclasses become ``$ref``s to components."""
    if tp in _SCALARS:
        return dict(_SCALARS[tp])
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return {"$ref": f"#/components/schemas/{tp.__name__}"}
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if _is_union(tp):
        return {"anyOf": [schema_of(a) for a in args]}
    if origin is list:
        return {"type": "array", "items": schema_of(args[0]) if args else {}}
    if origin is dict:
        return {"type": "object", "additionalProperties": schema_of(args[1]) if args else {}}
    raise TypeError(f"No JSON schema for {tp!r}.")


def component_schema(cls: type) -> dict[str, Any]:
    """Return the object schema of a dataclass (its fields; those without default required)."""
    hints = _hints(cls)
    fields = dataclasses.fields(cls)
    required = [
        f.name
        for f in fields
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    return {
        "type": "object",
        "description": (cls.__doc__ or "").strip().splitlines()[0],
        "properties": {f.name: schema_of(hints[f.name]) for f in fields},
        "required": required,
        "additionalProperties": False,
    }


def _check(value: Any, tp: Any, where: str) -> Any:
    if tp is Any:
        return value
    if dataclasses.is_dataclass(tp):
        return parse(tp, value, where)  # type: ignore[arg-type]
    if _is_union(tp):
        for arg in typing.get_args(tp):
            try:
                return _check(value, arg, where)
            except (TypeError, ValueError):
                continue
        raise ValueError(f"{where}: {value!r} does not match {tp}.")
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is list:
        if not isinstance(value, list):
            raise ValueError(f"{where}: expected a list, got {type(value).__name__}.")
        return [_check(v, args[0], f"{where}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise ValueError(f"{where}: expected an object, got {type(value).__name__}.")
        return {str(k): _check(v, args[1], f"{where}.{k}") for k, v in value.items()}
    if tp is type(None):
        if value is not None:
            raise ValueError(f"{where}: expected null.")
        return None
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if tp in (int, float) and isinstance(value, bool):
        raise ValueError(f"{where}: expected a number, got a boolean.")
    if not isinstance(value, tp):
        raise ValueError(f"{where}: expected {tp.__name__}, got {type(value).__name__}.")
    return value


def parse(cls: type[T], data: Any, where: str = "body") -> T:
    """Build a ``cls`` from decoded JSON, checking every field's type.

    Raises:
        ValueError: a field is missing, unknown or of the wrong type.
    """
    if not isinstance(data, dict):
        raise ValueError(f"{where}: expected a JSON object.")
    hints = _hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(data) - names)
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {unknown}.")
    kwargs = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name in data:
            kwargs[f.name] = _check(data[f.name], hints[f.name], f"{where}.{f.name}")
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise ValueError(f"{where}: missing field '{f.name}'.")
    return cls(**kwargs)


def _float(x: float) -> float | str:
    if math.isfinite(x):
        return x
    return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")


def _plain_list(seq: list[Any] | tuple[Any, ...]) -> list[Any] | None:
    """Return ``seq`` as a list when it needs no conversion (numbers/strings), else None.

    The fast path for chart data: 100,000-point series are checked with C-level loops.
    """
    kinds = set(map(type, seq))
    if kinds <= {int, str, type(None)}:
        return list(seq)
    if kinds <= {int, float} and all(map(math.isfinite, seq)):
        return list(seq)
    if len(kinds) == 1 and issubclass(next(iter(kinds)), enum.Enum):
        return [item.name for item in seq]
    return None


def to_jsonable(obj: Any) -> Any:
    """Return plain JSON data for ``obj``; NaN/±inf become the strings ``"NaN"``/``"Infinity"``.

    Handles dataclasses, NamedTuples, enums, numpy arrays and scalars, datetimes, and
    containers. Anything else becomes its ``str``.
    """
    if obj is None or isinstance(obj, (bool, str, int)) and not hasattr(obj, "name"):
        return obj
    if isinstance(obj, float):
        return _float(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return {name: to_jsonable(getattr(obj, name)) for name in obj._fields}
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        plain = _plain_list(obj)
        return plain if plain is not None else [to_jsonable(v) for v in obj]
    if isinstance(obj, (set, frozenset)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind == "f" and obj.size and np.isfinite(obj).all():
            return obj.tolist()
        return to_jsonable(obj.tolist())
    if isinstance(obj, FrozenTrial):
        return obj.number  # charts refer to trials by number
    if isinstance(obj, np.generic):
        return to_jsonable(obj.item())
    if isinstance(obj, (datetime.datetime, datetime.date)):
        return obj.isoformat()
    if hasattr(obj, "name") and hasattr(obj, "value") and isinstance(obj.name, str):
        return obj.name  # enums (TrialState, StudyDirection)
    return str(obj)

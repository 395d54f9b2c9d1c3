"""Explicit JSON snapshots of ``cmaes`` optimizers (``CMA``, ``SepCMA``, ``CMAwM``).

A snapshot is ``{"class": name, "attrs": {...}}``: every numeric attribute of the optimizer
(mean, step size, covariance, evolution paths, learning-rate-adaptation statistics, the
termination history, ...) as plain JSON numbers and nested lists, a nested optimizer as a
nested snapshot. The random state is not saved: the sampler reseeds the optimizer before
every ``ask``. Nothing is pickled, so a snapshot can be read, diffed and validated.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

_KINDS = ("CMA", "SepCMA", "CMAwM")


def import_cmaes() -> Any:
    """Import the ``cmaes`` library or explain which extra provides it."""
    try:
        import cmaes
    except ImportError as err:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            'CmaEsSampler needs the "cmaes" package: pip install "trimtab[cmaes]"'
        ) from err
    return cmaes


def _encode(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f" and not np.isfinite(value).all():
            # JSON has no inf/nan: such entries are written as strings ("inf", "nan").
            return {"ndarray": value.astype(str).tolist(), "dtype": value.dtype.str}
        return {"ndarray": value.tolist(), "dtype": value.dtype.str}
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return _json_float(float(value))
    if value is None or isinstance(value, str):
        return value
    if type(value).__name__ in _KINDS:
        return {"optimizer": to_snapshot(value)}
    raise TypeError(f"Cannot snapshot a {type(value).__name__}.")


def _json_float(x: float) -> Any:
    return x if math.isfinite(x) else repr(x)


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and "ndarray" in value:
        return np.array(value["ndarray"], dtype=np.dtype(value["dtype"]))
    if isinstance(value, dict) and "optimizer" in value:
        return from_snapshot(value["optimizer"])
    if isinstance(value, str) and value in ("inf", "-inf", "nan"):
        return float(value)
    return value


def to_snapshot(optimizer: Any) -> dict[str, Any]:
    """Return the JSON-serialisable state of a ``cmaes`` optimizer."""
    kind = type(optimizer).__name__
    if kind not in _KINDS:
        raise TypeError(f"Cannot snapshot a {kind}.")
    attrs = {
        name: _encode(value)
        for name, value in vars(optimizer).items()
        if not isinstance(value, np.random.RandomState)
    }
    return {"class": kind, "attrs": attrs}


def from_snapshot(snapshot: dict[str, Any]) -> Any:
    """Rebuild the optimizer ``to_snapshot`` described (with a fresh random state)."""
    cmaes = import_cmaes()
    kind = snapshot.get("class")
    if kind not in _KINDS:
        raise ValueError(f"Unknown optimizer class in CMA-ES snapshot: {kind!r}.")
    optimizer = object.__new__(getattr(cmaes, kind))
    for name, value in snapshot["attrs"].items():
        setattr(optimizer, name, _decode(value))
    if kind != "CMAwM":
        optimizer._rng = np.random.RandomState()
    return optimizer

"""JSON snapshots of ``cmaes`` optimizers (``CMA``, ``SepCMA``, ``CMAwM``) through ``cmaes``'
own pickling contract.

A snapshot is ``{"class": name, "cmaes": version, "state": {...}}``: ``state`` is what the
optimizer's ``__getstate__`` returns (what ``pickle`` would store: mean, step size, covariance,
evolution paths, ...; never the random state), written as JSON numbers and nested lists, a
nested optimizer as a nested snapshot. It is rebuilt the way ``pickle`` rebuilds an object:
``cls.__new__(cls)`` then ``__setstate__(state)``. Nothing is pickled, so a snapshot can be
read, diffed and validated.

Before rebuilding, the stored field names are compared with those of the installed
``cmaes``: a release that renamed, added or removed a field gives a clear error naming both
versions instead of a silently broken optimizer. Snapshots of the earlier format
(``{"class": name, "attrs": {...}}``, the optimizer's attributes) are still read, under the
same check.
"""

from __future__ import annotations

import math
from functools import cache
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
    """Return the JSON-serialisable state of a ``cmaes`` optimizer (its ``__getstate__``)."""
    kind = type(optimizer).__name__
    if kind not in _KINDS:
        raise TypeError(f"Cannot snapshot a {kind}.")
    state = {name: _encode(value) for name, value in _getstate(optimizer).items()}
    return {"class": kind, "cmaes": import_cmaes().__version__, "state": state}


def from_snapshot(snapshot: dict[str, Any]) -> Any:
    """Rebuild the optimizer ``to_snapshot`` described (with a fresh random state).

    Raises:
        ValueError: the snapshot names an unknown optimizer class, or its fields are not
            those of the installed ``cmaes`` (another release wrote it).
    """
    cmaes = import_cmaes()
    kind = snapshot.get("class")
    if kind not in _KINDS:
        raise ValueError(f"Unknown optimizer class in CMA-ES snapshot: {kind!r}.")
    cls = getattr(cmaes, kind)
    legacy = "state" not in snapshot
    stored = snapshot["attrs"] if legacy else snapshot["state"]
    expected = _fields(kind)[1 if legacy else 0]
    if set(stored) != expected:
        written = "an earlier trimtab" if legacy else f"cmaes {snapshot.get('cmaes')}"
        raise ValueError(
            f"This study's CMA-ES state ({kind}) was saved with {written}, whose fields differ "
            f"from those of the installed cmaes {cmaes.__version__} (missing: "
            f"{sorted(expected - set(stored))}, unknown: {sorted(set(stored) - expected)}). "
            "Install the cmaes release that wrote it to resume, or continue in a new study."
        )
    state = {name: _decode(value) for name, value in stored.items()}
    optimizer = cls.__new__(cls)
    if legacy:
        # The earlier format stored the attributes themselves, minus the random state.
        optimizer.__dict__.update(state)
        if "_rng" in _fields(kind)[2]:
            optimizer.__dict__["_rng"] = np.random.RandomState()
    elif hasattr(optimizer, "__setstate__"):
        optimizer.__setstate__(state)
    else:  # what pickle does for a class without __setstate__ (CMAwM)
        optimizer.__dict__.update(state)
    return optimizer


def _getstate(optimizer: Any) -> dict[str, Any]:
    """What ``pickle`` stores of ``optimizer``: its ``__getstate__``, else its ``__dict__``."""
    getstate = getattr(optimizer, "__getstate__", None)
    state = getstate() if getstate is not None else None
    return dict(vars(optimizer) if state is None else state)


@cache
def _fields(kind: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """Field names of a fresh optimizer of the installed ``cmaes``: those of its
    ``__getstate__``, its attributes without the random state, and all its attributes."""
    cmaes = import_cmaes()
    mean = np.zeros(2)
    if kind == "CMAwM":
        bounds = np.array([[-1.0, 1.0], [-1.0, 1.0]])
        optimizer = cmaes.CMAwM(mean=mean, sigma=1.0, bounds=bounds, steps=np.array([0.0, 1.0]))
    else:
        optimizer = getattr(cmaes, kind)(mean=mean, sigma=1.0)
    attrs = vars(optimizer)
    plain = {n for n, v in attrs.items() if not isinstance(v, np.random.RandomState)}
    return frozenset(_getstate(optimizer)), frozenset(plain), frozenset(attrs)

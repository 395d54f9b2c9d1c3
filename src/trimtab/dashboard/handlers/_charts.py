"""Chart data, computed by ``trimtab.visualization``'s data functions over the study cache.

The dashboard never analyses trials itself: each chart kind names a data function of
``trimtab.visualization._data`` (the functions the Plotly and Matplotlib plots use) and how
to call it. The functions receive a ``CachedStudyView``, a read-only study view whose trials
come from the dashboard's cache, so a chart costs no storage read of trials. Answers are
cached per study and cursor: an unchanged study is not recomputed.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Container
from typing import Any

import numpy as np

from trimtab.dashboard._cache import StudyCache
from trimtab.dashboard._cached_view import CachedStudyView
from trimtab.dashboard._context import ApiRequest, Context, Raw
from trimtab.dashboard._jsonschema import to_jsonable
from trimtab.dashboard._sampling import (
    CURVE_LIMIT,
    IMPORTANCE_LIMIT,
    representative_numbers,
    sample_numbers,
)
from trimtab.dashboard._schema import ChartData
from trimtab.dashboard.handlers._studies import _study_id
from trimtab.trial import TrialState

QUERY = ("objective", "params", "n_recent")
_DATA = "trimtab.visualization._data."

# kind -> (module, function, which arguments it takes)
_CHARTS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "history": ("_history", "optimization_history_data", ("target",)),
    "importances": ("_importances", "param_importances_data", ()),
    "intermediate": ("_simple", "intermediate_values_data", ()),
    "timeline": ("_simple", "timeline_data", ("n_recent",)),
    "pareto": ("_pareto", "pareto_front_data", ("target_names",)),
    "slice": ("_slice", "slice_data", ("params", "target")),
    "parallel": ("_parallel", "parallel_coordinate_data", ("params", "target")),
    "contour": ("_contour", "contour_data", ("params", "target")),
    "rank": ("_rank", "rank_data", ("params", "target")),
    "edf": ("_simple", "edf_data", ("target",)),
}


# Point charts: at most ``POINT_LIMIT`` trials drawn (see ``_sampling``).
_SAMPLED = ("history", "slice", "parallel", "contour", "rank", "pareto")
_CURVE_STATES = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING)


# Charts whose data function needs another part of trimtab.
_REQUIRES = {"importances": ("trimtab.importance", "get_param_importances")}


def _attribute(module: str, name: str) -> Any:
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def _function(kind: str) -> Callable[..., Any] | None:
    module, name, _ = _CHARTS[kind]
    if kind in _REQUIRES and _attribute(*_REQUIRES[kind]) is None:
        return None
    return _attribute(_DATA + module, name)


def available_charts() -> list[str]:
    """Return the chart kinds whose data function is installed."""
    return [kind for kind in _CHARTS if _function(kind) is not None]


def _param_names(req: ApiRequest, known: Container[str]) -> list[str] | None:
    """The ``params`` query parameter, checked: a JSON list of this study's param names."""
    raw = req.query.get("params")
    if not raw:
        return None
    try:
        params = json.loads(raw)
    except (json.JSONDecodeError, RecursionError):
        params = None
    if not isinstance(params, list) or not all(isinstance(p, str) for p in params):
        raise ValueError("Query parameter 'params' must be a JSON list of names.")
    unknown = [p for p in params if p not in known]
    if unknown:
        raise ValueError(f"Query parameter 'params' names unknown params: {unknown[:5]!r}.")
    return sorted(set(params))


def _arguments(kind: str, cache: StudyCache, req: ApiRequest) -> dict[str, Any]:
    """The validated arguments of a chart, as plain values (they also key the chart cache)."""
    wanted = _CHARTS[kind][2]
    args: dict[str, Any] = {}
    n_obj = len(cache.directions)
    if "target" in wanted and n_obj > 1:
        args["objective"] = req.int_query("objective", 0, high=n_obj - 1)
    if "params" in wanted:
        params = _param_names(req, cache.param_info)
        if params is None and kind in ("contour", "rank"):
            # Every pair of n params is n² plots (~1 GB of JSON at 100,000 trials): default
            # to the first pair; the page asks for the pair the user picks.
            pair = sorted(cache.param_info)[:2]
            params = pair if len(pair) == 2 else None
        args["params"] = None if params is None else tuple(params)
    if "n_recent" in wanted and req.query.get("n_recent"):
        args["n_recent"] = req.int_query("n_recent", 1000, low=1, high=1_000_000)
    return args


def _kwargs(kind: str, view: CachedStudyView, args: dict[str, Any]) -> dict[str, Any]:
    """The data function's keyword arguments for validated ``args``."""
    wanted = _CHARTS[kind][2]
    kwargs: dict[str, Any] = {}
    n_obj = len(view.directions)
    names = view.metric_names or (
        ["Objective Value"] if n_obj == 1 else [f"Objective {i}" for i in range(n_obj)]
    )
    if "objective" in args:
        i = args["objective"]
        kwargs["target"] = lambda t: t.values[i]
        kwargs["target_name"] = names[i]
    if "target_names" in wanted:
        kwargs["target_names"] = names[:3]
        if n_obj > 3:  # plotted in 3-D: the first three objectives
            kwargs["targets"] = lambda t: t.values[:3]
    if args.get("params") is not None:
        kwargs["params"] = list(args["params"])
    elif kind in ("contour", "rank"):
        kwargs["params"] = None
    if "n_recent" in args:
        kwargs["n_recent_trials"] = args["n_recent"]
    return kwargs


def _encode(kind: str, cursor: int, data: Any, extra: dict[str, Any]) -> bytes:
    payload = ChartData(kind=kind, cursor=cursor, data=data, extra=extra)
    text = json.dumps(to_jsonable(payload), separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def _extra(kind: str, cache: StudyCache) -> dict[str, Any]:
    if kind != "intermediate":
        return {}
    # Trial states the learning curves mark (the data function does not carry them).
    pruned = np.flatnonzero(cache.state[: cache.n] == int(TrialState.PRUNED))
    return {"pruned": pruned.tolist()}


def _sample(kind: str, cache: StudyCache, args: dict[str, Any]) -> tuple[Any, int] | None:
    """The trial numbers the chart is computed on when not all (and how many there are)."""
    if kind in _SAMPLED:
        return sample_numbers(cache, args.get("objective"))
    if kind == "importances":
        return representative_numbers(cache, IMPORTANCE_LIMIT)
    if kind == "intermediate":
        return representative_numbers(cache, CURVE_LIMIT, _CURVE_STATES)
    return None


def chart(ctx: Context, req: ApiRequest) -> Raw:
    """The data of one chart (history, importances, intermediate, timeline, pareto, ...)."""
    kind = str(req.path["kind"])
    if kind not in _CHARTS:
        raise KeyError(f"Unknown chart {kind!r}; charts: {sorted(_CHARTS)}.")
    function = _function(kind)
    if function is None:
        raise KeyError(f"The chart {kind!r} is not available in this installation.")
    study_id = _study_id(ctx, req)
    cache = ctx.caches.get(study_id)
    with cache.lock:
        seq = cache.seq
        args = _arguments(kind, cache, req)
        key = (study_id, kind, tuple(sorted(args.items())))
        hit = ctx.charts.get(key, seq)
        if hit is not None:
            return Raw(content=hit, media_type="application/json")
        sample = _sample(kind, cache, args)
        view = CachedStudyView(cache, None if sample is None else sample[0])
        extra = _extra(kind, cache)
        if sample is not None:
            extra["sampled"] = {"shown": len(sample[0]), "of": sample[1]}
    if kind == "pareto" and len(view.directions) == 1:
        raise ValueError("The Pareto front needs a study with several objectives.")
    data = function(view, **_kwargs(kind, view, args))
    content = _encode(kind, seq, data, extra)
    ctx.charts.put(key, seq, content)
    return Raw(content=content, media_type="application/json")

"""Handlers for the trial table (page, CSV), a trial's detail, and live updates."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from trimtab.dashboard import _query
from trimtab.dashboard._cache import StudyCache
from trimtab.dashboard._context import ApiRequest, Context, Raw
from trimtab.dashboard._jsonschema import parse
from trimtab.dashboard._notes import read_note
from trimtab.dashboard._schema import Filter, TrialDetail, TrialPage, Updates
from trimtab.dashboard.handlers._rows import param_columns, table_columns, trial_row
from trimtab.dashboard.handlers._studies import _study_id
from trimtab.distributions import distribution_to_json
from trimtab.trial import FrozenTrial
from trimtab.trial._constraints import constraints_from_system_attrs, is_feasible

MAX_PAGE = 1000
MAX_UPDATES = 2000


def _filters(req: ApiRequest) -> list[Filter]:
    raw = req.query.get("filters")
    if not raw:
        return []
    try:
        decoded = json.loads(raw)
    except json.JSONDecodeError:
        raise ValueError("Query parameter 'filters' must be a JSON list of filters.") from None
    except RecursionError:
        raise ValueError("Query parameter 'filters' nests lists or objects too deeply.") from None
    if not isinstance(decoded, list):
        raise ValueError("Query parameter 'filters' must be a JSON list of filters.")
    return [parse(Filter, item, f"filters[{i}]") for i, item in enumerate(decoded)]


def _selection(cache: StudyCache, req: ApiRequest) -> Any:
    sort = req.query.get("sort") or None
    descending = req.query.get("desc", "0") in ("1", "true")
    return _query.select(cache, _filters(req), sort, descending)


def trials_page(ctx: Context, req: ApiRequest) -> TrialPage:
    """One page of the trial table, filtered and sorted on the server."""
    cache = ctx.caches.get(_study_id(ctx, req))
    offset = req.int_query("offset", 0)
    limit = req.int_query("limit", 50, low=1, high=MAX_PAGE)
    with cache.lock:
        numbers = _selection(cache, req)
        page = numbers[offset : offset + limit]
        rows = [trial_row(cache.trials[int(i)]) for i in page]  # type: ignore[arg-type]
        return TrialPage(
            total=len(numbers),
            n_trials=cache.n_trials(),
            offset=offset,
            limit=limit,
            cursor=cache.seq,
            columns=table_columns(cache),
            rows=rows,
        )


def _cached_trial(cache: StudyCache, req: ApiRequest) -> FrozenTrial:
    number = int(req.path["number"])
    trial = cache.trials[number] if 0 <= number < cache.n else None
    if trial is None:
        raise KeyError(f"No trial number {number} in this study.")
    return trial


def trial_detail(ctx: Context, req: ApiRequest) -> TrialDetail:
    """Everything about one trial; ``?system_attrs=1`` adds its system attributes."""
    study_id = _study_id(ctx, req)
    cache = ctx.caches.get(study_id)
    with cache.lock:
        cached = _cached_trial(cache, req)
    trial = ctx.storage.get_trial(cached._trial_id)  # fresh: a running trial changes
    constraints = constraints_from_system_attrs(trial.system_attrs)
    with_system = req.query.get("system_attrs", "0") in ("1", "true")
    return TrialDetail(
        row=trial_row(trial),
        distributions={k: distribution_to_json(d) for k, d in trial.distributions.items()},
        intermediate_values=[[step, v] for step, v in sorted(trial.intermediate_values.items())],
        constraints=list(constraints.values()) if constraints else None,
        feasible=is_feasible(trial.system_attrs) if constraints else None,
        system_attrs=trial.system_attrs if with_system else None,
        note=read_note(ctx.storage.get_study_system_attrs(study_id), trial._trial_id),
    )


def updates(ctx: Context, req: ApiRequest) -> Updates:
    """Trials changed since the client's ``cursor`` (at most 2000; poll again for more)."""
    cache = ctx.caches.get(_study_id(ctx, req))
    cursor = req.int_query("cursor", 0)
    with cache.lock:
        changed = cache.changed_since(cursor)
        new_cursor = cache.seq
        if len(changed) > MAX_UPDATES:
            changed = changed[:MAX_UPDATES]
            new_cursor = cursor  # the client must fetch pages instead of a huge delta
        return Updates(
            cursor=new_cursor,
            n_trials=cache.n_trials(),
            state_counts=cache.state_counts(),
            best_values=cache.best_values(),
            changed=[trial_row(t) for t in changed],
            params=param_columns(cache),
            user_attr_keys=sorted(cache.user_attr_keys),
        )


def _cell(row: Any, column: str) -> Any:
    if column.startswith("params_"):
        value = row.params.get(column[len("params_") :])
    elif column.startswith("user_attrs_"):
        value = row.user_attrs.get(column[len("user_attrs_") :])
    elif column == "value" or column.startswith("values_"):
        index = 0 if column == "value" else int(column[len("values_") :])
        value = row.values[index] if row.values else None
    else:
        value = getattr(row, column)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value  # keep spreadsheets from running a cell as a formula
    return "" if value is None else value


def export_csv(ctx: Context, req: ApiRequest) -> Raw:
    """The (filtered, sorted) trial table as CSV."""
    study_id = _study_id(ctx, req)
    cache = ctx.caches.get(study_id)
    out = io.StringIO()
    writer = csv.writer(out)
    with cache.lock:
        numbers = _selection(cache, req)
        columns = table_columns(cache)
        writer.writerow(columns)
        for i in numbers:
            row = trial_row(cache.trials[int(i)])  # type: ignore[arg-type]
            writer.writerow([_cell(row, c) for c in columns])
    name = "".join(
        c if c.isalnum() or c in "-_." else "_"
        for c in ctx.storage.get_study_name_from_id(study_id)
    )
    return Raw(content=out.getvalue(), media_type="text/csv", filename=f"{name or 'study'}.csv")

"""Server-side filtering, sorting and paging of a ``StudyCache``'s trial table.

Columns are named ``number``, ``state``, ``value`` / ``values_<i>``, ``params_<name>``,
``user_attrs_<key>``, ``duration``, ``datetime_start`` and ``datetime_complete``. Missing
cells (a trial without that param, or with no value) never match a comparison and sort last.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from trimtab.dashboard._cache import StudyCache
from trimtab.dashboard._schema import Filter
from trimtab.trial import TrialState

_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
OPS = (*_COMPARE, "contains", "in")


def _number(value: Any, column: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"Filter on '{column}' needs a number, got {value!r}.")
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"Filter on '{column}' needs a number, got {value!r}.") from None


def numeric_column(cache: StudyCache, column: str) -> np.ndarray | None:
    """Return the float column named ``column`` (None for user attrs and unknown names).

    Raises:
        ValueError: ``column`` names no column of this study.
    """
    n = cache.n
    if column == "number":
        return np.arange(n, dtype=float)
    if column == "state":
        return cache.state[:n].astype(float)
    if column == "duration":
        return cache.complete[:n] - cache.start[:n]
    if column in ("datetime_start", "datetime_complete"):
        return (cache.start if column == "datetime_start" else cache.complete)[:n]
    if column == "value" or column.startswith("values_"):
        index = 0 if column == "value" else column[len("values_") :]
        if not str(index).isdigit() or int(index) >= cache.values.shape[1]:
            raise ValueError(f"Unknown column '{column}'.")
        return cache.values[:n, int(index)]
    if column.startswith("params_") and column[len("params_") :] in cache.params:
        return cache.params[column[len("params_") :]][:n]
    if column.startswith("user_attrs_") and column[len("user_attrs_") :] in cache.user_attr_keys:
        return None
    raise ValueError(f"Unknown column '{column}'.")


def _choice_codes(cache: StudyCache, name: str, flt: Filter) -> np.ndarray:
    choices = cache.param_info[name].choices
    wanted = flt.value if flt.op == "in" else [flt.value]
    if not isinstance(wanted, list):
        raise ValueError(f"Filter 'in' on '{flt.column}' needs a list.")
    if flt.op == "contains":
        codes = [i for i, c in enumerate(choices) if str(flt.value).lower() in str(c).lower()]
    else:
        text = {str(w) for w in wanted}
        codes = [i for i, c in enumerate(choices) if str(c) in text]
    return np.asarray(codes, dtype=float)


def _state_mask(cache: StudyCache, flt: Filter) -> np.ndarray:
    wanted = flt.value if isinstance(flt.value, list) else [flt.value]
    try:
        codes = [int(TrialState[str(w).upper()]) for w in wanted]
    except KeyError:
        raise ValueError(f"Unknown trial state in {wanted!r}.") from None
    mask = np.isin(cache.state[: cache.n], codes)
    return ~mask if flt.op == "!=" else mask


def _attr_mask(cache: StudyCache, key: str, flt: Filter) -> np.ndarray:
    out = np.zeros(cache.n, dtype=bool)
    compare = _COMPARE.get(flt.op)
    for i, trial in enumerate(cache.trials[: cache.n]):
        if trial is None or key not in trial.user_attrs:
            continue
        cell = trial.user_attrs[key]
        if flt.op == "contains":
            out[i] = str(flt.value).lower() in str(cell).lower()
        elif flt.op == "in":
            out[i] = str(cell) in {str(v) for v in flt.value}
        elif isinstance(cell, (int, float)) and not isinstance(cell, bool):
            out[i] = bool(compare(cell, _number(flt.value, flt.column)))  # type: ignore[misc]
        else:
            out[i] = bool(compare(str(cell), str(flt.value)))  # type: ignore[misc]
    return out


def filter_mask(cache: StudyCache, flt: Filter) -> np.ndarray:
    """Return the boolean mask (over trial numbers) of the rows that pass ``flt``.

    Raises:
        ValueError: unknown column or operator, or a value of the wrong kind.
    """
    if flt.op not in OPS:
        raise ValueError(f"Unknown filter operator '{flt.op}'; use one of {list(OPS)}.")
    if flt.column == "state":
        return _state_mask(cache, flt)
    column = numeric_column(cache, flt.column)
    if column is None:
        return _attr_mask(cache, flt.column[len("user_attrs_") :], flt)
    name = flt.column[len("params_") :] if flt.column.startswith("params_") else None
    if name is not None and cache.param_info[name].kind == "categorical":
        mask = np.isin(column, _choice_codes(cache, name, flt))
        return ~mask & ~np.isnan(column) if flt.op == "!=" else mask
    if flt.op in ("contains", "in"):
        values = flt.value if isinstance(flt.value, list) else [flt.value]
        if flt.op == "contains":
            raise ValueError(f"'contains' needs a text column, '{flt.column}' is numeric.")
        return np.isin(column, [_number(v, flt.column) for v in values])
    with np.errstate(invalid="ignore"):
        return np.asarray(_COMPARE[flt.op](column, _number(flt.value, flt.column)))


def _sort_key(cache: StudyCache, column: str, rows: np.ndarray) -> np.ndarray:
    numeric = numeric_column(cache, column)
    if numeric is not None:
        return numeric[rows]
    key = column[len("user_attrs_") :]
    cells = [cache.trials[i].user_attrs.get(key) for i in rows]  # type: ignore[union-attr]
    numbers = [
        float(c) if isinstance(c, (int, float)) and not isinstance(c, bool) else np.nan
        for c in cells
    ]
    if any(np.isfinite(numbers)):
        return np.asarray(numbers)
    texts = np.asarray(["" if c is None else str(c) for c in cells])
    ranks = np.unique(texts, return_inverse=True)[1].astype(float)
    ranks[[c is None for c in cells]] = np.nan
    return ranks


def select(
    cache: StudyCache,
    filters: Sequence[Filter],
    sort: str | None,
    descending: bool,
) -> np.ndarray:
    """Return the trial numbers passing every filter, ordered by ``sort`` (missing last)."""
    mask = cache.state[: cache.n] >= 0
    for flt in filters:
        mask &= filter_mask(cache, flt)
    rows = np.flatnonzero(mask)
    if sort is None or sort == "number":
        return rows[::-1] if descending else rows
    key = _sort_key(cache, sort, rows)
    # argsort puts NaN (missing cells) last in both directions.
    return rows[np.argsort(-key if descending else key, kind="stable")]

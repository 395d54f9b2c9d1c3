"""Turn cached trials into API rows (``TrialRow``) and studies' descriptions."""

from __future__ import annotations

import math

from trimtab.dashboard._cache import StudyCache
from trimtab.dashboard._schema import ParamColumn, TrialRow
from trimtab.trial import FrozenTrial


def trial_row(trial: FrozenTrial) -> TrialRow:
    """Return the table row of a trial."""
    start, complete = trial.datetime_start, trial.datetime_complete
    return TrialRow(
        number=trial.number,
        trial_id=trial._trial_id,
        state=trial.state.name,
        values=list(trial.values) if trial.values is not None else None,
        params=trial.params,
        user_attrs=trial.user_attrs,
        datetime_start=start.isoformat() if start is not None else None,
        datetime_complete=complete.isoformat() if complete is not None else None,
        duration=(complete - start).total_seconds() if start and complete else None,
    )


def param_columns(cache: StudyCache) -> list[ParamColumn]:
    """Return the study's parameters (name order) with their union ranges and choices."""
    columns = []
    for name in sorted(cache.param_info):
        info = cache.param_info[name]
        categorical = info.kind == "categorical"
        columns.append(
            ParamColumn(
                name=name,
                kind=info.kind,
                low=None if categorical or math.isinf(info.low) else info.low,
                high=None if categorical or math.isinf(info.high) else info.high,
                log=info.log,
                choices=list(info.choices) if categorical else None,
            )
        )
    return columns


def table_columns(cache: StudyCache) -> list[str]:
    """Return the trial table's column names, in display order."""
    n_obj = len(cache.directions)
    values = ["value"] if n_obj == 1 else [f"values_{i}" for i in range(n_obj)]
    return [
        "number",
        "state",
        *values,
        *(f"params_{name}" for name in sorted(cache.param_info)),
        *(f"user_attrs_{key}" for key in sorted(cache.user_attr_keys)),
        "datetime_start",
        "datetime_complete",
        "duration",
    ]

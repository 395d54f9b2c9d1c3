"""``Study.trials_dataframe``: trials as a pandas DataFrame, in Optuna's column layout."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from trimtab.trial import FrozenTrial

if TYPE_CHECKING:
    import pandas as pd

    from trimtab.study._study import Study


def _import_pandas() -> Any:
    try:
        import pandas
    except ImportError as err:
        raise ImportError('trials_dataframe needs pandas: pip install "trimtab[pandas]"') from err
    return pandas


def _objective_columns(study: Study) -> list[str]:
    names = study.metric_names
    if names is not None:
        return list(names)
    if len(study.directions) == 1:
        return ["value"]
    return [str(i) for i in range(len(study.directions))]


def _row(
    trial: FrozenTrial, attrs: Sequence[str], value_names: list[str], multi: bool
) -> dict[tuple[str, str], Any]:
    row: dict[tuple[str, str], Any] = {}
    for attr in attrs:
        if attr == "value" or attr == "values":
            values = trial.values
            for i, name in enumerate(value_names):
                key = ("value", "") if (name == "value" and not multi) else ("values", name)
                row[key] = values[i] if values is not None else None
        elif attr in ("params", "user_attrs", "system_attrs"):
            for key, value in getattr(trial, attr).items():
                row[(attr, key)] = value
        elif attr == "state":
            row[("state", "")] = trial.state.name
        else:
            row[(attr, "")] = getattr(trial, attr)
    return row


def trials_dataframe(study: Study, attrs: tuple[str, ...], multi_index: bool) -> pd.DataFrame:
    """Build the DataFrame; columns are ``params_x`` etc., or a MultiIndex when asked."""
    pd = _import_pandas()
    trials = study.get_trials(deepcopy=False)
    value_names = _objective_columns(study)
    multi = len(study.directions) > 1 or study.metric_names is not None
    if not trials:
        return pd.DataFrame()
    rows = [_row(t, attrs, value_names, multi) for t in trials]
    columns: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for row in rows:
        for key in row:
            if key not in seen:
                seen.add(key)
                columns.append(key)
    order = {attr: i for i, attr in enumerate(attrs)}
    order.setdefault("values", order.get("value", len(attrs)))
    columns.sort(key=lambda c: (order.get(c[0], len(attrs)), c[1]))
    frame = pd.DataFrame(rows, columns=pd.MultiIndex.from_tuples(columns))
    if multi_index:
        return frame
    frame.columns = [f"{top}_{sub}" if sub else top for top, sub in columns]
    return frame

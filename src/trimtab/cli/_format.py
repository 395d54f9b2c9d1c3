"""Output of the command line: records keyed by ``(column, sub-column)`` as value/json/table/yaml.

The layouts are Optuna's CLI layouts, so scripts that parse ``optuna`` output keep working.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from trimtab.exceptions import CLIUsageError

DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
Column = tuple[str, Any]
Record = dict[Column, Any]


def _format_value(value: Any) -> Any:
    """A value as JSON/YAML can hold it (datetimes and other objects become strings)."""
    if value is None or isinstance(value, (int, float)):
        return value
    if isinstance(value, datetime.datetime):
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, (list, tuple)):
        return type(value)(_format_value(v) for v in value)
    if isinstance(value, dict):
        return {_format_value(k): _format_value(v) for k, v in value.items()}
    return str(value)


def _flat(records: list[Record], columns: list[Column]) -> tuple[list[dict[str, Any]], list[str]]:
    def is_sequence(column: Column) -> bool:
        return any(isinstance(r.get(column), (list, tuple)) for r in records)

    header: list[str] = []
    for column in columns:
        if column[1] != "":
            header.append(f"{column[0]}_{column[1]}")
        elif is_sequence(column):
            length = max(len(r[column]) for r in records if column in r)
            header.extend(f"{column[0]}_{i}" for i in range(length))
        else:
            header.append(column[0])
    rows = []
    for record in records:
        row: dict[str, Any] = {}
        for column in columns:
            if column not in record:
                continue
            value = _format_value(record[column])
            if column[1] != "":
                row[f"{column[0]}_{column[1]}"] = value
            elif is_sequence(column):
                row.update({f"{column[0]}_{i}": v for i, v in enumerate(value)})
            else:
                row[column[0]] = value
        rows.append(row)
    return rows, header


def _nested(records: list[Record], columns: list[Column]) -> tuple[list[dict[str, Any]], list[str]]:
    header: list[str] = []
    for column in columns:
        if column[0] not in header:
            header.append(column[0])
    rows = []
    for record in records:
        row: dict[str, Any] = {name: {} for name in header}
        for column in columns:
            if column not in record:
                continue
            value = _format_value(record[column])
            name, sub = column
            if isinstance(sub, int):  # list-valued columns (``values``) come back as lists
                if row[name] == {}:
                    row[name] = []
                row[name] += [None] * max(sub + 1 - len(row[name]), 0)
                row[name][sub] = value
            elif sub != "":
                row[name][sub] = value
            else:
                row[name] = value
        rows.append(row)
    return rows, header


def _dump_value(rows: list[dict[str, Any]], header: list[str]) -> str:
    return "\n".join(
        " ".join(str(row[name]) if row.get(name) is not None else "" for name in header)
        for row in rows
    )


def _dump_table(rows: list[dict[str, Any]], header: list[str]) -> str:
    separator = "+"
    head = "|"
    lines = ["|" for _ in rows]
    for name in header:
        cells = [row.get(name) for row in rows]
        numeric = all(c is None or isinstance(c, (int, float)) for c in cells)
        width = max([len(name)] + [len(str(c)) for c in cells])
        separator += "-" * (width + 2) + "+"
        head += f" {name:>{width}} |" if numeric else f" {name:<{width}} |"
        for i, cell in enumerate(cells):
            text = "" if cell is None else str(cell)
            lines[i] += f" {text:>{width}} |" if numeric else f" {text:<{width}} |"
    return "\n".join([separator, head, separator, *lines, separator])


def _dump_yaml(data: Any) -> str:
    try:
        import yaml
    except ImportError as err:  # PyYAML is a dependency; this guards broken installs
        raise ImportError('The yaml format needs PyYAML: pip install "PyYAML"') from err
    return str(yaml.safe_dump(data))


def format_output(
    records: list[Record] | Record, columns: list[Column], output_format: str, flatten: bool
) -> str:
    """Render ``records`` (or one record) in ``output_format`` (value, json, table, yaml)."""
    many = isinstance(records, list)
    listed: list[Record] = records if isinstance(records, list) else [records]
    rows, header = (_flat if flatten else _nested)(listed, columns)
    if output_format == "value":
        return _dump_value(rows, header).strip()
    if output_format == "table":
        return _dump_table(rows, header).strip()
    if output_format == "json":
        return json.dumps(rows if many else rows[0]).strip()
    if output_format == "yaml":
        return _dump_yaml(rows if many else rows[0]).strip()
    raise CLIUsageError(f"trimtab CLI does not support the {output_format} format.")


def trial_records(study: Any, attrs: tuple[str, ...]) -> tuple[list[Record], list[Column]]:
    """One record per trial with the given FrozenTrial attributes, and the sorted columns."""
    from trimtab.trial import TrialState

    metric_names = study.metric_names
    columns_of: dict[str, set[Column]] = {}
    records = []
    for trial in study.get_trials(deepcopy=False):
        record: Record = {}
        for attr in attrs:
            value = getattr(trial, attr)
            found = columns_of.setdefault(attr, set())
            if isinstance(value, TrialState):
                value = value.name
            if isinstance(value, dict):
                items: Any = value.items()
            elif attr == "values":
                values = [None] * len(study.directions) if value is None else value
                items = enumerate(values) if metric_names is None else zip(metric_names, values)
            elif attr == "value":
                items = [("" if metric_names is None else metric_names[0], value)]
            else:
                items = [("", value)]
            for sub, sub_value in items:
                record[(attr, sub)] = sub_value
                found.add((attr, sub))
        records.append(record)
    columns: list[Column] = []
    for attr in attrs:
        if attr == "values" and metric_names is not None and attr in columns_of:
            columns.extend((attr, name) for name in metric_names)
        elif attr in columns_of:
            columns.extend(sorted(columns_of[attr], key=lambda c: (str(type(c[1])), c[1])))
    return records, columns

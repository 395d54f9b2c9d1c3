"""User-defined Plotly figures shown on a study's page (``save_plotly_graph_object``).

Stored like optuna-dashboard stores them, so either dashboard shows them: the figure's JSON
split into study system attributes ``dashboard:plot_data:<graph_object_id>:<i>`` of at most
2045 characters (MySQL's attribute limit).
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from trimtab.study import Study

PLOT_DATA_PREFIX = "dashboard:plot_data:"
CHUNK = 2045
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_:.-]*")


def save_plotly_graph_object(
    study: Study, figure: Any, *, graph_object_id: str | None = None
) -> str:
    """Save a Plotly figure with the study; the dashboard shows it on the study's page.

    Args:
        study: The study.
        figure: A ``plotly.graph_objects.Figure`` (anything with ``to_json()``).
        graph_object_id: The figure's id (letters, digits, ``-_:.``); saving again under the
            same id replaces it. None: a new id.

    Returns:
        The figure's id.

    Raises:
        ValueError: ``graph_object_id`` has other characters.
        TypeError: ``figure`` has no ``to_json``.
    """
    if graph_object_id is not None and not _ID.fullmatch(graph_object_id):
        raise ValueError(
            f"graph_object_id {graph_object_id!r} may only have letters, digits and -_:. "
            "(starting with a letter or digit)."
        )
    if not callable(getattr(figure, "to_json", None)):
        raise TypeError(f"figure must be a plotly Figure, got {type(figure).__name__}.")
    graph_object_id = graph_object_id or str(uuid.uuid4())
    text = figure.to_json()
    prefix = f"{PLOT_DATA_PREFIX}{graph_object_id}:"
    storage, study_id = study.storage, study.study_id
    old = storage.get_study_system_attrs(study_id)
    chunks = [text[i : i + CHUNK] for i in range(0, len(text), CHUNK)]
    for i, chunk in enumerate(chunks):
        storage.set_study_system_attr(study_id, f"{prefix}{i}", chunk)
    i = len(chunks)
    while f"{prefix}{i}" in old:  # blank a longer former figure's tail (attrs stay)
        storage.set_study_system_attr(study_id, f"{prefix}{i}", "")
        i += 1
    return graph_object_id


def read_figures(system_attrs: dict[str, Any]) -> list[tuple[str, Any]]:
    """Return ``(graph_object_id, figure JSON)`` of each saved figure, sorted by id; a figure
    whose JSON does not parse is skipped."""
    ids = set()
    for key in system_attrs:
        if key.startswith(PLOT_DATA_PREFIX):
            graph_object_id, sep, index = key[len(PLOT_DATA_PREFIX) :].rpartition(":")
            if sep and index.isdigit():
                ids.add(graph_object_id)
    figures = []
    for graph_object_id in sorted(ids):
        prefix = f"{PLOT_DATA_PREFIX}{graph_object_id}:"
        parts = []
        i = 0
        while f"{prefix}{i}" in system_attrs:
            parts.append(str(system_attrs[f"{prefix}{i}"]))
            i += 1
        try:
            figures.append((graph_object_id, json.loads("".join(parts))))
        except (ValueError, RecursionError):
            continue
    return figures

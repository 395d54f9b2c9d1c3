"""Markdown notes per study and per trial, stored in study system attrs.

The keys are optuna-dashboard's, so notes written by either dashboard show in the other:
``dashboard:note_ver`` and ``dashboard:note_str:<i>`` for the study, and
``dashboard:<trial_id>:note_ver`` / ``dashboard:<trial_id>:note_str:<i>`` for a trial; the
body is split into chunks of at most 2045 characters (MySQL's attribute limit).
"""

from __future__ import annotations

from typing import Any

from trimtab.dashboard import _markdown
from trimtab.dashboard._schema import Note
from trimtab.storages import BaseStorage

CHUNK = 2045
MAX_NOTE = 1_000_000  # characters


class NoteConflictError(Exception):
    """The note changed since the client read it (its version is not the stored one + 1)."""


def _prefix(trial_id: int | None) -> str:
    return "dashboard:" if trial_id is None else f"dashboard:{trial_id}:"


def read_note(system_attrs: dict[str, Any], trial_id: int | None, html: bool = True) -> Note:
    """Return the note of the study (``trial_id`` None) or of a trial from study system attrs
    (``html``: with its safe rendering; else ``html`` is empty)."""
    prefix = _prefix(trial_id)
    version = int(system_attrs.get(prefix + "note_ver", 0))
    chunks = []
    i = 0
    while f"{prefix}note_str:{i}" in system_attrs:
        chunks.append(str(system_attrs[f"{prefix}note_str:{i}"]))
        i += 1
    body = "".join(chunks)
    return Note(version=version, body=body, html=_markdown.render(body) if html else "")


def save_note(
    storage: BaseStorage,
    study_id: int,
    trial_id: int | None,
    version: int,
    body: str,
    html: bool = True,
) -> Note:
    """Store a note; ``version`` must be the stored version plus one.

    Raises:
        NoteConflictError: someone saved the note in between.
    """
    prefix = _prefix(trial_id)
    attrs = storage.get_study_system_attrs(study_id)
    stored = int(attrs.get(prefix + "note_ver", 0))
    if version != stored + 1:
        raise NoteConflictError(
            f"The note was changed by someone else (version {stored}); reload it and retry."
        )
    chunks = [body[i : i + CHUNK] for i in range(0, len(body), CHUNK)]
    for i, chunk in enumerate(chunks):
        storage.set_study_system_attr(study_id, f"{prefix}note_str:{i}", chunk)
    i = len(chunks)
    while f"{prefix}note_str:{i}" in attrs:
        # Old, longer bodies leave chunks behind; blank them (system attrs cannot be deleted).
        storage.set_study_system_attr(study_id, f"{prefix}note_str:{i}", "")
        i += 1
    storage.set_study_system_attr(study_id, prefix + "note_ver", version)
    return Note(version=version, body=body, html=_markdown.render(body) if html else "")

"""A program finishing its own trial with ``trimtab tell`` while ``trimtab run`` supervises it.

``trimtab run`` gives each program ``TRIMTAB_RUN_TELL_FILE`` (a file in the trial's log
directory). When ``trimtab tell`` is called for that same study and trial number, it writes
the told values and state there instead of the storage; ``trimtab run`` reads the file once
the program has ended and finishes the trial with them. So the trial is told exactly once,
by the supervisor, whatever the program prints, and it works on cluster workers that have no
database driver.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from trimtab.exceptions import CLIUsageError

TELL_FILE_ENV = "TRIMTAB_RUN_TELL_FILE"
TELL_FILE_NAME = "told.json"


def hand_over_tell(
    study_name: str | None,
    trial_number: int | None,
    values: list[float] | None,
    state: str | None,
    skip_if_finished: bool,
) -> bool:
    """Hand a ``trimtab tell`` of the supervised trial to ``trimtab run``.

    Returns:
        Whether the tell was handed over (False: it is not about the supervised trial, and
        goes to the storage as usual).

    Raises:
        CLIUsageError: the values do not fit the state, or the trial was already told.
    """
    path = os.environ.get(TELL_FILE_ENV)
    if not path or trial_number is None:
        return False
    if study_name != os.environ.get("TRIMTAB_STUDY_NAME"):
        return False
    if str(trial_number) != os.environ.get("TRIMTAB_TRIAL_NUMBER"):
        return False
    if state == "complete" and values is None:
        raise CLIUsageError("No values were told. Values are required when state is complete.")
    if state in ("pruned", "fail") and values is not None:
        raise CLIUsageError(f"Values were told. Values cannot be given with state {state}.")
    told = Path(path)
    if told.exists():
        if skip_if_finished:
            return True
        raise CLIUsageError(f"Trial {trial_number} was already told (in {told}).")
    told.parent.mkdir(parents=True, exist_ok=True)
    partial = told.with_name(told.name + ".part")
    partial.write_text(json.dumps({"values": values, "state": state}))
    partial.replace(told)  # the supervisor never reads half a file
    return True


def read_told(path: Path, since: float) -> dict[str, Any] | None:
    """What the program told about its trial (``{"values", "state"}``), or None.

    A file older than ``since`` (a time stamp; with a second's margin, as file times are
    coarse) was left by an earlier study of the same name in the same log directory, and is
    ignored.
    """
    try:
        with path.open() as file:
            if os.fstat(file.fileno()).st_mtime < since - 1.0:
                return None
            told: dict[str, Any] = json.loads(file.read())
    except FileNotFoundError:
        return None
    return told

"""``trimtab tell`` inside a program supervised by ``trimtab run`` hands its result over."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from trimtab.cli._run._handoff import TELL_FILE_ENV, hand_over_tell, read_told
from trimtab.exceptions import CLIUsageError


@pytest.fixture()
def told_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "trial-3" / "told.json"
    monkeypatch.setenv(TELL_FILE_ENV, str(path))
    monkeypatch.setenv("TRIMTAB_STUDY_NAME", "s")
    monkeypatch.setenv("TRIMTAB_TRIAL_NUMBER", "3")
    return path


def test_own_trial_is_handed_over_once(told_file: Path) -> None:
    assert hand_over_tell("s", 3, [0.5], None, False)
    assert read_told(told_file, time.time()) == {"values": [0.5], "state": None}
    assert read_told(told_file, time.time() + 60) is None  # left by an earlier study
    with pytest.raises(CLIUsageError, match="Trial 3 was already told"):
        hand_over_tell("s", 3, [0.7], None, False)
    assert hand_over_tell("s", 3, [0.7], None, True)  # --skip-if-finished
    assert json.loads(told_file.read_text())["values"] == [0.5]


def test_other_trials_and_studies_go_to_the_storage(told_file: Path) -> None:
    assert not hand_over_tell("s", 2, [0.5], None, False)
    assert not hand_over_tell("other", 3, [0.5], None, False)
    assert not told_file.exists()


def test_values_that_do_not_fit_the_state_are_refused(told_file: Path) -> None:
    with pytest.raises(CLIUsageError, match="Values are required"):
        hand_over_tell("s", 3, None, "complete", False)
    with pytest.raises(CLIUsageError, match="cannot be given with state pruned"):
        hand_over_tell("s", 3, [1.0], "pruned", False)
    assert not told_file.exists()


def test_outside_trimtab_run_nothing_is_handed_over(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TELL_FILE_ENV, raising=False)
    assert not hand_over_tell("s", 3, [0.5], None, False)

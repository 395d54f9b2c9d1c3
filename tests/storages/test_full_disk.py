"""A disk that fills up under a study (a real, tiny tmpfs): the error names the storage and
the cause, the trial in flight is failed (or the user is told it stays RUNNING and how to
fail it), the storage stays readable (Optuna too), and work resumes once there is space."""

from __future__ import annotations

import logging
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import trimtab
from trimtab.exceptions import StorageInternalError
from trimtab.storages.journal import JournalFileBackend, JournalStorage
from trimtab.trial import TrialState

optuna = pytest.importorskip("optuna")
pytestmark = pytest.mark.filterwarnings("ignore::Warning")
DISK_SIZE = "512k"
FILLER_SIZE = 192 * 1024


@pytest.fixture()
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 512 KiB tmpfs mounted for this test, with a 192 KiB file to delete for space later."""
    disk = tmp_path / "disk"
    disk.mkdir()
    try:
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={DISK_SIZE}", "tmpfs", str(disk)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except OSError as err:
        pytest.skip(f"cannot mount a small filesystem here: {err}")
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small filesystem here: {mounted.stderr.strip()}")
    try:
        (disk / "filler").write_bytes(b"\0" * FILLER_SIZE)
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False, timeout=30)


def _objective(trial: trimtab.Trial) -> float:
    trial.set_user_attr("note", "x" * 500)
    return sum(trial.suggest_float(f"x{i}", 0, 1) for i in range(20))


def _fill_the_disk(study: trimtab.Study, caplog: Any, storage_name: str) -> None:
    with pytest.raises(StorageInternalError) as info:
        study.optimize(_objective, n_trials=100_000)
    message = str(info.value)
    assert storage_name in message
    assert "full" in message or "No space left on device" in message
    in_flight = study.trials[-1]
    if in_flight.state == TrialState.RUNNING:
        told = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
        assert any(
            f"Trial {in_flight.number} could not be stored as finished" in m
            and "stays RUNNING" in m
            and f"--trial-number {in_flight.number} --state fail" in m
            for m in told
        ), told
    else:
        assert in_flight.state == TrialState.FAIL
    assert all(t.state == TrialState.COMPLETE for t in study.trials[:-1])


def _resume(storage: Any, disk: Path) -> list[TrialState]:
    (disk / "filler").unlink()
    study = trimtab.load_study(study_name="full", storage=storage)
    in_flight = study.trials[-1]
    if in_flight.state == TrialState.RUNNING:  # what the logged advice says to do
        study.tell(in_flight.number, state=TrialState.FAIL)
    study.optimize(lambda t: t.suggest_float("x0", 0, 1), n_trials=2)
    return [t.state for t in study.trials]


def test_full_disk_under_a_journal_file(small_disk: Path, caplog: Any) -> None:
    path = small_disk / "journal.log"
    study = trimtab.create_study(
        storage=JournalStorage(JournalFileBackend(str(path))), study_name="full"
    )
    with caplog.at_level(logging.ERROR):
        _fill_the_disk(study, caplog, str(path))
    data = path.read_bytes()
    assert data.endswith(b"\n")  # no partial record left by the failed write
    states = _resume(JournalStorage(JournalFileBackend(str(path))), small_disk)
    assert states[-3:] == [TrialState.FAIL, TrialState.COMPLETE, TrialState.COMPLETE]
    by_optuna = optuna.load_study(
        study_name="full",
        storage=optuna.storages.JournalStorage(
            optuna.storages.journal.JournalFileBackend(str(path))
        ),
    )
    assert [t.state.name for t in by_optuna.trials] == [s.name for s in states]


def test_full_disk_under_sqlite(small_disk: Path, caplog: Any) -> None:
    url = f"sqlite:///{small_disk}/{uuid.uuid4().hex}.db"
    study = trimtab.create_study(storage=url, study_name="full")
    with caplog.at_level(logging.ERROR):
        _fill_the_disk(study, caplog, url)
    states = _resume(url, small_disk)
    assert states[-3:] == [TrialState.FAIL, TrialState.COMPLETE, TrialState.COMPLETE]
    by_optuna = optuna.load_study(study_name="full", storage=url)
    assert [t.state.name for t in by_optuna.trials] == [s.name for s in states]

"""Damaged journals: a torn last line is sealed (readably for Optuna too); damage before the
end stops the load with an error naming the line, and ``trimtab storage repair-journal``
copies the readable records before it to a new journal."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from storage_backends import REDIS_URL
from storage_servers import redis_client

import trimtab
from trimtab.storages.journal import (
    JournalCorruptedError,
    JournalFileBackend,
    JournalFileSymlinkLock,
    JournalRedisBackend,
    JournalStorage,
)
from trimtab.trial import TrialState

optuna = pytest.importorskip("optuna")
pytestmark = pytest.mark.filterwarnings("ignore::Warning")
TRIMTAB = str(Path(sys.executable).parent / "trimtab")


def _storage(path: Path) -> JournalStorage:
    return JournalStorage(JournalFileBackend(str(path)))


def _study_with_trials(path: Path, n_trials: int = 10) -> list[tuple[dict, float]]:
    study = trimtab.create_study(storage=_storage(path), study_name="j")
    study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_int("i", 0, 9), n_trials)
    return [(t.params, t.value) for t in study.trials]


def _create_trial_lines(path: Path) -> list[int]:
    """0-based line numbers of the CREATE_TRIAL records, in trial order."""
    lines = path.read_bytes().splitlines()
    return [n for n, line in enumerate(lines) if json.loads(line)["op_code"] == 4]


def _damage_line(path: Path, line_index: int) -> None:
    lines = path.read_bytes().splitlines(keepends=True)
    lines[line_index] = lines[line_index][:30] + b"\n"  # cut short, then sealed by a newline
    path.write_bytes(b"".join(lines))


def _trimtab_cli(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [TRIMTAB, *argv], capture_output=True, text=True, timeout=120, env=dict(os.environ)
    )


def test_damaged_line_in_the_middle_stops_the_load_and_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "journal.log"
    _study_with_trials(path)
    damaged = _create_trial_lines(path)[3]
    _damage_line(path, damaged)
    before = path.read_bytes()
    with pytest.raises(JournalCorruptedError, match=rf"line {damaged + 1} \(byte") as info:
        trimtab.load_study(study_name="j", storage=_storage(path))
    assert str(path) in str(info.value)
    assert f"trimtab storage repair-journal {path} --output" in str(info.value)
    assert info.value.record_number == damaged + 1
    assert isinstance(info.value, trimtab.exceptions.StorageInternalError)
    # Nothing is written on top of the damage by a storage that refused to load.
    with pytest.raises(JournalCorruptedError):
        _storage(path)
    assert path.read_bytes() == before


def test_damage_appearing_under_a_running_storage_is_reported_too(tmp_path: Path) -> None:
    path = tmp_path / "journal.log"
    _study_with_trials(path, n_trials=3)
    storage = _storage(path)
    study = trimtab.load_study(study_name="j", storage=storage)
    lines = path.read_bytes().splitlines(keepends=True)
    with open(path, "ab") as f:  # damage, then a record, appended by others
        f.write(b"not json at all\n")
        f.write(lines[1])
    with pytest.raises(JournalCorruptedError, match=f"line {len(lines) + 1} "):
        study.ask()


def test_repair_command_copies_the_readable_prefix(tmp_path: Path) -> None:
    path = tmp_path / "journal.log"
    trials = _study_with_trials(path)
    damaged = _create_trial_lines(path)[6]
    _damage_line(path, damaged)
    before = path.read_bytes()
    fixed = tmp_path / "fixed.log"
    done = _trimtab_cli("storage", "repair-journal", str(path), "--output", str(fixed))
    assert done.returncode == 0, done.stderr
    n_lines = len(before.splitlines())
    assert f"Copied {damaged} records." in done.stdout
    assert f"Record {damaged + 1} is damaged" in done.stdout
    assert f"Dropped it and the {n_lines - damaged - 1} records after it" in done.stdout
    assert "3 CREATE_TRIAL" in done.stdout  # trials 7, 8, 9 were readable but are dropped
    assert path.read_bytes() == before  # the source is only read

    for study in (
        trimtab.load_study(study_name="j", storage=_storage(fixed)),
        optuna.load_study(
            study_name="j",
            storage=optuna.storages.JournalStorage(
                optuna.storages.journal.JournalFileBackend(str(fixed))
            ),
        ),
    ):
        assert [(t.params, t.value) for t in study.trials] == trials[:6]
    # The repaired journal takes new trials.
    study = trimtab.load_study(study_name="j", storage=_storage(fixed))
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    assert [t.number for t in study.trials] == list(range(8))

    again = _trimtab_cli("storage", "repair-journal", str(path), "--output", str(fixed))
    assert again.returncode == 1
    assert "File exists" in again.stderr


def test_torn_last_line_is_sealed_so_that_optuna_reads_the_file(tmp_path: Path) -> None:
    path = tmp_path / "journal.log"
    trials = _study_with_trials(path, n_trials=3)
    with open(path, "ab") as f:  # a writer killed in the middle of a record
        f.write(b'{"op_code":4,"worker_id":"crashed","study_id":0,"datetime_st')
    study = trimtab.load_study(study_name="j", storage=_storage(path))
    assert [(t.params, t.value) for t in study.trials] == trials
    study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_int("i", 0, 9), n_trials=2)
    trials = [(t.params, t.value) for t in study.trials]
    assert len(trials) == 5

    by_optuna = optuna.load_study(
        study_name="j",
        storage=optuna.storages.JournalStorage(
            optuna.storages.journal.JournalFileBackend(str(path))
        ),
    )
    assert [(t.params, t.value) for t in by_optuna.trials] == trials
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in by_optuna.trials)
    again = trimtab.load_study(study_name="j", storage=_storage(path))
    assert [(t.params, t.value) for t in again.trials] == trials


def test_whole_last_record_without_its_newline_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "journal.log"
    _study_with_trials(path, n_trials=1)
    record = {"op_code": 2, "worker_id": "w", "study_id": 0, "user_attr": {"k": "v"}}
    with open(path, "ab") as f:  # killed after the record, before its newline
        f.write(json.dumps(record).encode())
    study = trimtab.load_study(study_name="j", storage=_storage(path))
    study.set_user_attr("next", 1)
    again = trimtab.load_study(study_name="j", storage=_storage(path))
    assert again.user_attrs == {"k": "v", "next": 1}


def test_malformed_redis_entry_stops_the_load_and_can_be_repaired() -> None:
    client = redis_client()
    prefix = f"trimtab-test-{uuid.uuid4().hex}"
    storage = JournalStorage(JournalRedisBackend(REDIS_URL, prefix=prefix))
    study = trimtab.create_study(storage=storage, study_name="r")
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=5)
    trials = [(t.params, t.value) for t in study.trials]
    creates = [
        n
        for n in range(int(client.get(f"{prefix}:log_number")) + 1)
        if json.loads(client.get(f"{prefix}:log:{n}"))["op_code"] == 4
    ]
    client.set(f"{prefix}:log:{creates[3]}", b'{"op_code":4,"wor')
    with pytest.raises(JournalCorruptedError, match=f"{prefix}:log:{creates[3]}"):
        trimtab.load_study(
            study_name="r", storage=JournalStorage(JournalRedisBackend(REDIS_URL, prefix=prefix))
        )
    fixed = prefix + "-fixed"
    done = _trimtab_cli(
        "storage", "repair-journal", REDIS_URL, "--redis-prefix", prefix, "--output", fixed
    )
    assert done.returncode == 0, done.stderr
    assert f"Copied {creates[3]} records." in done.stdout
    repaired = trimtab.load_study(
        study_name="r", storage=JournalStorage(JournalRedisBackend(REDIS_URL, prefix=fixed))
    )
    assert [(t.params, t.value) for t in repaired.trials] == trials[:3]
    assert all(t.state == TrialState.COMPLETE for t in repaired.trials)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


class _BrokenWhileHeld(JournalFileSymlinkLock):
    """A lock that another process breaks as stale right after this one takes it."""

    def acquire(self) -> bool:
        super().acquire()
        JournalFileSymlinkLock(self._lock_target_file).release()  # the other process
        return True


def test_writer_whose_lock_was_broken_keeps_its_record(tmp_path: Path, caplog: Any) -> None:
    path = tmp_path / "journal.log"
    backend = JournalFileBackend(str(path), lock_obj=_BrokenWhileHeld(str(path)))
    record = {"op_code": 0, "worker_id": "w", "study_name": "s", "directions": [1]}
    # On trimtab's logger itself: another test module may have set its verbosity to ERROR.
    with caplog.at_level(logging.WARNING, logger="trimtab"):
        backend.append_logs([record])
    assert list(JournalFileBackend(str(path)).read_logs(0)) == [record]
    assert any("was broken by another process" in r.getMessage() for r in caplog.records)

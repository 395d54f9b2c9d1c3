"""WeightsAndBiasesCallback with real wandb in offline mode; the run files are read back."""

from __future__ import annotations

import json
import pathlib
import struct
import time

import pytest

import trimtab

wandb = pytest.importorskip("wandb")
from wandb.proto import wandb_internal_pb2  # noqa: E402

from trimtab.integration import WeightsAndBiasesCallback  # noqa: E402


def _records(run_file: pathlib.Path) -> list:
    """The protobuf records of an offline run file (a LevelDB-style log of 32 KiB blocks)."""
    raw = run_file.read_bytes()
    assert raw[:4] == b":W&B"
    block, pos, records, pending = 32768, 7, [], b""
    while pos + 7 <= len(raw):
        if block - pos % block < 7:  # a block's tail too short for a header is padding
            pos += block - pos % block
            continue
        _, length, kind = struct.unpack("<IHB", raw[pos : pos + 7])
        if length == 0 and kind == 0:
            break
        chunk, pos = raw[pos + 7 : pos + 7 + length], pos + 7 + length
        pending += chunk
        if kind in (1, 4):  # a full record, or the last chunk of one
            record = wandb_internal_pb2.Record()
            record.ParseFromString(pending)
            records.append(record)
            pending = b""
        elif kind == 2:
            pending = chunk
    return records


def _history(run_file: pathlib.Path) -> list[dict]:
    rows = []
    for record in _records(run_file):
        if record.WhichOneof("record_type") == "history":
            items = ((i.key or "/".join(i.nested_key), i.value_json) for i in record.history.item)
            rows.append({k: json.loads(v) for k, v in items if not k.startswith("_")})
    return rows


def _config(run_file: pathlib.Path) -> dict:
    config: dict = {}
    for record in _records(run_file):
        if record.WhichOneof("record_type") == "config":
            config.update({i.key: json.loads(i.value_json) for i in record.config.update})
    return config


def _run_files(directory: pathlib.Path) -> list[pathlib.Path]:
    """The offline run files, once wandb's writer has flushed each up to its exit record."""
    files = sorted(directory.glob("wandb/offline-run-*/run-*.wandb"))
    deadline = time.monotonic() + 30
    for run_file in files:
        while not any(r.WhichOneof("record_type") == "exit" for r in _records(run_file)):
            assert time.monotonic() < deadline, f"{run_file} has no exit record"
            time.sleep(0.1)
    return files


@pytest.mark.slow
def test_one_run_for_the_study(tmp_path: pathlib.Path) -> None:
    callback = WeightsAndBiasesCallback(
        metric_name="acc", wandb_kwargs={"mode": "offline", "dir": str(tmp_path), "project": "p"}
    )
    study = trimtab.create_study(direction="maximize")
    study.optimize(lambda t: t.suggest_float("x", 0, 1) * 2, n_trials=3, callbacks=[callback])
    wandb.finish()
    (run_file,) = _run_files(tmp_path)
    history = _history(run_file)
    assert history == [{"x": t.params["x"], "acc": pytest.approx(t.value)} for t in study.trials]
    assert _config(run_file) == {"direction": ["MAXIMIZE"]}


@pytest.mark.slow
def test_one_run_per_trial(tmp_path: pathlib.Path) -> None:
    callback = WeightsAndBiasesCallback(
        metric_name=["loss", "size"],
        wandb_kwargs={"mode": "offline", "dir": str(tmp_path), "tags": ["mine"]},
        as_multirun=True,
    )
    with pytest.warns(trimtab.exceptions.ExperimentalWarning):
        track = callback.track_in_wandb()

    @track
    def objective(trial: trimtab.Trial) -> tuple[float, float]:
        x = trial.suggest_int("n", 1, 9)
        wandb.log({"inside": 1.0})
        return float(x), float(x * x)

    study = trimtab.create_study(study_name="wb-multi", directions=["minimize", "minimize"])
    study.optimize(objective, n_trials=2, callbacks=[callback])
    run_files = _run_files(tmp_path)
    assert len(run_files) == 2
    for run_file in run_files:
        records = _records(run_file)
        # The run record is written again when the run is renamed or tagged: the last counts.
        run = [r.run for r in records if r.WhichOneof("record_type") == "run"][-1]
        trial = study.trials[int(run.display_name.split("/")[1])]
        logged: dict = {}
        for entry in _history(run_file):
            logged.update(entry)
        assert logged == {
            "inside": 1.0,
            "n": trial.params["n"],
            "loss": trial.values[0],
            "size": trial.values[1],
            "trial_number": trial.number,
        }
        assert _config(run_file) == {"direction": ["MINIMIZE", "MINIMIZE"], "n": trial.params["n"]}
        assert list(run.tags) == ["mine", "wb-multi"]


def test_wrong_number_of_metric_names_records_nothing(tmp_path: pathlib.Path) -> None:
    callback = WeightsAndBiasesCallback(
        metric_name=["a", "b", "c"],
        wandb_kwargs={"mode": "offline", "dir": str(tmp_path)},
        as_multirun=True,
    )
    study = trimtab.create_study(directions=["minimize", "maximize"])
    with pytest.raises(ValueError, match="metric_name names 3 metric.*2 objective"):
        study.optimize(lambda t: (1.0, 2.0), n_trials=1, callbacks=[callback])
    assert _run_files(tmp_path) == []
    with pytest.raises(TypeError, match="metric_name"):
        WeightsAndBiasesCallback(metric_name=None, as_multirun=True)  # type: ignore[arg-type]

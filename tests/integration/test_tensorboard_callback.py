"""TensorBoardCallback's event files, read back with TensorBoard's own event reader."""

from __future__ import annotations

import pathlib

import pytest

import trimtab

pytest.importorskip("tensorboard")
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402
from tensorboard.plugins.hparams import metadata  # noqa: E402

from trimtab.integration import TensorBoardCallback  # noqa: E402


def _read(run_dir: pathlib.Path) -> tuple[list, dict]:
    accumulator = EventAccumulator(str(run_dir))
    accumulator.Reload()
    content = accumulator.PluginTagToContent("hparams")[metadata.SESSION_START_INFO_TAG]
    session = metadata.parse_session_start_info_plugin_data(content)
    hparams = {
        name: getattr(value, value.WhichOneof("kind")) for name, value in session.hparams.items()
    }
    assert session.group_name == run_dir.name
    return accumulator.Scalars("accuracy"), hparams


def test_each_completed_trial_is_an_hparams_session(tmp_path: pathlib.Path) -> None:
    callback = TensorBoardCallback(str(tmp_path), metric_name="accuracy")
    study = trimtab.create_study(direction="maximize")

    def objective(trial: trimtab.Trial) -> float:
        x = trial.suggest_float("x", 0.0, 1.0)
        depth = trial.suggest_int("depth", 1, 8)
        trial.suggest_categorical("kernel", ["rbf", "linear"])
        trial.suggest_categorical("mixed", [1, "two", None])
        if trial.number == 2:
            raise trimtab.TrialPruned()
        return x / depth

    study.optimize(objective, n_trials=3, callbacks=[callback])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["trial-0", "trial-1"]  # not PRUNED
    for trial in study.trials[:2]:
        scalars, hparams = _read(tmp_path / f"trial-{trial.number}")
        assert [(s.step, s.value) for s in scalars] == [
            (trial.number, pytest.approx(trial.value, rel=1e-6))
        ]
        assert hparams == {
            "x": trial.params["x"],
            "depth": trial.params["depth"],
            "kernel": trial.params["kernel"],
            "mixed": str(trial.params["mixed"]),  # mixed choice types are shown as strings
        }


def test_bad_metric_name() -> None:
    with pytest.raises(TypeError, match="metric_name must be a string"):
        TensorBoardCallback("logs", metric_name=["a", "b"])  # type: ignore[arg-type]

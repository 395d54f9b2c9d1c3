"""The artifact tutorial of Optuna's documentation runs with ``import trimtab as optuna``."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

TUTORIAL = textwrap.dedent(
    """
    import json
    import os

    import trimtab as optuna
    from tutorial_checks import check
    from trimtab.artifacts import FileSystemArtifactStore, download_artifact, upload_artifact

    base_path = "./artifacts"
    os.makedirs(base_path, exist_ok=True)
    artifact_store = FileSystemArtifactStore(base_path=base_path)


    def objective(trial: optuna.Trial) -> float:
        x = trial.suggest_float("x", -10, 10)
        file_path = f"./result-{trial.number}.json"
        with open(file_path, "w") as f:
            json.dump({"x": x, "loss": (x - 2) ** 2}, f)
        artifact_id = upload_artifact(
            artifact_store=artifact_store, file_path=file_path, study_or_trial=trial
        )
        trial.set_user_attr("artifact_id", artifact_id)
        return (x - 2) ** 2


    study = optuna.create_study(storage="sqlite:///example.db", study_name="artifact-demo")
    study.optimize(objective, n_trials=20)

    best_artifact_id = study.best_trial.user_attrs["artifact_id"]
    download_artifact(
        artifact_store=artifact_store,
        file_path="best_result.json",
        artifact_id=best_artifact_id,
    )
    with open("best_result.json") as f:
        best = json.load(f)

    storage = optuna.storages.get_storage("sqlite:///example.db")
    loaded = optuna.load_study(study_name="artifact-demo", storage=storage)
    metas = optuna.artifacts.get_all_artifact_meta(loaded.best_trial, storage=storage)
    os.makedirs("./best_trial_artifacts/", exist_ok=True)
    for meta in metas:
        optuna.artifacts.download_artifact(
            artifact_store=artifact_store,
            artifact_id=meta.artifact_id,
            file_path=os.path.join("./best_trial_artifacts/", meta.filename),
        )
    check(best, study, metas)
    print("ok", len(os.listdir(base_path)))
    """
)

CHECK = textwrap.dedent(
    """
    import os


    def check(best, study, metas):
        assert best["x"] == study.best_params["x"]
        assert [m.mimetype for m in metas] == ["application/json"]
        assert os.listdir("./best_trial_artifacts/") == [metas[0].filename]
    """
)


def test_artifact_tutorial_runs_unchanged(tmp_path: Path) -> None:
    (tmp_path / "tutorial.py").write_text(TUTORIAL)
    (tmp_path / "tutorial_checks.py").write_text(CHECK)
    src = Path(__file__).resolve().parents[2] / "src"
    out = subprocess.run(
        [sys.executable, "tutorial.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["ok", "20"]
    assert "Trial 19 finished" in out.stderr

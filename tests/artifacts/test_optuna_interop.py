"""Artifacts uploaded by trimtab are found and downloaded by Optuna 5.0, and the reverse."""

from __future__ import annotations

from pathlib import Path

import pytest

import trimtab
from trimtab import artifacts as tt_artifacts

optuna = pytest.importorskip("optuna")
optuna.logging.set_verbosity(optuna.logging.WARNING)
trimtab.logging.set_verbosity(trimtab.logging.WARNING)


def _storages(tmp_path: Path, kind: str) -> tuple[object, object]:
    """The same study storage opened by trimtab and by Optuna."""
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'study.db'}"
        return url, url
    path = str(tmp_path / "journal.log")
    return (
        trimtab.storages.JournalStorage(trimtab.storages.journal.JournalFileBackend(path)),
        optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(path)),
    )


@pytest.mark.parametrize("kind", ["sqlite", "journal"])
def test_trimtab_uploads_optuna_reads(tmp_path: Path, kind: str) -> None:
    tt_storage, op_storage = _storages(tmp_path, kind)
    base = tmp_path / "store"
    base.mkdir()
    store = tt_artifacts.FileSystemArtifactStore(base)
    source = tmp_path / "curve.csv"
    source.write_text("step,loss\n0,1.0\n")
    study = trimtab.create_study(study_name="s", storage=tt_storage)
    study_artifact = tt_artifacts.upload_artifact(
        artifact_store=store, file_path=str(source), study_or_trial=study
    )
    trial = study.ask()
    trial_artifact = tt_artifacts.upload_artifact(
        artifact_store=store, file_path=str(source), study_or_trial=trial, encoding="identity"
    )
    study.tell(trial, 0.5)

    loaded = optuna.load_study(study_name="s", storage=op_storage)
    (meta,) = optuna.artifacts.get_all_artifact_meta(loaded.trials[0], storage=loaded._storage)
    assert (meta.artifact_id, meta.filename, meta.mimetype, meta.encoding) == (
        trial_artifact,
        "curve.csv",
        "text/csv",
        "identity",
    )
    assert [m.artifact_id for m in optuna.artifacts.get_all_artifact_meta(loaded)] == [
        study_artifact
    ]
    target = tmp_path / "by-optuna.csv"
    optuna.artifacts.download_artifact(
        artifact_store=optuna.artifacts.FileSystemArtifactStore(str(base)),
        file_path=str(target),
        artifact_id=trial_artifact,
    )
    assert target.read_text() == source.read_text()


@pytest.mark.parametrize("kind", ["sqlite", "journal"])
def test_optuna_uploads_trimtab_reads(tmp_path: Path, kind: str) -> None:
    tt_storage, op_storage = _storages(tmp_path, kind)
    base = tmp_path / "store"
    base.mkdir()
    source = tmp_path / "plot.png"
    source.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    op_store = optuna.artifacts.FileSystemArtifactStore(str(base))
    study = optuna.create_study(study_name="s", storage=op_storage)

    def objective(trial: optuna.Trial) -> float:
        optuna.artifacts.upload_artifact(
            artifact_store=op_store, file_path=str(source), study_or_trial=trial
        )
        return trial.suggest_float("x", 0, 1)

    study.optimize(objective, n_trials=2)
    study_artifact = optuna.artifacts.upload_artifact(
        artifact_store=op_store, file_path=str(source), study_or_trial=study
    )

    loaded = trimtab.load_study(study_name="s", storage=tt_storage)
    store = tt_artifacts.FileSystemArtifactStore(base)
    for trial in loaded.trials:
        (meta,) = tt_artifacts.get_all_artifact_meta(trial, storage=loaded._storage)
        assert (meta.filename, meta.mimetype, meta.encoding) == ("plot.png", "image/png", None)
        target = tmp_path / f"trial-{trial.number}.png"
        tt_artifacts.download_artifact(
            artifact_store=store, file_path=target, artifact_id=meta.artifact_id
        )
        assert target.read_bytes() == source.read_bytes()
    assert [m.artifact_id for m in tt_artifacts.get_all_artifact_meta(loaded)] == [study_artifact]

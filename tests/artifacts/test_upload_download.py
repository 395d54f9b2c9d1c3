"""Uploading, listing and downloading artifacts on a file-system store, and bad input."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

import trimtab
from trimtab.artifacts import (
    ArtifactMeta,
    ArtifactNotFound,
    FileSystemArtifactStore,
    download_artifact,
    get_all_artifact_meta,
    upload_artifact,
)
from trimtab.exceptions import UpdateFinishedTrialError

trimtab.logging.set_verbosity(trimtab.logging.WARNING)


@pytest.fixture()
def store(tmp_path: Path) -> FileSystemArtifactStore:
    base = tmp_path / "artifacts"
    base.mkdir()
    return FileSystemArtifactStore(base)


@pytest.fixture()
def study(tmp_path: Path) -> trimtab.Study:
    return trimtab.create_study(storage=f"sqlite:///{tmp_path / 'study.db'}")


def _file(tmp_path: Path, name: str, body: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(body)
    return str(path)


def test_trial_upload_list_download_round_trip(
    tmp_path: Path, store: FileSystemArtifactStore, study: trimtab.Study
) -> None:
    source = _file(tmp_path, "model.csv", b"a,b\n1,2\n")
    trial = study.ask()
    artifact_id = upload_artifact(artifact_store=store, file_path=source, study_or_trial=trial)
    study.tell(trial, 1.0)

    metas = get_all_artifact_meta(study.trials[0], storage=study._storage)
    assert metas == [ArtifactMeta(artifact_id, "model.csv", "text/csv", None)]
    target = tmp_path / "downloaded.csv"
    download_artifact(artifact_store=store, file_path=str(target), artifact_id=artifact_id)
    assert target.read_bytes() == b"a,b\n1,2\n"


def test_study_artifacts_are_listed_apart_from_trial_artifacts(
    tmp_path: Path, store: FileSystemArtifactStore, study: trimtab.Study
) -> None:
    study_file = _file(tmp_path, "report.html", b"<p>hi</p>")
    study_id = upload_artifact(artifact_store=store, file_path=study_file, study_or_trial=study)
    trial = study.ask()
    upload_artifact(artifact_store=store, file_path=study_file, study_or_trial=trial)

    assert [m.artifact_id for m in get_all_artifact_meta(study)] == [study_id]
    assert len(get_all_artifact_meta(trial)) == 1
    assert study._storage.get_study_system_attrs(study._study_id)[f"artifacts:{study_id}"]


def test_frozen_trial_needs_storage(
    tmp_path: Path, store: FileSystemArtifactStore, study: trimtab.Study
) -> None:
    source = _file(tmp_path, "x.txt", b"x")
    study.ask()
    frozen = study.trials[0]
    with pytest.raises(ValueError, match="storage is required"):
        upload_artifact(artifact_store=store, file_path=source, study_or_trial=frozen)
    artifact_id = upload_artifact(
        artifact_store=store, file_path=source, study_or_trial=frozen, storage=study._storage
    )
    assert [m.artifact_id for m in get_all_artifact_meta(frozen, storage=study._storage)] == [
        artifact_id
    ]
    with pytest.raises(ValueError, match="storage is required"):
        get_all_artifact_meta(frozen)


def test_mimetype_and_encoding_are_guessed_or_given(
    tmp_path: Path, store: FileSystemArtifactStore, study: trimtab.Study
) -> None:
    trial = study.ask()
    gz = _file(tmp_path, "log.txt.gz", b"\x1f\x8b")
    png = _file(tmp_path, "plot.png", b"\x89PNG")
    raw = _file(tmp_path, "blob", b"\x00")
    upload_artifact(artifact_store=store, file_path=gz, study_or_trial=trial)
    upload_artifact(artifact_store=store, file_path=png, study_or_trial=trial)
    upload_artifact(artifact_store=store, file_path=raw, study_or_trial=trial)
    upload_artifact(
        artifact_store=store,
        file_path=raw,
        study_or_trial=trial,
        mimetype="application/x-npy",
        encoding="br",
    )
    found = {(m.filename, m.mimetype, m.encoding) for m in get_all_artifact_meta(trial)}
    assert found == {
        ("log.txt.gz", "text/plain", "gzip"),
        ("plot.png", "image/png", None),
        ("blob", "application/octet-stream", None),
        ("blob", "application/x-npy", "br"),
    }


def test_file_objects_upload_with_their_name_or_a_given_filename(
    tmp_path: Path, store: FileSystemArtifactStore, study: trimtab.Study
) -> None:
    trial = study.ask()
    source = _file(tmp_path, "weights.json", b'{"w": 1}')
    with open(source, "rb") as handle:
        from_file = upload_artifact(artifact_store=store, file_path=handle, study_or_trial=trial)
    from_bytes = upload_artifact(
        artifact_store=store,
        file_path=io.BytesIO(b"in memory"),
        study_or_trial=trial,
        filename="notes.txt",
    )
    with pytest.raises(ValueError, match="filename"):
        upload_artifact(artifact_store=store, file_path=io.BytesIO(b"?"), study_or_trial=trial)
    metas = {m.artifact_id: m for m in get_all_artifact_meta(trial)}
    assert metas[from_file].filename == "weights.json"
    assert metas[from_file].mimetype == "application/json"
    assert metas[from_bytes].filename == "notes.txt"
    with store.open_reader(from_bytes) as reader:
        assert reader.read() == b"in memory"


def test_positional_arguments_of_optuna_3_still_work_with_a_warning(
    tmp_path: Path, store: FileSystemArtifactStore, study: trimtab.Study
) -> None:
    source = _file(tmp_path, "a.txt", b"a")
    with pytest.warns(FutureWarning, match="keyword arguments"):
        artifact_id = upload_artifact(study, source, store)
    assert [m.artifact_id for m in get_all_artifact_meta(study)] == [artifact_id]


def test_missing_file_fails_before_anything_is_stored(
    tmp_path: Path, store: FileSystemArtifactStore, study: trimtab.Study
) -> None:
    trial = study.ask()
    missing = str(tmp_path / "nope.bin")
    with pytest.raises(FileNotFoundError, match="nope.bin"):
        upload_artifact(artifact_store=store, file_path=missing, study_or_trial=trial)
    with pytest.raises(IsADirectoryError, match="directory"):
        upload_artifact(artifact_store=store, file_path=str(tmp_path), study_or_trial=trial)
    assert get_all_artifact_meta(trial) == []
    assert os.listdir(store._base_path) == []


def test_unknown_artifact_id_is_a_clear_error(
    tmp_path: Path, store: FileSystemArtifactStore
) -> None:
    target = tmp_path / "out.bin"
    with pytest.raises(ArtifactNotFound, match="no-such-id"):
        download_artifact(artifact_store=store, file_path=str(target), artifact_id="no-such-id")
    assert not target.exists()
    with pytest.raises(ArtifactNotFound):
        store.remove("no-such-id")


def test_download_refuses_to_overwrite(
    tmp_path: Path, store: FileSystemArtifactStore, study: trimtab.Study
) -> None:
    artifact_id = upload_artifact(
        artifact_store=store, file_path=_file(tmp_path, "a.txt", b"new"), study_or_trial=study
    )
    existing = _file(tmp_path, "existing.txt", b"keep me")
    with pytest.raises(FileExistsError, match="existing.txt"):
        download_artifact(artifact_store=store, file_path=existing, artifact_id=artifact_id)
    assert Path(existing).read_bytes() == b"keep me"


def test_store_that_cannot_be_written_leaves_no_metadata(
    tmp_path: Path, study: trimtab.Study
) -> None:
    regular_file = Path(_file(tmp_path, "not-a-dir", b""))
    with pytest.raises(NotADirectoryError, match="not a directory"):
        FileSystemArtifactStore(regular_file)
    store = FileSystemArtifactStore(regular_file / "artifacts")  # a path under a regular file
    trial = study.ask()
    with pytest.raises(NotADirectoryError, match="Cannot write artifact"):
        upload_artifact(
            artifact_store=store,
            file_path=_file(tmp_path, "a.txt", b"a"),
            study_or_trial=trial,
        )
    assert study._storage.get_trial_system_attrs(trial._trial_id) == {}


class _BrokenReader(io.RawIOBase):
    """A source that fails after some bytes, like a network file that drops."""

    def __init__(self) -> None:
        self.sent = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        if self.sent >= 3 * 65536:
            raise ConnectionResetError("source dropped")
        n = min(len(buffer), 65536)
        buffer[:n] = b"x" * n
        self.sent += n
        return n


def test_interrupted_upload_leaves_no_metadata_and_no_file(
    store: FileSystemArtifactStore, study: trimtab.Study
) -> None:
    trial = study.ask()
    with pytest.raises(ConnectionResetError):
        upload_artifact(
            artifact_store=store,
            file_path=io.BufferedReader(_BrokenReader()),
            study_or_trial=trial,
            filename="big.bin",
        )
    assert get_all_artifact_meta(trial) == []
    assert os.listdir(store._base_path) == []


def test_finished_trial_is_refused_before_uploading(
    tmp_path: Path, store: FileSystemArtifactStore, study: trimtab.Study
) -> None:
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    with pytest.raises(UpdateFinishedTrialError, match="COMPLETE"):
        upload_artifact(
            artifact_store=store,
            file_path=_file(tmp_path, "late.txt", b"late"),
            study_or_trial=study.trials[0],
            storage=study._storage,
        )
    assert os.listdir(store._base_path) == []


@pytest.mark.parametrize("bad_id", ["../escape", "/etc/passwd", "", "a/../../b"])
def test_artifact_ids_cannot_leave_the_store(store: FileSystemArtifactStore, bad_id: str) -> None:
    with pytest.raises(ValueError, match="Invalid artifact_id"):
        store.write(bad_id, io.BytesIO(b"x"))
    with pytest.raises(ValueError, match="Invalid artifact_id"):
        store.open_reader(bad_id)


def test_wrong_target_type_is_a_type_error(tmp_path: Path, store: FileSystemArtifactStore) -> None:
    with pytest.raises(TypeError, match="study_or_trial"):
        upload_artifact(
            artifact_store=store,
            file_path=_file(tmp_path, "a.txt", b"a"),
            study_or_trial="study",  # type: ignore[arg-type]
        )


def test_metadata_that_cannot_be_written_removes_the_uploaded_body(
    tmp_path: Path, store: FileSystemArtifactStore, study: trimtab.Study
) -> None:
    trimtab.delete_study(study_name=study.study_name, storage=study._storage)
    with pytest.raises(KeyError):
        upload_artifact(
            artifact_store=store,
            file_path=_file(tmp_path, "orphan.txt", b"o"),
            study_or_trial=study,
        )
    assert os.listdir(store._base_path) == []

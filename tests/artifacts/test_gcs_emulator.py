"""``GCSArtifactStore`` with the real ``google-cloud-storage`` client against a real GCS
emulator server (``gcp-storage-emulator``, started by the test as its own process)."""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import trimtab
from trimtab.artifacts import (
    ArtifactNotFound,
    GCSArtifactStore,
    download_artifact,
    get_all_artifact_meta,
    upload_artifact,
)

pytestmark = pytest.mark.slow
BUCKET = "trimtab-artifacts"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def emulator() -> Iterator[str]:
    pytest.importorskip("google.cloud.storage")
    executable = shutil.which("gcp-storage-emulator") or str(
        Path(sys.executable).with_name("gcp-storage-emulator")
    )
    if not os.path.exists(executable):
        pytest.skip("gcp-storage-emulator is not installed (it is in the test extra)")
    port = _free_port()
    server = subprocess.Popen(
        [
            executable,
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--in-memory",
            "--default-bucket",
            BUCKET,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "no emulator"
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture()
def store(emulator: str, monkeypatch: pytest.MonkeyPatch) -> GCSArtifactStore:
    # The client library itself switches to the emulator (and anonymous credentials).
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", emulator)
    with pytest.warns(trimtab.exceptions.ExperimentalWarning):
        return GCSArtifactStore(BUCKET)  # the default client, built by trimtab


def test_upload_download_list_and_remove_through_the_real_client(
    store: GCSArtifactStore, tmp_path: Path
) -> None:
    study = trimtab.create_study()
    trial = study.ask()
    body = bytes(range(256)) * 1000  # binary, several chunks' worth
    source = tmp_path / "model.bin"
    source.write_bytes(body)
    artifact_id = upload_artifact(artifact_store=store, file_path=str(source), study_or_trial=trial)
    note_id = upload_artifact(
        artifact_store=store,
        file_path=io.BytesIO(b"hello"),
        study_or_trial=study,
        filename="note.txt",
    )
    study.tell(trial, 1.0)
    [meta] = get_all_artifact_meta(study.trials[0], storage=study._storage)
    assert (meta.artifact_id, meta.filename) == (artifact_id, "model.bin")
    target = tmp_path / "back.bin"
    download_artifact(artifact_store=store, artifact_id=artifact_id, file_path=str(target))
    assert target.read_bytes() == body
    assert store.open_reader(note_id).read() == b"hello"
    # A second client sees the same bucket: the bodies are really on the server.
    from google.cloud import storage

    other = storage.Client()
    assert other.bucket(BUCKET).get_blob(artifact_id).download_as_bytes() == body
    store.remove(note_id)
    with pytest.raises(ArtifactNotFound, match=note_id):
        store.open_reader(note_id)
    with pytest.raises(ArtifactNotFound, match="missing-id"):
        download_artifact(
            artifact_store=store, artifact_id="missing-id", file_path=str(tmp_path / "x")
        )

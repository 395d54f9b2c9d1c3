"""``Boto3ArtifactStore`` against a real S3-compatible server (moto's, on 127.0.0.1)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

import trimtab
from trimtab.artifacts import (
    ArtifactNotFound,
    Backoff,
    Boto3ArtifactStore,
    download_artifact,
    get_all_artifact_meta,
    upload_artifact,
)

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")
trimtab.logging.set_verbosity(trimtab.logging.WARNING)


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture()
def s3_env(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    return endpoint


@pytest.fixture()
def bucket(s3_env: str, request: pytest.FixtureRequest) -> str:
    name = "trimtab-" + request.node.name.lower().replace("_", "-")[:40]
    boto3.client("s3").create_bucket(Bucket=name)
    return name


def test_upload_and_download_through_s3(tmp_path: Path, bucket: str) -> None:
    store = Boto3ArtifactStore(bucket)  # default client: endpoint and keys from the environment
    source = tmp_path / "model.bin"
    source.write_bytes(bytes(range(256)) * 1000)
    study = trimtab.create_study(storage=f"sqlite:///{tmp_path / 's.db'}")

    def objective(trial: trimtab.Trial) -> float:
        upload_artifact(artifact_store=store, file_path=str(source), study_or_trial=trial)
        return trial.suggest_float("x", 0, 1)

    study.optimize(objective, n_trials=2)
    for trial in study.trials:
        (meta,) = get_all_artifact_meta(trial, storage=study._storage)
        target = tmp_path / f"out-{trial.number}.bin"
        download_artifact(artifact_store=store, file_path=str(target), artifact_id=meta.artifact_id)
        assert target.read_bytes() == source.read_bytes()
    keys = {o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=bucket)["Contents"]}
    assert keys == {
        get_all_artifact_meta(t, storage=study._storage)[0].artifact_id for t in study.trials
    }


def test_unknown_artifact_names_bucket_and_id(bucket: str) -> None:
    store = Boto3ArtifactStore(bucket, boto3.client("s3"))
    with pytest.raises(ArtifactNotFound, match=f"'missing-id'.*'{bucket}'"):
        store.open_reader("missing-id")
    with pytest.raises(ArtifactNotFound):
        Backoff(store, min_delay=0.01, max_delay=0.02).open_reader("missing-id")


def test_missing_bucket_fails_and_leaves_no_metadata(tmp_path: Path, s3_env: str) -> None:
    from botocore.exceptions import ClientError

    store = Boto3ArtifactStore("no-such-bucket")
    study = trimtab.create_study()
    trial = study.ask()
    with pytest.raises(ClientError, match="NoSuchBucket"):
        upload_artifact(
            artifact_store=store,
            file_path=io.BytesIO(b"x"),
            study_or_trial=trial,
            filename="x.txt",
        )
    assert get_all_artifact_meta(trial) == []


def test_avoid_buf_copy_and_remove(bucket: str) -> None:
    store = Boto3ArtifactStore(bucket, avoid_buf_copy=True)
    store.write("direct", io.BytesIO(b"streamed"))
    assert store.open_reader("direct").read() == b"streamed"
    store.remove("direct")
    with pytest.raises(ArtifactNotFound):
        store.open_reader("direct")


def test_unreachable_endpoint_is_retried_by_backoff_then_raised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from botocore.config import Config
    from botocore.exceptions import EndpointConnectionError

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client(
        "s3",
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:9",  # discard port: nothing listens
        config=Config(retries={"max_attempts": 1}, connect_timeout=1),
    )
    store = Backoff(Boto3ArtifactStore("b", client), max_retries=2, min_delay=0.01, max_delay=0.02)
    body = io.BytesIO(b"payload")
    with pytest.raises(EndpointConnectionError, match="127.0.0.1:9"):
        store.write("a", body)

"""``GCSArtifactStore`` without a network: the lazy import and the adapter's mapping."""

from __future__ import annotations

import importlib.util
import io
import subprocess
import sys

import pytest

from trimtab.artifacts import ArtifactNotFound, GCSArtifactStore


@pytest.mark.skipif(
    importlib.util.find_spec("google.cloud.storage") is not None,
    reason="google-cloud-storage is installed",
)
def test_missing_library_names_the_extra() -> None:
    with pytest.raises(ImportError, match=r'pip install "trimtab\[gcs\]"'):
        GCSArtifactStore("bucket")


def test_import_does_not_load_google_cloud() -> None:
    code = "import sys, trimtab.artifacts; print('google.cloud.storage' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


class _Blob:
    def __init__(self, bucket: _Bucket, name: str) -> None:
        self._bucket, self.name = bucket, name

    def upload_from_string(self, data: bytes) -> None:
        self._bucket.objects[self.name] = bytes(data)

    def download_as_bytes(self) -> bytes:
        return self._bucket.objects[self.name]


class _Bucket:
    """The part of ``google.cloud.storage.Bucket`` the store uses, kept in a dict."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def blob(self, name: str) -> _Blob:
        return _Blob(self, name)

    def get_blob(self, name: str) -> _Blob | None:
        return _Blob(self, name) if name in self.objects else None

    def delete_blob(self, name: str) -> None:
        del self.objects[name]


class _Client:
    def __init__(self) -> None:
        self.buckets: dict[str, _Bucket] = {}

    def bucket(self, name: str) -> _Bucket:
        return self.buckets.setdefault(name, _Bucket())


def test_round_trip_and_missing_blob_with_a_given_client() -> None:
    client = _Client()
    store = GCSArtifactStore("my-bucket", client=client)
    store.write("id-1", io.BytesIO(b"weights"))
    assert client.buckets["my-bucket"].objects == {"id-1": b"weights"}
    assert store.open_reader("id-1").read() == b"weights"
    with pytest.raises(ArtifactNotFound, match="'id-2'.*'my-bucket'"):
        store.open_reader("id-2")
    store.remove("id-1")
    assert client.buckets["my-bucket"].objects == {}

"""``GCSArtifactStore``: artifacts as blobs in a Google Cloud Storage bucket."""

from __future__ import annotations

import io
from typing import Any, BinaryIO

from trimtab import _warnings
from trimtab.artifacts.exceptions import ArtifactNotFound


def _default_client() -> Any:
    try:
        from google.cloud import storage
    except ImportError as err:
        raise ImportError(
            'GCSArtifactStore needs google-cloud-storage: pip install "trimtab[gcs]"'
        ) from err
    return storage.Client()


class GCSArtifactStore:
    """Keep each artifact as the blob ``<artifact_id>`` in a GCS bucket.

    Args:
        bucket_name: the bucket (it must exist).
        client: a ``google.cloud.storage.Client``; by default one built from the
            application-default credentials (``gcloud auth application-default login``).

    Raises:
        ImportError: google-cloud-storage is not installed and no client was given
            (``pip install "trimtab[gcs]"``).
    """

    def __init__(self, bucket_name: str, client: Any | None = None) -> None:
        _warnings.warn_experimental("GCSArtifactStore", "3.4.0")
        self.bucket_name = bucket_name
        self.client = client if client is not None else _default_client()
        self.bucket_obj = self.client.bucket(bucket_name)

    def open_reader(self, artifact_id: str) -> BinaryIO:
        blob = self.bucket_obj.get_blob(artifact_id)
        if blob is None:
            raise ArtifactNotFound(
                f"Artifact {artifact_id!r} was not found in bucket {self.bucket_name!r}."
            )
        return io.BytesIO(blob.download_as_bytes())

    def write(self, artifact_id: str, content_body: BinaryIO) -> None:
        self.bucket_obj.blob(artifact_id).upload_from_string(content_body.read())

    def remove(self, artifact_id: str) -> None:
        self.bucket_obj.delete_blob(artifact_id)

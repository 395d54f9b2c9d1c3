"""``Boto3ArtifactStore``: artifacts as objects in an S3 (or S3-compatible) bucket."""

from __future__ import annotations

import io
import shutil
from typing import Any, BinaryIO

from trimtab.artifacts.exceptions import ArtifactNotFound


def _import_boto3() -> Any:
    try:
        import boto3
    except ImportError as err:
        raise ImportError('Boto3ArtifactStore needs boto3: pip install "trimtab[boto3]"') from err
    return boto3


class Boto3ArtifactStore:
    """Keep each artifact as the object ``<artifact_id>`` in an S3 bucket.

    Args:
        bucket_name: the bucket (it must exist).
        client: a boto3 S3 client; by default ``boto3.client("s3")`` with the usual
            credentials and ``AWS_ENDPOINT_URL`` lookup.
        avoid_buf_copy: upload straight from the caller's file object instead of a copy in
            memory (boto3's ``upload_fileobj`` may close the object it is given).

    Raises:
        ImportError: boto3 is not installed (``pip install "trimtab[boto3]"``).
    """

    def __init__(
        self, bucket_name: str, client: Any | None = None, *, avoid_buf_copy: bool = False
    ) -> None:
        self.bucket = bucket_name
        self.client = client if client is not None else _import_boto3().client("s3")
        self._avoid_buf_copy = avoid_buf_copy

    def open_reader(self, artifact_id: str) -> BinaryIO:
        from botocore.exceptions import ClientError

        try:
            obj = self.client.get_object(Bucket=self.bucket, Key=artifact_id)
        except ClientError as err:
            if _is_not_found(err):
                raise ArtifactNotFound(
                    f"Artifact {artifact_id!r} was not found in bucket {self.bucket!r}."
                ) from err
            raise
        return obj["Body"]

    def write(self, artifact_id: str, content_body: BinaryIO) -> None:
        source: BinaryIO = content_body
        if not self._avoid_buf_copy:
            source = io.BytesIO()
            shutil.copyfileobj(content_body, source)
            source.seek(0)
        self.client.upload_fileobj(source, self.bucket, artifact_id)

    def remove(self, artifact_id: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=artifact_id)


def _is_not_found(err: Any) -> bool:
    code = err.response.get("Error", {}).get("Code")
    status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return code in ("NoSuchKey", "404") or status == 404

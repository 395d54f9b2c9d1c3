"""Artifacts: files (models, plots, logs) attached to a study or a trial.

The body goes to an artifact store (a directory, S3, GCS); the study or trial records its
``ArtifactMeta`` in the system attribute ``"artifacts:<id>"``, where Optuna and
optuna-dashboard look for it too, so studies with artifacts open in either library.
"""

from trimtab.artifacts import exceptions
from trimtab.artifacts._backoff import Backoff
from trimtab.artifacts._boto3 import Boto3ArtifactStore
from trimtab.artifacts._download import download_artifact
from trimtab.artifacts._filesystem import FileSystemArtifactStore
from trimtab.artifacts._gcs import GCSArtifactStore
from trimtab.artifacts._list import get_all_artifact_meta
from trimtab.artifacts._meta import ArtifactMeta
from trimtab.artifacts._protocol import ArtifactStore
from trimtab.artifacts._upload import upload_artifact
from trimtab.artifacts.exceptions import ArtifactNotFound

__all__ = [
    "ArtifactMeta",
    "ArtifactNotFound",
    "ArtifactStore",
    "Backoff",
    "Boto3ArtifactStore",
    "FileSystemArtifactStore",
    "GCSArtifactStore",
    "download_artifact",
    "exceptions",
    "get_all_artifact_meta",
    "upload_artifact",
]

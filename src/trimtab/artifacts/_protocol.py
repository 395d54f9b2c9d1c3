"""``ArtifactStore``: the three methods every artifact store provides."""

from __future__ import annotations

from typing import BinaryIO, Protocol


class ArtifactStore(Protocol):
    """Where artifact bodies live; the study keeps only their metadata.

    Library users call ``upload_artifact``/``download_artifact`` rather than these methods.
    """

    def open_reader(self, artifact_id: str) -> BinaryIO:
        """Return a binary reader of the artifact.

        Raises:
            ArtifactNotFound: the store has no artifact ``artifact_id``.
        """
        ...

    def write(self, artifact_id: str, content_body: BinaryIO) -> None:
        """Store the bytes read from ``content_body`` under ``artifact_id``."""
        ...

    def remove(self, artifact_id: str) -> None:
        """Delete the artifact (stores may raise ``ArtifactNotFound`` when it is missing)."""
        ...

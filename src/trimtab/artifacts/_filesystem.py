"""``FileSystemArtifactStore``: artifacts as files in one directory."""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from pathlib import Path
from typing import BinaryIO

from trimtab.artifacts.exceptions import ArtifactNotFound


class FileSystemArtifactStore:
    """Keep each artifact as a file named by its id under ``base_path``.

    Writes are atomic (a temporary file renamed into place), so a reader never sees half an
    artifact and a failed write leaves nothing behind.

    Args:
        base_path: the directory to keep artifacts in (create it before the first upload).

    Raises:
        NotADirectoryError: ``base_path`` exists and is not a directory.
    """

    def __init__(self, base_path: str | os.PathLike[str]) -> None:
        self._base_path = Path(base_path)
        if self._base_path.exists() and not self._base_path.is_dir():
            raise NotADirectoryError(
                f"`base_path` {str(self._base_path)!r} of FileSystemArtifactStore is not a "
                "directory."
            )

    def _path_of(self, artifact_id: str) -> Path:
        """Return the file of ``artifact_id``, refusing ids that leave ``base_path``."""
        if not artifact_id or os.path.isabs(artifact_id):
            raise ValueError(f"Invalid artifact_id: {artifact_id!r}")
        base = os.path.abspath(self._base_path)
        path = os.path.abspath(self._base_path / artifact_id)
        if os.path.commonpath([base, path]) != base or path == base:
            raise ValueError(f"Invalid artifact_id: {artifact_id!r}")
        return Path(path)

    def open_reader(self, artifact_id: str) -> BinaryIO:
        path = self._path_of(artifact_id)
        try:
            return open(path, "rb")
        except (FileNotFoundError, IsADirectoryError) as err:
            raise ArtifactNotFound(
                f"Artifact {artifact_id!r} was not found in {str(self._base_path)!r}."
            ) from err

    def write(self, artifact_id: str, content_body: BinaryIO) -> None:
        path = self._path_of(artifact_id)
        partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}.partial")
        try:
            out = open(partial, "wb")
        except OSError as err:
            raise OSError(
                err.errno,
                f"Cannot write artifact {artifact_id!r} to {str(self._base_path)!r}: "
                f"{err.strerror or err}",
            ) from err
        try:
            with out:
                shutil.copyfileobj(content_body, out)
            os.replace(partial, path)
        except BaseException:
            _unlink_quietly(partial)
            raise

    def remove(self, artifact_id: str) -> None:
        path = self._path_of(artifact_id)
        try:
            os.remove(path)
        except FileNotFoundError as err:
            raise ArtifactNotFound(
                f"Artifact {artifact_id!r} was not found in {str(self._base_path)!r}."
            ) from err


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()

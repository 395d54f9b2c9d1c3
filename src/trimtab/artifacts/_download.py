"""``download_artifact``: copy an artifact from its store to a local file."""

from __future__ import annotations

import os
import shutil
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trimtab.artifacts._protocol import ArtifactStore


def download_artifact(
    *, artifact_store: ArtifactStore, file_path: str | os.PathLike[str], artifact_id: str
) -> None:
    """Save the artifact ``artifact_id`` to ``file_path``.

    The file appears complete or not at all: the body goes to a temporary file next to
    ``file_path`` that is renamed when the copy is done.

    Args:
        artifact_store: the store the artifact was uploaded to.
        file_path: where to save it; must not exist yet.
        artifact_id: the id ``upload_artifact`` returned (or ``ArtifactMeta.artifact_id``).

    Raises:
        FileExistsError: ``file_path`` exists already.
        ArtifactNotFound: the store has no artifact ``artifact_id``.
    """
    path = os.fspath(file_path)
    if os.path.exists(path):
        raise FileExistsError(f"File already exists: {path}")
    partial = os.path.join(os.path.dirname(path) or ".", f".{os.path.basename(path)}.partial")
    with artifact_store.open_reader(artifact_id) as reader:
        try:
            with open(partial, "wb") as writer:
                shutil.copyfileobj(reader, writer)
            os.replace(partial, path)
        except BaseException:
            if os.path.exists(partial):
                os.remove(partial)
            raise

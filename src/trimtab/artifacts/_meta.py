"""``ArtifactMeta`` and where it is kept: one system attribute per artifact.

The attribute key is ``"artifacts:<artifact_id>"`` and its value the JSON text of
``{"artifact_id", "filename", "mimetype", "encoding"}`` on the study or the trial the artifact
belongs to, as Optuna (and optuna-dashboard) write and read it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Union

from trimtab.study import Study
from trimtab.trial import FrozenTrial, Trial

if TYPE_CHECKING:
    from trimtab.storages import BaseStorage

ARTIFACTS_ATTR_PREFIX = "artifacts:"
DEFAULT_MIME_TYPE = "application/octet-stream"

StudyOrTrial = Union[Trial, FrozenTrial, Study]


@dataclass
class ArtifactMeta:
    """What a study or trial records about one uploaded artifact.

    ``get_all_artifact_meta`` lists them; ``artifact_id`` is what ``download_artifact`` takes.

    Args:
        artifact_id: the id of the artifact in its store.
        filename: the base name of the uploaded file.
        mimetype: the MIME type, given at upload or guessed from the file name.
        encoding: a ``Content-Encoding`` such as ``gzip``, given or guessed, or None.
    """

    artifact_id: str
    filename: str
    mimetype: str
    encoding: str | None

    def to_json(self) -> str:
        """Return the JSON text stored in the system attribute."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ArtifactMeta:
        """Parse the JSON text of a system attribute written by trimtab or Optuna."""
        fields: dict[str, Any] = json.loads(text)
        return cls(
            artifact_id=fields["artifact_id"],
            filename=fields["filename"],
            mimetype=fields["mimetype"],
            encoding=fields["encoding"],
        )


def resolve_storage(study_or_trial: Any, storage: BaseStorage | None) -> BaseStorage:
    """Return the storage that holds ``study_or_trial``'s attributes.

    Raises:
        TypeError: ``study_or_trial`` is not a Trial, FrozenTrial or Study.
        ValueError: a FrozenTrial was given without ``storage``.
    """
    if not isinstance(study_or_trial, (Trial, FrozenTrial, Study)):
        raise TypeError(
            "`study_or_trial` must be a Trial, FrozenTrial or Study, got "
            f"{type(study_or_trial).__name__}."
        )
    if storage is not None:
        return storage
    if isinstance(study_or_trial, Trial):
        return study_or_trial.storage
    if isinstance(study_or_trial, Study):
        return study_or_trial.storage
    raise ValueError("storage is required for FrozenTrial: pass `storage=` (e.g. study.storage).")


def read_system_attrs(study_or_trial: StudyOrTrial, storage: BaseStorage) -> dict[str, Any]:
    """Return the system attributes of the study or trial as the storage has them now."""
    if isinstance(study_or_trial, Study):
        return storage.get_study_system_attrs(_study_id(study_or_trial, storage))
    return storage.get_trial_system_attrs(study_or_trial._trial_id)


def write_meta(study_or_trial: StudyOrTrial, storage: BaseStorage, meta: ArtifactMeta) -> None:
    """Record ``meta`` in the study's or trial's system attributes."""
    key = ARTIFACTS_ATTR_PREFIX + meta.artifact_id
    if isinstance(study_or_trial, Study):
        storage.set_study_system_attr(_study_id(study_or_trial, storage), key, meta.to_json())
    else:
        storage.set_trial_system_attr(study_or_trial._trial_id, key, meta.to_json())


def _study_id(study: Study, storage: BaseStorage) -> int:
    """The id of ``study`` in ``storage`` (looked up by name: ids are the storage's business)."""
    return storage.get_study_id_from_name(study.study_name)

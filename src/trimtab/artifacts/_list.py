"""``get_all_artifact_meta``: the artifacts recorded on a study or a trial."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trimtab.artifacts._meta import (
    ARTIFACTS_ATTR_PREFIX,
    ArtifactMeta,
    read_system_attrs,
    resolve_storage,
)

if TYPE_CHECKING:
    from trimtab.storages import BaseStorage
    from trimtab.study import Study
    from trimtab.trial import FrozenTrial, Trial


def get_all_artifact_meta(
    study_or_trial: Trial | FrozenTrial | Study, *, storage: BaseStorage | None = None
) -> list[ArtifactMeta]:
    """Return the metadata of every artifact uploaded to a study or a trial.

    Artifacts deleted from the dashboard are not listed. For a study, only the artifacts
    uploaded to the study itself are listed, not those of its trials. Artifacts uploaded by
    Optuna are listed too (same system attributes).

    Args:
        study_or_trial: a ``Trial``, ``FrozenTrial`` or ``Study``.
        storage: the storage of ``study_or_trial``; needed only for a ``FrozenTrial``.

    Returns:
        One ``ArtifactMeta`` per artifact, in the order the storage keeps them.

    Raises:
        ValueError: a FrozenTrial was given without ``storage``.
    """
    storage = resolve_storage(study_or_trial, storage)
    # A deleted artifact's record is JSON null (optuna-dashboard's mark; attrs cannot be removed).
    return [
        ArtifactMeta.from_json(value)
        for key, value in read_system_attrs(study_or_trial, storage).items()
        if key.startswith(ARTIFACTS_ATTR_PREFIX) and value != "null"
    ]

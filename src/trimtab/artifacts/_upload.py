"""``upload_artifact``: put a file in an artifact store and record it on a study or trial."""

from __future__ import annotations

import contextlib
import functools
import mimetypes
import os
import uuid
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any, BinaryIO, TypeVar, cast

from trimtab import _warnings
from trimtab.artifacts._meta import (
    DEFAULT_MIME_TYPE,
    ArtifactMeta,
    StudyOrTrial,
    resolve_storage,
    write_meta,
)
from trimtab.exceptions import UpdateFinishedTrialError
from trimtab.study import Study

if TYPE_CHECKING:
    from trimtab.artifacts._protocol import ArtifactStore
    from trimtab.storages import BaseStorage
    from trimtab.trial import FrozenTrial, Trial

_F = TypeVar("_F", bound=Callable[..., Any])
_OLD_POSITIONAL_ORDER = ("study_or_trial", "file_path", "artifact_store")


def _accept_old_positional_arguments(func: _F) -> _F:
    """Let callers pass Optuna 3.x's positional order, with the FutureWarning Optuna gives."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if args:
            if len(args) > len(_OLD_POSITIONAL_ORDER):
                raise TypeError(
                    f"{func.__name__}() takes at most {len(_OLD_POSITIONAL_ORDER)} positional "
                    f"arguments but {len(args)} were given."
                )
            names = _OLD_POSITIONAL_ORDER[: len(args)]
            _warnings.warn(
                f"{func.__name__}(): Please give all values as keyword arguments. "
                f"Positional arguments {list(names)} have been deprecated in v4.0.0 and will "
                "be removed in v6.0.0.",
                FutureWarning,
            )
            for name, value in zip(names, args):
                if name in kwargs:
                    raise TypeError(f"{func.__name__}() got multiple values for argument {name!r}")
                kwargs[name] = value
        return func(**kwargs)

    return cast(_F, wrapper)


@_accept_old_positional_arguments
def upload_artifact(
    *,
    artifact_store: ArtifactStore,
    file_path: str | os.PathLike[str] | IO[bytes],
    study_or_trial: Trial | FrozenTrial | Study,
    storage: BaseStorage | None = None,
    mimetype: str | None = None,
    encoding: str | None = None,
    filename: str | None = None,
) -> str:
    """Upload a file to ``artifact_store`` and record it on a study or trial.

    The body is written to the store first; the metadata (system attribute
    ``"artifacts:<id>"``) is written only once the store has the whole body, so an upload that
    fails leaves no metadata behind, and one whose metadata cannot be written removes the body.

    Args:
        artifact_store: the store, e.g. ``FileSystemArtifactStore("./artifacts")``.
        file_path: the path of the file to upload, or a binary file object open for reading.
        study_or_trial: the ``Trial``, ``FrozenTrial`` or ``Study`` the artifact belongs to.
        storage: the storage of ``study_or_trial``; needed only for a ``FrozenTrial``.
        mimetype: the MIME type; guessed from the file name when omitted.
        encoding: the content encoding (e.g. ``gzip``); guessed from the file name when omitted.
        filename: the name to record (trimtab extension); defaults to the base name of
            ``file_path`` or of the file object's ``name``.

    Returns:
        The id of the new artifact.

    Raises:
        FileNotFoundError: ``file_path`` does not exist.
        IsADirectoryError: ``file_path`` is a directory.
        ValueError: a FrozenTrial without ``storage``, or a nameless file object without
            ``filename``.
        UpdateFinishedTrialError: the trial is finished.
    """
    storage = resolve_storage(study_or_trial, storage)
    _check_trial_is_writable(study_or_trial, storage)
    name = filename or _filename_of(file_path)
    guessed_mimetype, guessed_encoding = mimetypes.guess_type(name)
    meta = ArtifactMeta(
        artifact_id=str(uuid.uuid4()),
        filename=name,
        mimetype=mimetype or guessed_mimetype or DEFAULT_MIME_TYPE,
        encoding=encoding or guessed_encoding,
    )
    if isinstance(file_path, (str, os.PathLike)):
        with open(file_path, "rb") as body:
            artifact_store.write(meta.artifact_id, body)
    else:
        artifact_store.write(meta.artifact_id, cast(BinaryIO, file_path))
    try:
        write_meta(study_or_trial, storage, meta)
    except BaseException:
        _remove_quietly(artifact_store, meta.artifact_id)
        raise
    return meta.artifact_id


def _filename_of(file_path: str | os.PathLike[str] | IO[bytes]) -> str:
    if isinstance(file_path, (str, os.PathLike)):
        path = os.fspath(file_path)
        if not os.path.exists(path):
            raise FileNotFoundError(f"`file_path` {path!r} does not exist.")
        if os.path.isdir(path):
            raise IsADirectoryError(f"`file_path` {path!r} is a directory, not a file.")
        return os.path.basename(path)
    if not hasattr(file_path, "read"):
        raise TypeError(
            f"`file_path` must be a path or a binary file object, got {type(file_path).__name__}."
        )
    name = getattr(file_path, "name", None)
    if isinstance(name, str) and name:
        return os.path.basename(name)
    raise ValueError("`filename` is required when `file_path` is a file object without a name.")


def _check_trial_is_writable(study_or_trial: StudyOrTrial, storage: BaseStorage) -> None:
    """Fail before uploading anything when the trial can no longer take attributes."""
    if isinstance(study_or_trial, Study):
        return
    state = storage.get_trial(study_or_trial._trial_id).state
    if state.is_finished():
        raise UpdateFinishedTrialError(
            f"Trial#{study_or_trial.number} is {state.name}; artifacts can be uploaded only to "
            "running or waiting trials (or to the study)."
        )


def _remove_quietly(artifact_store: ArtifactStore, artifact_id: str) -> None:
    # The original error is what the caller needs to see.
    with contextlib.suppress(Exception):
        artifact_store.remove(artifact_id)

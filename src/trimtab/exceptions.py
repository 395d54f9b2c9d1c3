"""Exceptions raised by trimtab.

The tree::

    TrimtabError (alias: OptunaError)
    ├── TrialPruned                 the objective asks the study to prune this trial
    ├── CLIUsageError               wrong command-line usage
    ├── StorageInternalError        a storage backend failed (driver error, corrupt data)
    ├── DuplicatedStudyError        a study with this name exists already
    ├── StudyDeletedError           the study was deleted under a running worker (a KeyError)
    └── UpdateFinishedTrialError    a finished trial cannot be changed (also a RuntimeError)

    ExperimentalWarning             the API used may change without a deprecation cycle
"""

from __future__ import annotations


class TrimtabError(Exception):
    """Root of every error trimtab raises on purpose."""


OptunaError = TrimtabError


class TrialPruned(TrimtabError):
    """Raised from an objective to stop the current trial and mark it PRUNED."""


def is_trial_pruned(error: BaseException) -> bool:
    """Return whether ``error`` asks to prune the trial: trimtab's ``TrialPruned`` or Optuna's.

    Optuna's ``optuna.exceptions.TrialPruned`` (raised by Optuna code and by
    ``optuna-integration``'s pruning callbacks when real Optuna is installed next to trimtab)
    is recognised by its class name and module anywhere in the exception's MRO, so that Optuna
    need not be imported to recognise it.
    """
    if isinstance(error, TrialPruned):
        return True
    return any(
        cls.__name__ == "TrialPruned" and cls.__module__.split(".")[0] == "optuna"
        for cls in type(error).__mro__
    )


class CLIUsageError(TrimtabError):
    """Raised when the command line is used wrongly."""


class StorageInternalError(TrimtabError):
    """Raised when a storage backend fails in a way the caller cannot fix."""


class DuplicatedStudyError(TrimtabError):
    """Raised when creating a study whose name is already taken."""


class StudyDeletedError(TrimtabError, KeyError):
    """Raised when a worker writes to a study (or trial) that was deleted meanwhile.

    A KeyError, as Optuna raises for a study that does not exist.
    """

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class UpdateFinishedTrialError(TrimtabError, RuntimeError):
    """Raised when changing a trial that is already finished."""


class ExperimentalWarning(Warning):
    """Warns that an API is experimental and may change."""


__all__ = [
    "CLIUsageError",
    "DuplicatedStudyError",
    "ExperimentalWarning",
    "OptunaError",
    "StorageInternalError",
    "StudyDeletedError",
    "TrialPruned",
    "TrimtabError",
    "UpdateFinishedTrialError",
]

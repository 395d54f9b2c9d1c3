"""trimtab: define-by-run hyperparameter optimisation, compatible with Optuna's API.

``import trimtab as optuna`` runs Optuna user code. Heavy sub-packages (visualization,
importance, dashboard) load on first use.
"""

from __future__ import annotations

import importlib as _importlib
from typing import TYPE_CHECKING

from trimtab import (
    distributions,
    exceptions,
    logging,
    pruners,
    samplers,
    search_space,
    storages,
    study,
    trial,
)
from trimtab.exceptions import TrialPruned
from trimtab.study import (
    Study,
    copy_study,
    create_study,
    delete_study,
    get_all_study_names,
    get_all_study_summaries,
    load_study,
)
from trimtab.trial import Trial, create_trial
from trimtab.version import __version__

_LAZY_SUBMODULES = (
    "ablation",
    "artifacts",
    "importance",
    "integration",
    "terminator",
    "visualization",
    "dashboard",
    "hypervolume",
    "cli",
    "testing",
)


if TYPE_CHECKING:
    from typing import Any


def __getattr__(name: str) -> Any:
    if name in _LAZY_SUBMODULES:
        return _importlib.import_module(f"trimtab.{name}")
    if name == "install_as_optuna":
        return _importlib.import_module("trimtab.compat").install_as_optuna
    raise AttributeError(f"module 'trimtab' has no attribute {name!r}")


__all__ = [
    "Study",
    "Trial",
    "TrialPruned",
    "__version__",
    "copy_study",
    "create_study",
    "create_trial",
    "delete_study",
    "distributions",
    "exceptions",
    "get_all_study_names",
    "get_all_study_summaries",
    "install_as_optuna",
    "load_study",
    "logging",
    "pruners",
    "samplers",
    "search_space",
    "storages",
    "study",
    "trial",
]

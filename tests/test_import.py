"""`import trimtab` is light, and the exception names match Optuna's (the public names are
pinned in ``test_public_api.py``)."""

from __future__ import annotations

import subprocess
import sys

HEAVY = [
    "plotly",
    "matplotlib",
    "pandas",
    "sklearn",
    "sqlalchemy",
    "psycopg2",
    "pymysql",
    "redis",
    "uvicorn",
    "starlette",
    "cmaes",
    "torch",
    "optuna",
    "scipy",
    "numpy",
]


def test_import_loads_no_heavy_dependency() -> None:
    code = f"import sys, trimtab; print([m for m in {HEAVY!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_optuna_exception_names() -> None:
    from trimtab import exceptions

    assert issubclass(exceptions.TrialPruned, exceptions.OptunaError)
    assert issubclass(exceptions.UpdateFinishedTrialError, RuntimeError)
    assert exceptions.OptunaError is exceptions.TrimtabError
    for name in [
        "CLIUsageError",
        "StorageInternalError",
        "DuplicatedStudyError",
        "ExperimentalWarning",
    ]:
        assert hasattr(exceptions, name)


def test_feature_packages_are_attributes_without_their_own_import() -> None:
    """Scripts written for Optuna reach ``optuna.integration.OptunaSearchCV`` and
    ``optuna.terminator.TerminatorCallback`` after a bare ``import optuna``."""
    code = (
        "import trimtab as optuna\n"
        "print(optuna.integration.OptunaSearchCV.__name__)\n"
        "print(optuna.terminator.TerminatorCallback.__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["OptunaSearchCV", "TerminatorCallback"]

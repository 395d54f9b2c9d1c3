"""`import trimtab` is light, and the public names match Optuna's."""

from __future__ import annotations

import subprocess
import sys

import trimtab

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


def test_top_level_names() -> None:
    for name in [
        "create_study",
        "load_study",
        "delete_study",
        "copy_study",
        "get_all_study_names",
        "get_all_study_summaries",
        "Study",
        "Trial",
        "TrialPruned",
        "create_trial",
        "distributions",
        "exceptions",
        "logging",
        "pruners",
        "samplers",
        "search_space",
        "storages",
        "study",
        "trial",
        "__version__",
    ]:
        assert hasattr(trimtab, name), name


def test_sub_package_all_lists_only_defined_names() -> None:
    for module in [
        trimtab.distributions,
        trimtab.trial,
        trimtab.study,
        trimtab.samplers,
        trimtab.pruners,
        trimtab.storages,
        trimtab.search_space,
        trimtab.exceptions,
        trimtab.logging,
    ]:
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"


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

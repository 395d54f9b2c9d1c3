"""trimtab.integration: Optuna's names and module paths, lazy imports, errors naming extras."""

from __future__ import annotations

import pickle
import subprocess
import sys

import pytest

import trimtab.integration

# optuna-integration's names that trimtab offers, and the module each lives in.
NAMES = {
    "CatBoostPruningCallback": "catboost",
    "KerasPruningCallback": "keras",
    "LightGBMPruningCallback": "lightgbm",
    "LightGBMTuner": "lightgbm",
    "LightGBMTunerCV": "lightgbm",
    "MLflowCallback": "mlflow",
    "OptunaSearchCV": "sklearn",
    "PyTorchLightningPruningCallback": "pytorch_lightning",
    "TensorBoardCallback": "tensorboard",
    "WeightsAndBiasesCallback": "wandb",
    "XGBoostPruningCallback": "xgboost",
}


def _run(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    return result.stdout.strip()


def test_importing_loads_no_tool() -> None:
    tools = ["mlflow", "wandb", "tensorboard", "lightgbm", "xgboost", "catboost", "keras"]
    tools += ["lightning", "sklearn", "torch", "optuna"]
    code = (
        "import sys, trimtab, trimtab.integration; "
        f"print(sorted(m for m in {tools!r} if m in sys.modules), "
        "'trimtab.integration' in sys.modules)"
    )
    assert _run(code) == "[] True"
    # The core never imports the integration package.
    assert _run("import sys, trimtab; print('trimtab.integration' in sys.modules)") == "False"


# Keras and Lightning take 10-30 s to import: those two run with the slow tests.
_SLOW_IMPORTS = {"KerasPruningCallback", "PyTorchLightningPruningCallback"}


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=[pytest.mark.slow] if name in _SLOW_IMPORTS else [])
        for name in sorted(NAMES)
    ],
)
def test_names_resolve_at_both_paths(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    module = NAMES[name]
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    pytest.importorskip("lightning" if module == "pytorch_lightning" else module)
    if module == "keras" and __import__("keras").backend.backend() != "torch":
        pytest.skip("keras was imported with another backend in this process")
    by_package = getattr(trimtab.integration, name)
    by_module = getattr(__import__(f"trimtab.integration.{module}", fromlist=[name]), name)
    assert by_package is by_module
    assert by_package.__module__.startswith("trimtab.integration")
    # Classes defined on first use still pickle by reference, like module-level ones.
    assert pickle.loads(pickle.dumps(by_package)) is by_package
    assert name in trimtab.integration.__all__


def test_trimtab_search_cv_alias_and_dask_name() -> None:
    pytest.importorskip("sklearn")
    assert trimtab.integration.TrimtabSearchCV is trimtab.integration.OptunaSearchCV
    assert "DaskStorage" in trimtab.integration.__all__
    with pytest.raises(AttributeError, match="no attribute 'NoSuchCallback'"):
        trimtab.integration.NoSuchCallback  # noqa: B018


MISSING = [
    ("mlflow", "MLflowCallback", "mlflow"),
    ("wandb", "WeightsAndBiasesCallback", "wandb"),
    ("lightgbm", "LightGBMPruningCallback", "lightgbm"),
    ("xgboost", "XGBoostPruningCallback", "xgboost"),
    ("catboost", "CatBoostPruningCallback", "catboost"),
    ("keras", "KerasPruningCallback", "keras"),
    ("lightning", "PyTorchLightningPruningCallback", "lightning"),
    ("tensorboard", "TensorBoardCallback", "tensorboard"),
    ("sklearn", "OptunaSearchCV", "sklearn"),
]


def test_missing_library_names_the_extra() -> None:
    # sys.modules[m] = None makes `import m` fail as if m were not installed.
    code = (
        f"import sys\nfor m in {[m for m, _, _ in MISSING]!r}: sys.modules[m] = None\n"
        "import trimtab.integration as ti\n"
        f"for name in {[n for _, n, _ in MISSING]!r}:\n"
        "    try:\n"
        "        getattr(ti, name)(*[None] * 2)\n"
        "    except ImportError as err:\n"
        "        print(err)\n"
        "    else:\n"
        "        print('no error')\n"
    )
    messages = _run(code).splitlines()
    assert len(messages) == len(MISSING)
    for message, (_, name, extra) in zip(messages, MISSING):
        assert message.startswith(name) and f'pip install "trimtab[{extra}]"' in message, message

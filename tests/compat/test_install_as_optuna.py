"""``trimtab.install_as_optuna()``: ``import optuna[.x]`` gives trimtab's modules.

Each check runs in a fresh interpreter, since the hook changes the import system for the rest
of the process (and other tests import the real Optuna).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"


def _run(code: str, env: dict[str, str] | None = None, check: bool = True) -> str:
    inherited = {k: v for k, v in os.environ.items() if k != "TRIMTAB_AS_OPTUNA"}
    environment = {**inherited, "PYTHONPATH": str(SRC), **(env or {})}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )
    if check:
        assert done.returncode == 0, done.stderr
        return done.stdout
    return done.stdout + done.stderr


def test_optuna_modules_are_trimtab_modules() -> None:
    out = _run(
        """
        import importlib, json, sys
        import trimtab
        trimtab.install_as_optuna()
        import optuna
        paths = ["samplers", "trial", "distributions", "storages", "pruners", "study",
                 "exceptions", "logging", "visualization", "importance", "terminator",
                 "artifacts", "search_space", "testing", "storages.journal", "trial._state",
                 "study._study_direction", "study.study", "trial._frozen", "samplers._base",
                 "storages._rdb.storage", "visualization.matplotlib", "integration.dask"]
        same = {p: importlib.import_module("optuna." + p) is importlib.import_module("trimtab." + p)
                for p in paths}
        print(json.dumps({
            "same": same,
            "attr": optuna.samplers is trimtab.samplers
                    and optuna.create_study is trimtab.create_study,
            "pruned": optuna.TrialPruned is trimtab.TrialPruned,
            "spec": trimtab.samplers.__spec__.name,
            "version": optuna.__version__,
            "version_module": importlib.import_module("optuna.version").__version__,
            "trimtab_version": trimtab.__version__,
            "from_import": __import__("optuna.trial", fromlist=["TrialState"]).TrialState
                           is trimtab.trial.TrialState,
            "dask_storage": __import__("optuna.integration.dask", fromlist=["x"]).DaskStorage
                            is trimtab.integration.dask.DaskStorage,
        }))
        """
    )
    result = json.loads(out)
    assert all(result["same"].values()), result["same"]
    assert result["attr"] and result["pruned"]
    assert result["spec"] == "trimtab.samplers"  # trimtab's own module keeps its own spec
    assert result["version"] == result["version_module"] == "5.0.0"
    assert result["trimtab_version"] != result["version"]  # trimtab keeps its own number
    assert result["from_import"] and result["dask_storage"]


def test_attributes_set_through_optuna_land_on_trimtab() -> None:
    out = _run(
        """
        import trimtab
        trimtab.install_as_optuna()
        import optuna
        optuna.patched_by_a_test = 7
        same_all = optuna.__all__ == trimtab.__all__
        print(trimtab.patched_by_a_test, "create_study" in dir(optuna), same_all)
        """
    )
    assert out.split() == ["7", "True", "True"]


def test_study_created_through_optuna_names_is_a_trimtab_study() -> None:
    out = _run(
        """
        import trimtab
        trimtab.install_as_optuna()
        import optuna
        from optuna.samplers import TPESampler
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        study = optuna.create_study(sampler=TPESampler(seed=1))
        study.optimize(lambda t: (t.suggest_float("x", -3, 3) - 1) ** 2, n_trials=12)
        print(type(study).__module__, len(study.trials), round(study.best_params["x"], 1) != 99)
        """
    )
    module, n_trials, ok = out.split()
    assert module.startswith("trimtab.") and n_trials == "12" and ok == "True"


def test_installed_version_is_reported_by_importlib_metadata() -> None:
    out = _run(
        """
        import importlib.metadata, trimtab
        trimtab.install_as_optuna()
        print(importlib.metadata.version("optuna"))
        """
    )
    assert out.strip() == "5.0.0"


def test_missing_module_raises_module_not_found() -> None:
    out = _run(
        """
        import trimtab
        trimtab.install_as_optuna()
        try:
            import optuna.no_such_module
        except ModuleNotFoundError as err:
            print(err.name)
        """
    )
    assert out.strip() == "optuna.no_such_module"


def test_refuses_when_real_optuna_is_imported_already() -> None:
    pytest.importorskip("optuna")
    out = _run(
        """
        import optuna, trimtab
        try:
            trimtab.install_as_optuna()
        except RuntimeError as err:
            print(err)
        """
    )
    assert "must run before Optuna is imported" in out
    assert "TRIMTAB_AS_OPTUNA=1" in out
    assert "optuna" in out and "site-packages" in out


def test_second_call_is_harmless() -> None:
    out = _run(
        """
        import sys, trimtab
        trimtab.install_as_optuna()
        import optuna
        trimtab.install_as_optuna()
        print(sum(type(f).__name__ == "OptunaAliasFinder" for f in sys.meta_path))
        """
    )
    assert out.strip() == "1"


def test_optuna_private_helpers_used_by_optuna_integration_exist() -> None:
    out = _run(
        """
        import warnings
        import trimtab
        trimtab.install_as_optuna()
        from optuna._imports import try_import
        from optuna._experimental import experimental_class
        from optuna._deprecated import deprecated_class
        from optuna._typing import JSONSerializable
        with try_import() as imports:
            import a_module_that_does_not_exist
        try:
            imports.check()
        except ImportError as err:
            print("deferred:", "a_module_that_does_not_exist" in str(err))
        @experimental_class("1.0.0")
        class Tool:
            def __init__(self, x):
                self.x = x
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            tool = Tool(3)
        print("experimental:", tool.x, caught[0].category.__name__)
        """
    )
    assert "deferred: True" in out
    assert "experimental: 3 ExperimentalWarning" in out


def test_environment_variable_switches_it_on_through_the_pth_file(tmp_path: Path) -> None:
    # The .pth file that the wheel installs, processed as at start-up by ``site``.
    shutil.copy(SRC / "trimtab_as_optuna.pth", tmp_path)
    code = f"""
        import site, sys
        site.addsitedir({str(tmp_path)!r})
        import optuna
        print(type(optuna).__name__, "trimtab.samplers" == optuna.samplers.__name__)
        """
    assert _run(code, env={"TRIMTAB_AS_OPTUNA": "1"}).split() == ["OptunaFacade", "True"]
    if _has_real_optuna():
        assert _run(code, env={"TRIMTAB_AS_OPTUNA": "0"}).split() == ["module", "False"]


def _has_real_optuna() -> bool:
    import importlib.util

    return importlib.util.find_spec("optuna") is not None


@pytest.mark.slow
def test_environment_variable_works_in_a_fresh_venv_from_the_built_wheel(tmp_path: Path) -> None:
    """Build the wheel, install it into a new venv (its dependencies come from this one)."""
    root = SRC.parent
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "dist"), str(root)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr
    (wheel,) = (tmp_path / "dist").glob("trimtab-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", purelib,
         str(wheel)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr
    assert (Path(purelib) / "trimtab_as_optuna.pth").exists()
    # trimtab's own dependencies (numpy, ...) from this environment, after the new venv's own.
    deps = [p for p in sys.path if p.endswith("site-packages")]
    (Path(purelib) / "zz_dependencies.pth").write_text("\n".join(deps) + "\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    code = "import optuna, trimtab; print(optuna.samplers is trimtab.samplers, trimtab.__file__)"
    done = subprocess.run(
        [str(python), "-c", code], capture_output=True, text=True,
        env={**env, "TRIMTAB_AS_OPTUNA": "1"}, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    served, location = done.stdout.split()
    assert served == "True" and location.startswith(purelib)

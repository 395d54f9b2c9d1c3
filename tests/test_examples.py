"""Every example script runs to the end (in a scratch directory)."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"
CORE_EXAMPLES = [
    "quickstart.py",
    "subprocess_objective.py",
    "ablation.py",
    "resume_study.py",
    "multi_objective.py",
    "ask_and_tell.py",
]


# Examples of trimtab.integration: (script, the libraries it needs). Those taking more than
# ~5 s of CPU (torch and Transformers training, MLflow's import, the tuner's 68 trials) run
# with the slow tests.
INTEGRATION_EXAMPLES = [
    pytest.param("pytorch_digits_pruning.py", ("torch", "sklearn"), marks=pytest.mark.slow),
    pytest.param("mlflow_tracking.py", ("mlflow", "sklearn"), marks=pytest.mark.slow),
    pytest.param("lightgbm_pruning.py", ("lightgbm", "sklearn")),
    pytest.param("lightgbm_tuner.py", ("lightgbm", "sklearn"), marks=pytest.mark.slow),
    pytest.param("sklearn_search_cv.py", ("sklearn",)),
    pytest.param(
        "transformers_search.py", ("torch", "transformers", "accelerate"), marks=pytest.mark.slow
    ),
]


@pytest.mark.parametrize("name, needs", INTEGRATION_EXAMPLES)
def test_integration_example_runs(
    name: str, needs: tuple[str, ...], tmp_path: pathlib.Path
) -> None:
    for module in needs:
        pytest.importorskip(module)
    test_example_runs(name, tmp_path)


@pytest.mark.parametrize("name", CORE_EXAMPLES)
def test_example_runs(name: str, tmp_path: pathlib.Path) -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "best" in result.stdout.lower() or "pareto" in result.stdout.lower()

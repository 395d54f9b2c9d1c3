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

"""Packaging metadata: an SPDX licence (no setuptools deprecation warning) and the extras."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")
PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def _project() -> dict:
    return dict(tomllib.loads(PYPROJECT.read_text()))


def test_license_is_an_spdx_string_understood_by_the_required_setuptools() -> None:
    data = _project()
    assert data["project"]["license"] == "MIT"
    (setuptools,) = [r for r in data["build-system"]["requires"] if r.startswith("setuptools")]
    minimum = re.fullmatch(r"setuptools>=(\d+)(\.\d+)*", setuptools)
    assert minimum is not None and int(minimum.group(1)) >= 77  # SPDX strings since 77


def test_image_export_dependency_comes_with_the_plot_extras() -> None:
    extras = _project()["project"]["optional-dependencies"]
    for extra in ("visualization", "all"):
        assert any(r.startswith("kaleido>=1") for r in extras[extra]), extra
        # kaleido 1.x works with plotly 6.1 and later only.
        assert "plotly>=6.1" in extras[extra], extra

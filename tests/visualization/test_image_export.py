"""Saving a plot as an image: Plotly through kaleido (needs a Chrome), Matplotlib offline."""

from __future__ import annotations

from pathlib import Path

import pytest
from viz_studies import build

import trimtab
from trimtab import visualization as vis

pytestmark = pytest.mark.filterwarnings("ignore")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_plotly_figure_writes_a_png(tmp_path: Path) -> None:
    pytest.importorskip("kaleido", reason="the visualization extra installs kaleido")
    path = tmp_path / "history.png"
    try:
        vis.plot_optimization_history(build(trimtab)).write_image(str(path))
    except RuntimeError as err:  # kaleido 1.x drives a Chrome browser
        if "Chrome" not in str(err):
            raise
        pytest.skip("no Chrome for kaleido on this machine (plotly_get_chrome installs one)")
    assert path.read_bytes().startswith(PNG_MAGIC)


def test_matplotlib_figure_writes_a_png_offline(tmp_path: Path) -> None:
    path = tmp_path / "history.png"
    vis.matplotlib.plot_optimization_history(build(trimtab)).figure.savefig(path)
    assert path.read_bytes().startswith(PNG_MAGIC)

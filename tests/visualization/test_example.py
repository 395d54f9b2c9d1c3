"""examples/visualize.py writes one HTML page with every plot."""

from __future__ import annotations

import pathlib
import subprocess
import sys

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "visualize.py"
TITLES = [
    "Optimization History Plot",
    "Intermediate Values Plot",
    "Parallel Coordinate Plot",
    "Contour Plot",
    "Slice Plot",
    "Hyperparameter Importances",
    "Empirical Distribution Function Plot",
    "Rank (Objective Value)",
    "Timeline Plot",
    "Pareto-front Plot",
    "Hypervolume History Plot",
]


def test_visualize_example_writes_every_plot(tmp_path: pathlib.Path) -> None:
    page = tmp_path / "plots.html"
    result = subprocess.run(
        [sys.executable, str(EXAMPLE), str(page)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    html = page.read_text(encoding="utf-8")
    assert all(title in html for title in TITLES)
    assert html.count("Plotly.newPlot") == len(TITLES)
    assert "wrote 11 plots" in result.stdout

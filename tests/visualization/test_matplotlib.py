"""The Matplotlib front-end: every plot renders to PNG with the expected axes and artists."""

from __future__ import annotations

import pathlib
from typing import Any

import numpy as np
import pytest
from viz_studies import build, build_multi

import trimtab
from trimtab.exceptions import ExperimentalWarning
from trimtab.visualization import matplotlib as vis

pytestmark = pytest.mark.filterwarnings("ignore")


@pytest.fixture(scope="module")
def study() -> Any:
    return build(trimtab, 30, constraints=True, pruned_every=6)


def render(axes: Any, path: pathlib.Path) -> Any:
    """Save the figure of ``axes`` (an Axes or an array of them) as PNG; return one Axes."""
    ax = axes.flat[0] if isinstance(axes, np.ndarray) else axes
    ax.figure.savefig(path / "plot.png")
    assert (path / "plot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return ax


def test_is_available_and_experimental_warning(study: Any) -> None:
    with pytest.warns(ExperimentalWarning, match="plot_edf is experimental"):
        vis.plot_edf(study)
    with pytest.warns(ExperimentalWarning):
        assert vis.is_available() is True


def test_optimization_history(study: Any, tmp_path: pathlib.Path) -> None:
    ax = render(vis.plot_optimization_history(study), tmp_path)
    assert ax.get_title() == "Optimization History Plot"
    feasible, infeasible = ax.collections[0], ax.collections[1]
    n_complete = sum(t.state.name == "COMPLETE" for t in study.trials)
    assert len(feasible.get_offsets()) + len(infeasible.get_offsets()) == n_complete
    (best_line,) = ax.get_lines()
    assert best_line.get_ydata()[-1] == pytest.approx(min(feasible.get_offsets()[:, 1]))


def test_optimization_history_error_bar(tmp_path: pathlib.Path) -> None:
    studies = [build(trimtab, 8, seed=s) for s in range(3)]
    ax = render(vis.plot_optimization_history(studies, error_bar=True), tmp_path)
    assert len(ax.containers) == 1  # the error bars


def test_intermediate_values(study: Any, tmp_path: pathlib.Path) -> None:
    ax = render(vis.plot_intermediate_values(study), tmp_path)
    lines = ax.collections[0]
    assert len(lines.get_segments()) == 30
    assert ax.get_legend() is None  # more than 20 trials: no per-trial legend
    small = build(trimtab, 3)
    ax = render(vis.plot_intermediate_values(small), tmp_path)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Trial0", "Trial1", "Trial2"]


def test_contour(study: Any, tmp_path: pathlib.Path) -> None:
    ax = render(vis.plot_contour(study, params=["lr", "x"]), tmp_path)
    assert ax.get_xscale() == "log" and ax.get_yscale() == "linear"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("lr", "x")
    axes = vis.plot_contour(study, params=["c", "lr", "x"])
    assert axes.shape == (3, 3)
    assert [t.get_text() for t in axes[0, 0].get_yticklabels()] == ["a", "b", "c"]
    render(axes, tmp_path)


def test_slice(study: Any, tmp_path: pathlib.Path) -> None:
    axes = vis.plot_slice(study, params=["c", "lr", "x"])
    assert axes.shape == (3,)
    assert axes[1].get_xscale() == "log"
    render(axes, tmp_path)
    assert [t.get_text() for t in axes[0].get_xticklabels()] == ["'a'", "'b'", "'c'"]


def test_parallel_coordinate(study: Any, tmp_path: pathlib.Path) -> None:
    ax = render(vis.plot_parallel_coordinate(study), tmp_path)
    lines = [c for c in ax.collections if len(c.get_segments()) == 25]
    assert len(lines) == 1  # one line per complete trial
    styles = {tuple(ls[1]) if ls[1] is not None else None for ls in lines[0].get_linestyles()}
    assert len(styles) == 2  # infeasible trials dotted
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["Objective Value", "c", "lr", "n", "x"]


def test_rank(study: Any, tmp_path: pathlib.Path) -> None:
    axes = vis.plot_rank(study, params=["x", "lr", "n"])
    assert axes.shape == (3, 3)
    assert axes[1, 1].get_yscale() == "log"  # params in the given order: lr second
    render(axes, tmp_path)
    ax = render(vis.plot_rank(study, params=["x", "c"]), tmp_path)
    grey = np.all(np.isclose(ax.collections[0].get_facecolors()[:, :3], 0.8), axis=1)
    assert grey.sum() == sum(t.params["x"] > 2 for t in study.trials if t.value is not None)


def test_param_importances(study: Any, tmp_path: pathlib.Path) -> None:
    ax = render(vis.plot_param_importances(study), tmp_path)
    widths = [p.get_width() for p in ax.patches]
    assert sum(widths) == pytest.approx(1.0) and widths == sorted(widths)


def test_edf(study: Any, tmp_path: pathlib.Path) -> None:
    ax = render(vis.plot_edf(study), tmp_path)
    (line,) = ax.get_lines()
    assert line.get_ydata()[-1] == 1.0 and len(line.get_xdata()) == 100


def test_timeline(study: Any, tmp_path: pathlib.Path) -> None:
    ax = render(vis.plot_timeline(study), tmp_path)
    (bars,) = ax.collections
    assert len(bars.get_paths()) == 30
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["COMPLETE", "PRUNED", "INFEASIBLE"]


@pytest.mark.parametrize("n_objectives", [2, 3])
def test_pareto_front(n_objectives: int, tmp_path: pathlib.Path) -> None:
    ax = render(
        vis.plot_pareto_front(build_multi(trimtab, 30, n_objectives=n_objectives)), tmp_path
    )
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["Infeasible Trial", "Feasible Trial", "Best Trial"]
    assert (ax.name == "3d") == (n_objectives == 3)


def test_hypervolume_history(tmp_path: pathlib.Path) -> None:
    ax = render(vis.plot_hypervolume_history(build_multi(trimtab, 20), [1.5, -0.5]), tmp_path)
    values = ax.get_lines()[0].get_ydata()
    assert len(values) == 20 and list(values) == sorted(values)

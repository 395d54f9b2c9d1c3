"""The Plotly front-end: every plot renders to JSON, with the expected traces and axes."""

from __future__ import annotations

import base64
import json
import math
from typing import Any

import numpy as np
import pytest
from viz_studies import build, build_multi

import trimtab
from trimtab import visualization as vis

pytestmark = pytest.mark.filterwarnings("ignore")


def decode(node: Any) -> Any:
    """Undo plotly's base64 encoding of numpy arrays in JSON (``{"bdata": ...}``)."""
    if isinstance(node, dict):
        if "bdata" in node and "dtype" in node:
            array = np.frombuffer(base64.b64decode(node["bdata"]), dtype=node["dtype"])
            if "shape" in node:
                array = array.reshape([int(v) for v in str(node["shape"]).split(",")])
            return [None if isinstance(v, float) and math.isnan(v) else v for v in array.tolist()]
        return {k: decode(v) for k, v in node.items()}
    if isinstance(node, list):
        return [decode(v) for v in node]
    return node


def as_json(figure: Any) -> dict[str, Any]:
    """Render the figure to JSON and read it back."""
    return decode(json.loads(figure.to_json()))


@pytest.fixture(scope="module")
def study() -> Any:
    return build(trimtab, 30, constraints=True, pruned_every=6)


def test_is_available() -> None:
    assert vis.is_available() is True


def test_optimization_history(study: Any) -> None:
    fig = as_json(vis.plot_optimization_history(study))
    points, best, infeasible = fig["data"]
    assert (points["mode"], best["mode"], infeasible["name"]) == (
        "markers",
        "lines",
        "Infeasible Trial",
    )
    trials = study.get_trials()
    feasible = [t for t in trials if t.state.name == "COMPLETE" and t.params["x"] <= 2]
    assert points["x"] == [t.number for t in feasible]
    assert infeasible["marker"]["color"] == "#cccccc"
    assert best["y"][-1] == pytest.approx(min(t.value for t in feasible))
    assert fig["layout"]["yaxis"]["title"]["text"] == "Objective Value"


def test_optimization_history_error_bar() -> None:
    studies = [build(trimtab, 10, seed=s) for s in range(3)]
    fig = as_json(vis.plot_optimization_history(studies, error_bar=True))
    assert fig["data"][0]["error_y"]["visible"] is True
    assert len(fig["data"][0]["error_y"]["array"]) == 10
    assert fig["data"][3]["fill"] == "tonexty"  # the band around the best value


def test_intermediate_values(study: Any) -> None:
    fig = as_json(vis.plot_intermediate_values(study))
    assert len(fig["data"]) == 30  # pruned trials too
    grey = [t for t in fig["data"] if t["marker"].get("color") == "#CCCCCC"]
    assert len(grey) == sum(t.params["x"] > 2 for t in study.trials)
    assert fig["data"][0]["x"] == [0, 1, 2]


def test_contour_axes_and_grid(study: Any) -> None:
    fig = as_json(vis.plot_contour(study, params=["lr", "c"]))
    contour, feasible, infeasible = fig["data"]
    assert fig["layout"]["xaxis"]["type"] == "category"  # c
    assert fig["layout"]["yaxis"]["type"] == "log"  # lr
    low, high = fig["layout"]["yaxis"]["range"]
    assert low < math.log10(min(t.params["lr"] for t in study.trials)) < high
    z = np.array(contour["z"], dtype=float)
    assert z.shape == (len(contour["y"]), len(contour["x"]))
    assert contour["reversescale"] is True  # minimisation
    assert len(feasible["x"]) + len(infeasible["x"]) == 25  # complete trials


def test_contour_matrix(study: Any) -> None:
    fig = vis.plot_contour(study, params=["x", "lr", "n"])
    assert len(fig.data) == 3 + 6 * 3  # a scatter per diagonal cell, 3 traces per pair
    assert fig.layout.yaxis.type == "log"  # row 1 is lr (params sorted: lr, n, x)
    assert fig.layout.xaxis4.type == "log" and fig.layout.xaxis2.type is None
    assert fig.layout.xaxis7.title.text == "lr" and fig.layout.yaxis7.title.text == "x"
    as_json(fig)


def test_slice(study: Any) -> None:
    fig = as_json(vis.plot_slice(study, params=["c", "lr"]))
    assert fig["layout"]["xaxis"]["type"] == "category"
    assert fig["layout"]["xaxis"]["categoryarray"] == ["'a'", "'b'", "'c'"]
    assert fig["layout"]["xaxis2"]["type"] == "log"
    assert fig["data"][0]["marker"]["showscale"] is True
    assert all(x in ("'a'", "'b'", "'c'") for x in fig["data"][0]["x"])


def test_parallel_coordinate(study: Any) -> None:
    fig = as_json(vis.plot_parallel_coordinate(study))
    lines = [t for t in fig["data"] if t["mode"] == "lines" and t.get("showlegend") is False]
    n_segments = sum(sum(1 for v in t["x"] if v is None) for t in lines)
    assert n_segments == 25  # one polyline per complete trial
    assert {t["line"]["dash"] for t in lines} == {"solid", "dot"}  # infeasible dotted
    labels = fig["layout"]["xaxis"]["ticktext"]
    assert labels == ["Objective Value", "c", "lr", "n", "x"]


def test_rank(study: Any) -> None:
    fig = as_json(vis.plot_rank(study, params=["x", "c"]))
    assert fig["layout"]["yaxis"]["type"] == "category"
    colorbar = fig["data"][-1]["marker"]["colorbar"]
    assert colorbar["ticktext"][0].startswith("min.")
    points = fig["data"][0]
    assert len(points["customdata"]) == len(points["x"])


def test_param_importances(study: Any) -> None:
    fig = as_json(vis.plot_param_importances(study))
    (bars,) = fig["data"]
    assert bars["orientation"] == "h"
    assert sorted(bars["y"]) == ["c", "lr", "n", "x"]
    assert bars["x"] == sorted(bars["x"])  # ascending: most important on top
    assert sum(bars["x"]) == pytest.approx(1.0)


def test_param_importances_multi_objective() -> None:
    fig = vis.plot_param_importances(build_multi(trimtab, 20))
    assert [bar.name for bar in fig.data] == ["Objective Value 0", "Objective Value 1"]


def test_edf(study: Any) -> None:
    fig = as_json(vis.plot_edf([study, build(trimtab, 10, seed=3, name="other")]))
    assert len(fig["data"]) == 2
    assert fig["layout"]["yaxis"]["range"] == [0, 1]
    assert fig["data"][0]["y"][-1] == 1.0


def test_timeline(study: Any) -> None:
    fig = as_json(vis.plot_timeline(study))
    names = [t["name"] for t in fig["data"]]
    assert names == ["INFEASIBLE", "COMPLETE", "PRUNED"]
    assert fig["layout"]["xaxis"]["type"] == "date"
    assert all(w == 1000.0 for t in fig["data"] for w in t["x"])  # 1 s runs
    assert len(vis.plot_timeline(study, n_recent_trials=4).data[0].y) <= 4


@pytest.mark.parametrize("n_objectives", [2, 3])
def test_pareto_front(n_objectives: int) -> None:
    multi = build_multi(trimtab, 30, n_objectives=n_objectives)
    fig = as_json(vis.plot_pareto_front(multi))
    kind = "scatter" if n_objectives == 2 else "scatter3d"
    assert [t["type"] for t in fig["data"]] == [kind] * 3  # infeasible, feasible, best
    infeasible, dominated, best = fig["data"]
    n_infeasible = sum(any(c > 0 for c in t.constraints.values()) for t in multi.trials)
    assert n_infeasible > 0
    assert len(infeasible["x"]) == n_infeasible and infeasible["marker"]["color"] == "#cccccc"
    assert len(dominated["x"]) + len(best["x"]) == 30 - n_infeasible
    front = multi.best_trials
    assert len(best["x"]) == len(
        [t for t in front if not any(v > 0 for v in t.constraints.values())]
    )
    assert best["marker"]["colorscale"][0][1] != dominated["marker"]["colorscale"][0][1]
    fig = as_json(vis.plot_pareto_front(multi, include_dominated_trials=False))
    assert fig["data"][1]["x"] == []


def test_pareto_front_targets_and_names() -> None:
    multi = build_multi(trimtab, 10, n_objectives=3)
    fig = vis.plot_pareto_front(
        multi, targets=lambda t: (t.values[0], t.values[2]), target_names=["first", "third"]
    )
    assert fig.layout.xaxis.title.text == "first"
    assert fig.data[0].type == "scatter"


def test_hypervolume_history() -> None:
    multi = build_multi(trimtab, 20)
    fig = as_json(vis.plot_hypervolume_history(multi, reference_point=[1.5, -0.5]))
    values = fig["data"][0]["y"]
    assert len(values) == 20 and values == sorted(values) and values[-1] > 0


def test_colour_scales_are_explicit(study: Any) -> None:
    """Figures built without validation must not rely on plotly's named scales."""

    def scales(node: Any) -> list[Any]:
        if isinstance(node, dict):
            found = [v for k, v in node.items() if k == "colorscale"]
            return found + [s for v in node.values() for s in scales(v)]
        if isinstance(node, list):
            return [s for v in node for s in scales(v)]
        return []

    for figure in (
        vis.plot_rank(study),
        vis.plot_contour(study),
        vis.plot_slice(study),
        vis.plot_parallel_coordinate(study),
    ):
        found = scales(as_json(figure)["data"])
        assert found and all(isinstance(s, list) and len(s) > 1 for s in found)


def test_intermediate_values_of_many_trials_share_traces() -> None:
    big = build(trimtab, 1200, constraints=True)
    fig = vis.plot_intermediate_values(big)
    assert len(fig.data) == 11  # ten colours of the default cycle, plus grey for infeasible
    n_lines = sum(int(np.isnan(np.asarray(t.y, dtype=float)).sum()) for t in fig.data)
    assert n_lines == 1200
    grey = next(t for t in fig.data if t.line.color == "#CCCCCC")
    assert int(np.isnan(np.asarray(grey.y, dtype=float)).sum()) == sum(
        t.params["x"] > 2 for t in big.get_trials(deepcopy=False)
    )
    as_json(fig)

"""The plot-data functions: what they compute on hand-checked cases and large studies."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import numpy as np
import optuna
import pytest
from viz_studies import build

import trimtab
from trimtab.visualization import _data
from trimtab.visualization._data._contour import MAX_GRID_VALUES

pytestmark = pytest.mark.filterwarnings("ignore")


def float_study(values: list[tuple[float, float, float]], direction: str = "minimize") -> Any:
    study = trimtab.create_study(direction=direction)
    dists = {
        "a": trimtab.distributions.FloatDistribution(0, 10),
        "b": trimtab.distributions.FloatDistribution(1e-3, 1e3, log=True),
    }
    study.add_trials(
        trimtab.trial.create_trial(params={"a": a, "b": b}, distributions=dists, value=v)
        for a, b, v in values
    )
    return study


def test_data_package_imports_no_plotting_library() -> None:
    code = (
        "import sys, trimtab.visualization._data, trimtab.visualization, trimtab.importance;"
        "heavy = ('plotly', 'matplotlib', 'sklearn', 'pandas');"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_history_best_value_skips_infeasible_and_maximises() -> None:
    study = build(trimtab, 12, direction="maximize", constraints=True)
    (info,) = _data.optimization_history_data(study)
    values = [t.value for t in study.trials]
    feasible = [t.params["x"] <= 2 for t in study.trials]
    expected = np.maximum.accumulate([v if ok else -np.inf for v, ok in zip(values, feasible)])
    assert info.best_values_info.values == list(expected)
    assert [s.name for s in info.values_info.states] == [
        "Feasible" if ok else "Infeasible" for ok in feasible
    ]


def test_history_with_target_has_no_best_line() -> None:
    (info,) = _data.optimization_history_data(
        build(trimtab, 5), target=lambda t: t.params["x"], target_name="x"
    )
    assert info.best_values_info is None and info.values_info.label_name == "x"


def test_contour_keeps_best_value_per_cell() -> None:
    study = float_study([(1, 1, 5.0), (1, 1, 2.0), (3, 10, 7.0)])
    sub = _data.contour_data(study).sub_plot_infos[0][0]
    assert sub.xaxis.indices[1:-1] == [1.0, 3.0] and sub.yaxis.is_log
    assert sub.z[1, 1] == 2.0 and sub.z[2, 2] == 7.0
    assert np.isnan(sub.z).sum() == sub.z.size - 2
    maximised = float_study([(1, 1, 5.0), (1, 1, 2.0), (3, 10, 7.0)], direction="maximize")
    assert _data.contour_data(maximised).sub_plot_infos[0][0].z[1, 1] == 5.0


def test_contour_snaps_many_distinct_values_to_a_fixed_grid() -> None:
    rng = np.random.default_rng(0)
    rows = [(rng.uniform(0, 10), 10 ** rng.uniform(-3, 3), rng.normal()) for _ in range(2000)]
    sub = _data.contour_data(float_study(rows)).sub_plot_infos[0][0]
    assert len(sub.xaxis.indices) == len(sub.yaxis.indices) == MAX_GRID_VALUES + 2
    assert sub.z.shape == (MAX_GRID_VALUES + 2, MAX_GRID_VALUES + 2)
    # Each cell holds the minimum of the trials snapped into it.
    a = np.array([r[0] for r in rows])
    cells = np.rint((a - a.min()) / (a.max() - a.min()) * (MAX_GRID_VALUES - 1)).astype(int) + 1
    assert np.array_equal(sub.xaxis.cell, cells)
    values = np.array([r[2] for r in rows])
    for i in range(5):
        mask = (sub.xaxis.cell == sub.xaxis.cell[i]) & (sub.yaxis.cell == sub.yaxis.cell[i])
        assert sub.z[sub.yaxis.cell[i], sub.xaxis.cell[i]] == values[mask].min()
    # Log axes are snapped in log space.
    grid = np.array(sub.yaxis.indices[1:-1])
    assert np.allclose(np.diff(np.log10(grid)), np.log10(grid[1] / grid[0]))


def test_contour_surface_interpolates_between_trials() -> None:
    study = float_study([(0, 1e-3, 0.0), (10, 1e3, 10.0), (0, 1e3, 5.0), (10, 1e-3, 5.0)])
    xi, yi, zi = _data.contour_surface(_data.contour_data(study).sub_plot_infos[0][0], 20)
    assert zi.shape == (20, 20) and not np.isnan(zi).any()
    assert zi.min() >= 0.0 - 1e-9 and zi.max() <= 10.0 + 1e-9  # harmonic: no overshoot
    assert yi[0] < yi[-1] and np.isclose(np.log10(yi[1] / yi[0]), np.log10(yi[2] / yi[1]))


def test_rank_ties_share_their_mean_rank() -> None:
    assert list(_data._rank.average_ranks(np.array([3.0, 1.0, 3.0, 2.0]))) == [2.5, 0, 2.5, 1]


def test_rank_colors_match_plotly_scale() -> None:
    import plotly.colors

    positions = np.linspace(0, 1, 11)
    expected = [
        plotly.colors.unlabel_rgb(c) for c in plotly.colors.sample_colorscale("RdYlBu_r", positions)
    ]
    assert np.array_equal(_data._rank.rank_colors(positions), np.array(expected))


def test_parallel_numeric_categorical_matches_optuna() -> None:
    from optuna.visualization._parallel_coordinate import _get_parallel_coordinate_info

    infos = []
    for mod in (optuna, trimtab):
        study = mod.create_study()
        dist = {"k": mod.distributions.CategoricalDistribution([8, 2, 4])}
        study.add_trials(
            mod.trial.create_trial(params={"k": k}, distributions=dist, value=float(i))
            for i, k in enumerate([4, 8, 2, 2, 8])
        )
        infos.append(study)
    theirs = _get_parallel_coordinate_info(infos[0])
    ours = _data.parallel_coordinate_data(infos[1])
    assert ours.dims_params[0].values == theirs.dims_params[0].values
    assert ours.dims_params[0].ticktext == theirs.dims_params[0].ticktext
    assert ours.color_values == theirs.color_values


def test_hypervolume_matches_direct_computation() -> None:
    from trimtab.hypervolume import compute_hypervolume

    study = trimtab.create_study(directions=["minimize", "minimize"])
    rng = np.random.default_rng(1)
    points = rng.uniform(size=(40, 2))
    study.add_trials(trimtab.trial.create_trial(values=list(p)) for p in points)
    info = _data.hypervolume_history_data(study, [1.0, 1.0])
    for k in (1, 10, 40):
        assert info.values[k - 1] == pytest.approx(compute_hypervolume(points[:k], np.ones(2)))


def test_large_study_data_is_consistent() -> None:
    study = build(trimtab, 3000)
    slice_info = _data.slice_data(study)
    assert [s.param_name for s in slice_info.subplots] == ["c", "lr", "n", "x"]
    assert all(len(s.x) == 3000 for s in slice_info.subplots)
    parallel = _data.parallel_coordinate_data(study)
    assert all(len(d.values) == 3000 for d in parallel.dims_params)
    edf = _data.edf_data(study)
    assert edf.lines[0].y_values[-1] == 1.0 and np.all(np.diff(edf.lines[0].y_values) >= 0)


@pytest.mark.parametrize(
    ("blocked", "call", "extra"),
    [
        ("plotly", "trimtab.visualization.plot_edf(s)", "trimtab[visualization]"),
        ("matplotlib", "trimtab.visualization.matplotlib.plot_edf(s)", "trimtab[visualization]"),
        (
            "sklearn",
            "trimtab.importance.FanovaImportanceEvaluator()",
            "trimtab[importance]",
        ),
    ],
)
def test_missing_library_names_the_extra(blocked: str, call: str, extra: str) -> None:
    code = (
        f"import sys; sys.modules[{blocked!r}] = None\n"
        "import warnings; warnings.simplefilter('ignore')\n"
        "import trimtab, trimtab.visualization, trimtab.importance\n"
        "s = trimtab.create_study()\n"
        f"try:\n    {call}\nexcept ImportError as err:\n    print(err)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert f'pip install "{extra}"' in out.stdout
    if blocked != "sklearn":
        module = "v" if blocked == "plotly" else "v.matplotlib"
        code = f"import sys; sys.modules[{blocked!r}] = None\nimport trimtab.visualization as v\n"
        code += f"import warnings; warnings.simplefilter('ignore'); print({module}.is_available())"
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert out.stdout.strip() == "False", out.stderr

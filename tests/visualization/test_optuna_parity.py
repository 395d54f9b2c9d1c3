"""Each plot-data function computes what Optuna 5.0.0 computes for the same study.

Both libraries get identical studies (built with ``add_trials``); the comparison is against
Optuna's own plot-info functions, field by field.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import optuna
import pytest
from viz_studies import build, build_multi

import trimtab
from trimtab.visualization import _data

pytestmark = pytest.mark.filterwarnings("ignore")


def same(a: Any, b: Any) -> bool:
    """Equal, treating nan == nan and comparing floats to 1e-9."""
    a_arr, b_arr = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    if a_arr.shape != b_arr.shape:
        return False
    for x, y in zip(a_arr.ravel(), b_arr.ravel()):
        if isinstance(x, float) or isinstance(y, float):
            if x is None or y is None:
                return x is y
            if not (math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12) or (x != x and y != y)):
                return False
        elif x != y:
            return False
    return True


@pytest.fixture(scope="module")
def pair() -> tuple[Any, Any]:
    kwargs = {"n": 40, "constraints": True, "pruned_every": 7}
    return build(optuna, **kwargs), build(trimtab, **kwargs)


@pytest.mark.parametrize("error_bar", [False, True])
def test_optimization_history(pair: tuple[Any, Any], error_bar: bool) -> None:
    from optuna.visualization._optimization_history import _get_optimization_history_info_list

    o_study, t_study = pair
    o_study2, t_study2 = build(optuna, 25, seed=1, name="b"), build(trimtab, 25, seed=1, name="b")
    for studies in ([o_study], [o_study, o_study2]):
        t_studies = [t_study] if len(studies) == 1 else [t_study, t_study2]
        ours = _data.optimization_history_data(t_studies, None, "Objective Value", error_bar)
        theirs = _get_optimization_history_info_list(studies, None, "Objective Value", error_bar)
        assert len(ours) == len(theirs)
        for mine, ref in zip(ours, theirs):
            assert mine.trial_numbers == ref.trial_numbers
            pairs = [(mine.values_info, ref.values_info)]
            pairs.append((mine.best_values_info, ref.best_values_info))
            for m, r in pairs:
                assert same(m.values, r.values)
                assert (m.stds is None) == (r.stds is None)
                if m.stds is not None:
                    assert same(m.stds, r.stds)
                if len(studies) == 1 or error_bar:  # several studies: labels name each study
                    assert m.label_name == r.label_name
                assert [s.name for s in m.states] == [s.name for s in r.states]


def test_intermediate_values(pair: tuple[Any, Any]) -> None:
    from optuna.visualization._intermediate_values import _get_intermediate_plot_info

    ours = _data.intermediate_values_data(pair[1]).trial_infos
    theirs = _get_intermediate_plot_info(pair[0]).trial_infos
    assert [tuple(t) for t in ours] == [tuple(t) for t in theirs]


def test_edf(pair: tuple[Any, Any]) -> None:
    from optuna.visualization._edf import _get_edf_info

    ours, theirs = _data.edf_data(pair[1]), _get_edf_info(pair[0])
    assert same(ours.x_values, theirs.x_values)
    assert same(ours.lines[0].y_values, theirs.lines[0].y_values)


def test_timeline(pair: tuple[Any, Any]) -> None:
    from optuna.visualization._timeline import _get_timeline_info

    ours = _data.timeline_data(pair[1], n_recent_trials=30).bars
    theirs = _get_timeline_info(pair[0], n_recent_trials=30).bars
    assert [(b.number, b.start, b.complete, b.state.name, b.infeasible) for b in ours] == [
        (b.number, b.start, b.complete, b.state.name, b.infeasible) for b in theirs
    ]
    assert [b.hovertext for b in ours] == [b.hovertext for b in theirs]


@pytest.mark.parametrize("n_objectives", [2, 3])
def test_hypervolume_history(n_objectives: int) -> None:
    from optuna.visualization._hypervolume_history import _get_hypervolume_history_info

    ref = np.array([1.5, -0.5, 1.5][:n_objectives])
    ours = _data.hypervolume_history_data(build_multi(trimtab, n_objectives=n_objectives), ref)
    theirs = _get_hypervolume_history_info(build_multi(optuna, n_objectives=n_objectives), ref)
    assert ours.trial_numbers == theirs.trial_numbers
    assert same(ours.values, theirs.values)


@pytest.mark.parametrize("params", [None, ["lr", "c"]])
def test_slice(pair: tuple[Any, Any], params: list[str] | None) -> None:
    from optuna.visualization._slice import _get_slice_plot_info

    ours = _data.slice_data(pair[1], params)
    theirs = _get_slice_plot_info(pair[0], params, None, "Objective Value")
    assert len(ours.subplots) == len(theirs.subplots)
    for mine, ref in zip(ours.subplots, theirs.subplots):
        assert mine.param_name == ref.param_name
        assert (mine.is_log, mine.is_numerical) == (ref.is_log, ref.is_numerical)
        assert mine.x_labels == ref.x_labels
        assert mine.x == ref.x and same(mine.y, ref.y)
        assert mine.trial_numbers == ref.trial_numbers and mine.constraints == ref.constraints


@pytest.mark.parametrize("params", [None, ["x", "c"], ["lr", "n"]])
@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_contour(params: list[str] | None, direction: str) -> None:
    from optuna.visualization._contour import _get_contour_info

    o_study = build(optuna, 30, direction=direction, constraints=True)
    t_study = build(trimtab, 30, direction=direction, constraints=True)
    ours = _data.contour_data(t_study, params)
    theirs = _get_contour_info(o_study, params)
    assert ours.sorted_params == theirs.sorted_params
    assert ours.reverse_scale == theirs.reverse_scale
    for row_mine, row_ref in zip(ours.sub_plot_infos, theirs.sub_plot_infos):
        for mine, ref in zip(row_mine, row_ref):
            for a, b in ((mine.xaxis, ref.xaxis), (mine.yaxis, ref.yaxis)):
                assert (a.name, a.is_log, a.is_cat) == (b.name, b.is_log, b.is_cat)
                assert same(a.range, b.range) and same(a.indices, b.indices)
                assert same(a.values, b.values)
            expected = {key: value for key, value in ref.z_values.items()}
            got = {}
            if mine.z is not None:
                ys, xs = np.nonzero(~np.isnan(mine.z))
                got = {(int(x), int(y)): float(mine.z[y, x]) for x, y in zip(xs, ys)}
            assert got.keys() == expected.keys()
            assert same([got[k] for k in sorted(got)], [expected[k] for k in sorted(expected)])


@pytest.mark.parametrize("params", [None, ["x", "c"], ["lr"]])
def test_rank(pair: tuple[Any, Any], params: list[str] | None) -> None:
    from optuna.visualization._rank import _get_rank_info

    ours = _data.rank_data(pair[1], params)
    theirs = _get_rank_info(pair[0], params, None, "Objective Value")
    assert ours.params == theirs.params
    assert same(ours.zs, theirs.zs)
    assert np.array_equal(ours.colors, theirs.colors)
    for row_mine, row_ref in zip(ours.sub_plot_infos, theirs.sub_plot_infos):
        for mine, ref in zip(row_mine, row_ref):
            for a, b in ((mine.xaxis, ref.xaxis), (mine.yaxis, ref.yaxis)):
                assert (a.name, a.is_log, a.is_cat) == (b.name, b.is_log, b.is_cat)
                assert same(a.range, b.range)
            assert mine.xs == ref.xs and mine.ys == ref.ys
            assert np.array_equal(mine.colors, ref.colors)


@pytest.mark.parametrize("params", [None, ["c", "lr"], ["n"]])
def test_parallel_coordinate(pair: tuple[Any, Any], params: list[str] | None) -> None:
    from optuna.visualization._parallel_coordinate import _get_parallel_coordinate_info

    ours = _data.parallel_coordinate_data(pair[1], params)
    theirs = _get_parallel_coordinate_info(pair[0], params)
    _same_parallel(ours, theirs)


def test_parallel_coordinate_multi_objective() -> None:
    from optuna.visualization._parallel_coordinate import _get_parallel_coordinate_info

    ours = _data.parallel_coordinate_data(build_multi(trimtab))
    theirs = _get_parallel_coordinate_info(build_multi(optuna))
    _same_parallel(ours, theirs)


def _same_parallel(ours: Any, theirs: Any) -> None:
    assert ours.reverse_scale == theirs.reverse_scale
    assert ours.colorbar_title == theirs.colorbar_title
    assert same(ours.color_values, theirs.color_values)
    assert ours.is_rank_color == theirs.is_rank_color
    assert tuple(ours.draw_order) == tuple(theirs.draw_order)
    assert ours.feasibility == theirs.feasibility
    dims_mine = ours.dims_objectives + ours.dims_params
    dims_ref = theirs.dims_objectives + theirs.dims_params
    assert len(dims_mine) == len(dims_ref)
    for a, b in zip(dims_mine, dims_ref):
        assert (a.label, a.is_log, a.is_cat) == (b.label, b.is_log, b.is_cat)
        assert a.has_missing == b.has_missing
        assert same(a.values, b.values) and same(a.range, b.range)
        assert same(a.tickvals, b.tickvals) and list(a.ticktext) == list(b.ticktext)


def test_parallel_coordinate_missing_values() -> None:
    from optuna.visualization._parallel_coordinate import _get_parallel_coordinate_info

    studies = []
    for mod in (optuna, trimtab):
        study = mod.create_study()
        d = mod.distributions
        for i in range(8):
            params: dict[str, Any] = {"a": float(i)}
            dists: dict[str, Any] = {"a": d.FloatDistribution(0, 10)}
            if i % 2:
                params.update(b=10.0**-i, k="u" if i % 3 else "v")
                dists["b"] = d.FloatDistribution(1e-9, 1, log=True)
                dists["k"] = d.CategoricalDistribution(["u", "v"])
            trial = mod.trial.create_trial(params=params, distributions=dists, value=i * 0.5)
            study.add_trial(trial)
        studies.append(study)
    ours = _data.parallel_coordinate_data(studies[1])
    _same_parallel(ours, _get_parallel_coordinate_info(studies[0]))


def test_param_importances(pair: tuple[Any, Any]) -> None:
    from optuna.visualization._param_importances import _get_importances_infos

    (ours,) = _data.param_importances_data(pair[1])
    (theirs,) = _get_importances_infos(pair[0], None, None, None, "Objective Value")
    assert ours.param_names == theirs.param_names
    assert same(ours.importance_values, theirs.importance_values)
    assert ours.importance_labels == theirs.importance_labels


@pytest.mark.parametrize("include_dominated", [True, False])
@pytest.mark.parametrize("n_objectives", [2, 3])
def test_pareto_front(include_dominated: bool, n_objectives: int) -> None:
    from optuna.visualization._pareto_front import _get_pareto_front_info

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = _data.pareto_front_data(
            build_multi(trimtab, n_objectives=n_objectives), None, include_dominated
        )
        theirs = _get_pareto_front_info(
            build_multi(optuna, n_objectives=n_objectives), None, include_dominated
        )
    assert (ours.n_targets, ours.target_names, ours.has_constraints) == (
        theirs.n_targets,
        theirs.target_names,
        theirs.has_constraints,
    )
    for mine, ref in (
        (ours.best_trials_with_values, theirs.best_trials_with_values),
        (ours.non_best_trials_with_values, theirs.non_best_trials_with_values),
        (ours.infeasible_trials_with_values, theirs.infeasible_trials_with_values),
    ):
        assert [(t.number, v) for t, v in mine] == [(t.number, v) for t, v in ref]

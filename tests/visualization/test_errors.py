"""Errors, warnings and log lines match Optuna's for empty studies and bad arguments."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from typing import Any

import optuna
import pytest
from viz_studies import build, build_multi

import trimtab

PLOTS = [
    "plot_optimization_history",
    "plot_intermediate_values",
    "plot_parallel_coordinate",
    "plot_contour",
    "plot_slice",
    "plot_param_importances",
    "plot_edf",
    "plot_rank",
    "plot_timeline",
]


def outcome(call: Callable[[], Any], caplog: pytest.LogCaptureFixture) -> tuple[Any, ...]:
    """What a call does: (exception type and message, warning messages, log messages)."""
    import matplotlib.pyplot as plt

    plt.close("all")
    caplog.clear()
    error = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            call()
        except Exception as err:  # noqa: BLE001 - the exception is what we compare
            error = (type(err).__name__, str(err))
    messages = sorted(
        str(w.message).replace("optuna", "trimtab")
        for w in caught
        # Experimental notices differ in module path; matplotlib's own legend notice comes
        # from Optuna drawing an empty legend, which trimtab avoids.
        if "experimental" not in str(w.message) and "No artists with labels" not in str(w.message)
    )
    logs = sorted(r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING)
    return error, messages, logs


@pytest.fixture(autouse=True)
def propagate_logs() -> Any:
    levels = optuna.logging.get_verbosity(), trimtab.logging.get_verbosity()
    for lib in (optuna, trimtab):
        lib.logging.set_verbosity(lib.logging.WARNING)
        lib.logging.enable_propagation()
    yield
    for lib, level in zip((optuna, trimtab), levels):
        lib.logging.disable_propagation()
        lib.logging.set_verbosity(level)


def both(
    caplog: pytest.LogCaptureFixture, name: str, make: Callable[[Any], Any], **kwargs: Any
) -> None:
    backends = [
        (optuna.visualization, trimtab.visualization),
        (optuna.visualization.matplotlib, trimtab.visualization.matplotlib),
    ]
    for o_back, t_back in backends:
        o_fn, t_fn = getattr(o_back, name), getattr(t_back, name)
        theirs = outcome(lambda f=o_fn: f(make(optuna), **kwargs), caplog)
        ours = outcome(lambda f=t_fn: f(make(trimtab), **kwargs), caplog)
        assert ours == theirs, (t_back.__name__, name)


@pytest.mark.parametrize("name", PLOTS)
def test_empty_study(name: str, caplog: pytest.LogCaptureFixture) -> None:
    both(caplog, name, lambda mod: mod.create_study())


@pytest.mark.parametrize("name", PLOTS)
def test_only_pruned_trials(name: str, caplog: pytest.LogCaptureFixture) -> None:
    both(caplog, name, lambda mod: build(mod, 4, pruned_every=1))


# The other plots draw multi-objective studies without a target (tested elsewhere).
NEED_TARGET = ["plot_optimization_history", "plot_contour", "plot_slice", "plot_edf", "plot_rank"]


@pytest.mark.parametrize("name", NEED_TARGET)
def test_multi_objective_without_target(name: str, caplog: pytest.LogCaptureFixture) -> None:
    both(caplog, name, lambda mod: build_multi(mod, 6))


@pytest.mark.parametrize(
    "name", ["plot_contour", "plot_slice", "plot_rank", "plot_parallel_coordinate"]
)
def test_unknown_param(name: str, caplog: pytest.LogCaptureFixture) -> None:
    both(caplog, name, lambda mod: build(mod, 6), params=["x", "nope"])


@pytest.mark.parametrize("name", ["plot_contour", "plot_slice", "plot_rank", "plot_edf"])
def test_target_with_default_name_warns(name: str, caplog: pytest.LogCaptureFixture) -> None:
    both(caplog, name, lambda mod: build(mod, 6), target=lambda t: t.params["x"])


def test_contour_single_param(caplog: pytest.LogCaptureFixture) -> None:
    both(caplog, "plot_contour", lambda mod: build(mod, 6), params=["x"])


def test_timeline_rejects_non_positive_n(caplog: pytest.LogCaptureFixture) -> None:
    both(caplog, "plot_timeline", lambda mod: build(mod, 3), n_recent_trials=0)


def test_hypervolume_errors(caplog: pytest.LogCaptureFixture) -> None:
    both(caplog, "plot_hypervolume_history", lambda mod: build(mod, 3), reference_point=[1.0])
    both(caplog, "plot_hypervolume_history", lambda mod: build_multi(mod, 3), reference_point=[1.0])
    both(
        caplog,
        "plot_hypervolume_history",
        lambda mod: mod.create_study(directions=["minimize"] * 2),
        reference_point=[1.0, 1.0],
    )


def test_pareto_front_errors(caplog: pytest.LogCaptureFixture) -> None:
    both(caplog, "plot_pareto_front", lambda mod: build(mod, 3))
    both(caplog, "plot_pareto_front", lambda mod: build_multi(mod, 4), target_names=["a"])
    both(
        caplog, "plot_pareto_front", lambda mod: build_multi(mod, 4), targets=lambda t: t.values[0]
    )
    both(caplog, "plot_pareto_front", lambda mod: mod.create_study(directions=["minimize"] * 2))
    both(
        caplog,
        "plot_pareto_front",
        lambda mod: mod.create_study(directions=["minimize"] * 2),
        targets=lambda t: t.values,
    )
    both(
        caplog,
        "plot_pareto_front",
        lambda mod: build_multi(mod, 4),
        constraints_func=lambda t: [t.values[0] - 0.5],
    )


def test_param_importances_multi_objective_needs_no_target(
    caplog: pytest.LogCaptureFixture,
) -> None:
    both(caplog, "plot_param_importances", lambda mod: build_multi(mod, 12))

"""``plot_terminator_improvement``: the data matches Optuna 5.0's, both front-ends draw it."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import trimtab
import trimtab.terminator
from trimtab.terminator import BestValueStagnationEvaluator
from trimtab.visualization import _data

pytestmark = [
    pytest.mark.filterwarnings("ignore::FutureWarning"),
    pytest.mark.filterwarnings("ignore:.*Evaluator is experimental"),
]


def _study(lib: Any, n: int, *, cv: bool = False, fail_every: int = 0) -> Any:
    """The same study in either library: x on a grid, values from a fixed sequence."""
    rng = np.random.default_rng(0)
    study = lib.create_study(direction="maximize")
    for i in range(n):
        study.enqueue_trial({"x": (i * 7 % n) / n})
        trial = study.ask()
        x = trial.suggest_float("x", 0.0, 1.0)
        if fail_every and i % fail_every == fail_every - 1:
            study.tell(trial, state=lib.trial.TrialState.FAIL)
            continue
        scores = 1.0 - (x - 0.3) ** 2 + rng.normal(0, 0.01, size=4)
        if cv:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                lib.terminator.report_cross_validation_scores(trial, scores)
        study.tell(trial, float(scores.mean()))
    return study


@pytest.mark.filterwarnings("ignore::optuna.exceptions.ExperimentalWarning")
@pytest.mark.filterwarnings("ignore::trimtab.exceptions.ExperimentalWarning")
@pytest.mark.parametrize("min_n_trials", [5, 40])
def test_data_matches_optunas_with_the_stagnation_evaluator(min_n_trials: int) -> None:
    import optuna.terminator
    from optuna.visualization._terminator_improvement import (
        _get_improvement_info,
        _get_y_range,
    )

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    theirs_study, ours_study = _study(optuna, 30, fail_every=4), _study(trimtab, 30, fail_every=4)
    theirs = _get_improvement_info(
        theirs_study, True, optuna.terminator.BestValueStagnationEvaluator(3)
    )
    ours = _data.terminator_improvement_data(
        ours_study, True, BestValueStagnationEvaluator(3), None, min_n_trials
    )
    assert ours.trial_numbers == theirs.trial_numbers
    assert ours.improvements == theirs.improvements
    assert ours.errors == theirs.errors
    assert ours.y_range == pytest.approx(_get_y_range(theirs, min_n_trials))


def test_plotly_figure_has_optunas_traces_and_warns_experimental() -> None:
    study = _study(trimtab, 25, cv=True)
    with pytest.warns(trimtab.exceptions.ExperimentalWarning, match="plot_terminator_improvement"):
        figure = trimtab.visualization.plot_terminator_improvement(
            study, plot_error=True, min_n_trials=10
        )
    early, late, error = figure.data
    assert list(early.x) == list(range(11)) and early.showlegend is False
    assert list(late.x) == list(range(10, 25)) and late.name == "Terminator Improvement"
    assert error.name == "Error" and len(error.y) == 25
    assert figure.layout.title.text == "Terminator Improvement Plot"
    low, high = figure.layout.yaxis.range
    assert low <= min(min(late.y), min(error.y)) and high >= max(max(late.y), max(error.y))
    assert all(value >= 0 for value in late.y)


def test_matplotlib_axes_show_the_same_series() -> None:
    study = _study(trimtab, 25, cv=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ax = trimtab.visualization.matplotlib.plot_terminator_improvement(study, plot_error=True)
    lines = ax.get_lines()
    assert [len(line.get_xdata()) for line in lines] == [21, 5, 25]
    assert ax.get_title() == "Terminator Improvement Plot"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Terminator Improvement", "Error",
    ]


def test_without_cv_scores_the_error_asks_for_them() -> None:
    study = _study(trimtab, 3)
    with warnings.catch_warnings(), pytest.raises(ValueError, match="report_cross_val"):
        warnings.simplefilter("ignore")
        trimtab.visualization.plot_terminator_improvement(study, plot_error=True)


def test_empty_and_multi_objective_studies(caplog) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        figure = trimtab.visualization.plot_terminator_improvement(trimtab.create_study())
        assert len(figure.data) == 0
        assert "There are no complete trials." in caplog.text
        with pytest.raises(ValueError, match="multi-objective"):
            trimtab.visualization.plot_terminator_improvement(
                trimtab.create_study(directions=["minimize", "minimize"])
            )



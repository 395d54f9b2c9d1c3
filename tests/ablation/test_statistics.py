"""The ablation report on synthetic objectives whose effects are known."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

import trimtab
from trimtab.ablation import (
    ablation_effects,
    ablation_table,
    enqueue_ablation,
    plot_ablation,
    plot_ablation_matplotlib,
    run_ablation,
    trial_seed,
)
from trimtab.ablation._stats import TESTS, _mannwhitney, _paired, _welch

trimtab.logging.set_verbosity(trimtab.logging.WARNING)

BASE = {"lr": 0.01, "layers": 4, "act": "relu"}
# True effect of each factor on the objective: lr matters a lot, layers not at all.
TRUE = {"lr=0.1": 1.5, "layers=2": 0.0, "act=tanh": 0.4}


def _objective(trial: trimtab.Trial) -> float:
    lr = trial.suggest_float("lr", 1e-4, 1.0, log=True)
    trial.suggest_int("layers", 1, 8)
    act = trial.suggest_categorical("act", ["relu", "tanh"])
    # The seed's own variance is shared by every variant (like a data split), plus run noise.
    seed = trial_seed(trial)
    shared = random.Random(seed).gauss(0.0, 1.0)
    noise = random.Random(f"{seed}/{trial.number}").gauss(0.0, 0.3)
    return 1.5 * (lr > 0.05) + 0.4 * (act == "tanh") + shared + noise


@pytest.fixture(scope="module")
def study() -> trimtab.Study:
    study = trimtab.create_study()
    enqueue_ablation(
        study, {"lr": 0.1, "layers": 2, "act": "tanh"}, base=BASE, n_repeats=12, pairs=True
    )
    run_ablation(study, _objective)
    return study


@pytest.mark.parametrize("test", TESTS)
def test_large_effect_significant_null_effect_not(study: trimtab.Study, test: str) -> None:
    effects = {e.variant: e for e in ablation_effects(study, test=test)}
    assert effects["lr=0.1"].significant and effects["lr=0.1"].p_value < 0.05
    assert not effects["layers=2"].significant and effects["layers=2"].p_value > 0.05
    for label in ("lr=0.1", "layers=2"):
        e = effects[label]
        assert e.ci_low <= TRUE[label] <= e.ci_high, (test, e)
        assert e.n == e.n_base == 12


def test_pairing_removes_the_seed_variance(study: trimtab.Study) -> None:
    welch = {e.variant: e for e in ablation_effects(study, test="welch")}
    paired = {e.variant: e for e in ablation_effects(study, test="paired")}
    # act=tanh (0.4) hides in the seed noise (sd 1) for Welch, not for the paired test.
    assert paired["act=tanh"].significant
    assert (
        paired["act=tanh"].ci_high - paired["act=tanh"].ci_low
        < (welch["act=tanh"].ci_high - welch["act=tanh"].ci_low) / 2
    )
    assert paired["act=tanh"].ci_low <= 0.4 <= paired["act=tanh"].ci_high


def test_pairs_report_additive_effects_and_no_interaction(study: trimtab.Study) -> None:
    effects = {e.variant: e for e in ablation_effects(study, test="paired")}
    pair = effects["lr=0.1 + act=tanh"]
    assert pair.factors == ("lr=0.1", "act=tanh")
    assert pair.changes == {"lr": 0.1, "act": "tanh"}
    assert pair.ci_low <= 1.9 <= pair.ci_high
    assert abs(pair.interaction) < 0.3


@pytest.mark.parametrize("method", [_welch, _paired, _mannwhitney])
def test_interval_coverage_is_near_the_nominal_level(method) -> None:
    rng = np.random.default_rng(7)
    covered, rejected, trials = 0, 0, 400
    for _ in range(trials):
        base = rng.normal(0.0, 1.0, 8)
        variant = rng.normal(0.7, 1.0, 8)
        _, low, high, _ = method(variant, base, 0.9)
        covered += low <= 0.7 <= high
        _, _, _, p_null = method(rng.normal(0.0, 1.0, 8), base, 0.9)
        rejected += p_null < 0.1
    assert 0.84 <= covered / trials <= 0.97
    assert rejected / trials <= 0.16  # the false-positive rate stays near 10 %


def test_table_and_figures(study: trimtab.Study) -> None:
    table = ablation_table(study, test="mannwhitney", confidence=0.9)
    assert list(table.index) == [e.variant for e in ablation_effects(study)]
    assert {"effect", "ci_low", "ci_high", "p_value", "significant", "n"} <= set(table.columns)
    figure = plot_ablation(study, test="paired")
    plotted = [y for trace in figure.data for y in trace.y]
    assert sorted(plotted) == sorted(table.index)
    significant = next(t for t in figure.data if t.name == "significant")
    assert "lr=0.1" in significant.y and "layers=2" not in significant.y
    ax = plot_ablation_matplotlib(study)
    assert [t.get_text() for t in ax.get_yticklabels()] == list(table.index)


def test_unfinished_variants_and_bad_arguments() -> None:
    study = trimtab.create_study(directions=["minimize", "minimize"])
    enqueue_ablation(study, {"x": 0.0}, base={"x": 1.0}, n_repeats=2)
    with pytest.raises(ValueError, match="several objectives: pass `target`"):
        ablation_effects(study)
    (effect,) = ablation_effects(study, target=lambda t: t.values[0])
    assert effect.n == 0 and math.isnan(effect.effect) and not effect.significant
    with pytest.raises(ValueError, match="`test` must be one of"):
        ablation_effects(study, test="anova", target=lambda t: t.values[0])
    with pytest.raises(ValueError, match="`confidence` must be a float"):
        ablation_effects(study, confidence=95, target=lambda t: t.values[0])

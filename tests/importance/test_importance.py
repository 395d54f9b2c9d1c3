"""Parameter importances: the same numbers as Optuna 5.0.0, deterministic, same errors."""

from __future__ import annotations

import warnings
from types import ModuleType
from typing import Any

import numpy as np
import optuna
import pytest

import trimtab
from trimtab.exceptions import ExperimentalWarning
from trimtab.importance import (
    FanovaImportanceEvaluator,
    MeanDecreaseImpurityImportanceEvaluator,
    PedAnovaImportanceEvaluator,
    get_param_importances,
)

pytestmark = pytest.mark.filterwarnings("ignore")
EVALUATORS = [
    "FanovaImportanceEvaluator",
    "MeanDecreaseImpurityImportanceEvaluator",
    "PedAnovaImportanceEvaluator",
]


def build(mod: ModuleType, n: int = 120, *, seed: int = 0, multi: bool = False) -> Any:
    """x matters most, then c, then lr (log); noise does not matter; k is fixed."""
    rng = np.random.default_rng(seed)
    d = mod.distributions
    dists = {
        "x": d.FloatDistribution(-5, 5),
        "lr": d.FloatDistribution(1e-4, 1.0, log=True),
        "c": d.CategoricalDistribution(["a", "b", "c"]),
        "n": d.IntDistribution(0, 10, step=2),
        "noise": d.FloatDistribution(0, 1),
        "k": d.IntDistribution(3, 3),
    }
    study = mod.create_study(directions=["minimize", "maximize"] if multi else ["minimize"])
    trials = []
    for _ in range(n):
        p = {
            "x": float(rng.uniform(-5, 5)),
            "lr": float(10 ** rng.uniform(-4, 0)),
            "c": ["a", "b", "c"][int(rng.integers(3))],
            "n": int(rng.integers(0, 6)) * 2,
            "noise": float(rng.uniform()),
            "k": 3,
        }
        value = p["x"] ** 2 + {"a": 0.0, "b": 6.0, "c": 2.0}[p["c"]] + 0.4 * np.log10(p["lr"]) ** 2
        values = [value, float(p["noise"] + p["n"])] if multi else None
        trials.append(
            mod.trial.create_trial(
                params=p, distributions=dists, value=None if multi else value, values=values
            )
        )
    study.add_trials(trials)
    return study


def evaluator(mod: ModuleType, name: str) -> Any:
    kwargs = {} if name == "PedAnovaImportanceEvaluator" else {"seed": 3, "n_trees": 16}
    return getattr(mod.importance, name)(**kwargs)


@pytest.fixture(scope="module")
def pair() -> tuple[Any, Any]:
    return build(optuna), build(trimtab)


@pytest.mark.parametrize("name", EVALUATORS)
@pytest.mark.parametrize("params", [None, ["c", "noise", "x"]])
def test_same_importances_as_optuna(pair: tuple[Any, Any], name: str, params: Any) -> None:
    theirs = optuna.importance.get_param_importances(
        pair[0], evaluator=evaluator(optuna, name), params=params
    )
    ours = get_param_importances(pair[1], evaluator=evaluator(trimtab, name), params=params)
    assert list(ours) == list(theirs)
    assert np.allclose([ours[k] for k in theirs], list(theirs.values()), atol=1e-9)


@pytest.mark.parametrize("name", EVALUATORS)
def test_target_and_normalize(pair: tuple[Any, Any], name: str) -> None:
    def target(t: Any) -> float:
        return t.params["noise"] * 10 + t.params["x"]

    theirs = optuna.importance.get_param_importances(
        pair[0], evaluator=evaluator(optuna, name), target=target, normalize=False
    )
    ours = get_param_importances(
        pair[1], evaluator=evaluator(trimtab, name), target=target, normalize=False
    )
    assert np.allclose([ours[k] for k in theirs], list(theirs.values()), atol=1e-9)
    if name != "PedAnovaImportanceEvaluator":  # PED-ANOVA explains the top 10 % only
        assert max(ours, key=ours.__getitem__) == "noise"


def test_mdi_names_importances_by_parameter_whatever_the_order(pair: tuple[Any, Any]) -> None:
    # Optuna 5.0.0 pairs MDI's sorted columns with ``params`` in the order given, which
    # mislabels them when ``params`` is not sorted; trimtab labels by name.
    mdi = MeanDecreaseImpurityImportanceEvaluator(seed=3, n_trees=16)
    unsorted = get_param_importances(pair[1], evaluator=mdi, params=["x", "c", "noise"])
    mdi = MeanDecreaseImpurityImportanceEvaluator(seed=3, n_trees=16)
    ordered = get_param_importances(pair[1], evaluator=mdi, params=["c", "noise", "x"])
    assert unsorted == pytest.approx(ordered) and list(unsorted)[0] == "x"


def test_default_is_ped_anova_and_ranks_the_signal(pair: tuple[Any, Any]) -> None:
    importances = get_param_importances(pair[1])
    assert list(importances)[0] == "x" and importances["x"] > 0.5
    assert importances["k"] == 0.0  # a single-valued parameter explains nothing
    assert sum(importances.values()) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "name", ["FanovaImportanceEvaluator", "MeanDecreaseImpurityImportanceEvaluator"]
)
def test_deterministic_for_a_seed(pair: tuple[Any, Any], name: str) -> None:
    cls = getattr(trimtab.importance, name)
    first = get_param_importances(pair[1], evaluator=cls(seed=7, n_trees=8))
    second = get_param_importances(pair[1], evaluator=cls(seed=7, n_trees=8))
    assert first == second


def test_fanova_large_study_matches_optuna_ranking() -> None:
    # Optuna's fANOVA is slow; trimtab's reads leaf boxes: compare on 400 trials.
    o_study, t_study = build(optuna, 400, seed=5), build(trimtab, 400, seed=5)
    theirs = optuna.importance.get_param_importances(
        o_study, evaluator=optuna.importance.FanovaImportanceEvaluator(seed=0, n_trees=8)
    )
    ours = get_param_importances(t_study, evaluator=FanovaImportanceEvaluator(seed=0, n_trees=8))
    assert list(ours)[:3] == list(theirs)[:3] == ["x", "c", "lr"]
    assert max(abs(ours[k] - theirs[k]) for k in theirs) < 1e-9


@pytest.mark.parametrize("target", [None, "first"])
def test_multi_objective_ped_anova(target: str | None) -> None:
    fn = (lambda t: t.values[0]) if target else None
    theirs = optuna.importance.get_param_importances(build(optuna, multi=True), target=fn)
    ours = get_param_importances(build(trimtab, multi=True), target=fn)
    assert list(ours) == list(theirs)
    assert np.allclose([ours[k] for k in theirs], list(theirs.values()), atol=1e-9)


@pytest.mark.parametrize(
    "name", ["FanovaImportanceEvaluator", "MeanDecreaseImpurityImportanceEvaluator"]
)
def test_multi_objective_needs_target_for_forests(name: str) -> None:
    study = build(trimtab, 20, multi=True)
    with pytest.raises(ValueError, match="please specify the `target`"):
        get_param_importances(study, evaluator=getattr(trimtab.importance, name)())
    result = get_param_importances(
        study, evaluator=getattr(trimtab.importance, name)(seed=0), target=lambda t: t.values[1]
    )
    assert list(result)[0] == "n"


def outcome(mod: ModuleType, call: Any) -> tuple[Any, ...]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = call(mod)
            error = None
        except Exception as err:  # noqa: BLE001 - the exception is compared
            result, error = None, (type(err).__name__, str(err))
    return error, sorted({str(w.message) for w in caught}), result


@pytest.mark.parametrize(
    "call",
    [
        lambda mod: mod.importance.get_param_importances(build(mod, 10), evaluator=object()),
        lambda mod: mod.importance.get_param_importances(build(mod, 10), params="x"),
        lambda mod: mod.importance.get_param_importances(build(mod, 10), params=[1]),
        lambda mod: mod.importance.get_param_importances(build(mod, 10), params=["zz"]),
        lambda mod: mod.importance.get_param_importances(build(mod, 10), params=[]),
        lambda mod: mod.importance.get_param_importances(mod.create_study()),
        lambda mod: mod.importance.get_param_importances(build(mod, 1)),
        lambda mod: mod.importance.get_param_importances(
            build(mod, 10), evaluator=mod.importance.FanovaImportanceEvaluator(), params=["zz"]
        ),
        lambda mod: mod.importance.get_param_importances(
            build(mod, 1), evaluator=mod.importance.FanovaImportanceEvaluator()
        ),
        lambda mod: mod.importance.PedAnovaImportanceEvaluator(
            region_quantile=0.5, evaluate_on_local=False
        ),
    ],
)
def test_errors_and_warnings_match_optuna(call: Any) -> None:
    theirs, ours = outcome(optuna, call), outcome(trimtab, call)
    assert ours[:2] == theirs[:2]
    if theirs[2] is not None and isinstance(theirs[2], dict):
        assert ours[2] == pytest.approx(theirs[2])


def test_ped_anova_rejects_bad_quantiles() -> None:
    with pytest.raises(ValueError, match="target_quantile"):
        PedAnovaImportanceEvaluator(target_quantile=0.5, region_quantile=0.4)


def test_normalize_false_is_experimental(pair: tuple[Any, Any]) -> None:
    with pytest.warns(ExperimentalWarning, match="normalize"):
        get_param_importances(pair[1], normalize=False)


def test_constant_objective_raises_like_optuna() -> None:
    study = trimtab.create_study()
    dist = {"x": trimtab.distributions.FloatDistribution(0, 1)}
    study.add_trials(
        trimtab.trial.create_trial(params={"x": x}, distributions=dist, value=1.0)
        for x in (0.1, 0.5, 0.9)
    )
    with pytest.raises(RuntimeError, match="zero total variance"):
        get_param_importances(study, evaluator=FanovaImportanceEvaluator(seed=0))
    mdi = get_param_importances(study, evaluator=MeanDecreaseImpurityImportanceEvaluator(seed=0))
    assert mdi == {"x": 1.0}

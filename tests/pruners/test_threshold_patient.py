"""ThresholdPruner and PatientPruner on histories whose answer is known."""

from __future__ import annotations

import math

import pytest
from pruner_helpers import decisions, study_with

import trimtab
from trimtab.exceptions import ExperimentalWarning
from trimtab.pruners import BasePruner, HyperbandPruner, PatientPruner, ThresholdPruner
from trimtab.trial import FrozenTrial


@pytest.fixture(autouse=True)
def quiet() -> None:
    trimtab.logging.set_verbosity(trimtab.logging.WARNING)


def patient(*args: object, **kwargs: object) -> PatientPruner:
    with pytest.warns(ExperimentalWarning, match="PatientPruner is experimental"):
        return PatientPruner(*args, **kwargs)  # type: ignore[arg-type]


def test_threshold_prunes_outside_the_band_and_on_nan() -> None:
    study = study_with(ThresholdPruner(lower=0.0, upper=1.0), [])
    curve = [(0, 0.5), (1, 0.0), (2, 1.0), (3, 1.01), (4, -0.01), (5, math.nan), (6, 0.5)]
    assert decisions(study, curve) == [False, False, False, True, True, True, False]


def test_threshold_with_one_bound() -> None:
    study = study_with(ThresholdPruner(upper=1.0), [])
    assert decisions(study, [(0, -1e300), (1, 2.0)]) == [False, True]
    study = study_with(ThresholdPruner(lower=1.0), [])
    assert decisions(study, [(0, 1e300), (1, 0.5)]) == [False, True]


def test_threshold_warmup_and_interval() -> None:
    study = study_with(ThresholdPruner(upper=0.0, n_warmup_steps=2, interval_steps=3), [])
    got = decisions(study, [(s, 1.0) for s in range(10)])
    assert [s for s, pruned in enumerate(got) if pruned] == [2, 5, 8]


def test_threshold_judges_the_latest_step_not_the_latest_report() -> None:
    study = study_with(ThresholdPruner(upper=1.0), [])
    assert decisions(study, [(5, 2.0), (3, 0.5)]) == [True, True]


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(), TypeError, "Either lower or upper must be specified"),
        (dict(lower="low"), TypeError, "supposed to be a float"),
        (dict(lower=2.0, upper=1.0), ValueError, "lower should be smaller than upper"),
        (dict(upper=1.0, n_warmup_steps=-1), ValueError, "warmup steps cannot be negative"),
        (dict(upper=1.0, interval_steps=0), ValueError, "interval steps must be at least 1"),
    ],
)
def test_threshold_bad_arguments(kwargs: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        ThresholdPruner(**kwargs)


def test_patient_prunes_after_patience_steps_without_improvement() -> None:
    study = study_with(patient(None, patience=2), [])
    # Best before the last 3 steps vs best of the last 3 steps.
    curve = [(0, 1.0), (1, 0.9), (2, 0.95), (3, 0.95), (4, 0.95), (5, 0.95), (6, 0.5)]
    assert decisions(study, curve) == [False, False, False, False, True, True, False]


def test_patient_maximize_and_min_delta() -> None:
    study = study_with(patient(None, patience=1, min_delta=0.1), [], "maximize")
    curve = [(0, 1.0), (1, 0.95), (2, 0.91), (3, 0.89), (4, 0.8)]
    # Step 3: best before [0, 1] is 1.0, best after [2, 3] is 0.91 (not below 0.9).
    assert decisions(study, curve) == [False, False, False, False, True]


def test_patient_ignores_nan_and_sorts_steps() -> None:
    study = study_with(patient(None, patience=0), [])
    assert decisions(study, [(2, 1.0), (0, math.nan), (1, 2.0)]) == [False, False, False]
    study = study_with(patient(None, patience=0), [])
    assert decisions(study, [(0, 1.0), (1, math.nan)]) == [False, False]


class Always(BasePruner):
    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.calls = 0

    def prune(self, study: trimtab.Study, trial: FrozenTrial) -> bool:
        self.calls += 1
        return self.answer


def test_patient_asks_the_wrapped_pruner_only_once_patience_runs_out() -> None:
    wrapped = Always(False)
    study = study_with(patient(wrapped, patience=1), [])
    assert decisions(study, [(0, 1.0), (1, 1.1), (2, 1.2), (3, 0.0)]) == [False] * 4
    assert wrapped.calls == 1  # only at step 2: equal values or an improvement are not asked
    yes = study_with(patient(Always(True), patience=1), [])
    assert decisions(yes, [(0, 1.0), (1, 1.1), (2, 1.2)]) == [False, False, True]


def test_patient_passes_on_the_wrapped_pruners_sampling_subset() -> None:
    hyperband = HyperbandPruner(min_resource=1, max_resource=9)
    pruner = patient(hyperband, patience=1)
    study = study_with(pruner, [{s: 0.0 for s in range(9)}])
    trial = study.ask()
    trial.report(0.0, 0)
    trial.should_prune()  # patience not exhausted: Hyperband is not asked yet
    frozen = study._storage.get_trial(trial._trial_id)
    assert pruner.sampling_subset(study.view, frozen) is study.view
    hyperband.prune(study, frozen)  # brackets built
    subset = pruner.sampling_subset(study.view, frozen)
    assert subset is not study.view
    assert subset is hyperband.sampling_subset(study.view, frozen)
    assert study._sampling_view(frozen).get_trials(deepcopy=False) == subset.get_trials(
        deepcopy=False
    )


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(patience=-1), ValueError, "patience cannot be negative"),
        (dict(patience=1, min_delta=-0.1), ValueError, "min_delta cannot be negative"),
        (dict(patience="2"), TypeError, "patience"),
    ],
)
def test_patient_bad_arguments(kwargs: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        patient(None, **kwargs)

"""The ablation design: which variants, how they are enqueued, and how they run."""

from __future__ import annotations

import pytest

import trimtab
from trimtab.ablation import (
    AblationDesign,
    Factor,
    design_names,
    enqueue_ablation,
    load_design,
    pending_trials,
    run_ablation,
    trial_seed,
)
from trimtab.trial import TrialState

trimtab.logging.set_verbosity(trimtab.logging.WARNING)


def _objective(trial: trimtab.Trial) -> float:
    x = trial.suggest_float("x", -5, 5)
    opt = trial.suggest_categorical("opt", ["adam", "sgd"])
    return x**2 + (1.0 if opt == "sgd" else 0.0) + 0.01 * trial_seed(trial, default=0)


def _runs(study: trimtab.Study) -> list[tuple[str, int]]:
    return sorted(
        (t.user_attrs["ablation:variant"], t.user_attrs["ablation:seed"])
        for t in study.get_trials(states=(TrialState.COMPLETE,))
        if "ablation:variant" in t.user_attrs
    )


def test_single_factors_and_pairs() -> None:
    design = AblationDesign(
        {"x": 1.0, "opt": "adam"},
        (Factor({"x": 0.0}), Factor({"opt": "sgd"}, label="sgd"), Factor({"x": 2.0})),
        n_repeats=2,
        pairs=True,
    )
    labels = [v.label for v in design.variants]
    # x=0 and x=2 both set x: no combined variant for them.
    assert labels == ["base", "x=0.0", "sgd", "x=2.0", "x=0.0 + sgd", "sgd + x=2.0"]
    assert design.variants[4].params == {"x": 0.0, "opt": "sgd"}
    assert design.seeds == [0, 1]


def test_every_variant_runs_n_repeats_times_with_shared_seeds() -> None:
    study = trimtab.create_study()
    enqueue_ablation(
        study, {"x": 0.0, "opt": "sgd"}, base={"x": 1.0, "opt": "adam"}, n_repeats=3, seed=10
    )
    assert pending_trials(study) == 9
    assert run_ablation(study, _objective) == 9
    expected = sorted((v, s) for v in ("base", "x=0.0", "opt=sgd") for s in (10, 11, 12))
    assert _runs(study) == expected
    sgd = [t for t in study.trials if t.user_attrs["ablation:variant"] == "opt=sgd"]
    assert all(t.params == {"x": 1.0, "opt": "sgd"} for t in sgd)
    assert pending_trials(study) == 0
    assert run_ablation(study, _objective) == 0  # nothing left: no new trial is sampled
    assert len(study.trials) == 9


def test_base_defaults_to_best_trial_and_design_is_kept_in_the_study(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    study = trimtab.create_study(storage=url, study_name="s")
    study.optimize(_objective, n_trials=5)
    best = study.best_params
    enqueue_ablation(study, {"opt": "sgd" if best["opt"] == "adam" else "adam"}, n_repeats=2)
    loaded = load_design(trimtab.load_study(study_name="s", storage=url))
    assert loaded.base == best and loaded.n_repeats == 2
    assert design_names(study) == ["ablation"]
    with pytest.raises(KeyError, match="no ablation design named 'other'.*ablation"):
        load_design(study, "other")


def test_enqueue_again_is_a_no_op_but_a_different_design_is_refused() -> None:
    study = trimtab.create_study()
    base = {"x": 1.0, "opt": "adam"}
    enqueue_ablation(study, {"x": 0.0}, base=base, n_repeats=2)
    enqueue_ablation(study, {"x": 0.0}, base=base, n_repeats=2)
    assert pending_trials(study) == 4
    with pytest.raises(ValueError, match="different ablation design named 'ablation'"):
        enqueue_ablation(study, {"x": 0.0}, base=base, n_repeats=3)
    enqueue_ablation(study, {"x": 0.0}, base=base, n_repeats=1, name="second")
    assert pending_trials(study, "second") == 2 and pending_trials(study) == 4


def test_seed_param_makes_the_seed_a_fixed_parameter() -> None:
    study = trimtab.create_study()
    enqueue_ablation(study, {"x": 0.0}, base={"x": 1.0}, n_repeats=2, seed_param="seed")

    def objective(trial: trimtab.Trial) -> float:
        seed = trial.suggest_int("seed", 0, 2**31 - 1)
        assert seed == trial_seed(trial)
        return trial.suggest_float("x", -5, 5) + seed

    run_ablation(study, objective)
    assert sorted(t.params["seed"] for t in study.trials) == [0, 0, 1, 1]


def test_other_waiting_trials_are_left_alone() -> None:
    study = trimtab.create_study()
    study.enqueue_trial({"x": 3.0, "opt": "adam"})
    enqueue_ablation(study, {"x": 0.0}, base={"x": 1.0, "opt": "adam"}, n_repeats=1)
    assert run_ablation(study, _objective) == 2
    waiting = study.get_trials(states=(TrialState.WAITING,))
    assert [t.system_attrs["fixed_params"] for t in waiting] == [{"x": 3.0, "opt": "adam"}]


def test_failures_are_caught_or_raised_as_optimize_does() -> None:
    study = trimtab.create_study()
    enqueue_ablation(study, {"x": 0.0}, base={"x": 1.0}, n_repeats=2)

    def failing(trial: trimtab.Trial) -> float:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        run_ablation(study, failing)
    assert run_ablation(study, failing, catch=RuntimeError) == 3
    assert [t.state for t in study.trials] == [TrialState.FAIL] * 4


def test_bad_input_is_refused_with_the_argument_named() -> None:
    study = trimtab.create_study()
    with pytest.raises(ValueError, match="no completed trial.*pass `base`"):
        enqueue_ablation(study, {"x": 0.0})
    with pytest.raises(ValueError, match="does not change the base"):
        enqueue_ablation(study, {"x": 1.0}, base={"x": 1.0})
    with pytest.raises(ValueError, match="`n_repeats` must be at least 1"):
        enqueue_ablation(study, {"x": 0.0}, base={"x": 1.0}, n_repeats=0)
    with pytest.raises(ValueError, match="`factors` is empty"):
        enqueue_ablation(study, {}, base={"x": 1.0})
    with pytest.raises(TypeError, match="JSON"):
        enqueue_ablation(study, {"x": object()}, base={"x": 1.0})
    with pytest.raises(TypeError, match="`factors` must be"):
        enqueue_ablation(study, "x=0", base={"x": 1.0})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="same label"):
        enqueue_ablation(study, [Factor({"x": 0.0}, "a"), Factor({"x": 2.0}, "a")], base={"x": 1.0})
    with pytest.raises(ValueError, match="`seed_param` 'x' is already a parameter"):
        enqueue_ablation(study, {"x": 0.0}, base={"x": 1.0}, seed_param="x")
    with pytest.raises(KeyError, match="no ablation design"):
        run_ablation(study, _objective)
    assert study.trials == []  # nothing was enqueued by the refused calls
    with pytest.raises(ValueError, match="not part of an ablation design"):
        trial_seed(study.ask())


def test_a_design_enqueued_twice_at_once_runs_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two processes that both found no design enqueue it twice: the later batch withdraws."""
    import trimtab.ablation._design as design_module

    study = trimtab.create_study()
    base = {"x": 1.0, "opt": "adam"}
    enqueue_ablation(study, {"x": 0.0}, base=base, n_repeats=2)
    # The second process read the study before the first one stored the design.
    monkeypatch.setattr(design_module, "load_design", lambda *a, **k: None)
    enqueue_ablation(study, {"x": 0.0}, base=base, n_repeats=2)
    monkeypatch.undo()
    withdrawn = [t for t in study.trials if "ablation:duplicate_of" in t.system_attrs]
    assert len(withdrawn) == 4 and all(t.state == TrialState.FAIL for t in withdrawn)
    assert pending_trials(study) == 4
    assert run_ablation(study, _objective) == 4
    assert _runs(study) == [("base", 0), ("base", 1), ("x=0.0", 0), ("x=0.0", 1)]


def test_a_dead_workers_trial_is_retried_within_the_design(tmp_path) -> None:
    import time

    from trimtab.storages import RDBStorage, RetryHeartbeatStaleTrialCallback

    storage = RDBStorage(
        f"sqlite:///{tmp_path / 'hb.db'}",
        heartbeat_interval=1,
        grace_period=1,
        heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback(max_retry=1),
    )
    study = trimtab.create_study(storage=storage)
    enqueue_ablation(study, {"x": 0.0}, base={"x": 1.0, "opt": "adam"}, n_repeats=2)
    # A worker claims a trial, beats once, and dies.
    (victim, *_) = study.get_trials(states=(TrialState.WAITING,))
    storage.set_trial_state_values(victim._trial_id, state=TrialState.RUNNING)
    storage.record_heartbeat(victim._trial_id)
    time.sleep(2.5)
    assert run_ablation(study, _objective) == 4
    assert study.trials[victim.number].state == TrialState.FAIL
    assert _runs(study) == [("base", 0), ("base", 1), ("x=0.0", 0), ("x=0.0", 1)]

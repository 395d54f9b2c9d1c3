"""The study view samplers, pruners and search spaces read through (``Study.view``)."""

from __future__ import annotations

import gc
import pickle
import threading
import weakref

import pytest

import trimtab
from trimtab._study_view import StorageStudyView, SubsetView, view_of
from trimtab.distributions import FloatDistribution
from trimtab.search_space import IntersectionSearchSpace
from trimtab.trial import FrozenTrial, TrialState, create_trial


class Recorder:
    """A digest that records every trial it is told of."""

    def __init__(self) -> None:
        self.numbers: list[int] = []

    def add(self, trials: list[FrozenTrial]) -> None:
        self.numbers.extend(t.number for t in trials)


def finished(study: trimtab.Study, name: str, n: int) -> None:
    dist = FloatDistribution(0, 1)
    study.add_trials(
        create_trial(value=float(i), params={name: 0.5}, distributions={name: dist})
        for i in range(n)
    )


def test_study_hands_out_one_view_that_reads_its_trials() -> None:
    study = trimtab.create_study(study_name="view", direction="maximize")
    finished(study, "x", 3)
    view = study.view
    assert isinstance(view, StorageStudyView) and view_of(study) is view is study.view
    assert view_of(view) is view
    assert view.study_name == "view" and view.directions == study.directions
    assert [t.number for t in view.get_trials(deepcopy=False)] == [0, 1, 2]
    assert view.best_trial().number == 2
    with pytest.raises(TypeError, match="Study"):
        view_of(object())


def test_each_finished_trial_reaches_each_digest_once_under_threads() -> None:
    study = trimtab.create_study()
    owner = object()

    def objective(trial: trimtab.Trial) -> float:
        with study.view.digest(owner, Recorder):
            pass
        if trial.number % 5 == 0:
            raise trimtab.TrialPruned()
        return trial.suggest_float("x", 0, 1)

    study.optimize(objective, n_trials=60, n_jobs=4)
    with study.view.digest(owner, Recorder) as recorder:
        assert sorted(recorder.numbers) == list(range(60))
    with study.view.digest(object(), Recorder) as late:  # a new owner starts from row 0
        assert sorted(late.numbers) == list(range(60))


def test_caches_never_mix_studies_even_when_a_storage_id_is_reused() -> None:
    space = IntersectionSearchSpace()
    seen_ids: set[int] = set()
    reused = False
    for i in range(40):
        study = trimtab.create_study()
        storage_id = id(study._storage)
        reused |= storage_id in seen_ids
        seen_ids.add(storage_id)
        finished(study, f"p{i}", 2)
        assert set(space.calculate(study)) == {f"p{i}"}
        del study
        gc.collect()
    assert reused  # CPython reuses the freed storages' ids: the old guards' case


def test_samplers_and_pruners_do_not_keep_a_finished_study_alive() -> None:
    sampler = trimtab.samplers.TPESampler(n_startup_trials=2, seed=0)
    pruner = trimtab.pruners.HyperbandPruner(min_resource=1, max_resource=9)
    space = IntersectionSearchSpace()
    study = trimtab.create_study(sampler=sampler, pruner=pruner)

    def objective(trial: trimtab.Trial) -> float:
        x = trial.suggest_float("x", 0, 1)
        for step in range(9):
            trial.report(x, step)
            if trial.should_prune():
                raise trimtab.TrialPruned()
        return x

    study.optimize(objective, n_trials=8)
    space.calculate(study)
    gone = weakref.ref(study.view)
    del study
    gc.collect()
    assert gone() is None


def test_a_subset_reads_its_members_writes_to_the_study_and_keeps_its_own_digests() -> None:
    study = trimtab.create_study(study_name="subset")
    finished(study, "x", 6)
    even = study.view.subset("even", lambda n: n % 2 == 0)
    assert isinstance(even, SubsetView) and study.view.subset("even", bool) is even
    assert [t.number for t in even.get_trials(deepcopy=False)] == [0, 2, 4]
    assert [t.number for t in even.trials_since(0)[0]] == [0, 2, 4]
    assert even.best_trial().number == 0
    assert even.history().numbers.tolist() == [0, 2, 4]
    assert study.view.history().n == 6
    finished(study, "x", 2)  # trials 6 and 7
    assert [t.number for t in even.finished_since(3)[0]] == [6]
    trial = study.ask()
    even.save_trial_attr(trial._trial_id, "k", "v")
    even.save_study_state("ns", 1, {"a": 1})
    assert study.view.load_study_state("ns", 1) == {"a": 1}
    assert study.view.load_study_state("ns", 2) is None
    assert study.get_trials(deepcopy=False)[-1].system_attrs["k"] == "v"


def test_a_study_seen_through_a_subset_is_a_real_study_that_stops_its_root() -> None:
    pruner = trimtab.pruners.HyperbandPruner(min_resource=1, max_resource=9)
    study = trimtab.create_study(study_name="seen", pruner=pruner)
    finished(study, "x", 1)
    pruner._try_initialization(study)
    study.add_trials(
        create_trial(
            value=float(i),
            params={"x": 0.5},
            distributions={"x": FloatDistribution(0, 1)},
            intermediate_values={8: float(i)},
        )
        for i in range(20)
    )
    running = study.ask()
    seen = study._sampling_view(study.view.get_trials()[-1])
    assert type(seen) is trimtab.Study and seen is not study
    bracket = pruner._bracket_id("seen", running.number)
    members = {t.number for t in seen.get_trials(deepcopy=False)}
    assert members == {
        t.number for t in study.trials if pruner._bracket_id("seen", t.number) == bracket
    }
    stops: list[bool] = []

    def objective(trial: trimtab.Trial) -> float:
        study._sampling_view(study.view.get_trials()[-1]).stop()
        stops.append(True)
        return 0.0

    study.optimize(objective, n_trials=5)
    assert len(stops) == 1


def test_a_pickled_study_ships_no_caches_and_rebuilds_them() -> None:
    study = trimtab.create_study()
    finished(study, "x", 3)
    assert study.view.history().n == 3
    study.view.subset("all", lambda n: True)
    clone = pickle.loads(pickle.dumps(study))
    assert clone.view._finished == [] and clone.view._subsets == {}
    assert clone.view.history().n == 3
    assert [t.number for t in clone.view.finished_since(0)[0]] == [0, 1, 2]


def test_state_records_are_versioned_and_namespaced() -> None:
    study = trimtab.create_study()
    view = study.view
    trial = study.ask()
    view.save_trial_state(trial._trial_id, "mine", 2, [1, 2])
    attrs = study.get_trials(deepcopy=False)[0].system_attrs
    assert attrs["mine:state"] == {"version": 2, "state": [1, 2]}
    from trimtab._study_view import load_trial_state

    assert load_trial_state(attrs, "mine", 2) == [1, 2]
    assert load_trial_state(attrs, "mine", 1) is None
    with pytest.raises(ValueError, match="namespace"):
        view.save_study_state("a:b", 1, None)


def test_threads_sharing_a_view_do_not_lose_rows() -> None:
    study = trimtab.create_study()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(20):
                study.tell(study.ask(), 1.0)
                study.view.history()
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(study.view.history().numbers.tolist()) == list(range(80))
    assert all(t.state == TrialState.COMPLETE for t in study.get_trials(deepcopy=False))

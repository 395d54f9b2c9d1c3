"""HyperbandPruner: bracket assignment, per-bracket pruning and per-bracket sampling views."""

from __future__ import annotations

import binascii
import pickle
from typing import Any

import pytest
from pruner_helpers import add_finished

import trimtab
from trimtab._study_view import SubsetView
from trimtab.distributions import FloatDistribution
from trimtab.pruners import HyperbandPruner
from trimtab.samplers import RandomSampler
from trimtab.search_space import IntersectionSearchSpace
from trimtab.trial import TrialState, create_trial

# min_resource=1, max_resource=27, reduction_factor=3: floor(log3 27) + 1 = 4 brackets with
# trial budgets ceil(4 * 3**s / (s + 1)) for s = 3, 2, 1, 0: 27, 12, 6, 4 (total 49).
BUDGET_BOUNDS = [27, 39, 45, 49]


@pytest.fixture(autouse=True)
def quiet() -> None:
    trimtab.logging.set_verbosity(trimtab.logging.WARNING)


def expected_bracket(study_name: str, number: int) -> int:
    n = binascii.crc32(f"{study_name}_{number}".encode()) % 49
    return next(b for b, bound in enumerate(BUDGET_BOUNDS) if n < bound)


def initialised_study(name: str = "hb", **kwargs: Any) -> trimtab.Study:
    """A study whose Hyperband pruner has made its brackets (one COMPLETE trial exists)."""
    pruner = HyperbandPruner(min_resource=1, max_resource=27, reduction_factor=3, **kwargs)
    study = trimtab.create_study(study_name=name, pruner=pruner)
    add_finished(study, [{s: 0.0 for s in range(27)}])
    trial = study.ask()
    trial.report(0.0, 0)
    trial.should_prune()  # builds the brackets
    study.tell(trial, state=TrialState.FAIL)
    return study


def bracket_of(study: trimtab.Study, number: int) -> set[int]:
    """The numbers of the trials the sampling view of trial ``number`` shows."""
    frozen = create_trial(state=TrialState.RUNNING)
    frozen.number = number
    view = study._sampling_view(frozen)
    return {t.number for t in view.get_trials(deepcopy=False)}


def test_bracket_assignment_hashes_study_name_and_number_over_the_budgets() -> None:
    study = initialised_study("assign")
    add_finished(study, [{0: 0.0}] * 60)
    pruner = study.pruner
    assert isinstance(pruner, HyperbandPruner)
    got = {n: pruner._bracket_id("assign", n) for n in range(300)}
    assert got == {n: expected_bracket("assign", n) for n in range(300)}
    assert set(got.values()) == {0, 1, 2, 3}
    # The sampling view of a trial shows exactly the trials of its bracket.
    for number in (0, 7, 61):
        members = bracket_of(study, number)
        assert members == {n for n in range(62) if expected_bracket("assign", n) == got[number]}


def test_bracket_assignment_matches_optuna() -> None:
    optuna = pytest.importorskip("optuna")
    theirs = optuna.pruners.HyperbandPruner(min_resource=1, max_resource=27, reduction_factor=3)
    their_study = optuna.create_study(study_name="same-name", pruner=theirs)
    theirs._try_initialization(their_study)
    study = initialised_study("same-name")
    mine = study.pruner
    assert isinstance(mine, HyperbandPruner)
    for number in range(500):
        frozen = optuna.trial.create_trial(state=optuna.trial.TrialState.RUNNING)
        frozen.number = number
        assert mine._bracket_id("same-name", number) == theirs._get_bracket_id(their_study, frozen)


def test_each_bracket_first_judges_at_its_own_rung() -> None:
    study = initialised_study("rungs")
    pruner = study.pruner
    assert isinstance(pruner, HyperbandPruner)
    first_judged = {}
    for _ in range(40):
        trial = study.ask()
        bracket = pruner._bracket_id("rungs", trial.number)
        for step in range(27):
            trial.report(1.0, step)
            if trial.should_prune():
                first_judged.setdefault(bracket, set()).add(step)
                break
        study.tell(trial, state=TrialState.PRUNED)
    # Bracket b's first rung ends at step 3**b; the COMPLETE trial (0.0 everywhere) is in
    # one bracket only, so some trials lose at their first rung.
    for bracket, steps in first_judged.items():
        assert min(steps) >= 3**bracket


class RecordingSampler(RandomSampler):
    """Records, at every sample, which trials the study it was given shows."""

    def __init__(self) -> None:
        super().__init__(seed=0)
        self.seen: list[tuple[int, set[int], set[int], set[int]]] = []
        self.whole_study_views = 0

    def sample_independent(self, study, trial, param_name, param_distribution):  # type: ignore[no-untyped-def]
        listed = {t.number for t in study.get_trials(deepcopy=False)}
        assert {t.number for t in study._get_trials(deepcopy=False)} == listed
        since = {t.number for t in study.view.trials_since(0)[0]}
        modelled = set(study.view.history().numbers.tolist())
        if study.pruner._pruners and isinstance(study.view, SubsetView):
            assert isinstance(study, trimtab.Study)  # custom samplers get a real Study
            self.seen.append((trial.number, listed, since, modelled))
        else:  # sampled before the brackets existed
            self.whole_study_views += 1
        return super().sample_independent(study, trial, param_name, param_distribution)


@pytest.mark.parametrize("n_jobs", [1, 3])
def test_samplers_see_only_the_trials_of_the_same_bracket(n_jobs: int) -> None:
    sampler = RecordingSampler()
    pruner = HyperbandPruner(min_resource=1, max_resource=27, reduction_factor=3)
    study = trimtab.create_study(study_name="views", sampler=sampler, pruner=pruner)

    def objective(trial: trimtab.Trial) -> float:
        x = trial.suggest_float("x", 0, 1)
        for step in range(27):
            trial.report(x + 1 / (step + 1), step)
            if trial.should_prune():
                raise trimtab.TrialPruned()
        return x

    study.optimize(objective, n_trials=60, n_jobs=n_jobs)
    # The brackets are built by the first pruning decision (max_resource is given): trials
    # sampled before it (trial 0; with threads, the ones started alongside) see the whole
    # study.
    assert 1 <= sampler.whole_study_views <= 2 * n_jobs
    assert len(sampler.seen) + sampler.whole_study_views == 60
    for number, listed, since, modelled in sampler.seen:
        bracket = expected_bracket("views", number)
        assert listed == since and modelled <= listed
        assert number in listed
        assert {expected_bracket("views", n) for n in listed} == {bracket}
    assert len(study.trials) == 60


def test_a_view_reads_its_bracket_and_writes_to_the_real_study() -> None:
    study = initialised_study("rw")
    add_finished(study, [{0: float(v)} for v in range(40)])
    trial = study.ask()
    frozen = study._storage.get_trial(trial._trial_id)
    view = study._sampling_view(frozen)
    bracket = expected_bracket("rw", trial.number)
    members = [t for t in study.trials if expected_bracket("rw", t.number) == bracket]
    assert [t.number for t in view.trials] == [t.number for t in members]
    complete = [t for t in members if t.state == TrialState.COMPLETE]
    assert view.best_trial.number == min(complete, key=lambda t: t.value).number
    assert len(view.view.get_trials(deepcopy=False)) == len(members)
    view.set_user_attr("from-view", 1)
    view.view.save_trial_attr(trial._trial_id, "k", "v")
    assert study.user_attrs == {"from-view": 1}
    assert study._storage.get_trial(trial._trial_id).system_attrs["k"] == "v"
    assert view.study_name == study.study_name and view.directions == study.directions


def test_caches_keyed_by_storage_and_study_keep_brackets_apart() -> None:
    study = initialised_study("cache")
    number_in = {expected_bracket("cache", n): n for n in range(100, 400)}
    for number in range(2, 100):
        names = ("c", f"p{expected_bracket('cache', number)}")
        study.add_trial(
            create_trial(
                value=0.0,
                params={name: 0.5 for name in names},
                distributions={name: FloatDistribution(0, 1) for name in names},
            )
        )
    # Trial 0 (COMPLETE, no params) empties the intersection of its own bracket.
    empty = expected_bracket("cache", 0)
    space = IntersectionSearchSpace()
    for bracket in (0, 1, 0, 2, 3, 1):
        frozen = create_trial(state=TrialState.RUNNING)
        frozen.number = number_in[bracket]
        view = study._sampling_view(frozen)
        expected = set() if bracket == empty else {"c", f"p{bracket}"}
        assert set(space.calculate(view)) == expected


def test_stop_on_a_view_stops_the_study() -> None:
    pruner = HyperbandPruner(min_resource=1, max_resource=4, reduction_factor=2)
    study = trimtab.create_study(pruner=pruner)
    add_finished(study, [{s: 0.0 for s in range(4)}])

    def objective(trial: trimtab.Trial) -> float:
        trial.report(1.0, 0)
        trial.should_prune()
        study._sampling_view(study._storage.get_trial(trial._trial_id)).stop()
        return 1.0

    study.optimize(objective, n_trials=10)
    assert len(study.trials) == 2


def test_auto_max_resource_waits_for_a_complete_trial() -> None:
    pruner = HyperbandPruner(min_resource=1, reduction_factor=3)
    study = trimtab.create_study(study_name="auto", pruner=pruner)
    trial = study.ask()
    trial.report(100.0, 30)
    assert trial.should_prune() is False
    assert study._sampling_view(study._storage.get_trial(trial._trial_id)) is study
    add_finished(study, [{s: 0.0 for s in range(9)}])  # max_resource = 9: 3 brackets
    # Alone at every rung up to step 30, the trial goes on and records each rung it passed.
    assert trial.should_prune() is False
    assert pruner._n_brackets == 3
    attrs = study._storage.get_trial(trial._trial_id).system_attrs
    assert "completed_rung_0" in attrs


def test_fewer_resources_than_the_first_rung_never_prunes() -> None:
    pruner = HyperbandPruner(min_resource=5, max_resource=3, reduction_factor=3)
    study = trimtab.create_study(pruner=pruner)
    add_finished(study, [{s: 0.0 for s in range(3)}])
    trial = study.ask()
    trial.report(100.0, 50)
    assert trial.should_prune() is False


def test_a_used_pruner_pickles_without_the_studys_subsets() -> None:
    study = initialised_study("pickle")
    clone = pickle.loads(pickle.dumps(study.pruner))
    assert isinstance(clone, HyperbandPruner)
    assert clone._n_brackets == 4
    assert pickle.loads(pickle.dumps(study)).view._subsets == {}
    study.pruner = clone
    add_finished(study, [{0: 0.0}] * 20)
    same = {n for n in range(22) if expected_bracket("pickle", n) == expected_bracket("pickle", 0)}
    assert bracket_of(study, 0) == same


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(max_resource="big"), ValueError, "'max_resource' should be integer or 'auto'"),
        (dict(bootstrap_count=1), ValueError, "mutually incompatible"),
        (dict(max_resource=0), ValueError, "max_resource"),
        (dict(min_resource=0, max_resource=10), ValueError, "min_resource"),
        (dict(min_resource=1.5, max_resource=10), TypeError, "min_resource"),
        (dict(max_resource=10, reduction_factor=1), ValueError, "reduction_factor"),
        (dict(max_resource=10, bootstrap_count=-1), ValueError, "bootstrap_count"),
    ],
)
def test_bad_arguments(kwargs: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        HyperbandPruner(**kwargs)

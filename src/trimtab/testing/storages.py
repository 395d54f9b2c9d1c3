"""A conformance suite for ``BaseStorage`` implementations.

Subclass ``StorageContract`` in a pytest module and implement ``make_storage``; every
``test_*`` method then runs against your storage::

    class TestMyStorage(StorageContract):
        def make_storage(self) -> BaseStorage:
            return MyStorage(...)

The suite needs no pytest import of its own; it raises ``AssertionError`` on a violation.
"""

from __future__ import annotations

import abc
import math
import threading
from collections.abc import Callable
from typing import Any

from trimtab._study_records import StudyDirection
from trimtab._study_view import StorageStudyView
from trimtab.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from trimtab.exceptions import DuplicatedStudyError, UpdateFinishedTrialError
from trimtab.storages import BaseStorage
from trimtab.trial import TrialState, create_trial

_MIN = [StudyDirection.MINIMIZE]


def expect_error(error: type[BaseException], call: Callable[[], Any]) -> BaseException:
    """Run ``call`` and return the ``error`` it raises; fail when it raises nothing."""
    try:
        call()
    except error as caught:
        return caught
    raise AssertionError(f"{call} did not raise {error.__name__}")


class StorageContract(abc.ABC):
    """The behaviour every storage must show; see the ``BaseStorage`` docstring."""

    @abc.abstractmethod
    def make_storage(self) -> BaseStorage:
        """Return a fresh, empty storage."""

    # Studies.

    def test_create_and_find_study(self) -> None:
        storage = self.make_storage()
        study_id = storage.create_new_study(_MIN, "contract-a")
        assert storage.get_study_id_from_name("contract-a") == study_id
        assert storage.get_study_name_from_id(study_id) == "contract-a"
        assert storage.get_study_directions(study_id) == _MIN
        names = [s.study_name for s in storage.get_all_studies()]
        assert "contract-a" in names

    def test_generated_study_names_are_unique(self) -> None:
        storage = self.make_storage()
        a = storage.create_new_study(_MIN)
        b = storage.create_new_study(_MIN)
        assert storage.get_study_name_from_id(a) != storage.get_study_name_from_id(b)

    def test_duplicate_study_name_raises(self) -> None:
        storage = self.make_storage()
        storage.create_new_study(_MIN, "contract-dup")
        expect_error(DuplicatedStudyError, lambda: storage.create_new_study(_MIN, "contract-dup"))

    def test_unusual_study_names(self) -> None:
        storage = self.make_storage()
        for name in ['it\'s "quoted"', "ünïcødé 名前", "x'; DROP TABLE studies; --", "%_\\"]:
            study_id = storage.create_new_study(_MIN, name)
            assert storage.get_study_name_from_id(study_id) == name
            assert storage.get_study_id_from_name(name) == study_id

    def test_multi_objective_directions(self) -> None:
        storage = self.make_storage()
        directions = [StudyDirection.MINIMIZE, StudyDirection.MAXIMIZE, StudyDirection.MINIMIZE]
        study_id = storage.create_new_study(directions, "contract-mo")
        assert storage.get_study_directions(study_id) == directions

    def test_unknown_study_raises_key_error(self) -> None:
        storage = self.make_storage()
        expect_error(KeyError, lambda: storage.get_study_id_from_name("contract-missing"))

    def test_delete_study(self) -> None:
        storage = self.make_storage()
        study_id = storage.create_new_study(_MIN, "contract-del")
        storage.create_new_trial(study_id)
        storage.delete_study(study_id)
        expect_error(KeyError, lambda: storage.get_study_id_from_name("contract-del"))
        storage.create_new_study(_MIN, "contract-del")

    def test_study_attrs(self) -> None:
        storage = self.make_storage()
        study_id = storage.create_new_study(_MIN, "contract-attrs")
        storage.set_study_user_attr(study_id, "nested", {"a": [1, 2.5, None, "s"]})
        storage.set_study_system_attr(study_id, "k", [1, 2])
        storage.set_study_user_attr(study_id, "nested", "overwritten")
        assert storage.get_study_user_attrs(study_id) == {"nested": "overwritten"}
        assert storage.get_study_system_attrs(study_id)["k"] == [1, 2]

    # Trials.

    def test_trial_numbers_are_dense(self) -> None:
        storage = self.make_storage()
        study_id = storage.create_new_study(_MIN, "contract-dense")
        other = storage.create_new_study(_MIN, "contract-dense-2")
        ids = [storage.create_new_trial(study_id) for _ in range(5)]
        storage.create_new_trial(other)
        numbers = [storage.get_trial(i).number for i in ids]
        assert numbers == [0, 1, 2, 3, 4]
        assert storage.get_trial_id_from_study_id_trial_number(study_id, 3) == ids[3]
        assert storage.get_trial_number_from_id(ids[4]) == 4

    def test_params_values_and_round_trip(self) -> None:
        storage = self.make_storage()
        study_id = storage.create_new_study(_MIN, "contract-params")
        trial_id = storage.create_new_trial(study_id)
        floats = FloatDistribution(-1.0, 1.0)
        ints = IntDistribution(0, 2**40)
        cats = CategoricalDistribution([True, 1, "1", None, 1.5])
        storage.set_trial_param(trial_id, "f", -0.0, floats)
        storage.set_trial_param(trial_id, "i", float(2**40), ints)
        storage.set_trial_param(trial_id, "c", 1.0, cats)
        storage.set_trial_intermediate_value(trial_id, 0, 0.5)
        storage.set_trial_intermediate_value(trial_id, 1, float("nan"))
        storage.set_trial_intermediate_value(trial_id, 2, float("inf"))
        storage.set_trial_user_attr(trial_id, "note", {"x": [1, "y"]})
        assert storage.set_trial_state_values(trial_id, TrialState.COMPLETE, [float("-inf")])
        trial = storage.get_trial(trial_id)
        assert trial.params["i"] == 2**40 and isinstance(trial.params["i"], int)
        assert trial.params["c"] == 1 and type(trial.params["c"]) is int
        assert math.copysign(1.0, trial.params["f"]) == -1.0
        assert trial.distributions == {"f": floats, "i": ints, "c": cats}
        assert trial.intermediate_values[0] == 0.5 and math.isnan(trial.intermediate_values[1])
        assert trial.intermediate_values[2] == float("inf")
        assert trial.values == [float("-inf")]
        assert trial.user_attrs == {"note": {"x": [1, "y"]}}
        assert trial.state == TrialState.COMPLETE
        assert trial.datetime_start is not None and trial.datetime_complete is not None

    def test_incompatible_distribution_is_rejected(self) -> None:
        storage = self.make_storage()
        study_id = storage.create_new_study(_MIN, "contract-compat")
        first = storage.create_new_trial(study_id)
        storage.set_trial_param(first, "x", 0.0, CategoricalDistribution(["a", "b"]))
        second = storage.create_new_trial(study_id)
        expect_error(
            ValueError,
            lambda: storage.set_trial_param(second, "x", 0.0, CategoricalDistribution(["a"])),
        )
        assert "x" not in storage.get_trial(second).params
        storage.set_trial_param(second, "y", 3.0, FloatDistribution(0.0, 5.0))
        third = storage.create_new_trial(study_id)
        storage.set_trial_param(third, "y", 7.0, FloatDistribution(0.0, 10.0))

    def test_finished_trial_is_read_only(self) -> None:
        storage = self.make_storage()
        study_id = storage.create_new_study(_MIN, "contract-final")
        trial_id = storage.create_new_trial(study_id)
        storage.set_trial_state_values(trial_id, TrialState.FAIL)
        for write in (
            lambda: storage.set_trial_param(trial_id, "x", 0.5, FloatDistribution(0, 1)),
            lambda: storage.set_trial_intermediate_value(trial_id, 0, 1.0),
            lambda: storage.set_trial_user_attr(trial_id, "k", 1),
            lambda: storage.set_trial_state_values(trial_id, TrialState.COMPLETE, [1.0]),
        ):
            expect_error(UpdateFinishedTrialError, write)
        assert storage.get_trial(trial_id).state == TrialState.FAIL

    def test_waiting_trial_is_claimed_once(self) -> None:
        storage = self.make_storage()
        study_id = storage.create_new_study(_MIN, "contract-claim")
        template = create_trial(state=TrialState.WAITING, system_attrs={"fixed_params": {"x": 1}})
        trial_id = storage.create_new_trial(study_id, template_trial=template)
        results: list[bool] = []
        lock = threading.Lock()

        def claim() -> None:
            ok = storage.set_trial_state_values(trial_id, TrialState.RUNNING)
            with lock:
                results.append(ok)

        threads = [threading.Thread(target=claim) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert results.count(True) == 1
        trial = storage.get_trial(trial_id)
        assert trial.state == TrialState.RUNNING and trial.system_attrs["fixed_params"] == {"x": 1}

    def test_template_trial_is_copied(self) -> None:
        storage = self.make_storage()
        study_id = storage.create_new_study(_MIN, "contract-template")
        template = create_trial(
            value=2.5,
            params={"x": 0.25, "c": "b"},
            distributions={
                "x": FloatDistribution(0, 1),
                "c": CategoricalDistribution(["a", "b"]),
            },
            user_attrs={"u": 1},
            system_attrs={"s": 2},
            intermediate_values={3: 1.5},
        )
        trial = storage.get_trial(storage.create_new_trial(study_id, template_trial=template))
        assert trial.number == 0 and trial.state == TrialState.COMPLETE
        assert trial.value == 2.5 and trial.params == {"x": 0.25, "c": "b"}
        assert trial.user_attrs == {"u": 1} and trial.system_attrs == {"s": 2}
        assert trial.intermediate_values == {3: 1.5}

    def test_returned_trials_do_not_change_later(self) -> None:
        storage = self.make_storage()
        study_id = storage.create_new_study(_MIN, "contract-immutable")
        trial_id = storage.create_new_trial(study_id)
        before = storage.get_trial(trial_id)
        listed = storage.get_all_trials(study_id, deepcopy=False)[0]
        storage.set_trial_param(trial_id, "x", 0.5, FloatDistribution(0, 1))
        storage.set_trial_state_values(trial_id, TrialState.COMPLETE, [1.0])
        assert before.params == {} and before.state == TrialState.RUNNING
        assert listed.params == {} and listed.state == TrialState.RUNNING

    def test_state_filters_and_counts(self) -> None:
        storage = self.make_storage()
        study_id = storage.create_new_study(_MIN, "contract-states")
        for state, values in [
            (TrialState.COMPLETE, [1.0]),
            (TrialState.PRUNED, None),
            (TrialState.FAIL, None),
            (TrialState.COMPLETE, [0.5]),
        ]:
            storage.set_trial_state_values(storage.create_new_trial(study_id), state, values)
        storage.create_new_trial(study_id)
        complete = storage.get_all_trials(study_id, states=(TrialState.COMPLETE,))
        assert [t.number for t in complete] == [0, 3]
        assert storage.get_n_trials(study_id) == 5
        assert storage.get_n_trials(study_id, TrialState.RUNNING) == 1
        assert storage.get_n_trials(study_id, (TrialState.PRUNED, TrialState.FAIL)) == 2
        assert storage.get_best_trial(study_id).number == 3

    def test_get_trials_since_reports_each_change_once(self) -> None:
        storage = self.make_storage()
        study_id = storage.create_new_study(_MIN, "contract-since")
        first = storage.create_new_trial(study_id)
        trials, cursor = storage.get_trials_since(study_id, 0)
        assert [t.number for t in trials] == [0]
        storage.set_trial_state_values(first, TrialState.COMPLETE, [1.0])
        storage.create_new_trial(study_id)
        trials, cursor = storage.get_trials_since(study_id, cursor)
        by_number = {t.number: t for t in trials}
        assert by_number[0].state == TrialState.COMPLETE and 1 in by_number
        finished_seen = {t.number for t in trials if t.state.is_finished()}
        later, _ = storage.get_trials_since(study_id, cursor)
        # Storages may resend trials, but a finished trial never comes back changed.
        for trial in later:
            if trial.number in finished_seen:
                assert trial.state == TrialState.COMPLETE and trial.values == [1.0]

    def test_study_view_reads_each_finished_trial_once(self) -> None:
        # The incremental read as samplers and pruners use it: a study view over the storage
        # logs each finished trial exactly once, never another study's, whatever resends.
        storage = self.make_storage()
        study_id = storage.create_new_study(_MIN, "contract-view")
        other_id = storage.create_new_study(_MIN, "contract-view-other")
        view = StorageStudyView(storage, study_id, "contract-view", _MIN)
        running = storage.create_new_trial(study_id)
        done = storage.create_new_trial(study_id)
        storage.set_trial_state_values(done, TrialState.COMPLETE, [2.0])
        finished, row = view.finished_since(0)
        assert [t.number for t in finished] == [1]
        storage.set_trial_state_values(running, TrialState.PRUNED)
        failed = storage.create_new_trial(study_id)
        storage.set_trial_state_values(failed, TrialState.FAIL)
        storage.set_trial_state_values(
            storage.create_new_trial(other_id), TrialState.COMPLETE, [0.0]
        )
        storage.create_new_trial(study_id)  # RUNNING: not finished, not logged
        finished, row = view.finished_since(row)
        assert sorted(t.number for t in finished) == [0, 2] and row == 3
        assert view.finished_since(row) == ([], 3)
        assert view.finished_since(0)[1] == 3
        history = view.history()
        assert sorted(history.numbers.tolist()) == [0, 1] and history.complete.sum() == 1
        fresh = StorageStudyView(storage, study_id, "contract-view", _MIN)
        assert sorted(t.number for t in fresh.finished_since(0)[0]) == [0, 1, 2]

    def test_attrs_must_be_json(self) -> None:
        storage = self.make_storage()
        study_id = storage.create_new_study(_MIN, "contract-json")
        trial_id = storage.create_new_trial(study_id)
        expect_error(TypeError, lambda: storage.set_trial_user_attr(trial_id, "k", object()))
        expect_error(TypeError, lambda: storage.set_study_user_attr(study_id, "k", {1, 2}))
        assert storage.get_trial(trial_id).user_attrs == {}

    def test_concurrent_threads_create_dense_numbers(self) -> None:
        storage = self.make_storage()
        study_id = storage.create_new_study(_MIN, "contract-threads")

        def work() -> None:
            for _ in range(10):
                trial_id = storage.create_new_trial(study_id)
                storage.set_trial_param(trial_id, "x", 0.5, FloatDistribution(0, 1))
                storage.set_trial_state_values(trial_id, TrialState.COMPLETE, [0.5])

        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        trials = storage.get_all_trials(study_id)
        assert sorted(t.number for t in trials) == list(range(40))
        assert all(t.params == {"x": 0.5} and t.values == [0.5] for t in trials)

__all__ = ["StorageContract", "expect_error"]

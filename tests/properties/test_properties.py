"""Property-based tests: whatever users pass, a call either fails clearly and stores nothing,
or returns a value inside the declared domain that equals what is stored; and the study then
loads through a fresh storage object with every earlier trial unchanged.

Runs on every backend (in-memory, SQLite, PostgreSQL, MariaDB, journal file, journal Redis),
derandomized so CI is reproducible. The default run tries a few examples per category and
backend; the ``slow`` run many more. The run ends with the examples tried per category.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from property_backends import TRIED, Backend
from property_strategies import (
    anything_numeric,
    attr_values,
    choices_items,
    exact,
    names_users_pass,
    numbers_users_pass,
    plain,
    weird_texts,
)

import trimtab
from trimtab.distributions import distribution_to_json
from trimtab.exceptions import DuplicatedStudyError
from trimtab.trial import TrialState

CLEAR_ERRORS = (ValueError, TypeError)


# The default run stays within CI's budget: every example reopens the storage from scratch,
# which costs ~0.1 s on SQLite/PostgreSQL and ~0.3 s on MariaDB here.
DEFAULT_EXAMPLES = {
    "journal_file": 15,
    "journal_redis": 15,
    "sqlite": 8,
    "postgresql": 5,
    "mysql": 4,
}


def _examples(backend: str, size: str) -> int:
    if size == "large":
        return 200
    return DEFAULT_EXAMPLES.get(backend, 25)


SIZES = ["default", pytest.param("large", marks=pytest.mark.slow)]


def _settings(backend: str, size: str) -> settings:
    return settings(
        max_examples=_examples(backend, size),
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )


@pytest.fixture(autouse=True)
def quiet() -> Any:
    trimtab.logging.set_verbosity(trimtab.logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def canon(value: Any) -> Any:
    """A comparable form: NaN equals NaN, -0.0 equals 0.0, tuples equal lists, types kept."""
    if isinstance(value, float):
        return ("float", "nan" if math.isnan(value) else value + 0.0)
    if isinstance(value, bool) or value is None:
        return ("const", value)
    if isinstance(value, int):
        return ("int", value)
    if isinstance(value, str):
        return ("str", value)
    if isinstance(value, dict):
        return ("dict", tuple(sorted((str(k), canon(v)) for k, v in value.items())))
    if isinstance(value, (list, tuple)):
        return ("list", tuple(canon(v) for v in value))
    return ("other", repr(value))


def snapshot(trial: trimtab.trial.FrozenTrial) -> Any:
    return (
        trial.number,
        trial.state.name,
        canon(trial.values),
        canon(trial.params),
        {k: distribution_to_json(d) for k, d in trial.distributions.items()},
        canon(trial.user_attrs),
    )


class Model:
    """What the storage must hold: each study's directions, user attrs and trial snapshots."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.studies: dict[str, dict[str, Any]] = {}

    def create(self, name: str, directions: Sequence[str] = ("minimize",)) -> trimtab.Study:
        study = trimtab.create_study(
            storage=self.backend.storage, study_name=name, directions=list(directions)
        )
        self.studies[name] = {"directions": list(directions), "attrs": canon({}), "trials": []}
        return study

    def record(self, study: trimtab.Study) -> None:
        """Take the study's current trials (as read through its storage) as the expectation."""
        entry = self.studies[study.study_name]
        trials = [snapshot(t) for t in study.get_trials(deepcopy=False)]
        for old, new in zip(entry["trials"], trials):
            if old[1] not in ("RUNNING", "WAITING"):
                assert old == new, "a finished trial changed"
        entry["trials"] = trials
        entry["attrs"] = canon(study.user_attrs)

    def resync(self, finish_unfinished: bool = True) -> None:
        """After a failed example: take what is stored as the new expectation.

        Unfinished trials are failed first, so the next example starts from a clean queue.
        """
        self.studies = {
            name: self.studies.get(name, {})
            for name in trimtab.get_all_study_names(self.backend.storage)
        }
        for name in self.studies:
            study = trimtab.load_study(study_name=name, storage=self.backend.storage)
            self.studies[name]["directions"] = [d.name.lower() for d in study.directions]
            for trial in study.get_trials(deepcopy=False):
                if finish_unfinished and not trial.state.is_finished():
                    if trial.state == TrialState.WAITING:
                        study.ask()
                    study.tell(trial.number, state=TrialState.FAIL)
            self.studies[name]["trials"] = [snapshot(t) for t in study.get_trials()]
            self.studies[name]["attrs"] = canon(study.user_attrs)

    def check_fresh(self) -> None:
        """Every study loads through a fresh storage object, every trial as recorded."""
        storage = self.backend.fresh()
        assert sorted(trimtab.get_all_study_names(storage)) == sorted(self.studies)
        for name, entry in self.studies.items():
            loaded = trimtab.load_study(study_name=name, storage=storage)
            assert [d.name.lower() for d in loaded.directions] == entry["directions"]
            assert [snapshot(t) for t in loaded.get_trials(deepcopy=False)] == entry["trials"]
            assert canon(loaded.user_attrs) == entry["attrs"]
        self.backend.release()


def _run(
    category: str,
    model: Model,
    size: str,
    strategy: st.SearchStrategy,
    body: Callable,
    finish_unfinished: bool = True,
) -> None:
    backend = model.backend.kind

    @_settings(backend, size)
    @given(strategy)
    def run(example: Any) -> None:
        TRIED[(category, backend)] += 1
        try:
            body(example)
        except BaseException:
            # Report this example alone: the next one starts from what is stored now.
            model.resync(finish_unfinished)
            raise

    run()


def _named_in(err: Exception, name: Any) -> bool:
    text = str(err)
    return repr(name) in text or "parameter name" in text


def _finish(model: Model, study: trimtab.Study, trial: trimtab.Trial, failed: bool) -> None:
    study.tell(trial, state=TrialState.FAIL) if failed else study.tell(trial, 0.5)
    model.record(study)
    model.check_fresh()


def _param_name(base: str, name: Any) -> Any:
    return base if name is None else (base + name if isinstance(name, str) else name)


# suggest_float


float_calls = st.fixed_dictionaries(
    {
        "name": st.one_of(st.none(), st.none(), st.none(), names_users_pass),
        "low": numbers_users_pass,
        "high": numbers_users_pass,
        "step": st.one_of(st.none(), st.none(), numbers_users_pass),
        "log": st.one_of(st.booleans(), st.booleans().map(np.bool_)),
    }
)


def _check_float(value: Any, call: dict[str, Any]) -> None:
    assert type(value) is float and math.isfinite(value)
    low, high, step = float(call["low"]), float(call["high"]), call["step"]
    assert low <= value <= high, (value, call)
    if call["log"]:
        assert value > 0
    if step is not None:
        k = (Fraction(value) - Fraction(low)) / Fraction(float(step))
        slack = 1e-9 + float(abs(Fraction(value)) + abs(Fraction(low))) * 2**-50 / float(step)
        assert abs(k - round(k)) <= slack, (value, call)


def _must_accept_float(call: dict[str, Any]) -> bool:
    low, high = call["low"], call["high"]
    if not (plain(low) and plain(high) and call["step"] is None and call["name"] is None):
        return False
    if not (math.isfinite(low) and math.isfinite(high) and -1e15 <= low <= high <= 1e15):
        return False
    return not call["log"] or low > 0


@pytest.mark.parametrize("size", SIZES)
def test_suggest_float(make_backend: Callable[[], Backend], backend: str, size: str) -> None:
    model = Model(make_backend())
    study = model.create("floats")

    def body(call: dict[str, Any]) -> None:
        name = _param_name("flog" if call["log"] else "f", call["name"])
        trial = study.ask()
        try:
            value = trial.suggest_float(
                name, call["low"], call["high"], step=call["step"], log=call["log"]
            )
        except CLEAR_ERRORS as err:
            assert not _must_accept_float(call), f"{call} rejected: {err}"
            assert _named_in(err, name), err
            assert trial.params == {}
            _finish(model, study, trial, failed=True)
            return
        _check_float(value, call)
        _finish(model, study, trial, failed=False)
        assert study.trials[-1].params == {name: value}

    _run("suggest_float", model, size, float_calls, body)


# suggest_int


int_calls = st.fixed_dictionaries(
    {
        "name": st.one_of(st.none(), st.none(), st.none(), names_users_pass),
        "low": st.one_of(st.integers(-(2**60), 2**60), numbers_users_pass),
        "high": st.one_of(st.integers(-(2**60), 2**60), numbers_users_pass),
        "step": st.one_of(st.just(1), st.integers(1, 2**54), numbers_users_pass),
        "log": st.one_of(st.booleans(), st.booleans().map(np.bool_)),
    }
)


def _check_int(value: Any, call: dict[str, Any]) -> None:
    assert type(value) is int
    low, high, step = (exact(call[k]) for k in ("low", "high", "step"))
    assert low is not None and high is not None and step is not None, call
    assert low <= value <= high, (value, call)
    assert (value - low) % step == 0, (value, call)
    assert abs(value) <= 2**53
    if call["log"]:
        assert value >= 1


def _must_accept_int(call: dict[str, Any]) -> bool:
    low, high, step = call["low"], call["high"], call["step"]
    if not all(type(v) is int for v in (low, high, step)) or call["name"] is not None:
        return False
    if not (-(2**53) <= low <= high <= 2**53 and 1 <= step):
        return False
    return not call["log"] or (low >= 1 and step == 1)


@pytest.mark.parametrize("size", SIZES)
def test_suggest_int(make_backend: Callable[[], Backend], backend: str, size: str) -> None:
    model = Model(make_backend())
    study = model.create("ints")

    def body(call: dict[str, Any]) -> None:
        name = _param_name("ilog" if call["log"] else "i", call["name"])
        trial = study.ask()
        try:
            value = trial.suggest_int(
                name, call["low"], call["high"], step=call["step"], log=call["log"]
            )
        except CLEAR_ERRORS as err:
            assert not _must_accept_int(call), f"{call} rejected: {err}"
            assert _named_in(err, name), err
            _finish(model, study, trial, failed=True)
            return
        _check_int(value, call)
        _finish(model, study, trial, failed=False)
        assert study.trials[-1].params == {name: value}

    _run("suggest_int", model, size, int_calls, body)


# suggest_categorical


def _python(choice: Any) -> Any:
    return choice.item() if isinstance(choice, np.generic) else choice


def _is_choice(value: Any, choices: list[Any]) -> bool:
    for choice in map(_python, choices):
        if type(choice) is type(value) and canon(choice) == canon(value):
            return True
    return False


@pytest.mark.parametrize("size", SIZES)
def test_suggest_categorical(make_backend: Callable[[], Backend], backend: str, size: str) -> None:
    model = Model(make_backend())
    study = model.create("categories")
    calls = st.tuples(st.one_of(st.none(), weird_texts), st.lists(choices_items, max_size=5))

    def body(call: tuple[Any, list[Any]]) -> None:
        name = _param_name(f"c{len(study.trials)}", call[0])
        choices = call[1]
        trial = study.ask()
        try:
            value = trial.suggest_categorical(name, choices)
        except CLEAR_ERRORS as err:
            plain_choices = all(c is None or type(c) in (bool, int, float, str) for c in choices)
            assert not (choices and plain_choices and call[0] is None), f"{choices}: {err}"
            assert _named_in(err, name), err
            _finish(model, study, trial, failed=True)
            return
        assert _is_choice(value, choices), (value, choices)
        _finish(model, study, trial, failed=False)
        assert canon(study.trials[-1].params) == canon({name: value})

    _run("suggest_categorical", model, size, calls, body)


# tell


told_values = st.one_of(
    anything_numeric,
    st.lists(anything_numeric, max_size=3),
    st.tuples(numbers_users_pass, numbers_users_pass),
    st.lists(numbers_users_pass, min_size=2, max_size=2).map(np.array),
)
told_states = st.one_of(st.none(), st.none(), st.sampled_from(list(TrialState)))


def _expected_tell(values: Any, state: Any, n_objectives: int) -> tuple[str, Any]:
    """(outcome, values): outcome is "raise" or the state name the trial must end in."""
    if state in (TrialState.RUNNING, TrialState.WAITING):
        return "raise", None
    if state in (TrialState.PRUNED, TrialState.FAIL):
        return ("raise", None) if values is not None else (state.name, None)
    if values is None:
        return ("raise", None) if state == TrialState.COMPLETE else ("FAIL", None)
    is_sequence = isinstance(values, (list, tuple))
    sequence = list(values) if is_sequence else [values]
    floats = []
    for v in sequence:
        if isinstance(v, (str, bytes)):
            break
        try:
            number = float(v)
        except (TypeError, ValueError, OverflowError):
            break
        if math.isnan(number):
            break
        floats.append(number)
    valid = len(floats) == len(sequence) == n_objectives
    if valid:
        return "COMPLETE", floats
    return ("raise", None) if state == TrialState.COMPLETE else ("FAIL", None)


@pytest.mark.parametrize("size", SIZES)
def test_tell(make_backend: Callable[[], Backend], backend: str, size: str) -> None:
    model = Model(make_backend())
    studies = [model.create("tell1"), model.create("tell2", ("minimize", "maximize"))]
    calls = st.tuples(st.integers(0, 1), told_values, told_states)

    def body(call: tuple[int, Any, Any]) -> None:
        study = studies[call[0]]
        values, state = call[1], call[2]
        trial = study.ask()
        outcome, floats = _expected_tell(values, state, len(study.directions))
        try:
            frozen = study.tell(trial, values, state=state)
        except CLEAR_ERRORS as err:
            assert outcome == "raise", f"tell({values!r}, {state}) raised {err!r}"
            assert study.trials[-1].state == TrialState.RUNNING
            study.tell(trial, state=TrialState.FAIL)
        else:
            assert outcome == frozen.state.name, (values, state, frozen.state)
            if outcome == "COMPLETE":
                assert canon(frozen.values) == canon(floats)
        model.record(study)
        model.check_fresh()

    _run("tell", model, size, calls, body)


# enqueue_trial


enqueued = st.fixed_dictionaries(
    {
        "x": anything_numeric,
        "i": anything_numeric,
        "c": choices_items,
        "attrs": st.one_of(st.none(), st.dictionaries(st.text(max_size=3), attr_values)),
    }
)


@pytest.mark.parametrize("size", SIZES)
def test_enqueue_trial(make_backend: Callable[[], Backend], backend: str, size: str) -> None:
    model = Model(make_backend())
    study = model.create("enqueued")

    def body(call: dict[str, Any]) -> None:
        params = {"x": call["x"], "i": call["i"], "c": call["c"]}
        try:
            study.enqueue_trial(params, user_attrs=call["attrs"])
        except CLEAR_ERRORS as err:
            assert "JSON" in str(err) or "must be" in str(err), err
            model.check_fresh()  # nothing stored
            return
        trial = study.ask()
        assert trial.number == len(study.trials) - 1
        returned: dict[str, Any] = {}
        suggests = {
            "x": lambda: trial.suggest_float("x", -10.0, 10.0),
            "i": lambda: trial.suggest_int("i", -10, 10),
            "c": lambda: trial.suggest_categorical("c", [call["c"], "other"]),
        }
        failed = False
        for name, suggest in suggests.items():
            try:
                returned[name] = suggest()
            except CLEAR_ERRORS as err:
                assert _named_in(err, name), err
                failed = True
        if "x" in returned:
            assert returned["x"] == float(call["x"])
        if "i" in returned:
            assert returned["i"] == int(float(call["i"]))
        _finish(model, study, trial, failed=failed)
        assert canon(study.trials[-1].params) == canon(returned)

    _run("enqueue_trial", model, size, enqueued, body)


# set_user_attr


def _json_round_trip(value: Any) -> Any:
    return json.loads(json.dumps(value))


@pytest.mark.parametrize("size", SIZES)
def test_set_user_attr(make_backend: Callable[[], Backend], backend: str, size: str) -> None:
    model = Model(make_backend())
    study = model.create("attrs")
    trial = study.ask()
    calls = st.tuples(st.booleans(), st.one_of(weird_texts, names_users_pass), attr_values)

    def body(call: tuple[bool, Any, Any]) -> None:
        on_study, key, value = call
        target: Any = study if on_study else trial
        before = dict(target.user_attrs)
        try:
            target.set_user_attr(key, value)
        except CLEAR_ERRORS as err:
            assert any(w in str(err) for w in ("JSON", "must be", "cannot hold")), err
            assert canon(target.user_attrs) == canon(before)
        else:
            assert canon(target.user_attrs[key]) == canon(_json_round_trip(value))
            stored = study._storage.get_trial(trial._trial_id).user_attrs
            assert canon(stored) == canon(trial.user_attrs)
        model.record(study)
        model.check_fresh()

    _run("set_user_attr", model, size, calls, body, finish_unfinished=False)


# create_study


directions_users_pass = st.one_of(
    st.just({"direction": "minimize"}),
    st.sampled_from(["maximize", "MINIMIZE", "up", "", None]).map(lambda d: {"direction": d}),
    st.lists(st.sampled_from(["minimize", "maximize", "x"]), max_size=3).map(
        lambda d: {"directions": d}
    ),
)


@pytest.mark.parametrize("size", SIZES)
def test_create_study(make_backend: Callable[[], Backend], backend: str, size: str) -> None:
    model = Model(make_backend())
    model.create("existing")
    calls = st.tuples(
        st.one_of(names_users_pass, st.just("existing")), directions_users_pass, st.booleans()
    )

    def body(call: tuple[Any, dict[str, Any], bool]) -> None:
        name, directions, load_if_exists = call
        storage = model.backend.storage
        try:
            study = trimtab.create_study(
                storage=storage, study_name=name, load_if_exists=load_if_exists, **directions
            )
        except DuplicatedStudyError:
            assert name in model.studies and not load_if_exists
        except CLEAR_ERRORS as err:
            text = str(err)
            assert "name" in text or "direction" in text or "objectives" in text, err
        else:
            if name is not None:
                assert study.study_name == name
            if study.study_name not in model.studies:
                wanted = directions.get("directions") or [directions["direction"] or "minimize"]
                assert [d.name.lower() for d in study.directions] == [d.lower() for d in wanted]
                model.studies[study.study_name] = {
                    "directions": [d.name.lower() for d in study.directions],
                    "attrs": canon({}),
                    "trials": [],
                }
        model.check_fresh()

    _run("create_study", model, size, calls, body)

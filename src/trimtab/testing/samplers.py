"""A conformance suite for ``BaseSampler`` implementations.

Subclass ``SamplerContract`` in a pytest module and implement ``make_sampler``::

    class TestMySampler(SamplerContract):
        multi_objective = True          # run the multi-objective checks too

        def make_sampler(self, seed: int | None = None) -> BaseSampler:
            return MySampler(seed=seed)

Every ``test_*`` method runs studies with the sampler and checks what users rely on: values lie
in their distributions and are exactly what is stored, conditional and mixed spaces work,
enqueued values are respected, threads and failed/pruned trials do not break it.
"""

from __future__ import annotations

import abc
import math
from typing import Any

from trimtab import logging
from trimtab.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from trimtab.exceptions import TrialPruned
from trimtab.samplers import BaseSampler
from trimtab.study import Study, create_study
from trimtab.trial import Trial, TrialState

N_TRIALS = 25


def _mixed_objective(trial: Trial) -> float:
    x = trial.suggest_float("x", -3.0, 3.0)
    lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    q = trial.suggest_float("q", 0.0, 1.0, step=0.25)
    n = trial.suggest_int("n", 1, 9, step=2)
    m = trial.suggest_int("m", 1, 1000, log=True)
    c = trial.suggest_categorical("c", ["a", "b", None, 1, True])
    return x**2 + math.log10(lr) ** 2 / 10 + q + n / 10 + m / 1000 + (c == "a")


class SamplerContract(abc.ABC):
    """The behaviour every sampler must show."""

    multi_objective = False

    @abc.abstractmethod
    def make_sampler(self, seed: int | None = None) -> BaseSampler:
        """Return a new sampler, seeded when ``seed`` is given."""

    def _study(self, seed: int | None = 0, **kwargs: Any) -> Study:
        logging.set_verbosity(logging.WARNING)
        return create_study(sampler=self.make_sampler(seed), **kwargs)

    def test_values_lie_in_their_distributions(self) -> None:
        study = self._study()
        study.optimize(_mixed_objective, n_trials=N_TRIALS)
        trials = study.get_trials(states=(TrialState.COMPLETE,))
        assert len(trials) == N_TRIALS
        for trial in trials:
            for name, value in trial.params.items():
                dist = trial.distributions[name]
                assert dist._contains(dist.to_internal_repr(value)), (name, value, dist)
            assert isinstance(trial.params["n"], int) and (trial.params["n"] - 1) % 2 == 0
            assert isinstance(trial.params["x"], float)

    def test_suggested_value_is_what_is_stored(self) -> None:
        study = self._study()
        seen: dict[int, dict[str, Any]] = {}

        def objective(trial: Trial) -> float:
            seen[trial.number] = {
                "x": trial.suggest_float("x", 0.0, 1.0),
                "k": trial.suggest_int("k", -(2**40), 2**40),
                "c": trial.suggest_categorical("c", [True, 1, 1.0, "1"]),
            }
            return seen[trial.number]["x"]

        study.optimize(objective, n_trials=N_TRIALS)
        for trial in study.trials:
            stored = trial.params
            for name, value in seen[trial.number].items():
                assert stored[name] == value and type(stored[name]) is type(value)

    def test_conditional_space(self) -> None:
        study = self._study()

        def objective(trial: Trial) -> float:
            kind = trial.suggest_categorical("kind", ["linear", "tree"])
            if kind == "linear":
                return trial.suggest_float("alpha", 1e-3, 1.0, log=True)
            return trial.suggest_int("depth", 1, 8) / 8

        study.optimize(objective, n_trials=N_TRIALS)
        for trial in study.get_trials(states=(TrialState.COMPLETE,)):
            expected = {"kind", "alpha"} if trial.params["kind"] == "linear" else {"kind", "depth"}
            assert set(trial.params) == expected

    def test_single_value_domains(self) -> None:
        study = self._study()
        study.optimize(
            lambda t: (
                t.suggest_float("x", 1.5, 1.5)
                + t.suggest_int("n", 3, 3)
                + len(t.suggest_categorical("c", ["only"]))
            ),
            n_trials=5,
        )
        assert all(t.params == {"x": 1.5, "n": 3, "c": "only"} for t in study.trials)

    def test_enqueued_params_are_used(self) -> None:
        study = self._study()
        study.enqueue_trial({"x": 0.125, "c": "b"})
        study.optimize(
            lambda t: t.suggest_float("x", 0, 1) + len(t.suggest_categorical("c", ["a", "b"])),
            n_trials=3,
        )
        assert study.trials[0].params == {"x": 0.125, "c": "b"}

    def test_failed_and_pruned_trials_in_history(self) -> None:
        study = self._study()

        def objective(trial: Trial) -> float:
            x = trial.suggest_float("x", 0.0, 1.0)
            if trial.number % 3 == 1:
                raise TrialPruned()
            if trial.number % 3 == 2:
                raise RuntimeError("broken")
            return x

        study.optimize(objective, n_trials=N_TRIALS, catch=(RuntimeError,))
        states = [t.state for t in study.trials]
        assert states.count(TrialState.COMPLETE) == math.ceil(N_TRIALS / 3)
        assert TrialState.FAIL in states and TrialState.PRUNED in states

    def test_threads(self) -> None:
        study = self._study(seed=None)
        study.optimize(_mixed_objective, n_trials=N_TRIALS, n_jobs=2)
        assert len(study.get_trials(states=(TrialState.COMPLETE,))) == N_TRIALS

    def test_ask_and_tell_with_fixed_distributions(self) -> None:
        study = self._study()
        space = {
            "x": FloatDistribution(-1, 1),
            "n": IntDistribution(0, 4),
            "c": CategoricalDistribution(["u", "v"]),
        }
        for _ in range(N_TRIALS):
            trial = study.ask(space)
            study.tell(trial, trial.params["x"] ** 2 + trial.params["n"])
        assert all(set(t.params) == {"x", "n", "c"} for t in study.trials)

    def test_new_sampler_resumes_study(self) -> None:
        study = self._study()
        study.optimize(_mixed_objective, n_trials=10)
        resumed = Study(study.study_name, study.storage, sampler=self.make_sampler(1))
        resumed.optimize(_mixed_objective, n_trials=10)
        assert len(resumed.get_trials(states=(TrialState.COMPLETE,))) == 20

    def test_multi_objective(self) -> None:
        if not self.multi_objective:
            return
        study = self._study(directions=["minimize", "maximize"])
        study.optimize(
            lambda t: (t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1)), n_trials=N_TRIALS
        )
        assert len(study.get_trials(states=(TrialState.COMPLETE,))) == N_TRIALS
        assert study.best_trials

__all__ = ["SamplerContract"]

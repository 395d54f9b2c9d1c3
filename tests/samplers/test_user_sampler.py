"""A user's custom sampler, written against Optuna's plug-in contract, runs unchanged."""

from __future__ import annotations

import numpy as np

import trimtab as optuna


class SimulatedAnnealingSampler(optuna.samplers.BaseSampler):
    """A sampler in the style of Optuna's user-defined sampler tutorial."""

    def __init__(self, temperature: float = 100.0, seed: int | None = None) -> None:
        self._rng = np.random.RandomState(seed)
        self._independent_sampler = optuna.samplers.RandomSampler(seed=seed)
        self._current_trial: optuna.trial.FrozenTrial | None = None
        self._temperature = temperature

    def infer_relative_search_space(self, study, trial):  # type: ignore[no-untyped-def]
        return optuna.search_space.intersection_search_space(study.get_trials(deepcopy=False))

    def sample_relative(self, study, trial, search_space):  # type: ignore[no-untyped-def]
        if search_space == {}:
            return {}
        prev = study._get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
        if not prev:
            return {}
        last = prev[-1]
        if self._current_trial is None or last.value <= self._current_trial.value:
            self._current_trial = last
        else:
            p = np.exp(-(last.value - self._current_trial.value) / self._temperature)
            if self._rng.uniform() < p:
                self._current_trial = last
        params = {}
        for name, dist in search_space.items():
            if not isinstance(dist, optuna.distributions.FloatDistribution):
                continue
            current = self._current_trial.params[name]
            width = (dist.high - dist.low) * 0.1
            params[name] = float(
                np.clip(self._rng.uniform(current - width, current + width), dist.low, dist.high)
            )
        self._temperature *= 0.9
        return params

    def sample_independent(self, study, trial, param_name, param_distribution):  # type: ignore  # noqa: E501
        return self._independent_sampler.sample_independent(
            study, trial, param_name, param_distribution
        )


def test_custom_sampler_runs_and_improves() -> None:
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def objective(trial: optuna.Trial) -> float:
        x = trial.suggest_float("x", -10, 10)
        y = trial.suggest_float("y", -5, 5)
        return x**2 + y

    sampler = SimulatedAnnealingSampler(seed=1)
    study = optuna.create_study(sampler=sampler)
    study.optimize(objective, n_trials=100)
    assert len(study.trials) == 100
    assert study.best_value < 0.0
    later = [t for t in study.trials[1:] if t.params != study.trials[0].params]
    assert later, "sample_relative values were used"

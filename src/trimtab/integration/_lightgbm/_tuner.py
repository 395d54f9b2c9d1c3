"""The stepwise LightGBM tuner: ``LightGBMTuner`` (train/valid) and ``LightGBMTunerCV``.

The tuner searches a few parameters at a time, each step starting from the best parameters
found so far (the order and budgets of ``optuna-integration``'s tuner):

1. ``feature_fraction``: a 7-point grid over [0.4, 1.0];
2. ``num_leaves``: 20 TPE trials over [2, 2**max_depth];
3. ``bagging_fraction`` and ``bagging_freq``: 10 TPE trials;
4. ``feature_fraction`` again: a 6-point grid within ±0.08 of the best;
5. ``lambda_l1`` and ``lambda_l2``: 20 TPE trials over [1e-8, 10] (log);
6. ``min_child_samples``: the grid 5, 10, 25, 50, 100.

Every trial is a trial of the user's study, tagged with its step in its system attributes
(``lightgbm_tuner:step_name``, with the LightGBM parameters it used), so a study in a shared
storage resumes where it stopped and can be read by Optuna's tuner too.
"""

from __future__ import annotations

import abc
import copy
import json
import math
import os
import pickle
import time
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from trimtab import logging as trimtab_logging
from trimtab.integration._imports import import_or_explain
from trimtab.integration._lightgbm._alias import (
    HIGHER_IS_BETTER,
    canonical_metric,
    rename_metric_aliases,
    rename_parameter_aliases,
)
from trimtab.integration._lightgbm._stepwise import StepSampler, new_step_study
from trimtab.samplers import BaseSampler, GridSampler, TPESampler
from trimtab.study import StudyDirection, create_study
from trimtab.trial import TrialState

if TYPE_CHECKING:
    from trimtab.study import Study
    from trimtab.trial import FrozenTrial, Trial

    StudyCallback = Callable[[Study, FrozenTrial], None]

ELAPSED_SECS_KEY = "lightgbm_tuner:elapsed_secs"
AVERAGE_ITERATION_TIME_KEY = "lightgbm_tuner:average_iteration_time"
STEP_NAME_KEY = "lightgbm_tuner:step_name"
LGBM_PARAMS_KEY = "lightgbm_tuner:lgbm_params"

_DEFAULT_PARAMETERS: dict[str, Any] = {
    "lambda_l1": 0.0,
    "lambda_l2": 0.0,
    "num_leaves": 31,
    "feature_fraction": 1.0,
    "bagging_fraction": 1.0,
    "bagging_freq": 0,
    "min_child_samples": 20,
}
_DEFAULT_TREE_DEPTH = 8
_EPS = 1e-12

_logger = trimtab_logging.get_logger(__name__)


def lightgbm_module() -> Any:
    """LightGBM, or an ImportError naming the extra."""
    return import_or_explain("lightgbm", "lightgbm", "The LightGBM tuner")


def _suggest(trial: Trial, names: list[str], params: dict[str, Any]) -> dict[str, Any]:
    """The values of this step's parameters for ``trial``."""
    chosen: dict[str, Any] = {}
    for name in ("lambda_l1", "lambda_l2"):
        if name in names:
            chosen[name] = trial.suggest_float(name, 1e-8, 10.0, log=True)
    if "num_leaves" in names:
        depth = params.get("max_depth", _DEFAULT_TREE_DEPTH)
        depth = depth if isinstance(depth, int) and depth > 0 else _DEFAULT_TREE_DEPTH
        chosen["num_leaves"] = trial.suggest_int("num_leaves", 2, 2**depth)
    for name in ("feature_fraction", "bagging_fraction"):
        if name in names:
            # Optuna's tuner uses this range; the same distribution lets either tuner resume
            # a study the other started.
            chosen[name] = min(trial.suggest_float(name, 0.4, 1.0 + _EPS), 1.0)
    if "bagging_freq" in names:
        chosen["bagging_freq"] = trial.suggest_int("bagging_freq", 1, 7)
    if "min_child_samples" in names:
        chosen["min_child_samples"] = trial.suggest_int("min_child_samples", 5, 100)
    return chosen


def _storable_params(params: dict[str, Any]) -> str:
    shown = dict(params)
    objective = shown.get("objective")
    if objective is not None and not isinstance(objective, str):
        shown["objective"] = getattr(objective, "__name__", str(objective))
    return json.dumps(shown)


class _LightGBMBaseTuner(abc.ABC):
    """What ``LightGBMTuner`` and ``LightGBMTunerCV`` share; see their docstrings."""

    def __init__(
        self,
        params: dict[str, Any],
        train_set: Any,
        lgbm_kwargs: dict[str, Any],
        time_budget: float | None,
        sample_size: int | None,
        study: Study | None,
        optuna_callbacks: list[StudyCallback] | None,
        show_progress_bar: bool,
        model_dir: str | None,
        optuna_seed: int | None,
    ) -> None:
        lightgbm_module()
        if not isinstance(params, dict):
            raise TypeError(f"params must be a dict of LightGBM parameters, got {params!r}.")
        self.lgbm_params = copy.deepcopy(params)
        rename_metric_aliases(self.lgbm_params)
        if self.lgbm_params.get("feature_pre_filter", False):
            warnings.warn(
                "feature_pre_filter=True is replaced by False: the tuner changes "
                "min_child_samples, which a pre-filtered Dataset cannot follow.",
                stacklevel=3,
            )
        self.lgbm_params["feature_pre_filter"] = False
        self.train_set = train_set
        self.lgbm_kwargs = lgbm_kwargs
        self._time_budget = time_budget
        self._sample_size = sample_size
        self._train_subset: Any = None
        self._optuna_callbacks = list(optuna_callbacks or [])
        self._show_progress_bar = show_progress_bar
        self._model_dir = model_dir
        self._optuna_seed = optuna_seed
        self._custom_objective = self.lgbm_params.get("objective")
        if isinstance(self._custom_objective, str):
            self._custom_objective = None
        self._metric = self._objective_metric()
        direction = StudyDirection.MAXIMIZE if self.higher_is_better() else StudyDirection.MINIMIZE
        self.study = study if study is not None else create_study(direction=direction)
        if self.study.direction != direction:
            wanted = direction.name.lower()
            raise ValueError(
                f"The study's direction is {self.study.direction.name} but LightGBM's metric "
                f"{self._metric!r} is to be {wanted}d; create the study with "
                f"direction={wanted!r}."
            )
        self._start_time: float | None = None
        self._best_model: tuple[Any, int] | None = None
        self._best_value_seen: float | None = None
        if model_dir is not None:
            os.makedirs(model_dir, exist_ok=True)

    def _objective_metric(self) -> str:
        """The metric LightGBM reports that the tuner optimises (the last one given)."""
        metric = self.lgbm_params.get("metric")
        if metric is None:
            objective = self.lgbm_params.get("objective")
            metric = canonical_metric(objective) if isinstance(objective, str) else None
        if metric is None:
            metric = "binary_logloss"
        if not isinstance(metric, str):
            metric = list(metric)[-1]
        if metric in ("ndcg", "map"):
            at = (
                self.lgbm_params.get("eval_at")
                or self.lgbm_params.get(f"{metric}_at")
                or self.lgbm_params.get(f"{metric}_eval_at")
                or [1, 2, 3, 4, 5]
            )
            if isinstance(at, (list, tuple)):
                at = at[0]
            if not isinstance(at, int):
                raise ValueError(f"eval_at must be an int or a list of ints, got {at!r}.")
            metric = f"{metric}@{at}"
        return metric

    def higher_is_better(self) -> bool:
        """Whether the optimised metric grows as models get better (``auc``, ``ndcg``, ...)."""
        return self._metric.split("@")[0] in HIGHER_IS_BETTER

    @property
    def best_score(self) -> float:
        """The best value found so far (±inf before any trial completes)."""
        try:
            return self.study.best_value
        except ValueError:
            return -math.inf if self.higher_is_better() else math.inf

    @property
    def best_params(self) -> dict[str, Any]:
        """The LightGBM parameters of the best trial (the given ones before any trial)."""
        try:
            stored = self.study.best_trial.system_attrs.get(LGBM_PARAMS_KEY)
        except ValueError:
            stored = None
        if stored is None:
            params = {**_DEFAULT_PARAMETERS, **self.lgbm_params}
        else:
            params = json.loads(stored)
        if self._custom_objective is not None:
            params["objective"] = self._custom_objective
        return params

    def run(self) -> None:
        """Tune, step by step (see the module docstring)."""
        rename_parameter_aliases(self.lgbm_params)
        self.sample_train_set()
        self.tune_feature_fraction()
        self.tune_num_leaves()
        self.tune_bagging()
        self.tune_feature_fraction_stage2()
        self.tune_regularization_factors()
        self.tune_min_data_in_leaf()

    def sample_train_set(self) -> None:
        """Tune on the last ``sample_size`` rows of the training set, if it is given."""
        if self._sample_size is None:
            return
        self.train_set.construct()
        n_rows = self.train_set.get_label().shape[0]
        if n_rows > self._sample_size:
            self._train_subset = self.train_set.subset(
                np.arange(n_rows - self._sample_size, n_rows)
            )

    def tune_feature_fraction(self, n_trials: int = 7) -> None:
        """Step 1: a grid over ``feature_fraction``."""
        values = np.linspace(0.4, 1.0, n_trials).tolist()
        self._tune_grid("feature_fraction", values, "feature_fraction")

    def tune_num_leaves(self, n_trials: int = 20) -> None:
        """Step 2: TPE over ``num_leaves``."""
        self._tune_params(["num_leaves"], n_trials, self._tpe(), "num_leaves")

    def tune_bagging(self, n_trials: int = 10) -> None:
        """Step 3: TPE over ``bagging_fraction`` and ``bagging_freq``."""
        names = ["bagging_fraction", "bagging_freq"]
        self._tune_params(names, n_trials, self._tpe(), "bagging")

    def tune_feature_fraction_stage2(self, n_trials: int = 6) -> None:
        """Step 4: a finer grid over ``feature_fraction`` around the best value."""
        best = float(self.best_params["feature_fraction"])
        values = np.linspace(best - 0.08, best + 0.08, n_trials).tolist()
        values = [v for v in values if 0.4 <= v <= 1.0]
        self._tune_grid("feature_fraction", values, "feature_fraction_stage2")

    def tune_regularization_factors(self, n_trials: int = 20) -> None:
        """Step 5: TPE over ``lambda_l1`` and ``lambda_l2``."""
        names = ["lambda_l1", "lambda_l2"]
        self._tune_params(names, n_trials, self._tpe(), "regularization_factors")

    def tune_min_data_in_leaf(self) -> None:
        """Step 6: a grid over ``min_child_samples``."""
        self._tune_grid("min_child_samples", [5, 10, 25, 50, 100], "min_child_samples")

    def _tpe(self) -> BaseSampler:
        return TPESampler(seed=self._optuna_seed)

    def _tune_grid(self, name: str, values: list[Any], step_name: str) -> None:
        sampler = GridSampler({name: values}, seed=self._optuna_seed)
        self._tune_params([name], len(values), sampler, step_name)

    def _remaining_time(self) -> float | None:
        if self._start_time is None:
            self._start_time = time.perf_counter()
        if self._time_budget is None:
            return None
        return self._time_budget - (time.perf_counter() - self._start_time)

    def _tune_params(
        self, names: list[str], n_trials: int, sampler: BaseSampler, step_name: str
    ) -> None:
        self.lgbm_params.update(self.best_params)
        done = [
            t
            for t in self.study.get_trials(
                deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED)
            )
            if t.system_attrs.get(STEP_NAME_KEY) == step_name
        ]
        remaining = n_trials - len(done)
        timeout = self._remaining_time()
        if remaining <= 0 or (timeout is not None and timeout <= 0):
            return
        train_set = self._train_subset if self._train_subset is not None else self.train_set
        callbacks = list(self._optuna_callbacks)
        progress = self._progress_bar(n_trials, len(done), step_name)
        if progress is not None:
            callbacks.append(progress)
        objective = _StepObjective(self, names, train_set, step_name)
        user_sampler = self.study.sampler
        self.study.sampler = StepSampler(new_step_study(self.study, sampler, done))
        try:
            self.study.optimize(objective, n_trials=remaining, timeout=timeout, callbacks=callbacks)
        finally:
            self.study.sampler = user_sampler
            if progress is not None:
                progress.close()

    def _progress_bar(self, total: int, initial: int, step_name: str) -> _StepProgress | None:
        if not self._show_progress_bar:
            return None
        return _StepProgress(total, initial, step_name, self)

    def _record_model(self, model: Any, number: int, value: float) -> None:
        """Keep the model of the best trial this tuner ran (and save it to model_dir)."""
        if self._model_dir is not None and model is not None:
            path = os.path.join(self._model_dir, f"{number}.pkl")
            with open(path, "wb") as file:
                pickle.dump(model, file)
            _logger.info(f"The booster of trial#{number} was saved as {path}.")
        best = self._best_value_seen
        better = best is None or (value > best if self.higher_is_better() else value < best)
        if better:
            self._best_value_seen = value
            self._best_model = (model, number)

    def _best_model_or_load(self, kind: str) -> Any:
        try:
            best_number = self.study.best_trial.number
        except ValueError:
            raise ValueError("The best booster is not available: no trial completed.") from None
        if self._best_model is not None and self._best_model[1] == best_number:
            if self._best_model[0] is not None:
                return self._best_model[0]
        if self._model_dir is None:
            raise ValueError(
                f"The best booster (trial {best_number}) was trained by another process or "
                f"run; pass model_dir to {kind} so that boosters are saved where every "
                "process can read them."
            )
        path = os.path.join(self._model_dir, f"{best_number}.pkl")
        if not os.path.exists(path):
            raise ValueError(
                f"The best booster (trial {best_number}) is not in {self._model_dir!r}; with "
                "several machines, model_dir must be a shared directory."
            )
        with open(path, "rb") as file:
            return pickle.load(file)

    @abc.abstractmethod
    def _train_and_score(self, params: dict[str, Any], train_set: Any) -> tuple[float, int, Any]:
        """Train with ``params``; return (score, boosting rounds, model to keep or None)."""


class _StepObjective:
    """The objective of one step: train with the step's parameters, return the score."""

    def __init__(
        self, tuner: _LightGBMBaseTuner, names: list[str], train_set: Any, step_name: str
    ) -> None:
        self._tuner = tuner
        self._names = names
        self._train_set = train_set
        self._step_name = step_name

    def __call__(self, trial: Trial) -> float:
        params = dict(self._tuner.lgbm_params)
        params.update(_suggest(trial, self._names, params))
        start = time.perf_counter()
        score, rounds, model = self._tuner._train_and_score(params, copy.copy(self._train_set))
        elapsed = time.perf_counter() - start
        self._tuner._record_model(model, trial.number, score)
        storage, trial_id = trial.storage, trial._trial_id
        storage.set_trial_system_attr(trial_id, ELAPSED_SECS_KEY, elapsed)
        storage.set_trial_system_attr(
            trial_id, AVERAGE_ITERATION_TIME_KEY, elapsed / max(rounds, 1)
        )
        storage.set_trial_system_attr(trial_id, STEP_NAME_KEY, self._step_name)
        storage.set_trial_system_attr(trial_id, LGBM_PARAMS_KEY, _storable_params(params))
        return score


class _StepProgress:
    """A tqdm bar per step, showing the best score so far (a study callback)."""

    def __init__(self, total: int, initial: int, step_name: str, tuner: _LightGBMBaseTuner):
        import tqdm

        self._bar = tqdm.tqdm(total=total, initial=initial, ascii=True)
        self._step_name = step_name
        self._tuner = tuner
        self._describe()

    def _describe(self) -> None:
        self._bar.set_description(f"{self._step_name}, val_score: {self._tuner.best_score:.6f}")

    def __call__(self, study: Study, trial: FrozenTrial) -> None:
        self._describe()
        self._bar.update(1)

    def close(self) -> None:
        self._bar.close()

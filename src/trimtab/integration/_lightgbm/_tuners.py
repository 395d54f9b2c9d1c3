"""``LightGBMTuner`` (``lightgbm.train`` on validation sets), ``LightGBMTunerCV``
(``lightgbm.cv``) and ``train``, the tuning drop-in for ``lightgbm.train``."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from trimtab.integration._lightgbm._tuner import _LightGBMBaseTuner, lightgbm_module

if TYPE_CHECKING:
    from trimtab.integration._lightgbm._tuner import StudyCallback
    from trimtab.study import Study


def _removed_dataset_arguments(feature_name: Any, categorical_feature: Any) -> dict[str, Any]:
    given = {"feature_name": feature_name, "categorical_feature": categorical_feature}
    given = {name: value for name, value in given.items() if value}
    if given:
        raise TypeError(
            f"{', '.join(given)}: LightGBM 4.6 removed these arguments from lightgbm.train and "
            "lightgbm.cv; give them to lightgbm.Dataset instead."
        )
    return given


class LightGBMTuner(_LightGBMBaseTuner):
    """Tune LightGBM's main parameters step by step on validation sets.

    Arguments not listed below are ``lightgbm.train``'s. The tuned parameters are
    ``feature_fraction``, ``num_leaves``, ``bagging_fraction``, ``bagging_freq``,
    ``lambda_l1``, ``lambda_l2`` and ``min_child_samples``; the score is the last metric of
    ``params["metric"]`` (or the objective's default metric) on the last validation set.

    Args:
        time_budget: Stop tuning after this many seconds.
        sample_size: Tune on the last ``sample_size`` rows of ``train_set``.
        study: The study to record trials in (its direction must fit the metric); a new
            in-memory study by default.
        optuna_callbacks: Study callbacks ``f(study, frozen_trial)`` run after each trial.
        model_dir: Save each trial's booster as ``{model_dir}/{trial_number}.pkl``, so that
            :meth:`get_best_booster` works after resuming or from another process.
        show_progress_bar: Show a progress bar per step.
        optuna_seed: Seed of the steps' samplers, for reproducible tuning (pair it with
            LightGBM's ``deterministic`` parameter).

    Raises:
        ValueError: ``valid_sets`` is missing, or the study's direction does not fit the
            metric.
        ImportError: LightGBM is not installed.
    """

    def __init__(
        self,
        params: dict[str, Any],
        train_set: Any,
        num_boost_round: int = 1000,
        valid_sets: Any = None,
        valid_names: Any | None = None,
        feval: Callable[..., Any] | None = None,
        feature_name: str | None = None,
        categorical_feature: str | None = None,
        keep_training_booster: bool = False,
        callbacks: list[Callable[..., Any]] | None = None,
        time_budget: int | None = None,
        sample_size: int | None = None,
        study: Study | None = None,
        optuna_callbacks: list[StudyCallback] | None = None,
        model_dir: str | None = None,
        *,
        show_progress_bar: bool = True,
        optuna_seed: int | None = None,
    ) -> None:
        _removed_dataset_arguments(feature_name, categorical_feature)
        if valid_sets is None:
            raise ValueError("valid_sets is required: the tuner scores each trial on it.")
        lgbm_kwargs = {
            "num_boost_round": num_boost_round,
            "valid_sets": valid_sets,
            "valid_names": valid_names,
            "feval": feval,
            "keep_training_booster": keep_training_booster,
            "callbacks": callbacks,
        }
        super().__init__(
            params,
            train_set,
            lgbm_kwargs,
            time_budget,
            sample_size,
            study,
            optuna_callbacks,
            show_progress_bar,
            model_dir,
            optuna_seed,
        )
        self._valid_name = self._scored_valid_name(valid_sets, valid_names)

    @staticmethod
    def _scored_valid_name(valid_sets: Any, valid_names: Any) -> str:
        if isinstance(valid_names, str):
            return valid_names
        if isinstance(valid_names, Sequence) and len(valid_names) > 0:
            return str(valid_names[-1])
        if isinstance(valid_sets, Sequence):
            if len(valid_sets) == 0:
                raise ValueError("valid_sets is empty: the tuner scores each trial on it.")
            return f"valid_{len(valid_sets) - 1}"
        return "valid_0"

    def _train_and_score(self, params: dict[str, Any], train_set: Any) -> tuple[float, int, Any]:
        lgb = lightgbm_module()
        kwargs = dict(self.lgbm_kwargs)
        valid_sets = kwargs["valid_sets"]
        if isinstance(valid_sets, Sequence):
            kwargs["valid_sets"] = [_copy_dataset(d) for d in valid_sets]
        else:
            kwargs["valid_sets"] = [_copy_dataset(valid_sets)]
        if isinstance(kwargs["valid_names"], str):
            kwargs["valid_names"] = [kwargs["valid_names"]]
        booster = lgb.train(params, train_set, **kwargs)
        scores = booster.best_score.get(self._valid_name, {})
        if self._metric not in scores:
            available = {name: sorted(values) for name, values in booster.best_score.items()}
            raise ValueError(
                f"The tuner optimises {self._metric!r} on {self._valid_name!r}, which LightGBM "
                f"did not report; it reported {available}. Set params['metric']."
            )
        return float(scores[self._metric]), booster.current_iteration(), booster

    def get_best_booster(self) -> Any:
        """The booster of the best trial.

        Returns:
            A ``lightgbm.Booster``.

        Raises:
            ValueError: No trial completed, or the best trial ran in another process or run
                and ``model_dir`` does not hold its booster.
        """
        return self._best_model_or_load("LightGBMTuner")


def _copy_dataset(dataset: Any) -> Any:
    return copy.copy(dataset)


class LightGBMTunerCV(_LightGBMBaseTuner):
    """Tune LightGBM's main parameters step by step with cross-validation (``lightgbm.cv``).

    The same steps as :class:`LightGBMTuner`; arguments not listed there are
    ``lightgbm.cv``'s. The score is the mean over folds at the last boosting round.

    Args:
        return_cvbooster: Keep the boosters of the folds, for :meth:`get_best_booster`.

    Raises:
        ValueError: The study's direction does not fit the metric.
        ImportError: LightGBM is not installed.
    """

    def __init__(
        self,
        params: dict[str, Any],
        train_set: Any,
        num_boost_round: int = 1000,
        folds: Iterator[tuple[Any, Any]] | Any | None = None,
        nfold: int = 5,
        stratified: bool = True,
        shuffle: bool = True,
        feval: Callable[..., Any] | None = None,
        feature_name: str | None = None,
        categorical_feature: str | None = None,
        fpreproc: Callable[..., Any] | None = None,
        seed: int = 0,
        callbacks: list[Callable[..., Any]] | None = None,
        time_budget: int | None = None,
        sample_size: int | None = None,
        study: Study | None = None,
        optuna_callbacks: list[StudyCallback] | None = None,
        *,
        show_progress_bar: bool = True,
        model_dir: str | None = None,
        return_cvbooster: bool = False,
        optuna_seed: int | None = None,
    ) -> None:
        _removed_dataset_arguments(feature_name, categorical_feature)
        lgbm_kwargs = {
            "num_boost_round": num_boost_round,
            "folds": folds,
            "nfold": nfold,
            "stratified": stratified,
            "shuffle": shuffle,
            "feval": feval,
            "fpreproc": fpreproc,
            "seed": seed,
            "callbacks": callbacks,
            "return_cvbooster": return_cvbooster,
        }
        super().__init__(
            params,
            train_set,
            lgbm_kwargs,
            time_budget,
            sample_size,
            study,
            optuna_callbacks,
            show_progress_bar,
            model_dir,
            optuna_seed,
        )

    def _train_and_score(self, params: dict[str, Any], train_set: Any) -> tuple[float, int, Any]:
        lgb = lightgbm_module()
        results = lgb.cv(params, train_set, **self.lgbm_kwargs)
        for key in (f"valid {self._metric}-mean", f"{self._metric}-mean"):
            if key in results:
                scores = results[key]
                break
        else:
            reported = sorted(k for k in results if k.endswith("-mean"))
            raise ValueError(
                f"The tuner optimises {self._metric!r}, which lightgbm.cv did not report; it "
                f"reported {reported}. Set params['metric']."
            )
        return float(scores[-1]), len(scores), results.get("cvbooster")

    def get_best_booster(self) -> Any:
        """The fold boosters of the best trial.

        Returns:
            A ``lightgbm.CVBooster``.

        Raises:
            ValueError: ``return_cvbooster`` is off, no trial completed, or the best trial
                ran elsewhere and ``model_dir`` does not hold its boosters.
        """
        if not self.lgbm_kwargs["return_cvbooster"]:
            raise ValueError("get_best_booster needs LightGBMTunerCV(..., return_cvbooster=True).")
        return self._best_model_or_load("LightGBMTunerCV")


def train(
    params: dict[str, Any],
    train_set: Any,
    num_boost_round: int = 1000,
    valid_sets: Any = None,
    valid_names: Any | None = None,
    feval: Callable[..., Any] | None = None,
    feature_name: str | None = None,
    categorical_feature: str | None = None,
    keep_training_booster: bool = False,
    callbacks: list[Callable[..., Any]] | None = None,
    time_budget: int | None = None,
    sample_size: int | None = None,
    study: Study | None = None,
    optuna_callbacks: list[StudyCallback] | None = None,
    model_dir: str | None = None,
    *,
    show_progress_bar: bool = True,
    optuna_seed: int | None = None,
) -> Any:
    """Tune with :class:`LightGBMTuner` and return the best booster.

    A drop-in for ``lightgbm.train`` that tunes ``params`` first; the arguments are those of
    :class:`LightGBMTuner`.

    Returns:
        The best ``lightgbm.Booster``.
    """
    tuner = LightGBMTuner(
        params,
        train_set,
        num_boost_round=num_boost_round,
        valid_sets=valid_sets,
        valid_names=valid_names,
        feval=feval,
        feature_name=feature_name,
        categorical_feature=categorical_feature,
        keep_training_booster=keep_training_booster,
        callbacks=callbacks,
        time_budget=time_budget,
        sample_size=sample_size,
        study=study,
        optuna_callbacks=optuna_callbacks,
        model_dir=model_dir,
        show_progress_bar=show_progress_bar,
        optuna_seed=optuna_seed,
    )
    tuner.run()
    return tuner.get_best_booster()


__all__ = ["LightGBMTuner", "LightGBMTunerCV", "train"]

"""``MLflowCallback``: one MLflow run per trial, with its parameters, values and attributes.

The study becomes an MLflow experiment of the same name (unless ``create_experiment=False``);
each finished trial becomes a run named after its number, holding the parameters as MLflow
params, the objective values as metrics and the trial's state, direction, distributions and
(optionally) user attributes as tags, as ``optuna-integration``'s callback records them.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from trimtab import _warnings
from trimtab.integration._imports import import_or_explain
from trimtab.integration._metric_names import check_metric_name, metric_names_for

if TYPE_CHECKING:
    from types import ModuleType

    from trimtab.study import Study
    from trimtab.trial import FrozenTrial, Trial

RUN_ID_ATTRIBUTE_KEY = "mlflow_run_id"


def _mlflow() -> ModuleType:
    return import_or_explain("mlflow", "mlflow", "MLflowCallback")


class MLflowCallback:
    """Record every finished trial as an MLflow run.

    Pass it to ``study.optimize(..., callbacks=[MLflowCallback(...)])``.

    Args:
        tracking_uri: Where MLflow records runs (``mlflow.set_tracking_uri``); ``None`` keeps
            MLflow's current setting (``MLFLOW_TRACKING_URI`` or ``./mlruns``).
        metric_name: The name the objective value is logged under; for several objectives
            either one name per objective, or one string that is suffixed ``_0``, ``_1``, ...
        create_experiment: Log into an experiment named after the study (created when
            missing). With ``False`` the runs go to the active experiment, or to
            ``mlflow_kwargs["experiment_id"]``.
        mlflow_kwargs: Passed on to ``mlflow.start_run``: ``experiment_id``, ``run_name``
            (default: the trial number), ``nested`` and ``tags``.
        tag_study_user_attrs: Add the study's user attributes as tags.
        tag_trial_user_attrs: Add the trial's user attributes as tags.

    Raises:
        TypeError: ``metric_name`` is not a string or a sequence of strings.
        ImportError: mlflow is not installed.
    """

    def __init__(
        self,
        tracking_uri: str | None = None,
        metric_name: str | Sequence[str] = "value",
        create_experiment: bool = True,
        mlflow_kwargs: dict[str, Any] | None = None,
        tag_study_user_attrs: bool = False,
        tag_trial_user_attrs: bool = True,
    ) -> None:
        _mlflow()
        self._metric_name = check_metric_name(metric_name)
        self._tracking_uri = tracking_uri
        self._create_experiment = create_experiment
        self._mlflow_kwargs = dict(mlflow_kwargs or {})
        self._tag_study_user_attrs = tag_study_user_attrs
        self._tag_trial_user_attrs = tag_trial_user_attrs
        self._lock = threading.Lock()

    def __call__(self, study: Study, trial: FrozenTrial) -> None:
        """Log ``trial`` as an MLflow run (called by the study after each trial)."""
        mlflow = _mlflow()
        # Checked before a run is opened, so a wrong configuration records nothing.
        names = metric_names_for(self._metric_name, len(study.directions))
        with self._lock:
            self._initialize_experiment(study)
            with mlflow.start_run(
                run_id=trial.system_attrs.get(RUN_ID_ATTRIBUTE_KEY),
                experiment_id=self._mlflow_kwargs.get("experiment_id"),
                run_name=self._mlflow_kwargs.get("run_name", str(trial.number)),
                nested=bool(self._mlflow_kwargs.get("nested")),
                tags=self._mlflow_kwargs.get("tags"),
            ):
                if trial.values is not None:
                    mlflow.log_metrics(dict(zip(names, trial.values)))
                mlflow.log_params(trial.params)
                mlflow.set_tags(self._tags(study, trial))

    def track_in_mlflow(self) -> Callable[[Callable[[Trial], Any]], Callable[[Trial], Any]]:
        """Decorate an objective so that what it logs to MLflow lands in the trial's run.

        The decorated objective runs inside the MLflow run that the callback later completes
        with the trial's parameters and values, so ``mlflow.log_metric`` calls made while
        training belong to that trial.

        Returns:
            A decorator for objective functions.
        """
        _warnings.warn_experimental("MLflowCallback.track_in_mlflow", "2.9.0")

        def decorator(func: Callable[[Trial], Any]) -> Callable[[Trial], Any]:
            @functools.wraps(func)
            def wrapper(trial: Trial) -> Any:
                mlflow = _mlflow()
                with self._lock:
                    self._initialize_experiment(trial.study)
                    with mlflow.start_run(
                        run_name=self._mlflow_kwargs.get("run_name", str(trial.number)),
                        nested=bool(self._mlflow_kwargs.get("nested")),
                    ) as run:
                        trial.storage.set_trial_system_attr(
                            trial._trial_id, RUN_ID_ATTRIBUTE_KEY, run.info.run_id
                        )
                        return func(trial)

            return wrapper

        return decorator

    def _initialize_experiment(self, study: Study) -> None:
        mlflow = _mlflow()
        if self._tracking_uri is not None:
            mlflow.set_tracking_uri(self._tracking_uri)
        if self._create_experiment:
            mlflow.set_experiment(study.study_name)

    def _tags(self, study: Study, trial: FrozenTrial) -> dict[str, str]:
        tags: dict[str, Any] = {
            "number": str(trial.number),
            "datetime_start": str(trial.datetime_start),
            "datetime_complete": str(trial.datetime_complete),
        }
        if trial.state.is_finished():
            tags["state"] = trial.state.name
        directions = [d.name for d in study.directions]
        tags["direction"] = directions[0] if len(directions) == 1 else directions
        for name, distribution in trial.distributions.items():
            tags[f"{name}_distribution"] = str(distribution)
        if self._tag_trial_user_attrs:
            tags.update(trial.user_attrs)
        if self._tag_study_user_attrs:
            tags.update(study.user_attrs)
        # MLflow rejects longer tag values; keep their beginning.
        limit = _mlflow().utils.validation.MAX_TAG_VAL_LENGTH
        return {
            key: text if len(text) <= limit else text[: limit - 3] + "..."
            for key, text in ((key, str(value)) for key, value in tags.items())
        }


__all__ = ["MLflowCallback"]

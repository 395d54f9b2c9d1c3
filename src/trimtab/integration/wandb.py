"""``WeightsAndBiasesCallback``: log each trial's parameters and values to Weights & Biases.

By default the whole study is one W&B run with one step per trial; with ``as_multirun=True``
every trial is a run of its own (W&B's sweep-like panels then apply). Offline mode
(``wandb_kwargs={"mode": "offline"}``, or ``WANDB_MODE=offline``) writes the runs to disk
for a later ``wandb sync``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from trimtab import _warnings
from trimtab.integration._imports import import_or_explain
from trimtab.integration._metric_names import check_metric_name, metric_names_for

if TYPE_CHECKING:
    from types import ModuleType

    from trimtab.study import Study
    from trimtab.trial import FrozenTrial, Trial


def _wandb() -> ModuleType:
    return import_or_explain("wandb", "wandb", "WeightsAndBiasesCallback")


class WeightsAndBiasesCallback:
    """Log every finished trial to Weights & Biases.

    Pass it to ``study.optimize(..., callbacks=[...])``; use ``n_jobs=1`` so that trials
    are logged in order. To run several studies in one process, call ``wandb.finish()``
    between them.

    Args:
        metric_name: The name the objective value is logged under; for several objectives
            one name per objective, or one string that is suffixed ``_0``, ``_1``, ...
        wandb_kwargs: Passed to ``wandb.init`` (``project``, ``mode``, ``dir``, ``tags``...).
        as_multirun: One W&B run per trial instead of one for the study.

    Raises:
        TypeError: ``metric_name`` is not a string or a sequence of strings.
        ImportError: wandb is not installed.
    """

    def __init__(
        self,
        metric_name: str | Sequence[str] = "value",
        wandb_kwargs: dict[str, Any] | None = None,
        as_multirun: bool = False,
    ) -> None:
        _wandb()
        self._metric_name = check_metric_name(metric_name)
        self._wandb_kwargs = dict(wandb_kwargs or {})
        self._as_multirun = as_multirun
        if not as_multirun:
            self._initialize_run()

    def __call__(self, study: Study, trial: FrozenTrial) -> None:
        """Log ``trial`` (called by the study after each trial)."""
        wandb = _wandb()
        # Checked before anything is logged, so a wrong configuration records nothing.
        names = metric_names_for(self._metric_name, len(study.directions))
        metrics: dict[str, Any] = {}
        if trial.values is not None:
            metrics = dict(zip(names, trial.values))
        if self._as_multirun:
            metrics["trial_number"] = trial.number
        directions = {"direction": [d.name for d in study.directions]}
        run = wandb.run
        # One run for the study: one step per trial. A run per trial: its next step (the
        # objective may have logged steps of its own through track_in_wandb).
        step = trial.number if run is not None and not self._as_multirun else None
        if run is None:
            run = self._initialize_run()
            run.name = f"trial/{trial.number}/{run.name}"
        run.log({**trial.params, **metrics}, step=step)
        if self._as_multirun:
            run.config.update({**directions, **trial.params})
            run.tags = (*self._wandb_kwargs.get("tags", ()), study.study_name)
            run.finish()
        else:
            run.config.update(directions)

    def track_in_wandb(self) -> Callable[[Callable[[Trial], Any]], Callable[[Trial], Any]]:
        """Decorate an objective so that what it logs with ``wandb.log`` joins the trial's run.

        With ``as_multirun=True`` the decorated objective starts the trial's run, which the
        callback then completes and finishes.

        Returns:
            A decorator for objective functions.
        """
        _warnings.warn_experimental("WeightsAndBiasesCallback.track_in_wandb", "3.0.0")

        def decorator(func: Callable[[Trial], Any]) -> Callable[[Trial], Any]:
            @functools.wraps(func)
            def wrapper(trial: Trial) -> Any:
                if _wandb().run is None:
                    run = self._initialize_run()
                    run.name = f"trial/{trial.number}/{run.name}"
                return func(trial)

            return wrapper

        return decorator

    def _initialize_run(self) -> Any:
        wandb = _wandb()
        run = wandb.init(**self._wandb_kwargs)
        if not isinstance(run, wandb.sdk.wandb_run.Run):
            raise RuntimeError(f"wandb.init did not start a run; it returned {run!r}.")
        return run


__all__ = ["WeightsAndBiasesCallback"]

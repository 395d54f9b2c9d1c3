"""``TensorBoardCallback``: each completed trial as a TensorBoard HParams session.

Every completed trial gets a run directory ``{dirname}/trial-{number}`` holding the trial's
hyperparameters (HParams plugin session) and its objective value as a scalar at step
``trial.number``, as ``optuna-integration`` writes them. The event files are written with
the ``tensorboard`` package alone; TensorFlow is not needed.
"""

from __future__ import annotations

import os
import threading
import time
from typing import TYPE_CHECKING, Any

from trimtab import logging as trimtab_logging
from trimtab.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from trimtab.integration._imports import import_or_explain
from trimtab.trial import TrialState

if TYPE_CHECKING:
    from trimtab.study import Study
    from trimtab.trial import FrozenTrial

_logger = trimtab_logging.get_logger(__name__)


def _tensorboard() -> tuple[Any, Any, Any, Any]:
    import_or_explain("tensorboard", "tensorboard", "TensorBoardCallback")
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.plugins.hparams import summary_v2 as hp  # api.py imports TensorFlow
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    return hp, event_pb2, summary_pb2, EventFileWriter


class TensorBoardCallback:
    """Write each completed trial's parameters and value for TensorBoard's HParams dashboard.

    Args:
        dirname: The log directory (``tensorboard --logdir dirname``).
        metric_name: The name of the objective value in TensorBoard (``"accuracy"``).

    Raises:
        ImportError: tensorboard is not installed.
    """

    def __init__(self, dirname: str, metric_name: str) -> None:
        _tensorboard()
        if not isinstance(metric_name, str):
            raise TypeError(f"metric_name must be a string, got {metric_name!r}.")
        self._dirname = dirname
        self._metric_name = metric_name
        self._hp_params: dict[str, Any] = {}
        self._lock = threading.Lock()

    def __call__(self, study: Study, trial: FrozenTrial) -> None:
        """Write ``trial`` if it completed (called by the study after each trial)."""
        hp, event_pb2, summary_pb2, writer_class = _tensorboard()
        with self._lock:
            if not self._hp_params:
                for done in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
                    self._add_distributions(done.distributions)
            if trial.state != TrialState.COMPLETE:
                return
            self._add_distributions(trial.distributions)
            hparams = {}
            for name, value in trial.params.items():
                param = self._hp_params[name]
                is_discrete = isinstance(param.domain, hp.Discrete)
                hparams[param] = param.domain.dtype(value) if is_discrete else value
            run_name = f"trial-{trial.number}"
            value = trial.value if trial.value is not None else float("nan")
            writer = writer_class(os.path.join(self._dirname, run_name))
            try:
                now = time.time()
                session = hp.hparams_pb(hparams, trial_id=run_name, start_time_secs=now)
                writer.add_event(event_pb2.Event(wall_time=now, step=0, summary=session))
                scalar = summary_pb2.Summary(
                    value=[summary_pb2.Summary.Value(tag=self._metric_name, simple_value=value)]
                )
                writer.add_event(event_pb2.Event(wall_time=now, step=trial.number, summary=scalar))
            finally:
                writer.close()

    def _add_distributions(self, distributions: dict[str, BaseDistribution]) -> None:
        hp = _tensorboard()[0]
        for name, dist in distributions.items():
            if name in self._hp_params:
                continue
            if isinstance(dist, FloatDistribution):
                domain = hp.RealInterval(float(dist.low), float(dist.high))
            elif isinstance(dist, IntDistribution):
                domain = hp.IntInterval(int(dist.low), int(dist.high))
            elif isinstance(dist, CategoricalDistribution):
                domain = hp.Discrete(self._discrete_choices(name, dist.choices))
            else:
                raise NotImplementedError(
                    f"TensorBoardCallback cannot show parameter {name!r} of "
                    f"{type(dist).__name__}; it supports FloatDistribution, IntDistribution "
                    "and CategoricalDistribution."
                )
            self._hp_params[name] = hp.HParam(name, domain)

    @staticmethod
    def _discrete_choices(name: str, choices: tuple[Any, ...]) -> tuple[Any, ...]:
        kind = type(choices[0])
        if kind in (int, float, bool, str) and all(type(c) is kind for c in choices):
            return choices
        _logger.warning(
            f"TensorBoard needs the choices of {name!r} to share one type among int, float, "
            "bool and str; they are shown as strings."
        )
        return tuple(str(c) for c in choices)


__all__ = ["TensorBoardCallback"]

"""``KerasPruningCallback``: report a Keras metric at the end of epochs, prune.

Keras 3 runs on the torch backend (``KERAS_BACKEND=torch``). The class derives from
``keras.callbacks.Callback``, so it is defined (and keras imported) when first named.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

from trimtab.integration._imports import import_or_explain, lazy_class_getattr
from trimtab.integration._pruning import report_and_check

if TYPE_CHECKING:
    from trimtab.trial import Trial


def _define() -> type:
    keras = import_or_explain("keras", "keras", "KerasPruningCallback")

    class KerasPruningCallback(keras.callbacks.Callback):  # type: ignore[misc,name-defined]
        """A Keras callback that prunes unpromising trials.

        Pass it in ``callbacks`` of ``model.fit``; after every ``interval``-th epoch it
        reports ``logs[monitor]`` and raises ``TrialPruned`` when the pruner says so.

        Args:
            trial: The trial the objective is evaluating.
            monitor: The metric to report, e.g. ``"val_loss"``, ``"val_accuracy"``.
            interval: Report every this many epochs.
        """

        def __init__(self, trial: Trial, monitor: str, interval: int = 1) -> None:
            super().__init__()
            if not isinstance(interval, int) or interval < 1:
                raise ValueError(f"interval must be a positive int, got {interval!r}.")
            self._trial = trial
            self._monitor = monitor
            self._interval = interval

        def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
            """Report the monitored metric (called by Keras)."""
            if (epoch + 1) % self._interval != 0:
                return
            score = (logs or {}).get(self._monitor)
            if score is None:
                # As in optuna-integration: a warning, since Keras may log it only later.
                warnings.warn(
                    f"KerasPruningCallback: metric {self._monitor!r} is not in the epoch's "
                    f"logs {sorted(logs or {})}; nothing was reported for pruning.",
                    stacklevel=2,
                )
                return
            report_and_check(self._trial, float(score), epoch, unit="epoch")

    return KerasPruningCallback


__getattr__ = lazy_class_getattr(globals(), "KerasPruningCallback", _define)

__all__ = ["KerasPruningCallback"]  # noqa: F822 (defined on first access)

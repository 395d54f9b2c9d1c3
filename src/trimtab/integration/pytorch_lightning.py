"""``PyTorchLightningPruningCallback``: report a logged metric after validation, prune.

The class derives from ``lightning.pytorch.callbacks.Callback``, so it is defined (and
Lightning imported) when first named. Single-process training only: under a distributed
strategy (DDP) it refuses with an error.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from trimtab.integration._imports import import_or_explain, lazy_class_getattr
from trimtab.integration._pruning import report_and_check

if TYPE_CHECKING:
    from trimtab.trial import Trial


def _define() -> type:
    pl = import_or_explain("lightning.pytorch", "lightning", "PyTorchLightningPruningCallback")

    class PyTorchLightningPruningCallback(pl.callbacks.Callback):  # type: ignore[misc,name-defined]
        """A Lightning callback that prunes unpromising trials.

        Pass it in ``callbacks`` of ``lightning.pytorch.Trainer``; after each validation it
        reports ``trainer.callback_metrics[monitor]`` at the current epoch and raises
        ``TrialPruned`` when the pruner says so.

        Args:
            trial: The trial the objective is evaluating.
            monitor: A metric the module logs (``self.log("val_acc", ...)``).
        """

        def __init__(self, trial: Trial, monitor: str) -> None:
            super().__init__()
            self._trial = trial
            self.monitor = monitor

        def on_fit_start(self, trainer: Any, pl_module: Any) -> None:
            """Refuse distributed training (called by Lightning)."""
            if trainer.world_size > 1:
                raise ValueError(
                    "PyTorchLightningPruningCallback supports single-process training only; "
                    f"this Trainer runs {trainer.world_size} processes."
                )

        def on_validation_end(self, trainer: Any, pl_module: Any) -> None:
            """Report the monitored metric (called by Lightning)."""
            if trainer.sanity_checking:
                return
            score = trainer.callback_metrics.get(self.monitor)
            if score is None:
                warnings.warn(
                    f"PyTorchLightningPruningCallback: metric {self.monitor!r} is not among "
                    f"the logged metrics {sorted(trainer.callback_metrics)}; nothing was "
                    "reported for pruning.",
                    stacklevel=2,
                )
                return
            report_and_check(self._trial, float(score), pl_module.current_epoch, unit="epoch")

        def check_pruned(self) -> None:
            """Kept for ``optuna-integration`` code: pruning already raised in the callback."""

    return PyTorchLightningPruningCallback


__getattr__ = lazy_class_getattr(globals(), "PyTorchLightningPruningCallback", _define)

__all__ = ["PyTorchLightningPruningCallback"]  # noqa: F822 (defined on first access)

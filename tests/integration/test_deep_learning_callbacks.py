"""KerasPruningCallback (Keras 3 on torch) and PyTorchLightningPruningCallback, tiny models.

Slow: importing Keras and Lightning and running their training loops takes 10-20 s.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest

import trimtab
from trimtab.trial import TrialState

os.environ.setdefault("KERAS_BACKEND", "torch")

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.slow


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("float32")
    return x, y


def _bad_second_trial_study() -> trimtab.Study:
    study = trimtab.create_study(
        pruner=trimtab.pruners.MedianPruner(n_startup_trials=1, n_warmup_steps=1)
    )
    study.enqueue_trial({"lr": 0.1})
    study.enqueue_trial({"lr": 1e-6})
    return study


def test_keras_on_torch_prunes_a_bad_trial() -> None:
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("Keras runs on another backend in this process")
    from trimtab.integration import KerasPruningCallback

    x, y = _data()

    def objective(trial: trimtab.Trial) -> float:
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
        model.compile(
            optimizer=keras.optimizers.SGD(trial.suggest_float("lr", 1e-6, 1.0, log=True)),
            loss="binary_crossentropy",
        )
        history = model.fit(
            x,
            y,
            validation_split=0.25,
            epochs=6,
            batch_size=16,
            verbose=0,
            callbacks=[KerasPruningCallback(trial, "val_loss")],
        )
        return history.history["val_loss"][-1]

    study = _bad_second_trial_study()
    study.optimize(objective, n_trials=2)
    good, bad = study.trials
    assert good.state == TrialState.COMPLETE and sorted(good.intermediate_values) == list(range(6))
    assert bad.state == TrialState.PRUNED and max(bad.intermediate_values) == 1

    # A metric Keras does not log: a warning naming the logged ones, nothing reported.
    trial = study.ask()
    callback = KerasPruningCallback(trial, "val_acc")
    with pytest.warns(UserWarning, match=r"'val_acc'.*\['loss', 'val_loss'\]"):
        callback.on_epoch_end(0, {"loss": 1.0, "val_loss": 1.0})
    with pytest.raises(ValueError, match="interval must be a positive int"):
        KerasPruningCallback(trial, "val_loss", interval=0)


def test_lightning_prunes_a_bad_trial() -> None:
    pl = pytest.importorskip("lightning.pytorch")
    from trimtab.integration import PyTorchLightningPruningCallback

    x, y = _data()
    dataset = torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))

    class Model(pl.LightningModule):
        def __init__(self, lr: float) -> None:
            super().__init__()
            self.layer = torch.nn.Linear(4, 1)
            self.lr = lr

        def _loss(self, batch: tuple) -> torch.Tensor:
            inputs, targets = batch
            logits = self.layer(inputs).squeeze(-1)
            return torch.nn.functional.binary_cross_entropy_with_logits(logits, targets)

        def training_step(self, batch: tuple, batch_idx: int) -> torch.Tensor:
            return self._loss(batch)

        def validation_step(self, batch: tuple, batch_idx: int) -> None:
            self.log("val_loss", self._loss(batch))

        def configure_optimizers(self) -> torch.optim.Optimizer:
            return torch.optim.SGD(self.parameters(), lr=self.lr)

    def objective(trial: trimtab.Trial) -> float:
        torch.manual_seed(0)
        trainer = pl.Trainer(
            max_epochs=5,
            accelerator="cpu",
            logger=False,
            enable_checkpointing=False,
            enable_progress_bar=False,
            enable_model_summary=False,
            callbacks=[PyTorchLightningPruningCallback(trial, monitor="val_loss")],
        )
        loader = torch.utils.data.DataLoader(dataset, batch_size=16)
        trainer.fit(Model(trial.suggest_float("lr", 1e-6, 1.0, log=True)), loader, loader)
        return float(trainer.callback_metrics["val_loss"])

    study = _bad_second_trial_study()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Lightning's advice on DataLoader workers
        study.optimize(objective, n_trials=2)
    good, bad = study.trials
    assert good.state == TrialState.COMPLETE and sorted(good.intermediate_values) == list(range(5))
    assert bad.state == TrialState.PRUNED and max(bad.intermediate_values) == 1

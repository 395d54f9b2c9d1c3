"""Callbacks and adapters for the tools people tune models in, under Optuna's names.

``from trimtab.integration import MLflowCallback`` (or, through ``import trimtab as optuna``,
``optuna.integration.MLflowCallback``) and the module paths ``trimtab.integration.mlflow``,
``trimtab.integration.lightgbm``, ... resolve as in ``optuna-integration``. Nothing here is
imported by ``import trimtab``; each module imports its third-party library when first used and
names the extra to install when it is missing (``pip install "trimtab[mlflow]"``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trimtab._lazy import lazy_getattr as _lazy_getattr

_MODULES = (
    "catboost",
    "dask",
    "keras",
    "lightgbm",
    "mlflow",
    "pytorch_lightning",
    "sklearn",
    "tensorboard",
    "wandb",
    "xgboost",
)

_CLASSES = {
    "CatBoostPruningCallback": "catboost",
    "DaskStorage": "dask",
    "KerasPruningCallback": "keras",
    "LightGBMPruningCallback": "lightgbm",
    "LightGBMTuner": "lightgbm",
    "LightGBMTunerCV": "lightgbm",
    "MLflowCallback": "mlflow",
    "PyTorchLightningPruningCallback": "pytorch_lightning",
    "OptunaSearchCV": "sklearn",
    "TrimtabSearchCV": "sklearn",
    "TensorBoardCallback": "tensorboard",
    "WeightsAndBiasesCallback": "wandb",
    "XGBoostPruningCallback": "xgboost",
}

__getattr__ = _lazy_getattr(
    __name__,
    {
        **{name: f"{__name__}.{name}" for name in _MODULES},
        **{name: f"{__name__}.{module}" for name, module in _CLASSES.items()},
    },
)

if TYPE_CHECKING:
    from trimtab.integration.catboost import CatBoostPruningCallback
    from trimtab.integration.dask import DaskStorage
    from trimtab.integration.keras import KerasPruningCallback
    from trimtab.integration.lightgbm import (
        LightGBMPruningCallback,
        LightGBMTuner,
        LightGBMTunerCV,
    )
    from trimtab.integration.mlflow import MLflowCallback
    from trimtab.integration.pytorch_lightning import PyTorchLightningPruningCallback
    from trimtab.integration.sklearn import OptunaSearchCV, TrimtabSearchCV
    from trimtab.integration.tensorboard import TensorBoardCallback
    from trimtab.integration.wandb import WeightsAndBiasesCallback
    from trimtab.integration.xgboost import XGBoostPruningCallback

__all__ = [
    "CatBoostPruningCallback",
    "DaskStorage",
    "KerasPruningCallback",
    "LightGBMPruningCallback",
    "LightGBMTuner",
    "LightGBMTunerCV",
    "MLflowCallback",
    "OptunaSearchCV",
    "PyTorchLightningPruningCallback",
    "TensorBoardCallback",
    "TrimtabSearchCV",
    "WeightsAndBiasesCallback",
    "XGBoostPruningCallback",
]

"""LightGBM: ``LightGBMPruningCallback``, the stepwise ``LightGBMTuner``/``LightGBMTunerCV``.

As in ``optuna-integration``, this module also stands in for ``lightgbm`` itself:
``import trimtab.integration.lightgbm as lgb`` gives LightGBM's names (``lgb.Dataset``,
``lgb.cv``, ...), with ``lgb.train`` tuning the parameters before it trains.
"""

from __future__ import annotations

from typing import Any

from trimtab.integration._lightgbm._pruning import LightGBMPruningCallback
from trimtab.integration._lightgbm._tuners import LightGBMTuner, LightGBMTunerCV, train


def __getattr__(name: str) -> Any:
    # LightGBM's own public names, looked up only when this module lacks them.
    from trimtab.integration._lightgbm._tuner import lightgbm_module

    lgb = lightgbm_module()
    if name in getattr(lgb, "__all__", ()):
        return getattr(lgb, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["LightGBMPruningCallback", "LightGBMTuner", "LightGBMTunerCV", "train"]

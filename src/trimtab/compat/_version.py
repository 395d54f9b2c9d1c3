"""``optuna.version`` once trimtab serves ``import optuna``: the Optuna API version served."""

from __future__ import annotations

from trimtab.compat._finder import OPTUNA_API_VERSION

__version__ = OPTUNA_API_VERSION

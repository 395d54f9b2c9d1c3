"""Hyperparameter importance: which parameters explain a study's objective values.

``get_param_importances(study)`` uses PED-ANOVA by default (as Optuna 5 does); fANOVA and
mean decrease in impurity need scikit-learn (``pip install "trimtab[importance]"``).
"""

from __future__ import annotations

from trimtab.importance._base import BaseImportanceEvaluator
from trimtab.importance._fanova import FanovaImportanceEvaluator
from trimtab.importance._functions import get_param_importances
from trimtab.importance._mdi import MeanDecreaseImpurityImportanceEvaluator
from trimtab.importance._ped_anova import PedAnovaImportanceEvaluator

__all__ = [
    "BaseImportanceEvaluator",
    "FanovaImportanceEvaluator",
    "MeanDecreaseImpurityImportanceEvaluator",
    "PedAnovaImportanceEvaluator",
    "get_param_importances",
]

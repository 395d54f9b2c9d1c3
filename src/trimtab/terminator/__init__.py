"""Automatic termination of studies: stop once the room for improvement is below the noise.

A ``Terminator`` compares an improvement evaluator (how much better the best value may
still get: ``RegretBoundEvaluator``, ``EMMREvaluator``, ``BestValueStagnationEvaluator``)
with an error evaluator (how noisy the objective is: ``CrossValidationErrorEvaluator``,
``StaticErrorEvaluator``, ``MedianErrorEvaluator``). ``TerminatorCallback`` applies it in
``study.optimize``. The GP-based evaluators use trimtab's numpy GP (no torch).

As in Optuna 5.0, the module warns that it is deprecated, and the evaluators that Optuna
marks experimental warn so.
"""

from __future__ import annotations

from trimtab.terminator._callback import TerminatorCallback
from trimtab.terminator._emmr import EMMREvaluator
from trimtab.terminator._erroreval import (
    BaseErrorEvaluator,
    CrossValidationErrorEvaluator,
    MedianErrorEvaluator,
    StaticErrorEvaluator,
    report_cross_validation_scores,
)
from trimtab.terminator._improvement import (
    BaseImprovementEvaluator,
    BestValueStagnationEvaluator,
    RegretBoundEvaluator,
)
from trimtab.terminator._terminator import BaseTerminator, Terminator

__all__ = [
    "BaseErrorEvaluator",
    "BaseImprovementEvaluator",
    "BaseTerminator",
    "BestValueStagnationEvaluator",
    "CrossValidationErrorEvaluator",
    "EMMREvaluator",
    "MedianErrorEvaluator",
    "RegretBoundEvaluator",
    "StaticErrorEvaluator",
    "Terminator",
    "TerminatorCallback",
    "report_cross_validation_scores",
]

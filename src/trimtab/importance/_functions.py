"""``get_param_importances``: importances of a study's parameters by a chosen evaluator."""

from __future__ import annotations

from collections.abc import Callable

from trimtab._warnings import warn
from trimtab.exceptions import ExperimentalWarning
from trimtab.importance._base import BaseImportanceEvaluator
from trimtab.importance._ped_anova import PedAnovaImportanceEvaluator
from trimtab.study import Study
from trimtab.trial import FrozenTrial


def get_param_importances(
    study: Study,
    *,
    evaluator: BaseImportanceEvaluator | None = None,
    params: list[str] | None = None,
    target: Callable[[FrozenTrial], float] | None = None,
    normalize: bool = True,
) -> dict[str, float]:
    """Evaluate parameter importances based on the completed trials of ``study``.

    Args:
        study: An optimized study.
        evaluator: The algorithm; default :class:`PedAnovaImportanceEvaluator`.
        params: Names of the parameters to assess (default: see the evaluator); an empty
            list returns an empty dict.
        target: The value to explain; needed for multi-objective studies except with
            PED-ANOVA, e.g. ``target=lambda t: t.values[0]``.
        normalize: Scale the importances to sum to 1.0 (equal shares if all are zero).

    Returns:
        A dict from parameter name to a non-negative importance, most important first.
    """
    if evaluator is None:
        evaluator = PedAnovaImportanceEvaluator()
    if not isinstance(evaluator, BaseImportanceEvaluator):
        raise TypeError("Evaluator must be a subclass of BaseImportanceEvaluator.")
    result = evaluator.evaluate(study, params=params, target=target)
    if not normalize:
        warn(
            "Argument ``normalize`` is an experimental feature. "
            "The interface can change in the future.",
            ExperimentalWarning,
        )
        return result
    total = sum(result.values())
    if total == 0.0:
        return {name: 1.0 / len(result) for name in result}
    return {name: value / total for name, value in result.items()}

"""Data of the parameter-importance plot."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from trimtab.study import Study
from trimtab.trial import TrialState
from trimtab.visualization._data._common import (
    DEFAULT_TARGET_NAME,
    Target,
    _logger,
    check_plot_args,
    filter_nonfinite,
)

if TYPE_CHECKING:
    from trimtab.importance import BaseImportanceEvaluator


class ImportancesInfo(NamedTuple):
    """One bar series: importances in ascending order (the plot's bottom-up order), the
    parameter names and the bar labels (two decimals, ``"<0.01"`` below 0.01)."""

    importance_values: list[float]
    param_names: list[str]
    importance_labels: list[str]
    target_name: str
    distribution_names: list[str]


def _one_target(
    study: Study,
    evaluator: BaseImportanceEvaluator | None,
    params: list[str] | None,
    target: Target | None,
    target_name: str,
) -> ImportancesInfo:
    from trimtab.importance import get_param_importances

    check_plot_args(study, target, target_name)
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if not filter_nonfinite(complete, target)[0]:
        _logger.warning("Study instance does not contain completed trials.")
        return ImportancesInfo([], [], [], target_name, [])
    importances = get_param_importances(study, evaluator=evaluator, params=params, target=target)
    names = list(reversed(importances))
    values = [importances[n] for n in names]
    labels = [f"{v:.2f}" if v >= 0.01 else "<0.01" for v in values]
    dist_names = []
    for name in names:
        dist = next(t.distributions[name] for t in complete if name in t.distributions)
        dist_names.append(type(dist).__name__)
    return ImportancesInfo(values, names, labels, target_name, dist_names)


def param_importances_data(
    study: Study,
    evaluator: BaseImportanceEvaluator | None = None,
    params: list[str] | None = None,
    target: Target | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> tuple[ImportancesInfo, ...]:
    """Compute the bars of :func:`plot_param_importances`.

    One series for a single objective (or a custom ``target``); one per objective for a
    multi-objective study, named after its metric names or ``"<target_name> <i>"``.
    """
    metric_names = study.metric_names
    if target is not None or not len(study.directions) > 1:
        if metric_names is not None and target is None:
            target_name = metric_names[0]
        return (_one_target(study, evaluator, params, target, target_name),)
    n = len(study.directions)
    names = metric_names if metric_names is not None else [f"{target_name} {i}" for i in range(n)]
    return tuple(
        _one_target(study, evaluator, params, lambda t, i=i: t.values[i], name)  # type: ignore[misc]
        for i, name in enumerate(names)
    )

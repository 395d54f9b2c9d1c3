"""LightGBM's alternative spellings of parameters and metrics, mapped to one name each.

The tuner reads and writes the canonical names (``num_leaves``, ``lambda_l1``, ...), so a
user's ``reg_alpha`` or ``max_leaves`` must be renamed first; metrics are renamed so that the
tuner finds them in LightGBM's results (``mse`` is reported as ``l2``).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

# canonical parameter name: its aliases (LightGBM's Parameters documentation)
_PARAMETER_ALIASES = {
    "bagging_fraction": ("sub_row", "subsample", "bagging"),
    "learning_rate": ("shrinkage_rate", "eta"),
    "min_child_samples": ("min_data_per_leaf", "min_data", "min_data_in_leaf", "min_samples_leaf"),
    "min_sum_hessian_in_leaf": (
        "min_sum_hessian_per_leaf",
        "min_sum_hessian",
        "min_hessian",
        "min_child_weight",
    ),
    "num_leaves": ("num_leaf", "max_leaves", "max_leaf", "max_leaf_nodes"),
    "bagging_freq": ("subsample_freq",),
    "feature_fraction": ("sub_feature", "colsample_bytree"),
    "lambda_l1": ("reg_alpha", "l1_regularization"),
    "lambda_l2": ("reg_lambda", "lambda", "l2_regularization"),
    "min_gain_to_split": ("min_split_gain",),
}

# canonical metric name: the metric and objective names LightGBM reports it under
_METRIC_ALIASES = {
    "ndcg": ("lambdarank", "rank_xendcg", "xendcg", "xe_ndcg", "xe_ndcg_mart", "xendcg_mart"),
    "map": ("mean_average_precision",),
    "l2": ("regression", "regression_l2", "mean_squared_error", "mse"),
    "l1": ("regression_l1", "mean_absolute_error", "mae"),
    "binary_logloss": ("binary",),
    "multi_logloss": ("multiclass", "softmax", "multiclassova", "multiclass_ova", "ova", "ovr"),
    "cross_entropy": ("xentropy",),
    "cross_entropy_lambda": ("xentlambda",),
    "kullback_leibler": ("kldiv",),
    "mape": ("mean_absolute_percentage_error",),
    "custom": ("none", "null", "na"),
    "rmse": ("l2_root", "root_mean_squared_error"),
}
_CANONICAL_METRIC = {alias: name for name, aliases in _METRIC_ALIASES.items() for alias in aliases}

HIGHER_IS_BETTER = frozenset({"auc", "auc_mu", "ndcg", "map", "average_precision"})


def canonical_metric(name: str) -> str:
    """The name LightGBM reports metric ``name`` under."""
    return _CANONICAL_METRIC.get(name, name)


def rename_parameter_aliases(params: dict[str, Any]) -> None:
    """Rename aliased parameters in place to their canonical names (warn on conflicts)."""
    for name, aliases in _PARAMETER_ALIASES.items():
        given = {alias: params.pop(alias) for alias in aliases if alias in params}
        if not given:
            continue
        params[name] = list(given.values())[-1]
        if len(given) > 1:
            warnings.warn(
                f"{name} is given through several aliases {given}; using {name}={params[name]!r}.",
                stacklevel=3,
            )


def rename_metric_aliases(params: dict[str, Any]) -> None:
    """Rename ``params["metric"]`` (a name or several) in place to canonical names."""
    metric = params.get("metric")
    if metric is None:
        return
    if isinstance(metric, str):
        params["metric"] = canonical_metric(metric)
    elif isinstance(metric, Iterable):
        params["metric"] = [canonical_metric(m) for m in metric]
    else:
        raise ValueError(f"params['metric'] must be a string or a list of strings, got {metric!r}.")

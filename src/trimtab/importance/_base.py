"""The importance-evaluator interface and the trial selection shared by evaluators."""

from __future__ import annotations

import abc
import math
from collections.abc import Callable, Collection, Sequence

import numpy as np

from trimtab.distributions import BaseDistribution, CategoricalDistribution
from trimtab.search_space import intersection_search_space
from trimtab.study import Study
from trimtab.trial import FrozenTrial, TrialState

Target = Callable[[FrozenTrial], float]


class BaseImportanceEvaluator(abc.ABC):
    """Abstract parameter importance evaluator."""

    @abc.abstractmethod
    def evaluate(
        self,
        study: Study,
        params: list[str] | None = None,
        *,
        target: Target | None = None,
    ) -> dict[str, float]:
        """Evaluate parameter importances based on completed trials in the given study.

        Args:
            study: An optimized study.
            params: Names of the parameters to assess; None: those in every completed trial.
            target: The value to explain; None: the objective value (single-objective).

        Returns:
            A dict from parameter name to importance, in descending order of importance.
        """


def check_params_arg(params: Sequence[str] | None) -> None:
    """Raise TypeError unless ``params`` is None or a list/tuple of strings."""
    if params is None:
        return
    if not isinstance(params, (list, tuple)):
        raise TypeError(f"Parameters must be specified as a list. Actual parameters: {params}.")
    if any(not isinstance(p, str) for p in params):
        raise TypeError(
            "Parameters must be specified by their names with strings. "
            f"Actual parameters: {params}."
        )


def require_target_for_multi_objective(study: Study, target: Target | None) -> None:
    """Raise ValueError for a multi-objective study without ``target``."""
    if target is None and len(study.directions) > 1:
        raise ValueError(
            "If the `study` is being used for multi-objective optimization, "
            "please specify the `target`. For example, use "
            "`target=lambda t: t.values[0]` for the first objective value."
        )


def search_space_of(study: Study, params: list[str] | None) -> dict[str, BaseDistribution]:
    """Return the distributions to assess, sorted by name.

    Without ``params``: the parameters every completed trial has with one distribution.
    With ``params``: their distributions in the trials that have them all; these must agree.
    """
    completed = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    check_params_arg(params)
    if params is None:
        return intersection_search_space(study.get_trials(deepcopy=False))
    if not params:
        return {}
    wanted = set(params)
    found: dict[str, BaseDistribution] | None = None
    for trial in completed:
        if not wanted <= trial.distributions.keys():
            continue
        if found is None:
            found = {n: d for n, d in trial.distributions.items() if n in wanted}
        elif any(trial.distributions[n] != d for n, d in found.items()):
            raise ValueError(
                "Parameters importances cannot be assessed with dynamic search spaces if "
                f"parameters are specified. Specified parameters: {params}."
            )
    if found is None:
        raise ValueError(
            "Study must contain completed trials with all specified parameters. "
            f"Specified parameters: {params}."
        )
    return dict(sorted(found.items()))


def trials_with_finite_target(
    study: Study, params: Collection[str], target: Target | None
) -> tuple[list[FrozenTrial], np.ndarray]:
    """Return completed trials that have every param and a finite target, and the targets."""
    wanted = set(params)
    trials: list[FrozenTrial] = []
    values: list[float] = []
    for trial in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        if not wanted <= trial.params.keys():
            continue
        value = target(trial) if target is not None else trial.value
        if value is not None and math.isfinite(value):
            trials.append(trial)
            values.append(float(value))
    return trials, np.asarray(values, dtype=float)


def encode_params(
    trials: list[FrozenTrial], distributions: dict[str, BaseDistribution]
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Encode parameters as a design matrix for tree models.

    Numeric parameters keep their raw value; categorical ones are one-hot encoded.

    Returns:
        ``X`` (n_trials, n_columns), ``bounds`` (n_columns, 2) and, per parameter, the
        indices of its columns.
    """
    columns: list[np.ndarray] = []
    bounds: list[tuple[float, float]] = []
    groups: list[np.ndarray] = []
    for name, dist in distributions.items():
        start = len(bounds)
        if isinstance(dist, CategoricalDistribution):
            index = np.array([int(dist.to_internal_repr(t.params[name])) for t in trials])
            onehot = np.zeros((len(trials), len(dist.choices)))
            onehot[np.arange(len(trials)), index] = 1.0
            columns.extend(onehot.T)
            bounds.extend([(0.0, 1.0)] * len(dist.choices))
        else:
            columns.append(np.array([float(t.params[name]) for t in trials]))
            bounds.append((float(dist.low), float(dist.high)))  # type: ignore[attr-defined]
        groups.append(np.arange(start, len(bounds)))
    x = np.column_stack(columns) if columns else np.empty((len(trials), 0))
    return x, np.array(bounds, dtype=float).reshape(-1, 2), groups


def sort_by_importance(importances: dict[str, float]) -> dict[str, float]:
    """Return ``importances`` ordered from most to least important (ties: later name first)."""
    return dict(reversed(sorted(importances.items(), key=lambda item: item[1])))


def import_random_forest() -> type:
    """Import scikit-learn's RandomForestRegressor, naming the extra when it is missing."""
    try:
        from sklearn.ensemble import RandomForestRegressor
    except ImportError as err:
        raise ImportError(
            'This importance evaluator needs scikit-learn: pip install "trimtab[importance]"'
        ) from err
    return RandomForestRegressor  # type: ignore[no-any-return]

"""Data of the Pareto-front plot."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from trimtab._multi_objective import pareto_front_trials
from trimtab._warnings import warn
from trimtab.study import Study
from trimtab.trial import FrozenTrial, TrialState
from trimtab.visualization._data._common import _logger, is_feasible

TrialsWithValues = list[tuple[FrozenTrial, list[float]]]


class ParetoFrontInfo(NamedTuple):
    """The points of :func:`plot_pareto_front`, each a trial with its plotted values.

    ``best_trials_with_values``: the feasible Pareto front; ``non_best_trials_with_values``:
    the other feasible trials (empty unless ``include_dominated_trials``);
    ``infeasible_trials_with_values``: trials violating constraints.
    """

    n_targets: int
    target_names: list[str]
    best_trials_with_values: TrialsWithValues
    non_best_trials_with_values: TrialsWithValues
    infeasible_trials_with_values: TrialsWithValues
    axis_order: list[int]
    include_dominated_trials: bool
    has_constraints: bool


def _split_feasible(
    study: Study, constraints_func: Callable[[FrozenTrial], Sequence[float]] | None
) -> tuple[list[FrozenTrial], list[FrozenTrial], bool]:
    feasible: list[FrozenTrial] = []
    infeasible: list[FrozenTrial] = []
    has_constraints = False
    for trial in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        if constraints_func is not None:
            has_constraints = True
            ok = all(c <= 0.0 for c in constraints_func(trial))
        else:
            has_constraints |= len(trial.constraints) > 0
            ok = is_feasible(trial)
        (feasible if ok else infeasible).append(trial)
    return feasible, infeasible, has_constraints


def _with_values(
    trials: list[FrozenTrial], targets: Callable[[FrozenTrial], Sequence[float]]
) -> TrialsWithValues:
    result = []
    for trial in trials:
        values = targets(trial)
        if not isinstance(values, Sequence):
            raise ValueError(
                "`targets` should return a sequence of target values. "
                f"your `targets` returns {type(values)}"
            )
        result.append((trial, list(values)))
    return result


def pareto_front_data(
    study: Study,
    target_names: list[str] | None = None,
    include_dominated_trials: bool = True,
    constraints_func: Callable[[FrozenTrial], Sequence[float]] | None = None,
    targets: Callable[[FrozenTrial], Sequence[float]] | None = None,
) -> ParetoFrontInfo:
    """Split complete trials into Pareto-front, dominated and infeasible points."""
    if constraints_func is not None:
        warn(
            "`constraints_func` has been deprecated in v4.0.0. This feature will be removed in "
            "v6.0.0. See https://github.com/optuna/optuna/releases/tag/v4.0.0.",
            FutureWarning,
        )
    feasible, infeasible, has_constraints = _split_feasible(study, constraints_func)
    best = pareto_front_trials(feasible, study.directions)
    best_ids = {id(t) for t in best}
    dominated = [t for t in feasible if id(t) not in best_ids] if include_dominated_trials else []
    if not best:
        what = "completed and feasible" if has_constraints else "completed"
        _logger.warning(f"Your study does not have any {what} trials. ")
    if targets is None and len(study.directions) not in (2, 3):
        raise ValueError(
            "`plot_pareto_front` function only supports 2 or 3 objective studies when using "
            "`targets` is `None`. Please use `targets` if your objective studies have more "
            "than 3 objectives."
        )
    get = targets if targets is not None else (lambda t: t.values)
    best_values = _with_values(best, get)
    dominated_values = _with_values(dominated, get)
    infeasible_values = _with_values(infeasible, get)
    sample = best_values or infeasible_values
    if sample:
        n_targets = len(sample[0][1])
    elif target_names is not None:
        n_targets = len(target_names)
    elif targets is None:
        n_targets = len(study.directions)
    else:
        raise ValueError(
            "If `targets` is specified for empty studies, `target_names` must be specified."
        )
    if n_targets not in (2, 3):
        raise ValueError(
            "`plot_pareto_front` function only supports 2 or 3 targets. "
            f"you used {n_targets} targets now."
        )
    if target_names is None:
        names = study.metric_names or [f"Objective {i}" for i in range(n_targets)]
    elif len(target_names) != n_targets:
        raise ValueError(f"The length of `target_names` is supposed to be {n_targets}.")
    else:
        names = list(target_names)
    return ParetoFrontInfo(
        n_targets, names, best_values, dominated_values, infeasible_values,
        list(range(n_targets)), include_dominated_trials, has_constraints,
    )  # fmt: skip

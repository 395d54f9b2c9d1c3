"""Data of the slice plot (objective value against each parameter)."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from trimtab.distributions import BaseDistribution, CategoricalChoiceType, CategoricalDistribution
from trimtab.study import Study
from trimtab.trial import FrozenTrial, TrialState
from trimtab.visualization._data._common import (
    DEFAULT_TARGET_NAME,
    Target,
    _logger,
    check_plot_args,
    filter_nonfinite,
    is_feasible,
    is_log_scale,
)


class SliceSubplotInfo(NamedTuple):
    """One parameter's points: ``x[i]`` (the raw value), ``y[i]``, ``trial_numbers[i]``.

    ``constraints[i]`` is True when trial i is feasible; ``x_labels`` lists a categorical
    parameter's choices in distribution order (None for numeric parameters).
    """

    param_name: str
    x: list[Any]
    y: list[float]
    trial_numbers: list[int]
    is_log: bool
    is_numerical: bool
    constraints: list[bool]
    x_labels: tuple[CategoricalChoiceType, ...] | None


class SlicePlotInfo(NamedTuple):
    """The subplots of :func:`plot_slice`, one per parameter, sorted by name."""

    target_name: str
    subplots: list[SliceSubplotInfo]


def first_distributions(trials: list[FrozenTrial]) -> dict[str, BaseDistribution]:
    """Return each parameter's distribution as first seen in ``trials``."""
    distributions: dict[str, BaseDistribution] = {}
    for trial in trials:
        for name, dist in trial.distributions.items():
            distributions.setdefault(name, dist)
    return distributions


def select_params(all_params: set[str], params: list[str] | None) -> list[str]:
    """Return ``params`` (checked to exist) or every parameter, sorted and de-duplicated."""
    if params is None:
        return sorted(all_params)
    for name in params:
        if name not in all_params:
            raise ValueError(f"Parameter {name} does not exist in your study.")
    return sorted(set(params))


def slice_data(
    study: Study,
    params: list[str] | None = None,
    target: Target | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> SlicePlotInfo:
    """Compute the points of :func:`plot_slice` over complete trials with a finite target."""
    check_plot_args(study, target, target_name)
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    trials, values = filter_nonfinite(complete, target)
    if not trials:
        _logger.warning("Your study does not have any completed trials.")
        return SlicePlotInfo(target_name, [])
    distributions = first_distributions(trials)
    names = select_params(set(distributions), params)
    feasible = np.array([is_feasible(t) for t in trials], dtype=bool)
    numbers = np.array([t.number for t in trials], dtype=np.int64)
    y = np.asarray(values, dtype=float)
    trial_params = [t.params for t in trials]
    subplots = []
    for name in names:
        dist = distributions[name]
        raw = np.empty(len(trials), dtype=object)
        raw[:] = [p.get(name) for p in trial_params]
        keep = np.array([name in p for p in trial_params], dtype=bool)
        subplots.append(
            SliceSubplotInfo(
                param_name=name,
                x=raw[keep].tolist(),
                y=y[keep].tolist(),
                trial_numbers=numbers[keep].tolist(),
                is_log=is_log_scale(trials, name),
                is_numerical=not isinstance(dist, CategoricalDistribution),
                constraints=feasible[keep].tolist(),
                x_labels=dist.choices if isinstance(dist, CategoricalDistribution) else None,
            )
        )
    return SlicePlotInfo(target_name=target_name, subplots=subplots)


class SlicePoints(NamedTuple):
    """Points ready to draw, as arrays: ``x`` (floats, or the ``repr`` of each choice on a
    categorical axis), ``y`` and ``trial_numbers``."""

    x: np.ndarray
    y: np.ndarray
    trial_numbers: np.ndarray


def slice_points(sub: SliceSubplotInfo) -> tuple[SlicePoints, SlicePoints]:
    """Split a subplot into feasible and infeasible points (categories in choice order)."""
    y = np.asarray(sub.y, dtype=float)
    numbers = np.asarray(sub.trial_numbers, dtype=np.int64)
    feasible = np.asarray(sub.constraints, dtype=bool)
    if sub.is_numerical:
        x: np.ndarray = np.array([np.nan if v is None else v for v in sub.x], dtype=float)
        order = np.flatnonzero(~np.isnan(x))
    else:
        labels = [repr(label) for label in sub.x_labels or ()]
        position = {label: i for i, label in enumerate(labels)}
        x = np.array([repr(v) for v in sub.x], dtype=str)
        order = np.argsort([position[v] for v in x.tolist()], kind="stable")
    split = []
    for wanted in (True, False):
        chosen = order[feasible[order] == wanted]
        split.append(SlicePoints(x[chosen], y[chosen], numbers[chosen]))
    return split[0], split[1]

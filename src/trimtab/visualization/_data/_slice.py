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
    """Points ready to draw: x (``repr`` of the choice on categorical axes), y, trial number."""

    x: list[Any]
    y: list[float]
    trial_numbers: list[int]


def slice_points(sub: SliceSubplotInfo) -> tuple[SlicePoints, SlicePoints]:
    """Split a subplot into feasible and infeasible points (categories in choice order)."""
    points = [
        (x, y, num, ok)
        for x, y, num, ok in zip(sub.x, sub.y, sub.trial_numbers, sub.constraints)
        if not (sub.is_numerical and x is None)
    ]
    if not sub.is_numerical:
        order = {repr(label): i for i, label in enumerate(sub.x_labels or ())}
        points = sorted(
            ((repr(x), y, num, ok) for x, y, num, ok in points), key=lambda p: order[p[0]]
        )
    split = []
    for wanted in (True, False):
        chosen = [p for p in points if p[3] == wanted]
        split.append(
            SlicePoints([p[0] for p in chosen], [p[1] for p in chosen], [p[2] for p in chosen])
        )
    return split[0], split[1]

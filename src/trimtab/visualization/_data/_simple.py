"""Data of the intermediate-values, EDF and timeline plots."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from trimtab.study import Study
from trimtab.trial import FrozenTrial, TrialState
from trimtab.visualization._data._common import (
    DEFAULT_TARGET_NAME,
    Target,
    _logger,
    as_study_list,
    check_plot_args,
    filter_nonfinite,
    is_feasible,
    make_hovertext,
)

EDF_N_POINTS = 100


class IntermediateTrialInfo(NamedTuple):
    """One line of the intermediate-values plot: ``(step, value)`` pairs sorted by step."""

    trial_number: int
    sorted_intermediate_values: list[tuple[int, float]]
    feasible: bool


class IntermediatePlotInfo(NamedTuple):
    """The lines of :func:`plot_intermediate_values` (pruned, complete and running trials)."""

    trial_infos: list[IntermediateTrialInfo]


def intermediate_values_data(study: Study) -> IntermediatePlotInfo:
    """Compute the lines of :func:`plot_intermediate_values`."""
    states = (TrialState.PRUNED, TrialState.COMPLETE, TrialState.RUNNING)
    trials = study.get_trials(deepcopy=False, states=states)
    infos = [
        IntermediateTrialInfo(t.number, sorted(t.intermediate_values.items()), is_feasible(t))
        for t in trials
        if t.intermediate_values
    ]
    if not trials:
        _logger.warning("Study instance does not contain trials.")
    elif not infos:
        _logger.warning(
            "You need to set up the pruning feature to utilize `plot_intermediate_values()`"
        )
    return IntermediatePlotInfo(infos)


class EDFLineInfo(NamedTuple):
    """The cumulative fraction of a study's trials at or below each ``EDFInfo.x_values``."""

    study_name: str
    y_values: np.ndarray


class EDFInfo(NamedTuple):
    """The lines of :func:`plot_edf`, over 100 x values spanning every study's values."""

    lines: list[EDFLineInfo]
    x_values: np.ndarray


def edf_data(
    study: Study | Sequence[Study],
    target: Target | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> EDFInfo:
    """Compute the empirical distribution function of each study's complete trials."""
    studies = as_study_list(study)
    check_plot_args(studies, target, target_name)
    empty = EDFInfo(lines=[], x_values=np.array([]))
    if not studies:
        _logger.warning("There are no studies.")
        return empty
    all_values: list[np.ndarray] = []
    for s in studies:
        trials = s.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        all_values.append(np.asarray(filter_nonfinite(trials, target)[1], dtype=float))
    if all(v.size == 0 for v in all_values):
        _logger.warning("There are no complete trials.")
        return empty
    joined = np.concatenate(all_values)
    x_values = np.linspace(joined.min(), joined.max(), EDF_N_POINTS)
    lines = []
    for s, values in zip(studies, all_values):
        counts = np.searchsorted(np.sort(values), x_values, side="right")
        y = counts / values.size if values.size else np.full(x_values.size, np.nan)
        lines.append(EDFLineInfo(study_name=s.study_name, y_values=y))
    return EDFInfo(lines=lines, x_values=x_values)


class TimelineBarInfo(NamedTuple):
    """One bar of the timeline: a trial's start and end (running trials end now)."""

    number: int
    start: datetime.datetime
    complete: datetime.datetime
    state: TrialState
    hovertext: str
    infeasible: bool


class TimelineInfo(NamedTuple):
    """The bars of :func:`plot_timeline`, in trial-number order."""

    bars: list[TimelineBarInfo]


def _max_datetime_complete(trials: list[FrozenTrial]) -> datetime.datetime:
    durations = [
        t.datetime_complete - t.datetime_start
        for t in trials
        if t.datetime_complete is not None and t.datetime_start is not None
    ]
    now = datetime.datetime.now()
    running = [t for t in trials if t.state == TrialState.RUNNING]
    if durations:
        longest = max(durations)
        # A running trial far older than any finished run is treated as stale: don't stretch
        # the axis to now for it.
        still_running = any(
            now - t.datetime_start < 5 * longest for t in running if t.datetime_start is not None
        )
    else:
        still_running = bool(running)
    if still_running:
        return now
    ends = [t.datetime_complete for t in trials if t.datetime_complete is not None]
    return max(ends, default=now)


def timeline_data(study: Study, n_recent_trials: int | None = None) -> TimelineInfo:
    """Compute the bars of :func:`plot_timeline` (the last ``n_recent_trials`` if given)."""
    if n_recent_trials is not None and n_recent_trials <= 0:
        raise ValueError("n_recent_trials must be a positive integer or None.")
    all_trials = study.get_trials(deepcopy=False)
    max_datetime = _max_datetime_complete(all_trials)
    small_bar = datetime.timedelta(seconds=1)
    trials = all_trials[-n_recent_trials:] if n_recent_trials is not None else all_trials
    bars = []
    for trial in trials:
        start = trial.datetime_start or max_datetime
        if trial.state == TrialState.RUNNING:
            complete = max_datetime + small_bar
        else:
            complete = trial.datetime_complete or start + small_bar
        if complete < start:
            _logger.warning(
                f"The start and end times for Trial {trial.number} seem to be reversed. "
                f"The start time is {start} and the end time is {complete}."
            )
        infeasible = not is_feasible(trial)
        bars.append(
            TimelineBarInfo(
                trial.number, start, complete, trial.state, make_hovertext(trial), infeasible
            )
        )
    if not bars:
        _logger.warning("Your study does not have any trials.")
    return TimelineInfo(bars)

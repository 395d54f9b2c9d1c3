"""Data of the optimization-history plot (objective value and best value per trial)."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from trimtab.study import Study, StudyDirection
from trimtab.trial import TrialState
from trimtab.visualization._data._common import (
    DEFAULT_TARGET_NAME,
    Target,
    _logger,
    as_study_list,
    check_plot_args,
    is_feasible,
)


class ValueState(enum.Enum):
    """How a trial's point is drawn: feasible, infeasible (constraints violated), incomplete."""

    Feasible = 0
    Infeasible = 1
    Incomplete = 2


class ValuesInfo(NamedTuple):
    """One series of the history plot.

    ``values[i]`` belongs to trial number ``trial_numbers[i]`` of the owning
    :class:`HistoryInfo` (nan for incomplete trials); ``stds`` is set only for error bars.
    """

    values: list[float]
    stds: list[float] | None
    label_name: str
    states: list[ValueState]


class HistoryInfo(NamedTuple):
    """The points of one study (or, with error bars, the mean over studies)."""

    trial_numbers: list[int]
    values_info: ValuesInfo
    best_values_info: ValuesInfo | None


def _study_history(study: Study, target: Target | None, label: str, best_label: str) -> HistoryInfo:
    trials = study.get_trials(deepcopy=False)
    values: list[float] = []
    states: list[ValueState] = []
    for trial in trials:
        if trial.state != TrialState.COMPLETE:
            values.append(float("nan"))
            states.append(ValueState.Incomplete)
            continue
        states.append(ValueState.Feasible if is_feasible(trial) else ValueState.Infeasible)
        values.append(target(trial) if target is not None else trial.value)  # type: ignore[arg-type]
    best: ValuesInfo | None = None
    if target is None:
        feasible = np.array([s == ValueState.Feasible for s in states], dtype=bool)
        array = np.asarray(values, dtype=float)
        if study.direction == StudyDirection.MINIMIZE:
            best_values = np.minimum.accumulate(np.where(feasible, array, np.inf))
        else:
            best_values = np.maximum.accumulate(np.where(feasible, array, -np.inf))
        best = ValuesInfo(best_values.tolist(), None, best_label, states)
    numbers = [t.number for t in trials]
    return HistoryInfo(numbers, ValuesInfo(values, None, label, states), best)


def _aggregate(
    infos: list[HistoryInfo], label: str, use_best: bool
) -> tuple[list[int], ValuesInfo]:
    size = max(n for info in infos for n in info.trial_numbers) + 1
    values: list[list[float]] = [[] for _ in range(size)]
    seen_feasible = [False] * size
    for numbers, values_info, best_info in infos:
        series = best_info if use_best and best_info is not None else values_info
        for n, v, s in zip(numbers, series.values, series.states):
            if not np.isinf(v) and (use_best or s == ValueState.Feasible):
                values[n].append(v)
            seen_feasible[n] |= s == ValueState.Feasible
    numbers_union: list[int] = []
    states: list[ValueState] = []
    means: list[float] = []
    stds: list[float] = []
    for i in range(size):
        if seen_feasible[i]:
            states.append(ValueState.Feasible)
            numbers_union.append(i)
            means.append(float(np.mean(values[i])))
            stds.append(float(np.std(values[i])))
        else:
            states.append(ValueState.Infeasible)
    return numbers_union, ValuesInfo(means, stds, label, states)


def optimization_history_data(
    study: Study | Sequence[Study],
    target: Target | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
    error_bar: bool = False,
) -> list[HistoryInfo]:
    """Compute the series of :func:`plot_optimization_history`.

    Returns one :class:`HistoryInfo` per study, or, with ``error_bar``, a single one whose
    values are the mean and standard deviation over studies per trial number. Empty when
    there is no complete trial (logged, as Optuna does).
    """
    check_plot_args(study, target, target_name)
    studies = as_study_list(study)
    infos: list[HistoryInfo] = []
    for s in studies:
        several = len(studies) > 1
        label = f"{target_name} of {s.study_name}" if several else target_name
        best_label = f"Best Value of {s.study_name}" if several else "Best Value"
        infos.append(_study_history(s, target, label, best_label))
    if not infos:
        _logger.warning("There are no studies.")
    n_feasible = sum(i.values_info.states.count(ValueState.Feasible) for i in infos)
    n_infeasible = sum(i.values_info.states.count(ValueState.Infeasible) for i in infos)
    if n_feasible + n_infeasible == 0:
        _logger.warning("There are no complete trials.")
        infos.clear()
    if not error_bar or not infos:
        return infos
    if n_feasible == 0:
        _logger.warning("There are no feasible trials.")
        return []
    numbers, mean_info = _aggregate(infos, target_name, use_best=False)
    best_info = None if target is not None else _aggregate(infos, "Best Value", use_best=True)[1]
    return [HistoryInfo(numbers, mean_info, best_info)]

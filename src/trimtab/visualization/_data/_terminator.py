"""Data of the terminator-improvement plot: the improvement (and error) after each trial."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import tqdm

from trimtab.study import Study
from trimtab.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from trimtab.terminator import BaseErrorEvaluator, BaseImprovementEvaluator

PADDING_RATIO_Y = 0.05


class ImprovementInfo(NamedTuple):
    """Per trial (from the first complete one on): the improvement and, if asked, the error.

    ``improvements[i]`` and ``errors[i]`` are evaluated on the complete trials up to trial
    number ``trial_numbers[i]``. Points before index ``min_n_trials`` are drawn lighter;
    ``y_range`` is the y-axis range (``None`` without points).
    """

    trial_numbers: list[int]
    improvements: list[float]
    errors: list[float] | None
    min_n_trials: int
    y_range: tuple[float, float] | None


def terminator_improvement_data(
    study: Study,
    plot_error: bool = False,
    improvement_evaluator: BaseImprovementEvaluator | None = None,
    error_evaluator: BaseErrorEvaluator | None = None,
    min_n_trials: int = 20,
) -> ImprovementInfo:
    """Evaluate the improvement (and error) after each trial, with a progress bar as Optuna.

    Raises:
        ValueError: the study is multi-objective.
    """
    from trimtab.terminator import RegretBoundEvaluator
    from trimtab.terminator._terminator import default_error_evaluator

    if len(study.directions) > 1:
        raise ValueError("This function does not support multi-objective optimization study.")
    improvement_evaluator = improvement_evaluator or RegretBoundEvaluator()
    if error_evaluator is None:
        error_evaluator = default_error_evaluator(improvement_evaluator)
    numbers: list[int] = []
    improvements: list[float] = []
    errors: list[float] = []
    complete: list[FrozenTrial] = []
    for trial in tqdm.tqdm(study.get_trials(deepcopy=False)):
        if trial.state == TrialState.COMPLETE:
            complete.append(trial)
        if not complete:
            continue
        numbers.append(trial.number)
        improvements.append(improvement_evaluator.evaluate(complete, study.direction))
        if plot_error:
            errors.append(error_evaluator.evaluate(complete, study.direction))
    info = ImprovementInfo(numbers, improvements, errors or None, min_n_trials, None)
    return info._replace(y_range=_y_range(info)) if numbers else info


def _y_range(info: ImprovementInfo) -> tuple[float, float]:
    """Bottom at the smallest value, top at the largest once ``min_n_trials`` have passed
    (the early improvements are often far larger), with 5% padding."""
    errors = info.errors or []
    low = min(info.improvements + errors)
    shown = info.improvements
    if len(info.trial_numbers) > info.min_n_trials:
        shown = info.improvements[info.min_n_trials :]
    high = max(shown + errors)
    padding = (high - low) * PADDING_RATIO_Y
    return low - padding, high + padding

"""Build studies with a known history and ask a pruner about one running trial."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import trimtab
from trimtab.pruners import BasePruner
from trimtab.trial import TrialState, create_trial


def study_with(
    pruner: BasePruner,
    curves: Sequence[Mapping[int, float]],
    direction: str = "minimize",
    state: TrialState = TrialState.COMPLETE,
    system_attrs: Sequence[dict[str, Any]] | None = None,
    study_name: str | None = None,
) -> trimtab.Study:
    """A study whose finished trials have these intermediate values (value: the last one)."""
    study = trimtab.create_study(direction=direction, pruner=pruner, study_name=study_name)
    add_finished(study, curves, state, system_attrs)
    return study


def add_finished(
    study: trimtab.Study,
    curves: Sequence[Mapping[int, float]],
    state: TrialState = TrialState.COMPLETE,
    system_attrs: Sequence[dict[str, Any]] | None = None,
) -> None:
    for i, curve in enumerate(curves):
        value = None
        if state == TrialState.COMPLETE:
            last = curve[max(curve)] if curve else 0.0
            value = last if last == last else 0.0
        study.add_trial(
            create_trial(
                state=state,
                value=value,
                intermediate_values=dict(curve),
                system_attrs=dict(system_attrs[i]) if system_attrs else None,
            )
        )


def decisions(study: trimtab.Study, curve: Sequence[tuple[int, float]]) -> list[bool]:
    """Report ``curve`` step by step in a new trial; ``should_prune`` after each report."""
    trial = study.ask()
    answers = []
    for step, value in curve:
        trial.report(value, step)
        answers.append(trial.should_prune())
    return answers


def decide(study: trimtab.Study, curve: Mapping[int, float]) -> bool:
    """``should_prune`` of a new trial after reporting all of ``curve``."""
    trial = study.ask()
    for step, value in curve.items():
        trial.report(value, step)
    return trial.should_prune()

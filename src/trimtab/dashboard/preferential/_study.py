"""``PreferentialStudy``: optimisation driven by a person's "this one is better" answers.

The script asks trials and shows each (a note, an artifact); the person compares the
candidates in the dashboard (or the script reports preferences itself); the sampler learns
from the answers. Stored like optuna-dashboard's preferential studies, so either dashboard
can drive one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from trimtab import logging
from trimtab.dashboard.preferential._records import (
    FEEDBACK_COMPONENT,
    IS_PREFERENTIAL,
    N_GENERATE,
    preferences_from_attrs,
    record_preferences,
    skipped_trial_ids,
)
from trimtab.distributions import BaseDistribution
from trimtab.exceptions import DuplicatedStudyError
from trimtab.samplers import BaseSampler
from trimtab.samplers._gp._preferential import PreferentialGPSampler
from trimtab.storages import BaseStorage, get_storage
from trimtab.study import Study
from trimtab.study import create_study as create_plain_study
from trimtab.trial import FrozenTrial, Trial, TrialState

_logger = logging.get_logger(__name__)


class PreferentialStudy:
    """A study whose trials are compared by a person instead of scored by a function.

    Create one with ``create_study`` or ``load_study``.
    """

    def __init__(self, study: Study) -> None:
        self._study = study

    @property
    def study_name(self) -> str:
        """The study's name."""
        return self._study.study_name

    @property
    def trials(self) -> list[FrozenTrial]:
        """Every trial, in number order."""
        return self._study.trials

    def get_trials(
        self, deepcopy: bool = True, states: Iterable[TrialState] | None = None
    ) -> list[FrozenTrial]:
        """Return the trials (optionally only those in ``states``)."""
        return self._study.get_trials(
            deepcopy=deepcopy, states=None if states is None else tuple(states)
        )

    @property
    def user_attrs(self) -> dict[str, Any]:
        """The study's user attributes."""
        return self._study.user_attrs

    def set_user_attr(self, key: str, value: Any) -> None:
        """Set a study user attribute."""
        self._study.set_user_attr(key, value)

    @property
    def best_trials(self) -> list[FrozenTrial]:
        """The trials never reported worse than another (and not skipped)."""
        attrs = self._study.storage.get_study_system_attrs(self._study.study_id)
        pairs = preferences_from_attrs(attrs)
        worse = {w for _, w in pairs}
        skipped = skipped_trial_ids(attrs)
        trials = self._study.get_trials(deepcopy=False)
        best = sorted({b for b, _ in pairs if b not in worse})
        return [trials[n] for n in best if trials[n]._trial_id not in skipped]

    @property
    def preferences(self) -> list[tuple[FrozenTrial, FrozenTrial]]:
        """The ``(better, worse)`` pairs reported so far."""
        return self.get_preferences()

    def get_preferences(self, *, deepcopy: bool = True) -> list[tuple[FrozenTrial, FrozenTrial]]:
        """Return the ``(better, worse)`` pairs reported so far."""
        attrs = self._study.storage.get_study_system_attrs(self._study.study_id)
        pairs = preferences_from_attrs(attrs)  # read before the trials: they only grow
        trials = self._study.get_trials(deepcopy=deepcopy)
        return [(trials[b], trials[w]) for b, w in pairs]

    def ask(self, fixed_distributions: dict[str, BaseDistribution] | None = None) -> Trial:
        """Start a trial (a candidate to show the person)."""
        return self._study.ask(fixed_distributions)

    def add_trial(self, trial: FrozenTrial) -> None:
        """Add a finished trial."""
        self._study.add_trial(trial)

    def add_trials(self, trials: Iterable[FrozenTrial]) -> None:
        """Add finished trials."""
        self._study.add_trials(trials)

    def enqueue_trial(
        self,
        params: dict[str, Any],
        user_attrs: dict[str, Any] | None = None,
        skip_if_exists: bool = False,
    ) -> None:
        """Queue a trial with these params (the next ``ask`` gets it)."""
        self._study.enqueue_trial(params, user_attrs, skip_if_exists)

    def report_preference(
        self,
        better_trials: FrozenTrial | Trial | list[FrozenTrial | Trial],
        worse_trials: FrozenTrial | Trial | list[FrozenTrial | Trial],
    ) -> None:
        """Record that each of ``better_trials`` is preferred to each of ``worse_trials``.

        Raises:
            ValueError: a trial is on both sides, or belongs to another study.
        """
        better = better_trials if isinstance(better_trials, list) else [better_trials]
        worse = worse_trials if isinstance(worse_trials, list) else [worse_trials]
        numbers = {t.number for t in self._study.get_trials(deepcopy=False)}
        for trial in [*better, *worse]:
            if trial.number not in numbers:
                raise ValueError(f"Trial {trial.number} is not a trial of this study.")
        pairs = [(b.number, w.number) for b in better for w in worse]
        if any(b == w for b, w in pairs):
            raise ValueError("A trial cannot be both better and worse than itself.")
        record_preferences(self._study.storage, self._study.study_id, pairs)

    @property
    def n_generate(self) -> int:
        """How many candidates the person compares at once."""
        attrs = self._study.storage.get_study_system_attrs(self._study.study_id)
        return int(attrs[N_GENERATE])

    def should_generate(self) -> bool:
        """Whether to ask a new candidate now: fewer than ``n_generate`` trials are still
        in the running (neither reported worse than another nor skipped)."""
        attrs = self._study.storage.get_study_system_attrs(self._study.study_id)
        worse = {w for _, w in preferences_from_attrs(attrs)}
        skipped = skipped_trial_ids(attrs)
        active = [
            t
            for t in self._study.get_trials(
                deepcopy=False, states=(TrialState.COMPLETE, TrialState.RUNNING)
            )
            if t.number not in worse and t._trial_id not in skipped
        ]
        return len(active) < int(attrs[N_GENERATE])


def create_study(
    *,
    n_generate: int,
    storage: str | BaseStorage | None = None,
    sampler: BaseSampler | None = None,
    study_name: str | None = None,
    load_if_exists: bool = False,
) -> PreferentialStudy:
    """Create a preferential study.

    Args:
        n_generate: How many candidates the person compares at once (at least 2).
        storage: Where to keep the study (the dashboard must reach it).
        sampler: The sampler (default: ``PreferentialGPSampler``, numpy only).
        study_name: The study's name.
        load_if_exists: Load the study of that name instead of failing if it exists.

    Raises:
        ValueError: ``n_generate`` below 2.
        DuplicatedStudyError: the name exists and ``load_if_exists`` is False.
    """
    if isinstance(n_generate, bool) or not isinstance(n_generate, int) or n_generate < 2:
        raise ValueError(f"n_generate must be an integer of at least 2, got {n_generate!r}.")
    backend = get_storage(storage)
    try:
        study = create_plain_study(
            storage=backend, sampler=sampler or PreferentialGPSampler(), study_name=study_name
        )
    except DuplicatedStudyError:
        if not load_if_exists or study_name is None:
            raise
        _logger.info(
            f"Using an existing study with name '{study_name}' instead of creating a new one."
        )
        return load_study(study_name=study_name, storage=backend, sampler=sampler)
    backend.set_study_system_attr(study.study_id, IS_PREFERENTIAL, True)
    backend.set_study_system_attr(study.study_id, N_GENERATE, n_generate)
    return PreferentialStudy(study)


def load_study(
    *, study_name: str, storage: str | BaseStorage, sampler: BaseSampler | None = None
) -> PreferentialStudy:
    """Load a preferential study.

    Raises:
        KeyError: no study has that name.
        ValueError: the study is not preferential.
    """
    study = Study(
        study_name=study_name, storage=storage, sampler=sampler or PreferentialGPSampler()
    )
    if not study.storage.get_study_system_attrs(study.study_id).get(IS_PREFERENTIAL):
        raise ValueError(f"Study {study_name!r} is not a preferential study.")
    return PreferentialStudy(study)


def register_preference_feedback_component(
    study: PreferentialStudy,
    component_type: Literal["note", "artifact"],
    artifact_key: str | None = None,
) -> None:
    """Choose what the compare page shows of each candidate: its note, or the artifact whose
    id is in the trial's user attribute ``artifact_key``.

    Raises:
        ValueError: unknown ``component_type``, or ``"artifact"`` without ``artifact_key``.
    """
    if component_type not in ("note", "artifact"):
        raise ValueError(f"component_type must be 'note' or 'artifact', got {component_type!r}.")
    if component_type == "artifact" and not artifact_key:
        raise ValueError("artifact_key is needed with component_type='artifact'.")
    value: dict[str, Any] = {"output_type": component_type}
    if artifact_key is not None:
        value["artifact_key"] = artifact_key
    study._study.storage.set_study_system_attr(study._study.study_id, FEEDBACK_COMPONENT, value)

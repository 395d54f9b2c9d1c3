"""``BaseStorage``: the contract every storage backend fulfils."""

from __future__ import annotations

import abc
import json
from collections.abc import Container, Sequence
from typing import Any

from trimtab._study_records import FrozenStudy, StudyDirection
from trimtab.distributions import BaseDistribution
from trimtab.exceptions import UpdateFinishedTrialError
from trimtab.trial._frozen import FrozenTrial
from trimtab.trial._state import TrialState

JSONSerializable = Any

DEFAULT_STUDY_NAME_PREFIX = "no-name-"


class BaseStorage(abc.ABC):
    """Where studies and trials are recorded: Optuna's storage method set, plus a cursor read.

    Contract for implementations:

    * **Thread safety.** Every method may be called from several threads at once (``n_jobs``)
      and, for persistent backends, from several processes and machines on the same study.
    * **Numbering.** ``create_new_trial`` gives trials of a study the numbers 0, 1, 2, …, each
      exactly once, whatever the number of concurrent writers. ``trial_id`` is storage-wide.
    * **Immutability.** A ``FrozenTrial`` or ``FrozenStudy`` returned to a caller is never
      changed afterwards by the storage; writes replace records instead of mutating them. This
      is what lets ``get_all_trials(deepcopy=False)`` skip copies safely.
    * **Ownership of RUNNING trials.** Only the worker that moved a trial to RUNNING writes its
      params, intermediate values and final state. ``set_trial_state_values(id, RUNNING)`` on a
      WAITING trial is atomic: exactly one of several concurrent callers gets ``True``.
    * **Finished is final.** Writes to a COMPLETE, PRUNED or FAIL trial raise
      ``UpdateFinishedTrialError``.
    * **Validation.** A parameter written with a distribution incompatible with the one the
      study already uses for that name raises ``ValueError``, and nothing is stored.
    * **Incremental read.** ``get_trials_since`` lets caches and samplers read only what changed.
    """

    # Studies.

    @abc.abstractmethod
    def create_new_study(
        self, directions: Sequence[StudyDirection], study_name: str | None = None
    ) -> int:
        """Create a study and return its id.

        Raises:
            DuplicatedStudyError: a study named ``study_name`` exists already.
        """

    @abc.abstractmethod
    def delete_study(self, study_id: int) -> None:
        """Delete a study and all its trials. Raises KeyError for an unknown id."""

    @abc.abstractmethod
    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        """Set a JSON-serialisable user attribute of a study."""

    @abc.abstractmethod
    def set_study_system_attr(self, study_id: int, key: str, value: JSONSerializable) -> None:
        """Set a JSON-serialisable system attribute of a study."""

    @abc.abstractmethod
    def get_study_id_from_name(self, study_name: str) -> int:
        """Return the id of the named study. Raises KeyError when there is none."""

    @abc.abstractmethod
    def get_study_name_from_id(self, study_id: int) -> str:
        """Return the name of a study. Raises KeyError for an unknown id."""

    @abc.abstractmethod
    def get_study_directions(self, study_id: int) -> list[StudyDirection]:
        """Return the direction of each objective of a study."""

    @abc.abstractmethod
    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]:
        """Return the user attributes of a study."""

    @abc.abstractmethod
    def get_study_system_attrs(self, study_id: int) -> dict[str, Any]:
        """Return the system attributes of a study."""

    @abc.abstractmethod
    def get_all_studies(self) -> list[FrozenStudy]:
        """Return every study in the storage."""

    # Trials.

    @abc.abstractmethod
    def create_new_trial(self, study_id: int, template_trial: FrozenTrial | None = None) -> int:
        """Create a trial (RUNNING, or a copy of ``template_trial``) and return its id."""

    def create_new_trials(self, study_id: int, template_trials: Sequence[FrozenTrial]) -> list[int]:
        """Create copies of ``template_trials`` and return their ids, in order.

        Backends override this to write a batch at once; this default writes one by one.
        """
        return [self.create_new_trial(study_id, template_trial=t) for t in template_trials]

    @abc.abstractmethod
    def set_trial_param(
        self,
        trial_id: int,
        param_name: str,
        param_value_internal: float,
        distribution: BaseDistribution,
    ) -> None:
        """Record a parameter's internal value and distribution for an unfinished trial."""

    def get_trial_id_from_study_id_trial_number(self, study_id: int, trial_number: int) -> int:
        """Return the id of the trial with this number. Raises KeyError when there is none."""
        for trial in self.get_all_trials(study_id, deepcopy=False):
            if trial.number == trial_number:
                return trial._trial_id
        raise KeyError(f"No trial with trial number {trial_number} exists in study {study_id}.")

    def get_trial_number_from_id(self, trial_id: int) -> int:
        """Return the number of a trial."""
        return self.get_trial(trial_id).number

    def get_trial_param(self, trial_id: int, param_name: str) -> float:
        """Return the internal value of one parameter of a trial."""
        trial = self.get_trial(trial_id)
        return trial.distributions[param_name].to_internal_repr(trial.params[param_name])

    @abc.abstractmethod
    def set_trial_state_values(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None = None
    ) -> bool:
        """Set a trial's state (and values, when finishing it).

        Returns False, changing nothing, when asked to move a trial to RUNNING that is no
        longer WAITING (another worker took it). Raises ``UpdateFinishedTrialError`` when the
        trial is finished already.
        """

    @abc.abstractmethod
    def set_trial_intermediate_value(
        self, trial_id: int, step: int, intermediate_value: float
    ) -> None:
        """Record an intermediate value (NaN allowed) of an unfinished trial."""

    @abc.abstractmethod
    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        """Set a JSON-serialisable user attribute of an unfinished trial."""

    @abc.abstractmethod
    def set_trial_system_attr(self, trial_id: int, key: str, value: JSONSerializable) -> None:
        """Set a JSON-serialisable system attribute of an unfinished trial."""

    @abc.abstractmethod
    def get_trial(self, trial_id: int) -> FrozenTrial:
        """Return a trial. Raises KeyError for an unknown id."""

    @abc.abstractmethod
    def get_all_trials(
        self,
        study_id: int,
        deepcopy: bool = True,
        states: Container[TrialState] | None = None,
    ) -> list[FrozenTrial]:
        """Return a study's trials in number order, optionally only those in ``states``."""

    def get_trials_since(self, study_id: int, cursor: int) -> tuple[list[FrozenTrial], int]:
        """Return the trials created or changed in state after ``cursor``, and a new cursor.

        Start with ``cursor=0``. A trial that is not returned has had neither a new state nor
        been created since the cursor, so a consumer that keeps finished trials never needs
        to read them again. Params and attributes of *unfinished* trials may change without a
        new entry; read unfinished trials with ``get_all_trials(states=...)`` when their latest
        params matter. This default implementation returns every trial each time.
        """
        return self.get_all_trials(study_id, deepcopy=False), 0

    def get_n_trials(
        self, study_id: int, state: tuple[TrialState, ...] | TrialState | None = None
    ) -> int:
        """Return the number of trials of a study, optionally only those in ``state``."""
        if isinstance(state, TrialState):
            state = (state,)
        return len(self.get_all_trials(study_id, deepcopy=False, states=state))

    def get_best_trial(self, study_id: int) -> FrozenTrial:
        """Return the best COMPLETE trial of a single-objective study.

        Raises:
            ValueError: no trial is complete, or the study has several objectives.
        """
        directions = self.get_study_directions(study_id)
        if len(directions) > 1:
            raise RuntimeError("Best trial can be obtained only for single-objective optimization.")
        trials = self.get_all_trials(study_id, deepcopy=False, states=(TrialState.COMPLETE,))
        if not trials:
            raise ValueError("No trials are completed yet.")
        pick = max if directions[0] == StudyDirection.MAXIMIZE else min
        return pick(trials, key=lambda t: t.values[0])  # type: ignore[index]

    def get_trial_params(self, trial_id: int) -> dict[str, Any]:
        """Return the parameters of a trial."""
        return self.get_trial(trial_id).params

    def get_trial_user_attrs(self, trial_id: int) -> dict[str, Any]:
        """Return the user attributes of a trial."""
        return self.get_trial(trial_id).user_attrs

    def get_trial_system_attrs(self, trial_id: int) -> dict[str, Any]:
        """Return the system attributes of a trial."""
        return self.get_trial(trial_id).system_attrs

    def remove_session(self) -> None:
        """Release per-thread resources (a no-op for most backends)."""

    def check_trial_is_updatable(self, trial_id: int, trial_state: TrialState) -> None:
        """Raise ``UpdateFinishedTrialError`` if ``trial_state`` is a finished state."""
        if trial_state.is_finished():
            trial = self.get_trial(trial_id)
            raise UpdateFinishedTrialError(
                f"Trial#{trial.number} has already finished and can not be updated."
            )


def check_json_serializable(value: Any, what: str) -> None:
    """Raise TypeError naming ``what`` when ``value`` cannot be stored as JSON."""
    try:
        json.dumps(value, allow_nan=True)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{what} must be JSON-serializable, got {value!r}: {err}") from err

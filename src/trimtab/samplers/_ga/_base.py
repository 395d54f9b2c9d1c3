"""``BaseGASampler``: generations and populations for genetic-algorithm samplers.

A trial's generation is stored on it under ``"<SamplerClass>:generation"`` (Optuna's key, read
by dashboards). The parents chosen for a generation are stored once per study, so every
worker breeding that generation uses the same parents. Completed trials are read
incrementally into a digest of the study view (``view.digest``), so the cost per trial does
not grow with the study.
"""

from __future__ import annotations

import abc
import threading
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

from trimtab._study_view import view_of
from trimtab.samplers._base import BaseSampler
from trimtab.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from trimtab.study import Study

_PARENT_STATE_VERSION = 1


class _PopulationIndex:
    """Completed trials of one study, grouped by generation, grown incrementally."""

    def __init__(self, generation_key: str) -> None:
        self._generation_key = generation_key
        self.by_generation: dict[int, list[FrozenTrial]] = {}
        self.by_id: dict[int, FrozenTrial] = {}
        self.latest = 0  # the highest generation with a completed trial

    def add(self, trials: list[FrozenTrial]) -> None:
        key = self._generation_key
        for t in trials:
            if t.state != TrialState.COMPLETE or t._trial_id in self.by_id:
                continue
            self.by_id[t._trial_id] = t
            generation = t.system_attrs.get(key, -1)
            self.by_generation.setdefault(generation, []).append(t)
            self.latest = max(self.latest, generation)


class BaseGASampler(BaseSampler, abc.ABC):
    """Base class of genetic-algorithm samplers: a trial belongs to a generation, a
    generation's parents are selected once (``select_parent``) and shared by all workers.

    Args:
        population_size: Number of trials per generation.
    """

    _GENERATION_KEY = "BaseGASampler:generation"
    _PARENT_CACHE_KEY_PREFIX = "BaseGASampler:parent:"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._GENERATION_KEY = f"{cls.__name__}:generation"
        cls._PARENT_CACHE_KEY_PREFIX = f"{cls.__name__}:parent:"

    def __init__(self, population_size: int | None) -> None:
        self._population_size = population_size
        self._index_lock = threading.RLock()
        # Parents chosen per (study view, generation): they never change once chosen, so a
        # known generation needs no storage read at all.
        self._parents: dict[tuple[Hashable, int], list[FrozenTrial]] = {}

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_index_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._index_lock = threading.RLock()

    @classmethod
    def _get_generation_key(cls) -> str:
        return cls._GENERATION_KEY

    @classmethod
    def _get_parent_cache_key_prefix(cls) -> str:
        return cls._PARENT_CACHE_KEY_PREFIX

    @property
    def population_size(self) -> int | None:
        """Number of trials per generation."""
        return self._population_size

    @population_size.setter
    def population_size(self, value: int) -> None:
        self._population_size = value

    @abc.abstractmethod
    def select_parent(self, study: Study, generation: int) -> list[FrozenTrial]:
        """Return the parents of ``generation`` (called once per generation, then cached)."""

    def _index(self, study: Study) -> _PopulationIndex:
        key = self._get_generation_key()
        with view_of(study).digest(self, lambda: _PopulationIndex(key)) as index:
            return index

    def get_trial_generation(self, study: Study, trial: FrozenTrial) -> int:
        """Return ``trial``'s generation, assigning the current one if it has none yet.

        The current generation is the highest one among completed trials, or the next one
        when that generation already has ``population_size`` completed trials.
        """
        generation = trial.system_attrs.get(self._get_generation_key())
        if generation is not None:
            return int(generation)
        if self._population_size is None:
            raise ValueError("`population_size` must be set before sampling.")
        with self._index_lock:
            index = self._index(study)
            latest = index.latest
            count = len(index.by_generation.get(latest, []))
        generation = latest if count < self._population_size else latest + 1
        view_of(study).save_trial_attr(trial._trial_id, self._get_generation_key(), generation)
        return generation

    def get_population(self, study: Study, generation: int) -> list[FrozenTrial]:
        """Return the completed trials of ``generation``, in trial-number order."""
        with self._index_lock:
            members = list(self._index(study).by_generation.get(generation, []))
        return sorted(members, key=lambda t: t.number)

    def get_parent_population(self, study: Study, generation: int) -> list[FrozenTrial]:
        """Return the parents of ``generation`` ([] for generation 0), selecting them once."""
        if generation == 0:
            return []
        view = view_of(study)
        key = (view.key, generation)
        with self._index_lock:
            known = self._parents.get(key)
            if known is not None:
                return known
            index = self._index(study)
            namespace = self._parent_namespace(generation)
            stored = view.load_study_state(namespace, _PARENT_STATE_VERSION)
            if stored is not None and all(i in index.by_id for i in stored):
                parents = [index.by_id[i] for i in stored]
            else:
                parents = self.select_parent(study, generation)
                ids = [t._trial_id for t in parents]
                view.save_study_state(namespace, _PARENT_STATE_VERSION, ids)
            self._parents[key] = parents
            return parents

    def _parent_namespace(self, generation: int) -> str:
        return self._get_parent_cache_key_prefix().replace(":", ".") + str(generation)

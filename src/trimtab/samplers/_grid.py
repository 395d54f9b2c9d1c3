"""``GridSampler``: every combination of a user-given grid, safe across processes."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from numbers import Real
from typing import TYPE_CHECKING, Any, Union

from trimtab import _warnings, logging
from trimtab._study_view import view_of
from trimtab.distributions import BaseDistribution
from trimtab.samplers._base import BaseSampler, stop_optimize
from trimtab.samplers._rng import SamplerRandomState
from trimtab.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from trimtab.study import Study

GridValueType = Union[str, float, int, bool, None]

_logger = logging.get_logger(__name__)
GRID_ID_KEY = "grid_id"
SEARCH_SPACE_KEY = "search_space"


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, Real) and isinstance(b, Real) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


class _FinishedGridIds:
    """Grid ids of a study's finished trials of this grid (a digest of the study view)."""

    def __init__(self, is_ours: Callable[[FrozenTrial], bool]) -> None:
        self._is_ours = is_ours
        self.ids: set[int] = set()

    def add(self, trials: list[FrozenTrial]) -> None:
        self.ids.update(t.system_attrs[GRID_ID_KEY] for t in trials if self._is_ours(t))


class GridSampler(BaseSampler):
    """Tries every combination of ``search_space`` once, in a shuffled order.

    Trial number ``k`` (for ``k`` below the grid size) takes grid point ``k``, so several
    processes sharing a storage cover the grid without running a point twice; later trials
    take a random point not yet finished or running. The study stops once every point has
    been evaluated.

    Args:
        search_space: ``{param_name: [values…]}``.
        seed: Seed of the shuffle; every worker of a study must use the same one.
    """

    def __init__(
        self, search_space: Mapping[str, Sequence[GridValueType]], seed: int | None = None
    ) -> None:
        if not isinstance(search_space, Mapping):
            raise TypeError(f"`search_space` must be a dict of lists, got {search_space!r}.")
        for name, values in search_space.items():
            if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
                raise TypeError(f"The grid of '{name}' must be a list of values, got {values!r}.")
            if len(values) == 0:
                raise ValueError(f"The grid of '{name}' is empty.")
            for value in values:
                if value is not None and not isinstance(value, (str, int, float, bool)):
                    _warnings.warn(
                        f"{name} contains a value with the type of {type(value)}, which is not "
                        "supported by `GridSampler`. Please make sure a value is `str`, `int`, "
                        "`float`, `bool` or `None` for persistent storage."
                    )
        self._search_space = {name: list(search_space[name]) for name in sorted(search_space)}
        self._param_names = list(self._search_space)
        self._grid = list(itertools.product(*self._search_space.values()))
        self._rng = SamplerRandomState(seed or 0, fresh_copies=seed is None)
        order = self._rng.permutation(len(self._grid))
        self._grid = [self._grid[i] for i in order]

    def reseed_rng(self) -> None:
        self._rng.seed()

    def _same_search_space(self, space: Any) -> bool:
        if not isinstance(space, Mapping) or set(space) != set(self._search_space):
            return False
        return all(
            len(space[n]) == len(v) and all(_same_value(a, b) for a, b in zip(space[n], v))
            for n, v in self._search_space.items()
        )

    def _unvisited(self, study: Study) -> list[int]:
        running = {
            t.system_attrs[GRID_ID_KEY]
            for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
            if self._is_ours(t)
        }
        all_ids = set(range(len(self._grid)))
        with self._finished(study) as finished:
            not_finished = all_ids - finished.ids
        return sorted((not_finished - running) or not_finished)

    def _finished(self, study: Study) -> AbstractContextManager[_FinishedGridIds]:
        """The grid ids of ``study``'s finished trials, up to date and held locked."""
        return view_of(study).digest(self, lambda: _FinishedGridIds(self._is_ours))

    def _is_ours(self, trial: FrozenTrial) -> bool:
        return GRID_ID_KEY in trial.system_attrs and self._same_search_space(
            trial.system_attrs.get(SEARCH_SPACE_KEY)
        )

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        if GRID_ID_KEY in trial.system_attrs or "fixed_params" in trial.system_attrs:
            return
        if 0 <= trial.number < len(self._grid):
            grid_id = trial.number
        else:
            targets = self._unvisited(study)
            if not targets:
                _logger.warning(
                    "`GridSampler` is re-evaluating a configuration because the grid has been "
                    "exhausted. This may happen due to a timing issue during distributed "
                    "optimization or when re-running optimizations on already finished studies."
                )
                targets = list(range(len(self._grid)))
            grid_id = int(self._rng.choice(targets))
        view_of(study).save_trial_attr(trial._trial_id, SEARCH_SPACE_KEY, self._search_space)
        view_of(study).save_trial_attr(trial._trial_id, GRID_ID_KEY, grid_id)
        trial.system_attrs[SEARCH_SPACE_KEY] = self._search_space
        trial.system_attrs[GRID_ID_KEY] = grid_id

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        return {}

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        return {}

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        if GRID_ID_KEY not in trial.system_attrs:
            raise ValueError(
                "All parameters must be specified when using GridSampler with enqueue_trial."
            )
        if param_name not in self._search_space:
            raise ValueError(f"The parameter name, {param_name}, is not found in the given grid.")
        value = self._grid[trial.system_attrs[GRID_ID_KEY]][self._param_names.index(param_name)]
        if not param_distribution._contains(param_distribution.to_internal_repr(value)):
            _warnings.warn(
                f"The value `{value}` is out of range of the parameter `{param_name}`. The value "
                f"will be used but the actual distribution is: `{param_distribution}`."
            )
        return value

    def after_trial(
        self,
        study: Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        targets = self._unvisited(study)
        own_id = trial.system_attrs.get(GRID_ID_KEY)
        remaining = [t for t in targets if t != own_id]
        if not remaining:
            stop_optimize(study)

    def is_exhausted(self, study: Study) -> bool:
        """Return True when every grid point has been evaluated."""
        with self._finished(study) as finished:
            return len(finished.ids) == len(self._grid)

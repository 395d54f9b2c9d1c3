"""``TrialHistory``: a study's finished trials as growing numpy columns.

Samplers that model past trials (TPE, ...) need arrays, not ``FrozenTrial`` objects, and must
not re-read and re-parse the whole study for every new trial. A view keeps one
``TrialHistory`` per study (``view.history()``), a digest fed with each trial once when it
finishes; COMPLETE and PRUNED trials become rows, FAIL trials are skipped.

API (all arrays are views of length ``n``, rows in the order trials finished)::

    history = view.history()         # brought up to date; cheap when nothing changed
    history.n                        # number of rows (COMPLETE + PRUNED trials)
    history.numbers                  # (n,) int64 trial numbers
    history.complete                 # (n,) bool, False for PRUNED
    history.values                   # (n, n_objectives) float64 as reported; NaN for PRUNED
    history.infeasibility            # (n,) sum of positive constraint values (0 = feasible)
    history.last_step                # (n,) last reported step of PRUNED trials (NaN if none)
    history.last_intermediate        # (n,) value reported at that step (NaN if none)
    history.column(name)             # (n,) internal parameter values, NaN where absent
    history.distribution(name)       # the last distribution seen for ``name``
    history.param_names              # names seen so far, in first-seen order

Internal values are ``distribution.to_internal_repr(value)``: the number itself for floats
and ints, the choice index for categoricals.
"""

from __future__ import annotations

import math
from operator import itemgetter
from typing import Any

import numpy as np

from trimtab.distributions import BaseDistribution, FloatDistribution
from trimtab.trial._constraints import constraints_from_system_attrs
from trimtab.trial._frozen import FrozenTrial
from trimtab.trial._state import TrialState

_FINISHED_ROWS = frozenset((TrialState.COMPLETE, TrialState.PRUNED))


class _Buffer:
    """A numpy array that grows by amortised doubling; ``view`` is the filled part."""

    def __init__(self, shape_tail: tuple[int, ...] = (), dtype: Any = float, fill: Any = np.nan):
        self._data = np.full((16, *shape_tail), fill, dtype=dtype)
        self._fill = fill
        self.size = 0

    def extend(self, rows: Any) -> None:
        rows = np.asarray(rows, dtype=self._data.dtype)
        need = self.size + len(rows)
        if need > len(self._data):
            grown = np.full(
                (max(need, 2 * len(self._data)), *self._data.shape[1:]),
                self._fill,
                dtype=self._data.dtype,
            )
            grown[: self.size] = self._data[: self.size]
            self._data = grown
        self._data[self.size : need] = rows
        self.size = need

    @property
    def view(self) -> np.ndarray:
        return self._data[: self.size]


def _internal_values(dist: BaseDistribution, values: list[Any]) -> Any:
    """``dist.to_internal_repr`` of each value (floats of a float distribution as they are)."""
    if type(dist) is FloatDistribution and set(map(type, values)) == {float}:
        return values
    return [float(dist.to_internal_repr(v)) for v in values]


class TrialHistory:
    """Columnar cache of one study's COMPLETE and PRUNED trials (see the module docstring)."""

    def __init__(self, n_objectives: int) -> None:
        self._n_objectives = n_objectives
        self._numbers = _Buffer(dtype=np.int64, fill=-1)
        self._complete = _Buffer(dtype=bool, fill=False)
        self._values = _Buffer((n_objectives,))
        self._infeasibility = _Buffer()
        self._last_step = _Buffer()
        self._last_value = _Buffer()
        self._columns: dict[str, _Buffer] = {}
        self._distributions: dict[str, BaseDistribution] = {}

    def add(self, trials: list[FrozenTrial]) -> None:
        """Append the COMPLETE and PRUNED ones of newly finished ``trials`` as rows."""
        rows = [t for t in trials if t.state in _FINISHED_ROWS]
        if rows:
            self._append(rows)

    def _append(self, trials: list[FrozenTrial]) -> None:
        n_obj = self._n_objectives
        nan_row = [math.nan] * n_obj
        values, infeasible, steps, inters = [], [], [], []
        complete = TrialState.COMPLETE
        # Storages' records hold the member itself: `is` spares TrialState.__eq__ on most rows.
        is_complete = [t.state is complete or t.state == complete for t in trials]
        for t, done in zip(trials, is_complete):
            t_values = t.values
            values.append(t_values if done and t_values is not None else nan_row)
            system_attrs = t.system_attrs
            if system_attrs:
                violations = constraints_from_system_attrs(system_attrs).values()
                infeasible.append(sum(v for v in violations if v > 0))
            else:
                infeasible.append(0.0)
            intermediate = t.intermediate_values
            if intermediate:
                step = max(intermediate)
                steps.append(float(step))
                inters.append(float(intermediate[step]))
            else:
                steps.append(math.nan)
                inters.append(math.nan)
        start = self._numbers.size
        self._numbers.extend([t.number for t in trials])
        self._complete.extend(is_complete)
        self._values.extend(np.array(values, dtype=float).reshape(len(trials), n_obj))
        self._infeasibility.extend(infeasible)
        self._last_step.extend(steps)
        self._last_value.extend(inters)
        self._append_params(trials, start)

    def _append_params(self, trials: list[FrozenTrial], start: int) -> None:
        """Append one row per trial to every parameter column (NaN where a trial lacks it).

        Trials read from a storage share one distributions dict per search space, so rows are
        grouped by that dict and each column is filled per group with numpy.
        """
        groups: dict[int, tuple[dict[str, BaseDistribution], list[int]]] = {}
        for row, t in enumerate(trials):
            dists = t.distributions
            group = groups.get(id(dists))
            if group is None:
                groups[id(dists)] = (dists, [row])
            else:
                group[1].append(row)
        block: dict[str, np.ndarray] = {
            name: np.full(len(trials), np.nan) for name in self._columns
        }
        last_row: dict[str, int] = {}
        for dists, rows in groups.values():
            index = np.asarray(rows)
            params = [trials[r].params for r in rows]
            for name, dist in dists.items():
                if name not in block:
                    block[name] = np.full(len(trials), np.nan)
                    self._columns[name] = _Buffer()
                    self._columns[name].extend(np.full(start, np.nan))
                block[name][index] = _internal_values(dist, list(map(itemgetter(name), params)))
                if rows[-1] >= last_row.get(name, -1):
                    last_row[name] = rows[-1]
                    self._distributions[name] = dist
        for name, column in block.items():
            self._columns[name].extend(column)

    @property
    def n(self) -> int:
        return self._numbers.size

    @property
    def numbers(self) -> np.ndarray:
        return self._numbers.view

    @property
    def complete(self) -> np.ndarray:
        return self._complete.view

    @property
    def values(self) -> np.ndarray:
        return self._values.view

    @property
    def infeasibility(self) -> np.ndarray:
        return self._infeasibility.view

    @property
    def last_step(self) -> np.ndarray:
        return self._last_step.view

    @property
    def last_intermediate(self) -> np.ndarray:
        return self._last_value.view

    @property
    def param_names(self) -> list[str]:
        return list(self._columns)

    def column(self, name: str) -> np.ndarray:
        """Internal values of parameter ``name`` per row, NaN where a trial lacks it."""
        column = self._columns.get(name)
        return column.view if column is not None else np.full(self.n, np.nan)

    def distribution(self, name: str) -> BaseDistribution | None:
        """The last distribution seen for ``name`` (None if no finished trial used it)."""
        return self._distributions.get(name)

"""When a CMA-ES run has stopped making progress, so that IPOP/BIPOP should restart it.

``cmaes``' own ``should_stop`` uses Hansen's defaults (function-value range below 1e-12,
step size below 1e-12 sigma0, condition number above 1e14, ...): numerical-precision limits
that a run reaches only after thousands of generations, never within a hyperparameter search
budget. The criteria below are the ones of the IPOP/BIPOP papers (Auger & Hansen, 2005;
Hansen, 2009), with the two tolerances that depend on units made relative:

- TolHistFun: over the last ``10 + ceil(30 n / lambda)`` generations, the best values and all
  values of the newest generation span less than ``TOL_FUN`` times the objective's scale. The
  scale is the largest ``median - best`` gap of any generation of the study, so the criterion
  does not depend on the objective's units, offset, or a few failed trials with huge values.
  1e-6 of that gap is below the resolution of any validation metric (a mean over at most
  ~10^6 examples).
- TolX: every coordinate's standard deviation and the evolution path are below ``TOL_X`` in
  the unit box: the trials differ by less than 1e-4 of each parameter's (log-)range, which
  makes them the same configuration for any practical purpose.
- EqualFunValues: in more than a third of the last ``10 + ceil(30 n / lambda)`` generations,
  the best and the ``1 + ceil(0.1 + lambda / 4)``-th best values were equal (a plateau).
- Stagnation: over the last ``120 + ceil(30 n / lambda)`` generations, the median of the 20
  newest best-of-generation values and of the 20 newest generation medians are no better than
  those of the 20 oldest (Hansen's window also grows as 0.2 g; a fixed one keeps the
  persisted history bounded).
- MaxIter: a run has had ``100 + 50 (n + 3)^2 / sqrt(lambda)`` generations, or a BIPOP
  small run has used its evaluations (``RestartState.max_evals``).
- Any of ``cmaes``' own conditions (divergence, no effect of a step, ill conditioning).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from trimtab.samplers._cmaes._restart import RestartState

TOL_FUN = 1e-6
TOL_X = 1e-4
_STAGNATION_SPAN = 20
_HUGE = 1e300


def history_length(dim: int, popsize: int) -> int:
    """Generations Hansen's TolHistFun and EqualFunValues look back: ``10 + ceil(30 n / λ)``."""
    return 10 + math.ceil(30 * dim / popsize)


def _stagnation_length(dim: int, popsize: int) -> int:
    return 120 + math.ceil(30 * dim / popsize)


def record_generation(state: RestartState, values: np.ndarray, dim: int) -> None:
    """Append one generation's statistics (minimised values) to the run's bounded history."""
    values = np.sort(np.clip(np.nan_to_num(values, nan=_HUGE), -_HUGE, _HUGE))
    popsize = len(values)
    k = min(popsize, 1 + math.ceil(0.1 + popsize / 4))
    best, median = float(values[0]), float(np.median(values))
    state.scale = max(state.scale, median - best)
    state.best.append(best)
    state.median.append(median)
    state.spread.append(float(values[-1] - best))
    state.flat.append(int(values[k - 1] == best))
    keep = _stagnation_length(dim, popsize)
    for series in (state.best, state.median, state.spread, state.flat):
        del series[:-keep]


def restart_reason(optimizer: Any, state: RestartState, dim: int) -> str | None:
    """Name of the first termination criterion the run meets, or None to continue it."""
    popsize = optimizer.population_size
    generation = optimizer.generation
    if state.max_evals and generation * popsize >= state.max_evals:
        return "maxevals"
    if generation >= 100 + 50 * (dim + 3) ** 2 / math.sqrt(popsize):
        return "maxiter"
    span = history_length(dim, popsize)
    if len(state.best) >= span:
        recent = state.best[-span:]
        tol = TOL_FUN * state.scale
        if max(recent) - min(recent) <= tol and state.spread[-1] <= tol:
            return "tolhistfun"
        if 3 * sum(state.flat[-span:]) > span:
            return "equalfunvalues"
    if _tol_x(optimizer):
        return "tolx"
    if len(state.best) >= _stagnation_length(dim, popsize) and _stagnated(state):
        return "stagnation"
    if optimizer.should_stop():
        return "cmaes"
    return None


def _tol_x(optimizer: Any) -> bool:
    core = getattr(optimizer, "_cma", optimizer)  # CMAwM wraps a CMA
    cov = core._C
    variances = np.diag(cov) if cov.ndim == 2 else cov
    std = core._sigma * np.sqrt(np.max(variances))
    return bool(std < TOL_X and core._sigma * np.max(np.abs(core._pc)) < TOL_X)


def _stagnated(state: RestartState) -> bool:
    n = _STAGNATION_SPAN
    return bool(
        np.median(state.best[-n:]) >= np.median(state.best[:n])
        and np.median(state.median[-n:]) >= np.median(state.median[:n])
    )

"""Building CMA-ES optimizers: the first one, and new ones for IPOP/BIPOP restarts.

IPOP (Auger & Hansen, 2005) restarts from a random mean with the population multiplied by
``inc_popsize``. BIPOP (Hansen, 2009) alternates that large-population regime with short runs
of small, randomly sized populations and step sizes, giving each regime a similar budget.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any

import numpy as np

from trimtab._study_records import StudyDirection
from trimtab._transform import NumericalTransform
from trimtab._warnings import warn
from trimtab.distributions import FloatDistribution, IntDistribution
from trimtab.samplers._cmaes._snapshot import import_cmaes
from trimtab.trial import TrialState

if TYPE_CHECKING:
    from trimtab.samplers._cmaes._sampler import CmaEsSampler

_EPS = 1e-10


@dataclass
class RestartState:
    """Bookkeeping of restarts; ``restart`` numbers the current run (0 = the first).

    ``small_evals``/``large_evals`` count BIPOP's evaluations per regime (restarted runs only),
    ``last_large_evals`` those of the latest large restart, ``max_evals`` caps the current run
    (0: no cap). ``best``, ``median``, ``spread`` (worst - best) and ``flat`` (best equal to
    the k-th best) describe the current run's recent generations, for the termination
    criteria of ``_stop``; ``scale`` is the objective's scale over the whole study.
    """

    restart: int = 0
    popsize: int | None = None
    large_restarts: int = 0
    small_evals: int = 0
    large_evals: int = 0
    last_large_evals: int = 0
    max_evals: int = 0
    regime: str = "large"
    scale: float = 0.0
    best: list[float] = field(default_factory=list)
    median: list[float] = field(default_factory=list)
    spread: list[float] = field(default_factory=list)
    flat: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> RestartState:
        """Read a record; fields missing from older records take their defaults."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (data or {}).items() if k in known})


def _default_popsize(dim: int) -> int:
    return 4 + math.floor(3 * math.log(dim))


def init_optimizer(
    sampler: CmaEsSampler,
    trans: NumericalTransform,
    direction: StudyDirection,
    mean: np.ndarray | None = None,
    sigma0: float | None = None,
    popsize: int | None = None,
) -> Any:
    """A new optimizer over ``trans.bounds`` (the unit box), honouring the sampler's options."""
    cmaes = import_cmaes()
    bounds = trans.bounds
    dim = len(bounds)
    cov = None
    if mean is None and sampler._source_trials is not None:
        mean, sigma0, cov = cmaes.get_warm_start_mgd(_source_solutions(sampler, trans, direction))
    if mean is None:
        mean = trans.transform(sampler._x0) if sampler._x0 is not None else np.full(dim, 0.5)
    if sigma0 is None:
        sigma0 = sampler._sigma0 if sampler._sigma0 is not None else 1.0 / 6.0
    sigma0 = max(float(sigma0), _EPS)
    popsize = popsize or sampler._popsize
    seed = int(sampler._rng.randint(1, 2**31 - 2))
    common: dict[str, Any] = dict(
        mean=mean,
        sigma=sigma0,
        bounds=bounds,
        seed=seed,
        n_max_resampling=10 * dim,
        population_size=popsize,
    )
    if sampler._use_separable_cma:
        if dim > 1:
            return cmaes.SepCMA(**common)
        warn(
            "Separable CMA-ES does not operate meaningfully on single-dimensional search "
            "spaces. The setting `use_separable_cma=True` will be ignored.",
            UserWarning,
        )
    if sampler._with_margin:
        return cmaes.CMAwM(steps=_margin_steps(trans), cov=cov, **common)
    return cmaes.CMA(cov=cov, lr_adapt=sampler._lr_adapt, **common)


def _margin_steps(trans: NumericalTransform) -> np.ndarray:
    """Step of each parameter in the unit box (0 for continuous ones)."""
    steps = np.zeros(len(trans.search_space))
    for i, dist in enumerate(trans.search_space.values()):
        if not isinstance(dist, (FloatDistribution, IntDistribution)) or dist.log:
            continue
        if dist.step is None:
            continue
        steps[i] = 1.0 if dist.low == dist.high else dist.step / (dist.high - dist.low)
    return steps


def _source_solutions(
    sampler: CmaEsSampler, trans: NumericalTransform, direction: StudyDirection
) -> list[tuple[np.ndarray, float]]:
    states = (
        (TrialState.COMPLETE, TrialState.PRUNED)
        if sampler._consider_pruned_trials
        else (TrialState.COMPLETE,)
    )
    sign = 1.0 if direction == StudyDirection.MINIMIZE else -1.0
    names = set(trans.search_space)
    solutions = [
        (trans.transform(t.params), sign * float(t.value))  # type: ignore[arg-type]
        for t in sampler._source_trials or []
        if t.state in states and t.value is not None and set(t.distributions) == names
    ]
    if not solutions:
        raise ValueError("No compatible source_trials")
    return solutions


def restart_optimizer(
    sampler: CmaEsSampler,
    trans: NumericalTransform,
    finished: Any,
    state: RestartState,
    told: np.ndarray,
) -> tuple[Any, RestartState]:
    """Replace a finished optimizer: IPOP grows the population, BIPOP alternates regimes.

    BIPOP (Hansen, 2009) counts the evaluations of each regime over the restarted runs (the
    first run counts for neither) and starts the regime that has used fewer, ties going to the
    large one. A large run has ``inc_popsize ** k`` times the base population at its ``k``-th
    start; a small run has ``floor(base * (large / (2 base)) ** U**2)`` with ``large`` the
    population of the next large run, step size ``sigma0 * 10 ** (-2 U')``
    (``U, U' ~ U(0, 1)``), and at most half the evaluations of the latest large run.

    The random draws are seeded by the last generation ``told`` to the finished optimizer
    (rows ``[*x, value]``): workers that tell the same generation concurrently start the
    same new run.
    """
    rng = np.random.RandomState(zlib.crc32(np.ascontiguousarray(told, dtype=float).tobytes()))
    dim = len(trans.bounds)
    base = sampler._popsize or _default_popsize(dim)
    new = RestartState(
        restart=state.restart + 1,
        popsize=state.popsize,
        large_restarts=state.large_restarts,
        small_evals=state.small_evals,
        large_evals=state.large_evals,
        last_large_evals=state.last_large_evals,
        regime=state.regime,
        scale=state.scale,
    )
    sigma0 = sampler._sigma0 if sampler._sigma0 is not None else 1.0 / 6.0
    if sampler._restart_strategy == "ipop":
        new.popsize = (state.popsize or base) * sampler._inc_popsize
    else:
        evals = finished.population_size * finished.generation
        if state.restart > 0 and state.regime == "small":
            new.small_evals += evals
        elif state.restart > 0:
            new.large_evals += evals
            new.last_large_evals = evals
        large = base * sampler._inc_popsize ** (new.large_restarts + 1)
        if new.small_evals < new.large_evals:
            new.regime = "small"
            u = rng.uniform()
            new.popsize = max(min(4, base), math.floor(base * (large / (2 * base)) ** (u**2)))
            new.max_evals = max(new.last_large_evals // 2, new.popsize)
            sigma0 *= 10 ** (-2 * rng.uniform())
        else:
            new.regime = "large"
            new.large_restarts += 1
            new.popsize = large
    mean = trans.bounds[:, 0] + (trans.bounds[:, 1] - trans.bounds[:, 0]) * rng.rand(dim)
    optimizer = init_optimizer(
        sampler, trans, StudyDirection.MINIMIZE, mean=mean, sigma0=sigma0, popsize=new.popsize
    )
    return optimizer, new

"""PED-ANOVA: how differently a parameter is distributed among the top trials.

Watanabe et al., "PED-ANOVA: Efficiently Quantifying Hyperparameter Importance in Arbitrary
Subspaces" (IJCAI 2023), with the conditional-parameter treatment of condPED-ANOVA. For each
parameter, a Parzen estimator on a grid is fitted to the top ``target_quantile`` trials and
to the ``region_quantile`` trials; the importance is the Pearson divergence between them.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
from scipy.special import ndtr

from trimtab._warnings import warn
from trimtab.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from trimtab.hypervolume import compute_hypervolume
from trimtab.importance._base import (
    BaseImportanceEvaluator,
    Target,
    check_params_arg,
    sort_by_importance,
)
from trimtab.study import Study, StudyDirection
from trimtab.trial import FrozenTrial, TrialState

_N_STEPS = 50
_PRIOR_WEIGHT = 1.0
_MIN_TRIALS_IN_REGIME = 2
_EPS = 1e-12


def _gauss_mass(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """P(a <= Z <= b) for a standard normal Z, accurate in both tails."""
    upper_tail = a >= 0
    return np.where(upper_tail, ndtr(-a) - ndtr(-b), ndtr(b) - ndtr(a))


def _grid_counts(name: str, dist: BaseDistribution, trials: list[FrozenTrial]) -> np.ndarray:
    """Count the trials' values of ``name`` per grid cell (a cell per choice if categorical)."""
    if isinstance(dist, CategoricalDistribution):
        indices = [int(dist.to_internal_repr(t.params[name])) for t in trials]
        return np.bincount(indices, minlength=len(dist.choices))
    assert isinstance(dist, (FloatDistribution, IntDistribution))
    n_steps = _N_STEPS
    if isinstance(dist, IntDistribution) and dist.log:
        n_steps = min(int(np.ceil(np.log(dist.high - dist.low + 1) / np.log(2))) + 1, n_steps)
    elif dist.step is not None:
        n_steps = min(round((dist.high - dist.low) / dist.step) + 1, n_steps)
    low, high = (math.log(dist.low), math.log(dist.high)) if dist.log else (dist.low, dist.high)
    values = np.array([t.params[name] for t in trials], dtype=float)
    if dist.log:
        values = np.log(values)
    step = (high - low) / (n_steps - 1)
    # Midpoint ties go to the lower cell.
    indices = np.clip(np.ceil((values - low) / step - 0.5).astype(int), 0, n_steps - 1)
    return np.bincount(indices, minlength=n_steps)


def _parzen_pdf(counts: np.ndarray, categorical: bool) -> np.ndarray:
    """Probability of each grid cell under a Parzen estimator of the counted observations.

    One kernel per occupied cell (weighted by its count) plus a flat prior kernel. Numeric
    grids use discretised Gaussians whose bandwidth follows Scott's rule.
    """
    size = counts.size
    observed = np.flatnonzero(counts)
    if observed.size == 0:
        return np.full(size, 1.0 / size)
    weights = np.append(counts[observed].astype(float), _PRIOR_WEIGHT)
    weights /= weights.sum()
    if categorical:
        kernels = np.full((observed.size + 1, size), _PRIOR_WEIGHT / (observed.size + 1))
        kernels[np.arange(observed.size), observed] += 1.0
        kernels /= kernels.sum(axis=1, keepdims=True)
        return weights @ kernels
    obs = observed.astype(float)
    counts_obs = counts[observed].astype(float)
    cumulative = np.cumsum(counts_obs)
    total = cumulative[-1]
    mean = obs @ counts_obs / total
    sigma = np.sqrt(((obs - mean) ** 2 @ counts_obs) / max(1.0, total - 1))
    q1 = np.searchsorted(cumulative, total // 4, side="left")
    q3 = np.searchsorted(cumulative, total * 3 // 4, side="right")
    iqr = obs[min(obs.size - 1, q3)] - obs[q1]
    sigma = 1.059 * min(iqr / 1.34, sigma) * total**-0.2
    low, high = 0.0, float(size - 1)
    mus = np.append(obs, (low + high) / 2.0)
    sigmas = np.append(np.full(obs.size, max(sigma, 0.5 / 1.64)), high - low + 1)
    grid = np.arange(size, dtype=float)[:, np.newaxis]
    mass = _gauss_mass((grid - 0.5 - mus) / sigmas, (grid + 0.5 - mus) / sigmas)
    norm = _gauss_mass((low - 0.5 - mus) / sigmas, (high + 0.5 - mus) / sigmas)
    return (mass / norm) @ weights


def _quantile_filter(
    trials: list[FrozenTrial], losses: np.ndarray, quantile: float
) -> list[FrozenTrial]:
    """Keep the trials whose loss is at most the ``quantile`` (inverted-CDF) of ``losses``."""
    cutoff_index = int(math.ceil(quantile * losses.size)) - 1
    cutoff = float(np.partition(losses, cutoff_index)[cutoff_index])
    return [t for t, loss in zip(trials, losses) if loss <= cutoff]


def _greedy_hssp(points: np.ndarray, k: int, reference: np.ndarray) -> np.ndarray:
    """Pick ``k`` of ``points`` (minimised), each time the one adding the most hypervolume."""
    unique, first = np.unique(points, axis=0, return_index=True)
    if unique.shape[0] < k:  # every distinct point, then duplicates in order
        chosen = np.zeros(points.shape[0], dtype=bool)
        chosen[first] = True
        chosen[np.flatnonzero(~chosen)[: k - unique.shape[0]]] = True
        return np.flatnonzero(chosen)
    candidates = list(np.sort(first))
    selected: list[int] = []
    volume = 0.0
    for _ in range(k):
        gains = [
            compute_hypervolume(points[selected + [c]], reference) - volume for c in candidates
        ]
        best = int(np.argmax(gains))
        volume += gains[best]
        selected.append(candidates.pop(best))
    return np.array(selected)


def _top_multi_objective(
    study: Study, trials: list[FrozenTrial], n_below: int
) -> list[FrozenTrial]:
    """The ``n_below`` best trials by Pareto rank, ties in the last rank broken by HSSP."""
    from trimtab._multi_objective import nondomination_ranks, trial_losses

    if n_below >= len(trials):
        return list(trials)
    losses = trial_losses(trials, study.directions)
    ranks = nondomination_ranks(losses)
    values, counts = np.unique(ranks, return_counts=True)
    fits = values[np.cumsum(counts) <= n_below]
    last = int(fits.max()) if fits.size else -1
    below = np.flatnonzero(ranks <= last)
    if below.size < n_below:
        tied = np.flatnonzero(ranks == last + 1)
        worst = losses[tied].max(axis=0)
        reference = np.maximum(1.1 * worst, 0.9 * worst)
        reference[reference == 0] = _EPS
        picked = _greedy_hssp(losses[tied], n_below - below.size, reference)
        below = np.append(below, tied[picked])
    keep = set(below.tolist())
    return [t for i, t in enumerate(trials) if i in keep]


class PedAnovaImportanceEvaluator(BaseImportanceEvaluator):
    """PED-ANOVA importance evaluator (the default of :func:`get_param_importances`).

    Measures how differently each parameter is distributed among the top-``target_quantile``
    completed trials than among the top-``region_quantile`` ones. Lower ``target`` values
    are taken as better; for a multi-objective study without ``target``, the top trials are
    chosen by Pareto rank with hypervolume tie-breaking.

    Args:
        target_quantile: The quantile defining the "good" trials (gamma' in the paper).
        region_quantile: The quantile defining the region analysed (gamma); 1.0: everything.
        evaluate_on_local: Compare with the region's trials (True) or the uniform search
            space (False).
    """

    def __init__(
        self,
        *,
        target_quantile: float = 0.1,
        region_quantile: float = 1.0,
        evaluate_on_local: bool = True,
    ) -> None:
        if not 0.0 < target_quantile < region_quantile <= 1.0:
            raise ValueError(
                "condition 0.0 < `target_quantile` < `region_quantile` <= 1.0 must be satisfied"
            )
        if region_quantile != 1.0 and not evaluate_on_local:
            warn("If `evaluate_on_local` is False, `region_quantile` has no effect.")
        self._target_quantile = target_quantile
        self._region_quantile = region_quantile
        self._evaluate_on_local = evaluate_on_local

    def _top(
        self, study: Study, trials: list[FrozenTrial], quantile: float, target: Target | None
    ) -> list[FrozenTrial]:
        if quantile == 1.0:
            return trials
        if target is None and len(study.directions) > 1:
            return _top_multi_objective(study, trials, math.ceil(quantile * len(trials)))
        if target is not None:
            warn(
                f"{self.__class__.__name__} computes the importances of params to achieve "
                "low `target` values. If this is not what you want, "
                "please modify target, e.g., by multiplying the output by -1."
            )
            losses = np.array([target(t) for t in trials], dtype=float)
        else:
            sign = 1.0 if study.directions[0] == StudyDirection.MINIMIZE else -1.0
            losses = sign * np.array([t.value for t in trials], dtype=float)
        return _quantile_filter(trials, losses, quantile)

    def _divergence(
        self, name: str, dist: BaseDistribution, top: list[FrozenTrial], region: list[FrozenTrial]
    ) -> float:
        categorical = isinstance(dist, CategoricalDistribution)
        pdf_top = _parzen_pdf(_grid_counts(name, dist, top), categorical) + _EPS
        if self._evaluate_on_local:
            pdf_local = _parzen_pdf(_grid_counts(name, dist, region), categorical) + _EPS
        else:
            pdf_local = np.full(pdf_top.size, 1.0 / pdf_top.size)
        return float(pdf_local @ ((pdf_top / pdf_local - 1) ** 2))

    def evaluate(
        self, study: Study, params: list[str] | None = None, *, target: Target | None = None
    ) -> dict[str, float]:
        names = _resolve_params(study, params)
        trials = _finite_trials(study, target)
        if len(trials) <= 1:
            warn(
                "The number of trials is too small to compute importances. "
                "Parameter importances will be equal."
            )
            return {n: 0.0 for n in names}
        top = self._top(study, trials, self._target_quantile, target)
        region = self._top(study, trials, self._region_quantile, target)
        if len(top) == len(region):
            warn(
                "Target and region quantiles select the same set of trials. "
                "Parameter importances will be equal."
            )
        if not top:
            return {n: 0.0 for n in names}
        top_ids = {t._trial_id for t in top}
        importances = {n: 0.0 for n in names}
        for name in names:
            for dist, regime in _regimes(name, region).items():
                regime_top = [t for t in regime if t._trial_id in top_ids]
                if dist is None or dist.single() or not regime_top:
                    continue
                alpha = len(regime_top) / len(top)
                beta = len(regime) / len(region)
                divergence = self._divergence(name, dist, regime_top, regime)
                importances[name] += alpha**2 / beta * divergence
        scale = (len(top) / len(region)) ** 2
        return sort_by_importance({n: v * scale for n, v in importances.items()})


def _regimes(
    name: str, trials: list[FrozenTrial]
) -> dict[BaseDistribution | None, list[FrozenTrial]]:
    """Group trials by the distribution ``name`` had in them (None: not used)."""
    groups: dict[BaseDistribution | None, list[FrozenTrial]] = defaultdict(list)
    for trial in trials:
        groups[trial.distributions.get(name)].append(trial)
    if any(len(g) < _MIN_TRIALS_IN_REGIME for g in groups.values()):
        warn(
            f"Some regimes for parameter `{name}` have less than {_MIN_TRIALS_IN_REGIME} "
            "trials. The importance of the parameter may be inaccurate."
        )
    return {d: g for d, g in groups.items() if len(g) >= _MIN_TRIALS_IN_REGIME}


def _finite_trials(study: Study, target: Target | None) -> list[FrozenTrial]:
    trials = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if target is not None:
        return [t for t in trials if math.isfinite(target(t))]
    return [t for t in trials if all(math.isfinite(v) for v in t.values or ())]


def _resolve_params(study: Study, params: list[str] | None) -> list[str]:
    check_params_arg(params)
    trials = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    seen = list({name: None for t in trials for name in t.distributions})
    if params is None:
        return seen
    missing = [p for p in params if p not in seen]
    if missing:
        raise ValueError(
            "Study must contain at least one completed trial for each specified parameter. "
            f"Missing parameters: {missing}."
        )
    return list(params)

"""Each variant's effect on the objective against the base, with a confidence interval and a test.

Tests (``test=``):

- ``"welch"``: Welch's t-test; the effect is the difference of the means, the interval
  the Welch–Satterthwaite t interval.
- ``"mannwhitney"``: the Mann–Whitney U test (no normality assumed); the effect is the
  Hodges–Lehmann shift (the median of all variant − base differences), the interval its
  distribution-free (Moses) interval.
- ``"paired"``: the paired t-test over the seeds both ran with (the design gives every
  variant the same seeds, so this removes the seed's own variance).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from trimtab.ablation._design import BASE_LABEL, SEED_KEY, VARIANT_KEY, design_trials, load_design
from trimtab.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    import pandas as pd

    from trimtab.study import Study

TESTS = ("welch", "mannwhitney", "paired")


@dataclass(frozen=True)
class FactorEffect:
    """One variant against the base.

    Attributes:
        variant: The variant's label (a factor's, or ``"a + b"`` for a pair).
        factors: The factors it applies.
        changes: The parameters that differ from the base, ``{name: value}``.
        n: Completed runs of the variant.
        n_base: Completed runs of the base.
        mean: The variant's mean objective value.
        base_mean: The base's mean objective value.
        effect: The estimated effect of the change (variant − base), see the test.
        ci_low: Lower end of the confidence interval of ``effect``.
        ci_high: Upper end of the confidence interval of ``effect``.
        p_value: The two-sided test's p-value (NaN with too few runs).
        significant: Whether ``p_value < 1 - confidence``.
        interaction: For a pair: its effect minus the sum of the two single effects
            (difference of means; NaN otherwise).
    """

    variant: str
    factors: tuple[str, ...]
    changes: dict[str, Any]
    n: int
    n_base: int
    mean: float
    base_mean: float
    effect: float
    ci_low: float
    ci_high: float
    p_value: float
    significant: bool
    interaction: float = math.nan


def _check(test: str, confidence: float) -> None:
    if test not in TESTS:
        raise ValueError(f"`test` must be one of {TESTS}, got {test!r}.")
    if not (isinstance(confidence, float) and 0.0 < confidence < 1.0):
        raise ValueError(f"`confidence` must be a float in (0, 1), got {confidence!r}.")


def _target_of(study: Study, target: Callable[[FrozenTrial], float] | None) -> Callable:
    if target is not None:
        return target
    if len(study.directions) > 1:
        raise ValueError(
            "The study has several objectives: pass `target`, e.g. target=lambda t: t.values[0]."
        )
    return lambda trial: trial.value


def _negligible(se: float, v: np.ndarray, b: np.ndarray) -> bool:
    """Whether the spread is rounding noise (a deterministic objective)."""
    scale = max(float(np.abs(v).max()), float(np.abs(b).max()), 1.0)
    return se <= 1e-12 * scale


def _welch(v: np.ndarray, b: np.ndarray, confidence: float) -> tuple[float, float, float, float]:
    from scipy import stats

    effect = float(v.mean() - b.mean())
    if len(v) < 2 or len(b) < 2:
        return effect, math.nan, math.nan, math.nan
    var_v, var_b = v.var(ddof=1) / len(v), b.var(ddof=1) / len(b)
    se = math.sqrt(var_v + var_b)
    if _negligible(se, v, b):  # deterministic objective: any difference is certain
        return effect, effect, effect, 1.0 if effect == 0.0 else 0.0
    df = (var_v + var_b) ** 2 / (var_v**2 / (len(v) - 1) + var_b**2 / (len(b) - 1))
    half = float(stats.t.ppf(0.5 + confidence / 2, df)) * se
    p = float(stats.ttest_ind(v, b, equal_var=False).pvalue)
    return effect, effect - half, effect + half, p


def _paired(v: np.ndarray, b: np.ndarray, confidence: float) -> tuple[float, float, float, float]:
    from scipy import stats

    d = v - b
    effect = float(d.mean())
    if len(d) < 2:
        return effect, math.nan, math.nan, math.nan
    se = float(d.std(ddof=1)) / math.sqrt(len(d))
    if _negligible(se, v, b):
        return effect, effect, effect, 1.0 if effect == 0.0 else 0.0
    half = float(stats.t.ppf(0.5 + confidence / 2, len(d) - 1)) * se
    p = float(stats.ttest_rel(v, b).pvalue)
    return effect, effect - half, effect + half, p


def _mannwhitney(
    v: np.ndarray, b: np.ndarray, confidence: float
) -> tuple[float, float, float, float]:
    from scipy import stats

    diffs = np.sort((v[:, None] - b[None, :]).ravel())
    effect = float(np.median(diffs))
    if diffs.size == 0 or np.all(diffs == diffs[0]):
        p = 1.0 if effect == 0.0 else 0.0
        return effect, effect, effect, p if len(v) > 1 and len(b) > 1 else math.nan
    p = float(stats.mannwhitneyu(v, b, alternative="two-sided").pvalue)
    m, n = len(v), len(b)
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    k = int(math.floor(m * n / 2 - z * math.sqrt(m * n * (m + n + 1) / 12)))
    if k < 1:  # too few runs for an interval at this confidence
        return effect, -math.inf, math.inf, p
    return effect, float(diffs[k - 1]), float(diffs[diffs.size - k]), p


_TESTS = {"welch": _welch, "paired": _paired, "mannwhitney": _mannwhitney}


def _values_by_seed(trials: list[FrozenTrial], target: Callable) -> dict[str, dict[int, float]]:
    by_variant: dict[str, dict[int, float]] = {}
    for trial in trials:
        value = target(trial)
        if value is None or not math.isfinite(value):
            continue
        by_variant.setdefault(trial.user_attrs[VARIANT_KEY], {})[
            int(trial.user_attrs[SEED_KEY])
        ] = float(value)
    return by_variant


def ablation_effects(
    study: Study,
    name: str = "ablation",
    *,
    test: str = "welch",
    confidence: float = 0.95,
    target: Callable[[FrozenTrial], float] | None = None,
) -> list[FactorEffect]:
    """Each variant's effect against the base, from the design's completed trials.

    Args:
        study: The study the design ran in.
        name: The design's name.
        test: ``"welch"``, ``"mannwhitney"`` or ``"paired"`` (see the module's notes).
        confidence: The confidence level of the intervals; a variant is ``significant``
            when ``p_value < 1 - confidence``.
        target: The number to compare (default: the objective value; required for a
            multi-objective study).

    Returns:
        One :class:`FactorEffect` per variant other than the base, in design order.

    Raises:
        KeyError: no design named ``name``.
        ValueError: an unknown ``test``, a bad ``confidence``, or a multi-objective study
            without ``target``.
    """
    _check(test, confidence)
    design = load_design(study, name)
    value_of = _target_of(study, target)
    trials = design_trials(study, name, states=(TrialState.COMPLETE,))
    values = _values_by_seed(trials, value_of)
    base = values.get(BASE_LABEL, {})
    means = {label: float(np.mean(list(v.values()))) for label, v in values.items() if v}
    effects = []
    for variant in design.variants[1:]:
        runs = values.get(variant.label, {})
        if test == "paired":
            seeds = sorted(set(runs) & set(base))
            v = np.array([runs[s] for s in seeds])
            b = np.array([base[s] for s in seeds])
        else:
            v, b = np.array(list(runs.values())), np.array(list(base.values()))
        if v.size and b.size:
            effect, low, high, p = _TESTS[test](v, b, confidence)
        else:
            effect = low = high = p = math.nan
        interaction = math.nan
        if len(variant.factors) == 2 and all(f in means for f in (*variant.factors, BASE_LABEL)):
            one, two = (means[f] - means[BASE_LABEL] for f in variant.factors)
            interaction = means.get(variant.label, math.nan) - means[BASE_LABEL] - one - two
        changes = {k: v for k, v in variant.params.items() if design.base.get(k, v) != v}
        changes.update({k: v for k, v in variant.params.items() if k not in design.base})
        effects.append(
            FactorEffect(
                variant.label,
                variant.factors,
                changes,
                len(runs),
                len(base),
                means.get(variant.label, math.nan),
                means.get(BASE_LABEL, math.nan),
                effect,
                low,
                high,
                p,
                bool(p < 1 - confidence),
                interaction,
            )
        )
    return effects


def ablation_table(
    study: Study,
    name: str = "ablation",
    *,
    test: str = "welch",
    confidence: float = 0.95,
    target: Callable[[FrozenTrial], float] | None = None,
) -> pd.DataFrame:
    """:func:`ablation_effects` as a pandas DataFrame, one row per variant.

    Needs pandas (``pip install "trimtab[pandas]"``). The arguments are those of
    :func:`ablation_effects`; the columns are the fields of :class:`FactorEffect`.

    Args:
        study: The study the design ran in.
        name: The design's name.
        test: ``"welch"``, ``"mannwhitney"`` or ``"paired"``.
        confidence: The confidence level of the intervals.
        target: The number to compare (default: the objective value).

    Returns:
        The table, indexed by the variant's label.
    """
    try:
        import pandas as pd
    except ImportError as err:
        raise ImportError(
            'pandas is required for ablation_table: pip install "trimtab[pandas]"'
        ) from err
    effects = ablation_effects(study, name, test=test, confidence=confidence, target=target)
    rows = [asdict(e) for e in effects]
    columns = list(FactorEffect.__dataclass_fields__)
    return pd.DataFrame(rows, columns=columns).set_index("variant")

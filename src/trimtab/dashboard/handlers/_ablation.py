"""The ablation designs of a study and their effects (``trimtab.ablation``'s report).

The effects come from :func:`trimtab.ablation.ablation_effects` over the dashboard's trial
cache; the page ``/static/ablation.html?study=ID`` draws them.
"""

from __future__ import annotations

import math
from typing import Any

from trimtab.ablation import ablation_effects, design_names, load_design, pending_trials
from trimtab.ablation._stats import TESTS
from trimtab.dashboard._ablation_schema import AblationEffect, AblationList, AblationReport
from trimtab.dashboard._cached_view import CachedStudyView
from trimtab.dashboard._context import ApiRequest, Context
from trimtab.dashboard.handlers._studies import _study_id

QUERY = ("test", "confidence", "objective")


def _number(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _options(req: ApiRequest, n_objectives: int) -> tuple[str, float, Any]:
    test = req.query.get("test") or "welch"
    if test not in TESTS:
        raise ValueError(f"Query parameter 'test' must be one of {TESTS}, got {test!r}.")
    try:
        confidence = float(req.query.get("confidence") or 0.95)
    except ValueError:
        raise ValueError("Query parameter 'confidence' must be a number in (0, 1).") from None
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"Query parameter 'confidence' must be in (0, 1), got {confidence}.")
    index = req.int_query("objective", 0, high=n_objectives - 1)
    return test, confidence, (lambda t: t.values[index])


def ablations(ctx: Context, req: ApiRequest) -> AblationList:
    """The study's ablation designs, each variant's effect with its interval and test."""
    study_id = _study_id(ctx, req)
    cache = ctx.caches.get(study_id)
    with cache.lock:
        # The ablation readers take a Study; they use only its read API, which the view has.
        view: Any = CachedStudyView(cache)
    test, confidence, target = _options(req, len(view.directions))
    designs = []
    for name in design_names(view):
        design = load_design(view, name)
        effects = [
            AblationEffect(
                variant=e.variant,
                factors=list(e.factors),
                changes=e.changes,
                n=e.n,
                n_base=e.n_base,
                mean=_number(e.mean),
                base_mean=_number(e.base_mean),
                effect=_number(e.effect),
                ci_low=_number(e.ci_low),
                ci_high=_number(e.ci_high),
                p_value=_number(e.p_value),
                significant=e.significant,
                interaction=_number(e.interaction),
            )
            for e in ablation_effects(view, name, test=test, confidence=confidence, target=target)
        ]
        pending = pending_trials(view, name)
        designs.append(AblationReport(name, design.base, design.n_repeats, pending, effects))
    return AblationList(test=test, confidence=confidence, designs=designs)

"""The JSON shapes of the dashboard's ablation page (part of ``_schema.MODELS``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class AblationEffect:
    """One variant of an ablation design against its base (None where not computable)."""

    variant: str
    factors: list[str]
    changes: dict[str, Any]
    n: int
    n_base: int
    mean: float | None
    base_mean: float | None
    effect: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    significant: bool
    interaction: float | None


@dataclass
class AblationReport:
    """One ablation design of a study, with each variant's effect."""

    name: str
    base: dict[str, Any]
    n_repeats: int
    pending: int
    effects: list[AblationEffect]


@dataclass
class AblationList:
    """Every ablation design of a study, reported with one test and confidence level."""

    test: str
    confidence: float
    designs: list[AblationReport]


MODELS: tuple[type, ...] = (AblationEffect, AblationReport, AblationList)

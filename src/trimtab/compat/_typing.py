"""``optuna._typing`` once trimtab serves ``import optuna`` (imported by optuna-integration)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Union

JSONSerializable = Union[
    Mapping[str, "JSONSerializable"], Sequence["JSONSerializable"], str, int, float, bool, None
]

__all__ = ["JSONSerializable"]

"""What every handler receives: the storage, the caches, the server's settings and a request."""

from __future__ import annotations

import datetime
import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from trimtab.dashboard._cache import CacheRegistry
from trimtab.dashboard._chart_cache import ChartCache
from trimtab.storages import BaseStorage


@dataclass
class Context:
    """The server-wide state shared by handlers."""

    storage: BaseStorage
    caches: CacheRegistry
    read_only: bool = False
    artifact_store: Any = None
    token_required: bool = False
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    charts: ChartCache = field(default_factory=ChartCache)

    def forget_study(self, study_id: int) -> None:
        """Drop the cached trials and charts of a deleted or renamed study."""
        self.caches.drop(study_id)
        self.charts.drop_study(study_id)


@dataclass
class ApiRequest:
    """A request as handlers see it (no web framework types)."""

    path: Mapping[str, Any]
    query: Mapping[str, str]
    body: Any = None

    def int_query(self, name: str, default: int, low: int = 0, high: int | None = None) -> int:
        """Return an integer query parameter clamped to [low, high].

        Raises:
            ValueError: the parameter is not an integer.
        """
        raw = self.query.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(f"Query parameter '{name}' must be an integer, got {raw!r}.") from None
        value = max(low, value)
        return value if high is None else min(high, value)


@dataclass
class Raw:
    """A non-JSON answer (CSV export, artifact bodies), sent as a download when named."""

    content: str | bytes
    media_type: str
    filename: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def iso(timestamp: float) -> str | None:
    """Return an ISO-8601 string for epoch seconds (None for NaN)."""
    if math.isnan(timestamp):
        return None
    return datetime.datetime.fromtimestamp(timestamp).isoformat()

"""Errors of the artifact stores (``trimtab.artifacts.exceptions``, Optuna's module path)."""

from __future__ import annotations

from trimtab.exceptions import TrimtabError


class ArtifactNotFound(TrimtabError):
    """Raised when a store has no artifact with the requested id.

    ``ArtifactStore.open_reader`` raises it, and ``remove`` may.
    """


__all__ = ["ArtifactNotFound"]

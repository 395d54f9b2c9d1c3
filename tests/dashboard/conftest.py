"""Fixtures of the dashboard tests (defined in ``dashboard_support``)."""

from dashboard_support import _quiet, client_for, storage  # noqa: F401

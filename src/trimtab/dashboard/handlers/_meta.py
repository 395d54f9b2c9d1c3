"""Handler for the server's facts (read-only mode, token, available charts)."""

from __future__ import annotations

import importlib.util

from trimtab.dashboard._context import ApiRequest, Context
from trimtab.dashboard._schema import Meta
from trimtab.dashboard.handlers._charts import available_charts
from trimtab.version import __version__


def get_meta(ctx: Context, req: ApiRequest) -> Meta:
    """Server facts: version, read-only mode, whether a token is needed, chart kinds."""
    return Meta(
        version=__version__,
        read_only=ctx.read_only,
        token_required=ctx.token_required,
        plotly_available=importlib.util.find_spec("plotly") is not None,
        charts=available_charts(),
    )

"""Handler of a study's user-defined Plotly figures (``save_plotly_graph_object``)."""

from __future__ import annotations

from trimtab.dashboard._context import ApiRequest, Context
from trimtab.dashboard._figures import read_figures
from trimtab.dashboard._schema import UserFigure, UserFigures
from trimtab.dashboard.handlers._studies import _study_id


def list_figures(ctx: Context, req: ApiRequest) -> UserFigures:
    """The Plotly figures saved with the study (id and figure JSON)."""
    attrs = ctx.storage.get_study_system_attrs(_study_id(ctx, req))
    return UserFigures(
        figures=[UserFigure(graph_object_id=i, figure=f) for i, f in read_figures(attrs)]
    )

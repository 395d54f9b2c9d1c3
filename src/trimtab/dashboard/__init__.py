"""The trimtab web dashboard: a live view of studies over any storage.

Start it with ``trimtab dashboard sqlite:///study.db`` (or ``python -m trimtab.dashboard``),
from Python with ``run_server(storage)``, or deploy ``create_app(storage)`` behind any ASGI
server. Needs the ``dashboard`` extra: ``pip install "trimtab[dashboard]"``.

From a script: ``save_note``/``get_note`` (Markdown notes), ``save_plotly_graph_object``
(figures shown on the study's page), and the human-in-the-loop forms
(``register_objective_form_widgets``, ``register_user_attr_form_widgets``); in a notebook,
``show(study)`` serves the dashboard in the background and shows it below the cell. They use
optuna-dashboard's storage keys, so either dashboard reads what the other wrote.
"""

from trimtab.dashboard._app import create_app
from trimtab.dashboard._figures import save_plotly_graph_object
from trimtab.dashboard._form_widgets import (
    ChoiceWidget,
    ObjectiveChoiceWidget,
    ObjectiveSliderWidget,
    ObjectiveTextInputWidget,
    ObjectiveUserAttrRef,
    SliderWidget,
    TextInputWidget,
    register_objective_form_widgets,
    register_user_attr_form_widgets,
)
from trimtab.dashboard._notebook import DashboardHandle, show
from trimtab.dashboard._python_notes import get_note, save_note
from trimtab.dashboard._server import cli_main, run_server

__all__ = [
    "ChoiceWidget",
    "DashboardHandle",
    "ObjectiveChoiceWidget",
    "ObjectiveSliderWidget",
    "ObjectiveTextInputWidget",
    "ObjectiveUserAttrRef",
    "SliderWidget",
    "TextInputWidget",
    "cli_main",
    "create_app",
    "get_note",
    "register_objective_form_widgets",
    "register_user_attr_form_widgets",
    "run_server",
    "save_note",
    "save_plotly_graph_object",
    "show",
]

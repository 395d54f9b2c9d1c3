"""The trimtab web dashboard: a live view of studies over any storage.

Start it with ``trimtab dashboard sqlite:///study.db`` (or ``python -m trimtab.dashboard``),
from Python with ``run_server(storage)``, or deploy ``create_app(storage)`` behind any ASGI
server. Needs the ``dashboard`` extra: ``pip install "trimtab[dashboard]"``.
"""

from trimtab.dashboard._app import create_app
from trimtab.dashboard._server import cli_main, run_server

__all__ = ["cli_main", "create_app", "run_server"]

"""``show``: the dashboard inside a Jupyter (or VS Code) notebook.

A uvicorn server runs in a background thread on a free loopback port and the page is shown in
an IFrame below the cell. Jupyter's page (``http://localhost:8888``) and VS Code's notebook
webviews (``vscode-webview:``) may embed it; other sites still may not. The server stops with
``handle.stop()`` or when the kernel exits.
"""

from __future__ import annotations

import atexit
import socket
import threading
import time
from typing import Any

from trimtab.dashboard._app import create_app
from trimtab.dashboard._security import LOOPBACK_HOSTS
from trimtab.storages import BaseStorage
from trimtab.study import Study

# Jupyter (classic, lab, notebook 7) on the loopback, and VS Code's notebook webviews.
NOTEBOOK_FRAME_ANCESTORS = [
    "'self'",
    "http://localhost:*",
    "http://127.0.0.1:*",
    "https://localhost:*",
    "https://127.0.0.1:*",
    "vscode-webview:",
]


class DashboardHandle:
    """A dashboard server started by ``show`` (its ``url``; ``stop()`` ends it)."""

    def __init__(self, server: Any, thread: threading.Thread, url: str) -> None:
        self._server = server
        self._thread = thread
        self.url = url

    @property
    def running(self) -> bool:
        """Whether the server thread is alive."""
        return self._thread.is_alive()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server and wait (up to ``timeout`` seconds) for its thread to end."""
        self._server.should_exit = True
        self._thread.join(timeout)

    def _repr_html_(self) -> str:
        return f'<iframe src="{self.url}" width="100%" height="800" frameborder="0"></iframe>'


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _display(url: str, height: int) -> None:
    try:
        from IPython.display import IFrame, display
    except ImportError:
        print(f"trimtab dashboard: {url}")
        return
    display(IFrame(url, width="100%", height=height))


def show(
    study_or_storage: Study | BaseStorage | str,
    *,
    port: int | None = None,
    height: int = 800,
    read_only: bool = False,
    artifact_store: Any = None,
) -> DashboardHandle:
    """Serve the dashboard in the background and show it below the notebook cell.

    In Jupyter the page appears in an IFrame; VS Code's notebooks show it the same way (its
    webviews may embed loopback pages). Outside a notebook the URL is printed.

    Args:
        study_or_storage: A study (its page opens), a storage, or a storage URL.
        port: The loopback port (None: a free one).
        height: The IFrame's height in pixels.
        read_only: Refuse every change from the page.
        artifact_store: The artifact store to serve artifacts from.

    Returns:
        A handle: ``handle.url``, ``handle.stop()``.

    Raises:
        ImportError: uvicorn is not installed (``pip install "trimtab[dashboard]"``).
        TimeoutError: the server did not start within 30 seconds.
    """
    try:
        import uvicorn
    except ImportError:
        raise ImportError(
            'The dashboard needs Starlette and uvicorn: pip install "trimtab[dashboard]"'
        ) from None
    if isinstance(study_or_storage, Study):
        storage: BaseStorage | str = study_or_storage.storage
        fragment = f"#/studies/{study_or_storage.study_id}"
    else:
        storage, fragment = study_or_storage, ""
    app = create_app(
        storage,
        read_only=read_only,
        allowed_hosts=list(LOOPBACK_HOSTS),
        artifact_store=artifact_store,
        frame_ancestors=NOTEBOOK_FRAME_ANCESTORS,
    )
    port = port or _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    # uvicorn leaves signals alone outside the main thread: the kernel keeps its Ctrl-C.
    thread = threading.Thread(target=server.run, name="trimtab-dashboard", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise TimeoutError(f"The dashboard server did not start on port {port}.")
        time.sleep(0.05)
    handle = DashboardHandle(server, thread, f"http://127.0.0.1:{port}/{fragment}")
    atexit.register(handle.stop, 2.0)
    _display(handle.url, height)
    return handle

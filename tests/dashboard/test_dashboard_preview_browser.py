"""The study page draws its point charts before Plotly is ready, then Plotly takes over.

Plotly's script is held back (CDP ``Fetch``) so that the page must draw without it: the
history chart and the other charts in view appear as canvases, the history with every point,
and once the script arrives Plotly replaces them. A label with markup stays text.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cdp_browser import Browser, DashboardProcess, chromium_path

import trimtab
from trimtab.storages import get_storage

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(chromium_path() is None, reason="needs chromium (apt-get install chromium)"),
]
HISTORY = "document.querySelector('#chart-history')"
HOSTILE = "<img src=x onerror=window.__pwned=1>"


@pytest.fixture
def dashboard(tmp_path: Path) -> Iterator[tuple[str, int]]:
    pytest.importorskip("websocket")
    url = f"sqlite:///{tmp_path / 'preview.db'}"
    storage = get_storage(url)
    trimtab.logging.set_verbosity(trimtab.logging.ERROR)
    study = trimtab.create_study(storage=storage, study_name="preview")
    study.set_metric_names([HOSTILE])
    study.optimize(lambda t: (t.suggest_float("x", -1, 1) - 0.2) ** 2, n_trials=30)
    server = DashboardProcess(url)
    yield server.base, study._study_id
    server.close()


def test_history_is_drawn_before_plotly_and_replaced_by_it(
    dashboard: tuple[str, int], tmp_path: Path
) -> None:
    base, sid = dashboard
    b = Browser(tmp_path / "profile")
    try:
        b.call("Fetch.enable", patterns=[{"urlPattern": "*plotly.min.js*"}])
        b.goto(f"{base}/#/studies/{sid}")
        b.wait_for(f"{HISTORY} && {HISTORY}.dataset.renderedAt", 60)
        assert b.evaluate("typeof window.Plotly") == "undefined"
        assert b.evaluate(f"{HISTORY}.querySelectorAll('canvas.preview').length") == 1
        assert b.evaluate(f"{HISTORY}.dataset.points") == "30"
        assert not b.evaluate(f"{HISTORY}.dataset.plottedAt")
        # The other charts in view (bars, a date axis) are previewed too.
        for kind in ("importances", "timeline", "slice"):
            chart = f"document.querySelector('#chart-{kind}')"
            b.wait_for(f"{chart}.dataset.renderedAt", 60)
            assert b.evaluate(f"{chart}.querySelectorAll('canvas.preview').length") == 1
        # A canvas with drawn points is not blank: some pixels are Plotly's blue.
        blue = b.evaluate(
            f"(c => {{ const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
            f" let n = 0; for (let i = 0; i < d.length; i += 4) "
            f"if (d[i] === 31 && d[i + 1] === 119 && d[i + 2] === 180) n++; return n; }})"
            f"({HISTORY}.querySelector('canvas.preview'))"
        )
        assert blue > 100
        b.screenshot(tmp_path / "preview.png")
        paused = [e for e in b.events if e["method"] == "Fetch.requestPaused"]
        assert len(paused) == 1
        b.call("Fetch.continueRequest", requestId=paused[0]["params"]["requestId"])
        b.wait_for(f"{HISTORY}.dataset.plottedAt", 60)
        assert b.evaluate(f"{HISTORY}.querySelectorAll('canvas.preview').length") == 0
        assert b.evaluate(f"{HISTORY}.querySelectorAll('.main-svg').length") > 0
        assert b.evaluate(f"{HISTORY}.data[0].y.length") == 30
        for kind in ("importances", "timeline", "slice"):
            chart = f"document.querySelector('#chart-{kind}')"
            b.wait_for(f"{chart}.dataset.plottedAt", 60)
            assert b.evaluate(f"{chart}.querySelectorAll('canvas.preview').length") == 0
        assert b.evaluate("window.__pwned") is None
        assert b.evaluate("document.querySelectorAll('main img').length") == 0
    finally:
        b.close()

"""End-to-end: the dashboard in a real headless Chromium against a real uvicorn server.

Needs Debian's ``chromium`` (``apt-get install -y chromium``) and ``websocket-client``;
screenshots of each page are saved in the test's temporary folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cdp_browser import Browser, chromium_path, free_port
from dashboard_support import HOSTILE, add_trials

import trimtab
from trimtab.storages import get_storage
from trimtab.trial import TrialState

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(chromium_path() is None, reason="needs chromium (apt-get install chromium)"),
]
N = 60
WORKER = """
import sys, time, trimtab
trimtab.logging.set_verbosity(trimtab.logging.ERROR)
study = trimtab.load_study(study_name="e2e", storage=sys.argv[1])
def objective(trial):
    time.sleep(0.3)
    return trial.suggest_float("x", -10, 10) ** 2
study.optimize(objective, n_trials=4)
"""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    pytest.importorskip("websocket")
    url = f"sqlite:///{tmp_path / 'e2e.db'}"
    storage = get_storage(url)
    study = trimtab.create_study(storage=storage, study_name="e2e")
    add_trials(storage, study._study_id, N)
    trimtab.create_study(storage=storage, study_name=HOSTILE)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "trimtab.dashboard", url, "--port", str(port), "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/api/meta").close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                message = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(message) from None
            time.sleep(0.2)
    yield base, url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    b = Browser(tmp_path / "profile")
    yield b
    b.close()


def _rows(b: Browser) -> Any:
    return b.evaluate(
        "[...document.querySelectorAll('#trials-table tbody tr')].map(r => +r.dataset.number)"
    )


def test_dashboard_in_chromium(server: tuple[str, str], browser: Browser, tmp_path: Path) -> None:
    base, url = server
    shots = tmp_path / "screenshots"
    shots.mkdir()
    b = browser
    storage = get_storage(url)
    sid = storage.get_study_id_from_name("e2e")
    trials = storage.get_all_trials(sid)

    # Study list: both studies, the hostile name shown as text, nothing injected.
    b.goto(base + "/")
    b.wait_for("document.querySelectorAll('#study-table tbody tr').length === 2")
    names = b.evaluate("[...document.querySelectorAll('#study-table tbody a')].map(a => a.text)")
    assert names == ["e2e", HOSTILE]
    assert b.evaluate("document.querySelectorAll('main script').length") == 0
    b.screenshot(shots / "study-list.png")

    # Study page: the history chart has one point per finished trial with a value.
    b.click(f"a[href='#/studies/{sid}']")
    b.wait_for(
        "document.querySelector('#chart-history') && "
        "document.querySelector('#chart-history').dataset.points"
    )
    points = int(b.evaluate("document.querySelector('#chart-history').dataset.points"))
    assert points == sum(1 for t in trials if t.state == TrialState.COMPLETE)
    b.wait_for("document.querySelectorAll('#chart-history .main-svg').length > 0")
    b.screenshot(shots / "study-charts.png")

    # Trials table: sort by value, then filter.
    b.click("#tab-trials")
    b.wait_for("document.querySelectorAll('#trials-table tbody tr').length === 50")
    b.click("th[data-column='value']")
    best = min((t for t in trials if t.values), key=lambda t: (t.values[0], t.number))
    first_row = "+document.querySelector('#trials-table tbody tr').dataset.number"
    b.wait_for(f"{first_row} === {best.number}")
    b.evaluate("document.querySelector('#filter-column').value = 'params_opt'")
    b.evaluate("document.querySelector('#filter-op').value = '=='")
    b.evaluate("document.querySelector('#filter-value').value = 'sgd'")
    b.click("#filter-add")
    expected = sum(1 for t in trials if t.params["opt"] == "sgd")
    b.wait_for(f"document.querySelector('#table-total').textContent.startsWith('{expected} of')")
    assert all(trials[n].params["opt"] == "sgd" for n in _rows(b))
    b.screenshot(shots / "trials-filtered.png")

    # Brush the objective axis of the parallel coordinates: the table follows.
    b.wait_for("document.querySelector('#chart-parallel .parcoords') !== null")
    b.evaluate(
        "Plotly.restyle(document.querySelector('#chart-parallel'), "
        "{'dimensions[0].constraintrange': [[0, 10]]}).then(() => true)"
    )
    in_brush = sum(
        1 for t in trials if t.params["opt"] == "sgd" and t.values and 0 <= t.values[0] <= 10
    )
    b.wait_for(f"document.querySelector('#table-total').textContent.startsWith('{in_brush} of')")
    assert "brushed value" in b.evaluate("document.querySelector('#filter-chips').textContent")
    b.screenshot(shots / "trials-brushed.png")

    # A note with hostile Markdown is saved and rendered as text.
    b.click("#tab-note")
    b.wait_for("document.querySelector('.note-input') !== null")
    note = "# Findings\\n\\n**x** matters <img src=x onerror=window.pwned=1>"
    b.evaluate(f"document.querySelector('.note-input').value = \"{note}\"")
    b.click(".note-save")
    b.wait_for(
        "document.querySelector('.note-html h1') && "
        "document.querySelector('.note-html h1').textContent === 'Findings'"
    )
    assert b.evaluate("window.pwned === undefined && !document.querySelector('.note-html img')")
    assert storage.get_study_system_attrs(sid)["dashboard:note_ver"] == 1
    b.screenshot(shots / "note.png")

    # Live: trials a worker process finishes appear without reloading.
    b.click("#tab-charts")
    b.wait_for(f"document.querySelector('#n-trials').textContent === '{N} trials'")
    worker = subprocess.Popen([sys.executable, "-c", WORKER, url])
    b.wait_for(f"document.querySelector('#n-trials').textContent === '{N + 4} trials'", 60)
    assert worker.wait(timeout=60) == 0
    b.screenshot(shots / "live.png")

    # Human in the loop: finish a WAITING trial from its detail view.
    study = trimtab.load_study(study_name="e2e", storage=url)
    study.enqueue_trial({"x": 1.0})
    waiting = study.get_trials(states=(TrialState.WAITING,))[0].number
    # The server sees the new trial at its next refresh; wait for that before navigating.
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/studies/{sid}/trials/{waiting}").close()
            break
        except OSError:
            assert time.monotonic() < deadline, "the enqueued trial never reached the dashboard"
            time.sleep(0.5)
    b.goto(f"{base}/#/studies/{sid}/trials/{waiting}")
    b.wait_for("document.querySelector('#tell-submit') !== null", 60)
    b.evaluate("document.querySelector('#tell-state').value = 'FAIL'")
    b.screenshot(shots / "trial-detail.png")
    b.click("#tell-submit")
    deadline = time.monotonic() + 20
    while storage.get_all_trials(sid)[waiting].state != TrialState.FAIL:
        assert time.monotonic() < deadline, "the tell from the UI did not reach the storage"
        time.sleep(0.2)
    for shot in shots.iterdir():
        assert shot.stat().st_size > 10_000
    target = os.environ.get("TRIMTAB_SCREENSHOT_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        for shot in shots.iterdir():
            (Path(target) / shot.name).write_bytes(shot.read_bytes())
    assert json.loads(urllib.request.urlopen(base + "/api/studies").read())["studies"]

"""Layout defects checked in headless Chromium, with screenshots of every chart.

Each page is opened for a study with categorical, log and stepped params and a wide table,
a study with one trial, one with no completed trial, and a two-objective study; charts must
draw (or say why not) and the defects seen before must stay gone: Plotly's mode bar over
the importance chart's top bar, a categorical contour drawn as stripes, and the trial table
clipping its right-hand columns.
"""

from __future__ import annotations

import os
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
# plottedAt: drawn by Plotly (renderedAt may be the canvas drawn before Plotly is ready).
CHARTS_DRAWN = (
    "[...document.querySelectorAll('.chart')].every(d => d.dataset.plottedAt || "
    "!!d.querySelector('p'))"
)
KNOWN_MESSAGES = ("No completed trials.", "No trials yet.")


def _objective(trial: trimtab.Trial) -> float:
    kind = trial.suggest_categorical("a_kind", ["linear", "rbf", "<b>poly</b>"])
    lr = trial.suggest_float("b_lr", 1e-5, 1e-1, log=True)
    depth = trial.suggest_int("c_depth", 2, 12, step=2)
    for i in range(12):
        trial.suggest_float(f"extra_parameter_with_a_long_name_{i}", 0, 1)
    return {"linear": 1.0, "rbf": 0.0, "<b>poly</b>": 2.0}[kind] + lr * 10 + depth / 10


@pytest.fixture
def dashboard(tmp_path: Path) -> Iterator[tuple[str, dict[str, int]]]:
    pytest.importorskip("websocket")
    url = f"sqlite:///{tmp_path / 'visual.db'}"
    storage = get_storage(url)
    trimtab.logging.set_verbosity(trimtab.logging.ERROR)
    wide = trimtab.create_study(storage=storage, study_name="wide")
    wide.optimize(_objective, n_trials=40)
    one = trimtab.create_study(storage=storage, study_name="one")
    one.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    none = trimtab.create_study(storage=storage, study_name="none")
    for _ in range(3):
        trial = none.ask()
        trial.suggest_float("x", 0, 1)
        none.tell(trial, state=trimtab.trial.TrialState.FAIL)
    multi = trimtab.create_study(storage=storage, study_name="multi", directions=["minimize"] * 2)
    multi.optimize(
        lambda t: (t.suggest_float("p", 0, 1), 1 - t.suggest_float("p2", 0, 1) ** 2), n_trials=30
    )
    ids = {s.study_name: s._study_id for s in storage.get_all_studies()}
    server = DashboardProcess(url)
    yield server.base, ids
    server.close()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    b = Browser(tmp_path / "profile")
    yield b
    b.close()


def _save(b: Browser, shots: Path, name: str) -> None:
    b.screenshot(shots / f"{name}.png")
    assert (shots / f"{name}.png").stat().st_size > 10_000


def _all_charts(b: Browser, shots: Path, name: str) -> None:
    """Scroll through the charts tab so every chart loads, then check each drew."""
    b.wait_for("document.querySelectorAll('.chart').length > 0")
    for i in range(b.evaluate("document.querySelectorAll('.chart-card').length")):
        b.evaluate(f"document.querySelectorAll('.chart-card')[{i}].scrollIntoView()")
        b.wait_for(
            f"(d => d.dataset.plottedAt || !!d.querySelector('p'))"
            f"(document.querySelectorAll('.chart')[{i}])",
            60,
        )
        _save(b, shots, f"{name}-{i}")
    messages = b.evaluate("[...document.querySelectorAll('.chart p')].map(p => p.textContent)")
    assert all(m in KNOWN_MESSAGES for m in messages), messages


def test_charts_and_table_layout(
    dashboard: tuple[str, dict[str, int]], browser: Browser, tmp_path: Path
) -> None:
    base, ids = dashboard
    shots = Path(os.environ.get("TRIMTAB_SCREENSHOT_DIR") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    b = browser
    b.goto(f"{base}/#/studies/{ids['wide']}")
    b.wait_for("document.querySelector('#chart-importances .modebar') !== null", 60)
    # The mode bar sits above the plot area, not on the top bar.
    overlap = b.evaluate(
        "(() => { const c = document.querySelector('#chart-importances');"
        " const bar = c.querySelector('.modebar').getBoundingClientRect();"
        " const area = c.querySelector('.nsewdrag').getBoundingClientRect();"
        " return bar.bottom - area.top; })()"
    )
    assert overlap <= 0, f"the mode bar covers the plot area by {overlap}px"
    _all_charts(b, shots, "wide")
    # The categorical contour is drawn as cells (a heatmap), on the categories' positions.
    trace = b.evaluate(
        "(d => ({type: d.data[0].type, ticks: d.layout.xaxis.ticktext}))"
        "(document.querySelector('#chart-contour'))"
    )
    assert trace["type"] == "heatmap"
    assert trace["ticks"] == ["&lt;b&gt;poly&lt;/b&gt;", "linear", "rbf"]
    assert b.evaluate("document.querySelectorAll('#chart-contour .hm').length") > 0

    # The wide trial table scrolls inside its box instead of overflowing its column.
    b.click("#tab-trials")
    b.wait_for("document.querySelectorAll('#trials-table tbody tr').length > 0", 60)
    box = b.evaluate(
        "(() => { const w = document.querySelector('.table-wrap');"
        " const col = w.parentElement.getBoundingClientRect();"
        " const detail = document.querySelector('#trial-detail').getBoundingClientRect();"
        " return {scroll: w.scrollWidth, client: w.clientWidth,"
        " right: w.getBoundingClientRect().right, colRight: col.right, detailLeft: detail.left};"
        " })()"
    )
    assert box["scroll"] > box["client"], box
    assert box["right"] <= box["colRight"] + 1 and box["right"] <= box["detailLeft"], box
    b.evaluate("document.querySelector('.table-wrap').scrollLeft = 100000")
    last = b.evaluate(
        "(() => { const th = [...document.querySelectorAll('#trials-table th')].pop();"
        " const r = th.getBoundingClientRect();"
        " const w = document.querySelector('.table-wrap').getBoundingClientRect();"
        " return r.right <= w.right + 1 && r.left >= w.left; })()"
    )
    assert last, "the last column cannot be scrolled into view"
    _save(b, shots, "wide-table-scrolled")

    for name in ("one", "none", "multi"):
        b.goto(f"{base}/#/studies/{ids[name]}")
        title = "document.querySelector('h2') && document.querySelector('h2').textContent"
        b.wait_for(f"{title} === '{name}'", 60)
        _all_charts(b, shots, name)


def test_dark_mode_is_remembered_and_charts_follow(
    dashboard: tuple[str, dict[str, int]], browser: Browser, tmp_path: Path
) -> None:
    base, ids = dashboard
    b = browser
    b.goto(f"{base}/#/studies/{ids['wide']}")
    history = "document.querySelector('#chart-history')"
    b.wait_for(f"{history} && {history}.dataset.plottedAt", 60)
    assert b.evaluate(f"{history}._fullLayout.paper_bgcolor") in ("#fff", "#ffffff", "white")
    b.click("#dark")
    b.wait_for(f"{history} && {history}._fullLayout && "
               f"{history}._fullLayout.paper_bgcolor === '#111827'", 60)  # fmt: skip
    background = b.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(11, 18, 32)"
    b.screenshot(tmp_path / "dark.png")
    b.goto(f"{base}/?again#/")  # a new page load keeps the choice
    b.wait_for("document.querySelector('#study-table') !== null", 60)
    assert b.evaluate(
        "document.body.classList.contains('dark') && document.querySelector('#dark').checked"
    )


def test_compare_studies_overlays_histories_and_edfs(
    dashboard: tuple[str, dict[str, int]], browser: Browser, tmp_path: Path
) -> None:
    base, ids = dashboard
    b = browser
    b.goto(f"{base}/#/")
    b.wait_for("document.querySelectorAll('#study-table .compare-tick').length === 4", 60)
    for name in ("wide", "one", "multi"):
        b.click(f"tr[data-study='{ids[name]}'] .compare-tick")
    b.click("#compare-studies")
    edf = "document.querySelector('#compare-edf')"
    b.wait_for(f"{edf} && {edf}.dataset.renderedAt", 60)
    names = b.evaluate("document.querySelector('#compare-history').data.map(t => t.name)")
    assert sorted(names) == ["one", "wide"]
    assert len(b.evaluate(f"{edf}.data")) == 2
    assert "multi" in b.evaluate("document.querySelector('main .card p').textContent")
    b.screenshot(tmp_path / "compare-studies.png")

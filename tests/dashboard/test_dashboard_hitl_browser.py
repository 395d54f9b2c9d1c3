"""Human in the loop in headless Chromium: a script asks, the browser answers, the script sees
the answer; and hostile strings in widget labels, notes, figure titles and artifact names stay
inert text."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cdp_browser import Browser, DashboardProcess, chromium_path

import trimtab
from trimtab.artifacts import FileSystemArtifactStore, upload_artifact
from trimtab.dashboard import (
    ChoiceWidget,
    SliderWidget,
    register_objective_form_widgets,
    save_note,
    save_plotly_graph_object,
)
from trimtab.storages import get_storage

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(chromium_path() is None, reason="needs chromium (apt-get install chromium)"),
]
XSS = "<img src=x onerror=window.pwned=1><script>window.pwned=2</script>"
SCRIPT = """
import sys, time, trimtab
trimtab.logging.set_verbosity(trimtab.logging.ERROR)
study = trimtab.load_study(study_name="hitl", storage=sys.argv[1])
trial = study.ask()
trial.suggest_float("x", 0, 1)
print(trial.number, flush=True)
deadline = time.monotonic() + 120
while time.monotonic() < deadline:
    frozen = study.trials[trial.number]
    if frozen.state.is_finished():
        print(frozen.state.name, frozen.values, flush=True)
        break
    time.sleep(0.2)
"""
INERT = (
    "window.pwned === undefined && "
    "document.querySelectorAll('main img:not(.artifact-image), main script').length === 0"
)


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[str, str, int]]:
    pytest.importorskip("websocket")
    go = pytest.importorskip("plotly.graph_objects")
    url = f"sqlite:///{tmp_path / 'hitl.db'}"
    storage = get_storage(url)
    study = trimtab.create_study(storage=storage, study_name="hitl", directions=["minimize"] * 2)
    register_objective_form_widgets(
        study,
        [
            ChoiceWidget(choices=["good", XSS], values=[0, 7], description=XSS),
            SliderWidget(min=0, max=10, step=1, description="slider " + XSS),
        ],
    )
    save_note(study, "note " + XSS)
    figure = go.Figure(go.Scatter(y=[1, 3, 2], name=XSS), layout={"title": {"text": XSS}})
    save_plotly_graph_object(study, figure, graph_object_id="user-figure")
    (tmp_path / "artifacts").mkdir()
    store = FileSystemArtifactStore(str(tmp_path / "artifacts"))
    (tmp_path / "a.txt").write_text("text")
    upload_artifact(
        artifact_store=store,
        file_path=str(tmp_path / "a.txt"),
        study_or_trial=study,
        filename=XSS + ".txt",
    )
    server = DashboardProcess(url, "--artifact-dir", str(tmp_path / "artifacts"))
    yield server.base, url, study._study_id
    server.close()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    b = Browser(tmp_path / "profile")
    yield b
    b.close()


def test_script_asks_browser_answers(
    setup: tuple[str, str, int], browser: Browser, tmp_path: Path
) -> None:
    base, url, sid = setup
    b = browser
    script = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, url], stdout=subprocess.PIPE, text=True
    )
    assert script.stdout is not None
    number = int(script.stdout.readline())
    b.goto(f"{base}/#/studies/{sid}/trials/{number}")
    b.wait_for("document.querySelector('#hitl-form') !== null", 60)
    labels = b.evaluate("[...document.querySelectorAll('.hitl-label')].map(l => l.textContent)")
    assert labels == [XSS, "slider " + XSS]
    options = b.evaluate("[...document.querySelectorAll('.hitl-option')].map(l => l.textContent)")
    assert options == [" good", " " + XSS]
    b.screenshot(tmp_path / "hitl-form.png")
    b.click("input[name='hitl-0'][value='1']")  # the hostile choice: value 7
    b.evaluate(
        "(s => { s.value = 3; s.dispatchEvent(new Event('input')); })"
        "(document.querySelector('input[type=range]'))"
    )
    b.click("#hitl-submit")
    assert script.stdout.readline().split() == ["COMPLETE", "[7.0,", "3.0]"]
    assert script.wait(timeout=60) == 0
    assert b.evaluate(INERT)

    # The note, the user figure and the artifact list show the strings as text.
    b.click("#tab-note")
    note = "document.querySelector('.note-html')"
    b.wait_for(f"{note} && {note}.textContent.startsWith('note')")
    assert XSS in b.evaluate(f"{note}.textContent")
    b.click("#tab-charts")
    figure = "document.querySelector('#figure-0')"
    b.wait_for(f"{figure} && {figure}.dataset.renderedAt", 60)
    b.evaluate("document.querySelector('#figure-0').scrollIntoView()")
    b.screenshot(tmp_path / "user-figure.png")
    assert b.evaluate(INERT)
    b.click("#tab-artifacts")
    b.wait_for("document.querySelector('.artifact-table td') !== null", 60)
    assert b.evaluate("document.querySelector('.artifact-table td').textContent") == XSS + ".txt"
    assert b.evaluate(INERT)


def test_compare_page_pick_and_undo(browser: Browser, tmp_path: Path) -> None:
    from trimtab.dashboard.preferential import create_study

    url = f"sqlite:///{tmp_path / 'pref.db'}"
    study = create_study(n_generate=2, storage=url, study_name="pref")
    for text in ("first " + XSS, "second"):
        trial = study.ask()
        trial.suggest_float("x", 0, 1)
        save_note(trial, text)
    assert not study.should_generate()
    server = DashboardProcess(url)
    try:
        b = browser
        b.goto(f"{server.base}/#/studies/{study._study._study_id}/compare")
        b.wait_for("document.querySelectorAll('.candidate').length === 2", 60)
        assert XSS in b.evaluate("document.querySelector('.candidate .note-html').textContent")
        assert b.evaluate(INERT)
        b.screenshot(tmp_path / "compare.png")
        b.click(".candidate[data-number='0'] .worst")
        b.wait_for("document.querySelectorAll('.candidate').length === 1", 60)
        assert [(p.number, w.number) for p, w in study.preferences] == [(1, 0)]
        assert study.should_generate()  # the script makes a new candidate now
        b.click("#answers .undo")
        b.wait_for("document.querySelectorAll('.candidate').length === 2", 60)
        assert study.preferences == [] and not study.should_generate()
    finally:
        server.close()

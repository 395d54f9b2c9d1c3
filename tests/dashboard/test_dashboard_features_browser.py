"""End-to-end in headless Chromium: Markdown/math notes, artifact upload and delete, rename.

Each step is checked in the page's DOM and in the storage, with a screenshot of it (saved in
the test's folder, and copied to ``$TRIMTAB_SCREENSHOT_DIR`` when set).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cdp_browser import Browser, DashboardProcess, chromium_path
from dashboard_support import WRITE, add_trials

import trimtab
from trimtab.artifacts import get_all_artifact_meta
from trimtab.storages import get_storage

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(chromium_path() is None, reason="needs chromium (apt-get install chromium)"),
]
NOTE = r"""# Findings <img src=x onerror=window.pwned=1>

| param | best | note |
|:--|--:|---|
| lr | 0.01 | <script>window.pwned=2</script> |

- [x] tune the learning rate
- [ ] tune the depth

```python
def loss(x):
    return x ** 2  # "<b>not bold</b>"
```

The loss is $\frac{1}{n}\sum_i (y_i - \hat y_i)^2$ and $\text{<svg onload=window.pwned=3>}$.

$$
\int_0^1 x^2 \, dx = \frac{1}{3}
$$

[bad](javascript:window.pwned=4) [good](https://example.org)
"""
HOSTILE_FILE = "<img src=x onerror=window.pwned=5> & ü.csv"


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[dict[str, Any]]:
    pytest.importorskip("websocket")
    url = f"sqlite:///{tmp_path / 'f.db'}"
    storage = get_storage(url)
    study = trimtab.create_study(storage=storage, study_name="features")
    add_trials(storage, study._study_id, 20)
    study.enqueue_trial({"x": 1.0})
    (tmp_path / "store").mkdir()
    server = DashboardProcess(url, "--artifact-dir", str(tmp_path / "store"))
    browser = Browser(tmp_path / "profile")
    shots = tmp_path / "screenshots"
    shots.mkdir()
    yield {
        "url": url,
        "storage": storage,
        "sid": study._study_id,
        "base": server.base,
        "b": browser,
        "shots": shots,
        "store": tmp_path / "store",
        "tmp": tmp_path,
    }
    browser.close()
    server.close()
    target = os.environ.get("TRIMTAB_SCREENSHOT_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        for shot in shots.iterdir():
            (Path(target) / shot.name).write_bytes(shot.read_bytes())


def _inert(b: Browser, scope: str) -> None:
    assert b.evaluate("window.pwned === undefined")
    bad = b.evaluate(
        f"document.querySelectorAll('{scope} script, {scope} img, {scope} svg, "
        f"{scope} iframe, {scope} [onerror], {scope} [onload]').length"
    )
    assert bad == 0


def _choose_file(b: Browser, selector: str, path: Path) -> None:
    b.wait_for(f"document.querySelector({json.dumps(selector)}) !== null")
    root = b.call("DOM.getDocument")["root"]["nodeId"]
    node = b.call("DOM.querySelector", nodeId=root, selector=selector)["nodeId"]
    b.call("DOM.setFileInputFiles", files=[str(path)], nodeId=node)


def test_markdown_note_renders_gfm_code_and_math_inertly(setup: dict[str, Any]) -> None:
    b, base, sid = setup["b"], setup["base"], setup["sid"]
    b.goto(f"{base}/#/studies/{sid}/note")
    b.wait_for("document.querySelector('.note-input') !== null")
    b.evaluate(f"document.querySelector('.note-input').value = {json.dumps(NOTE)}")
    b.click(".note-save")
    b.wait_for("document.querySelector('.note-html table') !== null")
    cells = b.evaluate("[...document.querySelectorAll('.note-html td')].map(c => c.textContent)")
    assert cells == ["lr", "0.01", "<script>window.pwned=2</script>"]
    boxes = b.evaluate(
        "[...document.querySelectorAll('.note-html input[type=checkbox]')]"
        ".map(c => [c.checked, c.disabled])"
    )
    assert boxes == [[True, True], [False, True]]
    keyword = "document.querySelector('.note-html pre.highlight .k')"
    assert b.evaluate(f"{keyword}.textContent") == "def"
    color = b.evaluate(f"getComputedStyle({keyword}).color")
    assert color != b.evaluate("getComputedStyle(document.querySelector('.note-html p')).color")
    assert b.evaluate("document.querySelectorAll('.note-html math').length") == 3
    assert b.evaluate("document.querySelectorAll('.note-html math mfrac').length") == 2
    # MathML is laid out by the browser: the block formula has a real height.
    assert (
        b.evaluate(
            "document.querySelector('.note-html .math.block math').getBoundingClientRect().height"
        )
        > 20
    )
    links = b.evaluate("[...document.querySelectorAll('.note-html a')].map(a => a.href)")
    assert links == ["https://example.org/"]
    _inert(b, ".note-html")
    b.screenshot(setup["shots"] / "note-markdown.png")
    assert setup["storage"].get_study_system_attrs(sid)["dashboard:note_ver"] == 1


def test_artifacts_upload_preview_delete_from_the_page(setup: dict[str, Any]) -> None:
    b, base, sid, storage = setup["b"], setup["base"], setup["sid"], setup["storage"]
    source = setup["tmp"] / HOSTILE_FILE
    source.write_text("step,loss\n0,<b>1</b>\n1,0.5\n")
    b.goto(f"{base}/#/studies/{sid}/artifacts")
    _choose_file(b, "input.artifact-file", source)
    b.click(".artifact-upload")
    b.wait_for("document.querySelector('.artifact-name') !== null")
    assert b.evaluate("document.querySelector('.artifact-name').textContent") == HOSTILE_FILE
    study = trimtab.load_study(study_name="features", storage=storage)
    (meta,) = get_all_artifact_meta(study)
    assert meta.filename == HOSTILE_FILE and meta.mimetype == "text/csv"
    b.evaluate(
        "[...document.querySelectorAll('.artifacts button')]"
        ".find(x => x.textContent === 'Preview').click()"
    )
    b.wait_for("document.querySelectorAll('.artifact-csv td').length === 4")
    assert b.evaluate("document.querySelectorAll('.artifact-csv td')[1].textContent") == "<b>1</b>"
    _inert(b, ".artifacts")
    b.screenshot(setup["shots"] / "artifacts-uploaded.png")
    b.click(".artifact-delete")
    b.wait_for("!document.querySelector('#modal').hidden")
    b.click("#modal-ok")
    b.wait_for("document.querySelector('.artifacts').textContent.includes('No artifacts.')")
    assert get_all_artifact_meta(study) == []
    assert list(setup["store"].iterdir()) == []
    b.screenshot(setup["shots"] / "artifacts-deleted.png")

    # A waiting trial takes uploads from its detail view.
    waiting = study.trials[-1].number
    b.goto(f"{base}/#/studies/{sid}/trials/{waiting}")
    _choose_file(b, "#trial-detail input.artifact-file", source)
    b.click("#trial-detail .artifact-upload")
    b.wait_for("document.querySelector('#trial-detail .artifact-name') !== null")
    (trial_meta,) = get_all_artifact_meta(study.trials[-1], storage=storage)
    assert trial_meta.filename == HOSTILE_FILE
    b.screenshot(setup["shots"] / "trial-artifact.png")


def test_rename_from_the_list_keeps_the_id_and_notes(setup: dict[str, Any]) -> None:
    import urllib.request

    b, base, sid, storage = setup["b"], setup["base"], setup["sid"], setup["storage"]
    request = urllib.request.Request(
        f"{base}/api/studies/{sid}/trials/3/note",
        method="PUT",
        data=json.dumps({"version": 1, "body": "trial **three**"}).encode(),
        headers={**WRITE, "Content-Type": "application/json"},
    )
    urllib.request.urlopen(request).close()
    b.goto(f"{base}/#/")
    b.wait_for(f"document.querySelector('tr[data-study=\"{sid}\"] button') !== null")
    b.evaluate(
        f"[...document.querySelectorAll('tr[data-study=\"{sid}\"] button')]"
        ".find(x => x.textContent === 'Rename').click()"
    )
    b.wait_for("document.querySelector('#rename-input') !== null")
    b.evaluate("document.querySelector('#rename-input').value = 'renamed ✓'")
    b.click("#modal-ok")
    b.wait_for(f"document.querySelector('tr[data-study=\"{sid}\"] a').textContent === 'renamed ✓'")
    assert storage.get_study_id_from_name("renamed ✓") == sid
    b.screenshot(setup["shots"] / "renamed.png")
    b.goto(f"{base}/#/studies/{sid}/trials/3")
    b.wait_for("document.querySelector('#trial-detail .note-html strong') !== null")
    assert b.evaluate("document.querySelector('#trial-detail .note-html strong').textContent") == (
        "three"
    )

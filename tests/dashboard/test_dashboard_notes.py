"""Markdown notes: safe rendering, versions, optuna-dashboard-compatible storage keys."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from dashboard_support import HOSTILE, WRITE, make_client, make_study

from trimtab.dashboard._markdown import render

HOSTILE_NOTES = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](vbscript:msgbox(1)) [x](data:text/html;base64,PHNjcmlwdD4=)",
    '[x](https://ok.example/" onmouseover="alert(1))',
    "```\n<script>x</script>\n```",
    "```python\n</code><script>x</script>\n```",
    "`<b>code</b>`",
    "# <iframe src=//evil>",
    "> <svg onload=alert(1)>",
    "| a | <script>x</script> |\n|---|---|\n| <img src=x onerror=alert(1)> | 2 |",
    "- [x] <script>x</script>",
    "$\\text{<script>alert(1)</script>}$",
    "$$\n\\href{javascript:alert(1)}{x} \\style{background:url(x)}{y}\n$$",
    '$\\color{red" onload="alert(1)}{y}$',
    "$$a$$ (main)",
]


class _Elements(HTMLParser):
    """Every element and attribute of an HTML fragment, as a browser would parse them."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


@pytest.mark.parametrize("hostile", HOSTILE_NOTES)
def test_render_never_lets_markup_through(hostile: str) -> None:
    parser = _Elements()
    parser.feed(render(hostile))
    for tag, attrs in parser.found:
        assert tag not in ("script", "iframe", "svg", "img", "object", "embed", "style")
        for name, value in attrs:
            assert (
                not name.startswith("on")
                and name not in ("style", "id", "href", "src")
                or (name == "href" and (value or "").startswith("https://"))
            ), (tag, name, value)


def test_render_markdown_basics() -> None:
    html = render(
        "# Title\n\nSome **bold**, *it* and `x<1`.\n\n- a\n- b\n\n1. one\n\n"
        "[docs](https://example.com/a?b=1&c=2)\n\n```\nif a < b:\n```\n\n---\n> quoted"
    )
    assert "<h1>Title</h1>" in html
    assert "<strong>bold</strong>" in html and "<em>it</em>" in html
    assert "<code>x&lt;1</code>" in html
    assert "<li>a</li>" in html and "<ol>\n<li>one</li>" in html
    assert '<a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer"' in html
    assert "<pre><code>if a &lt; b:\n</code></pre>" in html
    assert "<hr>" in html and "<blockquote>\n<p>quoted</p>" in html


def test_render_github_flavoured_tables_tasks_and_highlighting() -> None:
    html = render(
        "| param | best |\n|:--|--:|\n| lr | 0.01 |\n\n- [x] tune lr\n- [ ] tune depth\n\n"
        "~~old~~ see https://example.org\n\n```python\nif a < 'b':\n    pass\n```"
    )
    assert "<table>" in html and '<th style="text-align:left">param</th>' in html
    assert '<td style="text-align:right">0.01</td>' in html
    boxes = html.count('type="checkbox"')
    assert boxes == 2 and html.count('checked=""') == 1 and html.count('disabled=""') == 2
    assert "<s>old</s>" in html and '<a href="https://example.org"' in html
    assert '<pre class="highlight"><code class="language-python"><span class="k">if</span>' in html
    assert '<span class="s1">&#39;b&#39;</span>' in html or "<span class=\"s1\">'b'</span>" in html


def test_render_math_as_mathml() -> None:
    html = render("Loss $\\frac{a}{b} < c$.\n\n$$\n\\sum_{i=1}^n x_i^2\n$$\n\nBroken $\\frac{$ end")
    assert '<span class="math inline"><math xmlns="http://www.w3.org/1998/Math/MathML"' in html
    assert "<mfrac><mrow><mi>a</mi></mrow><mrow><mi>b</mi></mrow></mfrac><mo>&lt;</mo>" in html
    assert '<div class="math block">' in html and "<mo>∑</mo>" in html and "<msubsup>" in html
    assert "Broken" in html  # malformed TeX does not break the note


def test_study_note_round_trip_and_conflict(storage: Any) -> None:
    study = make_study(storage, "n", n=2)
    client = make_client(storage)
    url = f"/api/studies/{study._study_id}/note"
    assert client.get(url).json() == {"version": 0, "body": "", "html": ""}
    body = HOSTILE + "\n\n" + "x" * 5000
    saved = client.put(url, json={"version": 1, "body": body}, headers=WRITE)
    assert saved.status_code == 200
    assert "&lt;script&gt;" in saved.json()["html"] and "<script>" not in saved.json()["html"]
    assert client.get(url).json()["body"] == body
    stale = client.put(url, json={"version": 1, "body": "lost update"}, headers=WRITE)
    assert stale.status_code == 409
    shorter = client.put(url, json={"version": 2, "body": "short"}, headers=WRITE)
    assert shorter.json()["version"] == 2
    assert client.get(url).json()["body"] == "short"
    assert client.get(f"/api/studies/{study._study_id}").json()["note"]["body"] == "short"


def test_notes_use_optuna_dashboard_keys(storage: Any) -> None:
    study = make_study(storage, "k", n=2)
    client = make_client(storage)
    trial_id = storage.get_trial_id_from_study_id_trial_number(study._study_id, 1)
    body = "y" * 2100
    client.put(
        f"/api/studies/{study._study_id}/note", json={"version": 1, "body": "s"}, headers=WRITE
    )
    client.put(
        f"/api/studies/{study._study_id}/trials/1/note",
        json={"version": 1, "body": body},
        headers=WRITE,
    )
    attrs = storage.get_study_system_attrs(study._study_id)
    assert attrs["dashboard:note_ver"] == 1 and attrs["dashboard:note_str:0"] == "s"
    assert attrs[f"dashboard:{trial_id}:note_ver"] == 1
    assert attrs[f"dashboard:{trial_id}:note_str:0"] == "y" * 2045
    assert attrs[f"dashboard:{trial_id}:note_str:1"] == "y" * 55
    detail = client.get(f"/api/studies/{study._study_id}/trials/1").json()
    assert detail["note"]["body"] == body
    assert client.get(f"/api/studies/{study._study_id}/trials/0/note").json()["version"] == 0


def test_note_body_must_be_text(storage: Any) -> None:
    study = make_study(storage, "t", n=1)
    response = make_client(storage).put(
        f"/api/studies/{study._study_id}/note", json={"version": 1, "body": 5}, headers=WRITE
    )
    assert response.status_code == 400


def test_a_long_note_is_rendered_once_per_text() -> None:
    import time

    body = "| a | $x^2$ |\n|--|--|\n" + "| `1` | **2** |\n" * 20_000
    start = time.process_time()
    first = render(body)
    once = time.process_time() - start
    start = time.process_time()
    assert render(body) == first
    assert time.process_time() - start < once / 10
    assert render(body + "\nmore") != first  # another text is rendered anew

"""A small, safe Markdown renderer for notes.

All text is HTML-escaped first, so a note can never inject markup; then a Markdown subset
is turned into tags: headings, paragraphs, emphasis, inline code, fenced code blocks,
bulleted/numbered lists, block quotes, horizontal rules and links (http, https and
mailto only; other schemes are left as text).
"""

from __future__ import annotations

import html
import re

_LINK = re.compile(r"\[([^\]]+)\]\(((?:https?://|mailto:)[^\s)]+)\)")
_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_ORDERED = re.compile(r"^\s*\d+[.)]\s+(.*)$")


def _inline(text: str) -> str:
    """Render inline markup of already-escaped text (code spans are left untouched)."""
    parts = _CODE.split(text)
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(f"<code>{part}</code>")
            continue
        part = _LINK.sub(r'<a href="\2" rel="noopener noreferrer" target="_blank">\1</a>', part)
        part = _BOLD.sub(r"<strong>\1</strong>", part)
        out.append(_ITALIC.sub(r"<em>\1</em>", part))
    return "".join(out)


def _flush(block: list[str], kind: str | None, out: list[str]) -> None:
    if not block:
        return
    if kind == "p":
        out.append("<p>" + "<br>".join(_inline(line) for line in block) + "</p>")
    elif kind == "quote":
        out.append("<blockquote>" + "<br>".join(_inline(line) for line in block) + "</blockquote>")
    elif kind in ("ul", "ol"):
        items = "".join(f"<li>{_inline(item)}</li>" for item in block)
        out.append(f"<{kind}>{items}</{kind}>")
    block.clear()


def render(markdown: str) -> str:
    """Return safe HTML for ``markdown`` (escaped first, then a Markdown subset applied)."""
    out: list[str] = []
    block: list[str] = []
    kind: str | None = None
    code: list[str] | None = None
    for raw in html.escape(markdown, quote=True).replace("\r\n", "\n").split("\n"):
        if code is not None:
            if raw.strip().startswith("```"):
                out.append("<pre><code>" + "\n".join(code) + "</code></pre>")
                code = None
            else:
                code.append(raw)
            continue
        line = raw.rstrip()
        if line.strip().startswith("```"):
            _flush(block, kind, out)
            code = []
            continue
        if not line.strip() or re.fullmatch(r"\s*([-*_])(\s*\1){2,}\s*", line):
            _flush(block, kind, out)
            if line.strip():
                out.append("<hr>")
            continue
        heading = _HEADING.match(line)
        if heading:
            _flush(block, kind, out)
            level = len(heading.group(1))
            out.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
            continue
        matched = _line_kind(line)
        if matched[0] != kind or kind is None:
            _flush(block, kind, out)
            kind = matched[0]
        block.append(matched[1])
    if code is not None:
        out.append("<pre><code>" + "\n".join(code) + "</code></pre>")
    _flush(block, kind, out)
    return "\n".join(out)


def _line_kind(line: str) -> tuple[str, str]:
    for kind, pattern in (("ul", _BULLET), ("ol", _ORDERED)):
        match = pattern.match(line)
        if match:
            return kind, match.group(1)
    if line.startswith("&gt;"):
        return "quote", line[len("&gt;") :].lstrip()
    return "p", line

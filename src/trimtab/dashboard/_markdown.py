"""Safe rendering of notes: GitHub-flavoured Markdown with code highlighting and math.

markdown-it-py parses with raw HTML off, so every ``<`` a note contains reaches the page as
``&lt;``; link targets pass markdown-it's scheme check (no ``javascript:``, ``vbscript:``,
``file:``, non-image ``data:``). The GFM plugin of mdit-py-plugins adds tables, task lists,
strikethrough, autolinks and footnotes. Fenced code is highlighted by Pygments (escaped
token by token). ``$…$`` and ``$$…$$`` become MathML through latex2mathml, whose tree is
rebuilt here from a list of MathML elements and attributes (latex2mathml itself passes
``\\text{<script>}`` and ``\\href{javascript:…}`` through), so a formula cannot add markup
either. Everything is computed on the server: the page needs no script to show a note.
"""

from __future__ import annotations

import functools
import hashlib
import html
import threading
from collections import OrderedDict
from typing import Any
from xml.etree.ElementTree import Element

_MATHML_TAGS = frozenset(
    "math mrow mi mn mo ms mtext mspace msub msup msubsup munder mover munderover mfrac "
    "msqrt mroot mstyle mtable mtr mtd mlabeledtr mpadded mphantom menclose merror mfenced "
    "mmultiscripts mprescripts none semantics".split()
)
_MATHML_ATTRS = frozenset(
    "display mathvariant stretchy fence separator separators lspace rspace columnalign "
    "rowalign columnspacing rowspacing columnlines rowlines frame framespacing displaystyle "
    "scriptlevel accent accentunder movablelimits mathsize minsize maxsize width height "
    "depth linethickness notation open close largeop symmetric form mathcolor "
    "mathbackground columnspan rowspan".split()
)


def _mathml(node: Element) -> str:
    """Serialise a latex2mathml tree keeping only MathML elements and inert attributes."""
    tag = node.tag if node.tag in _MATHML_TAGS else "mrow"
    attrs = "".join(
        f' {name}="{html.escape(str(value), quote=True)}"'
        for name, value in node.attrib.items()
        if name in _MATHML_ATTRS
    )
    if tag == "math":
        attrs = ' xmlns="http://www.w3.org/1998/Math/MathML"' + attrs
    # latex2mathml keeps symbols as entity text ("&#x02211;"): decode, then escape once.
    text = html.escape(html.unescape(node.text or ""), quote=False)
    inner = "".join(_mathml(child) for child in node)
    return f"<{tag}{attrs}>{text}{inner}</{tag}>" + html.escape(
        html.unescape(node.tail or ""), quote=False
    )


def _math(latex: str, options: dict[str, Any]) -> str:
    from latex2mathml.converter import convert_to_element

    display = "block" if options.get("display_mode") else "inline"
    try:
        return _mathml(convert_to_element(latex, display=display))
    except Exception:  # noqa: BLE001 - latex2mathml raises many types on malformed TeX
        return f'<code class="math-error">{html.escape(latex)}</code>'


def _highlight(code: str, language: str, attrs: str) -> str:
    """Pygments' HTML for a fenced block with a known language ('' lets markdown-it escape)."""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    if not language:
        return ""
    try:
        lexer = get_lexer_by_name(language)
    except ClassNotFound:
        return ""
    body = highlight(code, lexer, HtmlFormatter(nowrap=True))
    return (
        f'<pre class="highlight"><code class="language-{html.escape(language)}">{body}</code></pre>'
    )


@functools.lru_cache(maxsize=1)
def _parser() -> Any:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin
    from mdit_py_plugins.gfm import gfm_plugin

    md = MarkdownIt("commonmark", {"html": False, "xhtmlOut": False, "highlight": _highlight})
    md.use(gfm_plugin)
    # No equation labels: their ids could shadow the page's own element ids.
    md.use(dollarmath_plugin, allow_labels=False, allow_blank_lines=False, renderer=_math)

    def link_open(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
        tokens[idx].attrSet("rel", "noopener noreferrer")
        tokens[idx].attrSet("target", "_blank")
        return str(self.renderToken(tokens, idx, options, env))

    md.add_render_rule("link_open", link_open)
    return md


class _RenderCache:
    """Rendered notes by the hash of their text, bounded in characters (least recent out).

    A study page reads its note on every load, and Markdown costs ~10 µs a character (a
    note of 1,000,000 characters takes seconds): each text is rendered once.
    """

    def __init__(self, max_chars: int) -> None:
        self._max = max_chars
        self._size = 0
        self._entries: OrderedDict[bytes, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: bytes) -> str | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: bytes, rendered: str) -> None:
        with self._lock:
            if key in self._entries or len(rendered) > self._max:
                return
            self._entries[key] = rendered
            self._size += len(rendered)
            while self._size > self._max:
                self._size -= len(self._entries.popitem(last=False)[1])


_CACHE = _RenderCache(max_chars=16_000_000)


def render(markdown: str) -> str:
    """Return safe HTML for a note written in GitHub-flavoured Markdown with ``$`` math."""
    if not markdown:
        return ""
    key = hashlib.sha256(markdown.encode("utf-8", "surrogatepass")).digest()
    rendered = _CACHE.get(key)
    if rendered is None:
        rendered = str(_parser().render(markdown))
        _CACHE.put(key, rendered)
    return rendered

"""Excerpts as HTML: Pygments colours, ``~~`` lines marked structurally, markers styled apart.

Shared by the HTML preview (render.py's ``highlight`` filter) and the Pelican plugin, so both
show a code block the same way:

- a line written with a leading ``~~`` loses the two characters and is wrapped in
  ``<span class="hll">`` (Pygments' own ``hl_lines`` markup: themes already style it);
- an abbreviation marker (``## ... source file abbreviated ...`` or ``... continues ...``)
  stays a Python comment and is also wrapped in ``<span class="marker">``; with ``compact``
  the blank lines the layout puts around it are left out, since the styled marker already
  separates the segments;
- everything else, including any ``<`` or ``&`` in the source, is escaped by Pygments.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass

from markupsafe import Markup
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from miner.excerpt import HIGHLIGHT, MARKERS, Excerpt

#: the wrapper's class, as Pelican's codehilite setup names it
CSS_CLASS = "highlight"
#: the class of an abbreviation marker's line
MARKER_CLASS = "marker"
#: the Pygments style whose colours `pygments_css` returns
STYLE = "default"

_MARKER = re.compile(
    "|".join(
        re.escape(marker).replace(re.escape("{name}"), r"\S.*?")
        for marker in MARKERS
    )
)


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """An excerpt's text split into what is shown and which lines are special."""

    code: str  #: the excerpt without its ~~ prefixes
    highlighted: tuple[int, ...]  #: 1-based lines of `code` that were written with ~~
    markers: tuple[int, ...]  #: 1-based lines of `code` that are abbreviation markers


def split_excerpt(
    text: str, *, compact: bool = False, marked: Collection[int] | None = None
) -> CodeBlock:
    """Find the ~~ lines (removing the prefix) and the marker lines of an excerpt's text.

    `marked` (1-based lines of `text`), when known, says which lines carry the prefix, so
    that a source line that itself begins with ~~ is shown as written. With `compact`, blank
    lines whose nearest non-blank line above or below is a marker go.
    """
    lines = text.split("\n")
    is_marker = [bool(_MARKER.fullmatch(line)) for line in lines]
    is_marked = [
        line.startswith(HIGHLIGHT) if marked is None else number in marked
        for number, line in enumerate(lines, start=1)
    ]
    if compact:
        beside_marker = _beside_marker(lines, is_marker, range(len(lines)))
        beside_marker |= _beside_marker(lines, is_marker, range(len(lines) - 1, -1, -1))
        lines, is_marker, is_marked = (
            [item for at, item in enumerate(column) if at not in beside_marker]
            for column in (lines, is_marker, is_marked)
        )
    shown = []
    highlighted = []
    for number, (line, prefixed) in enumerate(zip(lines, is_marked, strict=True), start=1):
        if prefixed:
            highlighted.append(number)
            line = line[len(HIGHLIGHT) :]
        shown.append(line)
    markers = tuple(number for number, marker in enumerate(is_marker, start=1) if marker)
    return CodeBlock("\n".join(shown), tuple(highlighted), markers)


def _beside_marker(lines: list[str], is_marker: list[bool], order: range) -> set[int]:
    """Blank lines that, walking in `order`, come right after a marker (blank lines between)."""
    found = set()
    after_marker = False
    for at in order:
        if lines[at].strip():
            after_marker = is_marker[at]
        elif after_marker:
            found.add(at)
    return found


def highlight_excerpt(excerpt: Excerpt | str, compact: bool = True) -> Markup:
    """The excerpt as a ``<div class="highlight"><pre><code>`` block of Pygments HTML."""
    if isinstance(excerpt, Excerpt):
        block = split_excerpt(excerpt.text, compact=compact, marked=set(excerpt.marked))
    else:
        block = split_excerpt(excerpt, compact=compact)
    formatter = _ExcerptFormatter(
        block.markers, cssclass=CSS_CLASS, hl_lines=block.highlighted, wrapcode=True
    )
    # stripnl=False: a leading blank line must stay, or every line number after it shifts.
    return Markup(highlight(block.code, PythonLexer(stripnl=False), formatter))


def pygments_css(selector: str = f".{CSS_CLASS}") -> str:
    """The Pygments colour rules for code blocks under `selector`."""
    return str(HtmlFormatter(style=STYLE).get_style_defs(selector))


class _ExcerptFormatter(HtmlFormatter):
    """Pygments' HTML formatter, plus a ``marker`` span around each abbreviation marker line."""

    def __init__(self, markers: Collection[int], **options: object) -> None:
        super().__init__(**options)
        self._markers = frozenset(markers)

    def wrap(self, source: Iterator[tuple[int, str]]) -> Iterator[tuple[int, str]]:
        return super().wrap(self._mark(source))

    def _mark(self, source: Iterator[tuple[int, str]]) -> Iterator[tuple[int, str]]:
        number = 0
        for is_line, html in source:
            if is_line:
                number += 1
                if number in self._markers:
                    # the newline inside, as Pygments does for hl_lines: a block-styled span
                    # followed by one would show an extra empty line
                    html = f'<span class="{MARKER_CLASS}">{html}</span>'
            yield is_line, html

"""Text that projects wrote, made inert for Markdown pages and for the terminal.

Pages are published by Pelican, whose Markdown is Python-Markdown with ``extra`` (attr_list,
fenced_code, tables, footnotes, abbr, def_list, md_in_html) and codehilite. Whatever a
repository wrote (a file name, a description, a license, a version range) must read back as
written there and never become a tag, an attribute, a link, a code span or a block. These
helpers are the one place that knows how; the templates use them as filters.

Python-Markdown's own escapable characters (``\\ ` * _ { } [ ] # + - !``) get a backslash, which
reads well in the page's source; the others are written as numeric character references, which
mean the same in every dialect and with any extension set (``\\|`` works only with tables).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from urllib.parse import quote

#: shown in place of a control character in a name or a line of text
REPLACEMENT = "\ufffd"

#: inline Markdown anywhere on a line: emphasis, code, links, attr_list, HTML, entities,
#: tables, escapes, and ~ (fences); _ is handled apart (see _UNDERSCORE)
_ALWAYS = re.compile(r"[\\`*{}\[\]<>&|~]")
#: an underscore that could open or close emphasis: not between two letters or digits
_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
#: what makes a block when it opens a line: headings, quotes, lists, setext underlines,
#: definition lists, indented code (leading spaces go: text is trimmed)
_LINE_START = re.compile(r"^(?:[#+\-=:!]|\d+(?=[.)]))")


def clean_text(text: str) -> str:
    """`text` on one line: control, format-breaking and line-separating characters replaced.

    Whitespace controls (newline, CR, tab, form feed, U+2028...) become a space, every other
    control character (including the STX/ETX Python-Markdown uses for its placeholders and
    the ESC of terminal sequences) and bidirectional overrides become U+FFFD.
    """
    return "".join(_clean_char(char) for char in text) if _needs_cleaning(text) else text


def _needs_cleaning(text: str) -> bool:
    return not (text.isprintable() or all(_clean_char(char) == char for char in text))


def _clean_char(char: str) -> str:
    if char.isprintable() or char == " ":
        return char
    category = unicodedata.category(char)
    if category in ("Cc", "Zl", "Zp") or char in _BIDI:
        return " " if char.isspace() else REPLACEMENT
    return char  # other non-printables (format characters such as ZWJ in emoji) are text


_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def markdown_text(text: str) -> str:
    """Text shown as written in Markdown: it can open no tag, entity, link, code span, emphasis,
    attribute list, table cell, fence or block, and it stays on its line."""
    text = clean_text(text).strip()
    text = _ALWAYS.sub(_reference, text)
    text = _UNDERSCORE.sub(_reference, text)
    return _LINE_START.sub(lambda match: "".join(map(_reference_of, match.group())), text)


def _reference(match: re.Match[str]) -> str:
    return _reference_of(match.group())


def _reference_of(char: str) -> str:
    if char in _BACKSLASHED:
        return f"\\{char}"
    return {"&": "&amp;", "<": "&lt;", ">": "&gt;"}.get(char, f"&#{ord(char)};")


#: escaped with a backslash, which reads better in the page's source: Python-Markdown's own
#: escapable characters, whatever extensions are loaded (and CommonMark's too)
_BACKSLASHED = frozenset("\\`*_{}[]#+-!")


def markdown_code(text: str) -> str:
    """Text as one Markdown code span: the backtick run is longer than any inside it."""
    text = clean_text(text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def code_fence(text: str) -> str:
    """Backticks that open and close a fenced block around `text`: longer than any run in it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def web_link(url: str | None) -> str | None:
    """`url` when it is an http(s) URL; anything else (javascript:, data:) is no link at all."""
    return url if url and re.match(r"https?://", url, re.IGNORECASE) else None


def markdown_url(url: str | None) -> str | None:
    """An http(s) URL fit for a Markdown link: what could end the link, or be read by Pelican as
    an intra-site link (``{filename}``), is percent-encoded; control characters too."""
    url = web_link(url)
    return re.sub(r"[\s()<>\"'`\\{}\[\]|\x00-\x1f\x7f]", lambda m: quote(m.group()), url) if url else None


def terminal_text(text: str) -> str:
    """`text` fit to print: no escape sequence, carriage return or newline of a project's can
    move the cursor, recolour the terminal or forge a line of miner's output."""
    return clean_text(text)


def terminal_lines(text: str) -> str:
    """`terminal_text` of each line of a multi-line report; its own newlines stay."""
    return "\n".join(terminal_text(line) for line in text.split("\n"))


class TerminalFilter(logging.Filter):
    """Makes every log record's message `terminal_text`: log lines name projects and files."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = terminal_lines(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True

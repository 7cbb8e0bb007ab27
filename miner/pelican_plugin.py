"""A Pelican plugin: miner's ``~~`` lines become highlighted lines when Pelican builds the pages.

In ``pelicanconf.py``::

    PLUGINS = ["miner.pelican_plugin"]

It adds a Python-Markdown preprocessor that runs before ``fenced_code``: in every fenced
``python`` block it removes the ``~~`` written before a highlighted line and lists those lines in
the fence's ``hl_lines`` attribute, so that ``codehilite`` (on in Pelican's default ``MARKDOWN``
setting) wraps each of them in ``<span class="hll">``. The abbreviation markers are Python
comments and stay comments. Without ``codehilite`` the ``~~`` still go, with no highlight.

Pelican's default theme shows ``.hll`` in the grey of its code blocks; two more settings make
the highlighted lines visible there (``STATIC_DIR`` holds ``css/miner-pelican.css``, which
imports the theme's ``main.css`` and adds one rule)::

    import miner.pelican_plugin
    THEME_STATIC_PATHS = ["static", str(miner.pelican_plugin.STATIC_DIR)]
    CSS_FILE = "miner-pelican.css"
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor
from pelican import signals

from miner.highlight import split_excerpt

#: THEME_STATIC_PATHS entry whose css/miner-pelican.css makes highlighted lines visible
STATIC_DIR = Path(__file__).parent / "pelican_static"
#: a fenced python block as fenced_code reads it: the closing fence repeats the opening one
_PYTHON_FENCE = re.compile(
    r"^(?P<fence>`{3,}|~{3,})[ ]*(?P<lang>python)[ ]*\n(?P<code>.*?\n)(?P=fence)[ ]*$",
    re.MULTILINE | re.DOTALL,
)
#: the preprocessor's priority: fenced_code_block is 25, and higher runs first
PRIORITY = 30


def rewrite_fences(text: str) -> str:
    """Markdown with each python block's ``~~`` lines turned into its ``hl_lines`` attribute."""
    return _PYTHON_FENCE.sub(_rewrite_block, text)


def _rewrite_block(match: re.Match[str]) -> str:
    block = split_excerpt(match["code"])
    if not block.highlighted:
        return match[0]
    lines = " ".join(str(number) for number in block.highlighted)
    fence = match["fence"]
    return f'{fence}{match["lang"]} hl_lines="{lines}"\n{block.code}{fence}'


class HighlightedLinesPreprocessor(Preprocessor):
    """Runs `rewrite_fences` over the whole document before fenced code blocks are read."""

    def run(self, lines: list[str]) -> list[str]:
        return rewrite_fences("\n".join(lines)).split("\n")


class HighlightedLinesExtension(Extension):
    """The Python-Markdown extension; usable without Pelican: ``Markdown(extensions=[...])``."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.preprocessors.register(HighlightedLinesPreprocessor(md), "miner_hl_lines", PRIORITY)


def add_extension(pelican: Any) -> None:
    """Put the extension into the ``MARKDOWN`` setting the Markdown reader is built from."""
    extensions = pelican.settings["MARKDOWN"].setdefault("extensions", [])
    if not any(isinstance(extension, HighlightedLinesExtension) for extension in extensions):
        extensions.append(HighlightedLinesExtension())


def register() -> None:
    """Pelican's entry point for a plugin listed in PLUGINS."""
    signals.initialized.connect(add_extension)

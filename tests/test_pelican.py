"""The Pelican plugin: a real Pelican site built from `miner render` output highlights the lines."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import markdown
from pelican import Pelican
from pelican.settings import read_settings
from test_render import build_db

from miner.pelican_plugin import HighlightedLinesExtension, rewrite_fences
from miner.render import render_pages

#: what docs/pelican.md tells a Pelican site to set, plus a quiet, self-contained build
SETTINGS = {
    "SITENAME": "Flask examples",
    "SITEURL": "",
    "PAGE_PATHS": ["pages"],
    "ARTICLE_PATHS": [],
    "PAGE_URL": "{slug}.html",
    "PAGE_SAVE_AS": "{slug}.html",
    "PLUGINS": ["miner.pelican_plugin"],
    "TIMEZONE": "UTC",
    "FEED_ALL_ATOM": None,
    "CATEGORY_FEED_ATOM": None,
    "LOAD_CONTENT_CACHE": False,
    "CACHE_CONTENT": False,
}


class Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs += [value for name, value in attrs if name == "href" and value]


def test_pelican_builds_every_page_with_highlighted_lines(tmp_path: Path) -> None:
    pages = tmp_path / "content" / "pages"
    report = render_pages(build_db(), tmp_path / "rendered", intros=tmp_path / "no-intros")
    assert report.failures == ()
    pages.mkdir(parents=True)
    for page in report.pages:
        (pages / page.name).write_bytes(page.read_bytes())
    output = tmp_path / "output"
    settings = read_settings(
        override={**SETTINGS, "PATH": str(tmp_path / "content"), "OUTPUT_PATH": str(output)}
    )
    Pelican(settings).run()

    for page in sorted(pages.iterdir()):
        source = page.read_text(encoding="utf-8")
        slug = re.search(r"^slug: (\S+)$", source, re.MULTILINE)
        assert slug is not None
        html = (output / f"{slug[1]}.html").read_text(encoding="utf-8")
        title = re.search(r"^title: (.+)$", source, re.MULTILINE)
        assert title is not None and title[1] in html
        assert "~~" not in html
        assert "sortorder:" not in html  # the front matter was read as metadata
        highlighted = re.findall(r"^~~(.*)$", source, re.MULTILINE)
        assert highlighted
        assert html.count('<span class="hll">') == len(highlighted), page.name
        markers = re.findall(r"^## \.\.\. source file .*$", source, re.MULTILINE)
        shown = re.findall(r'<span class="c1">(## \.\.\. source file [^<]*)</span>', html)
        assert shown == markers, page.name
        hrefs = Hrefs()
        hrefs.feed(html)
        for href in hrefs.hrefs:
            if re.fullmatch(r"/[a-z-]+-examples\.html", href):
                assert (output / href[1:]).is_file(), f"{page.name}: {href}"


def test_rewrite_fences_moves_tildes_into_hl_lines() -> None:
    text = (
        "Intro ~~ stays.\n\n````python\n# a.py\n~~from m import f\nx = '```'\n~~f()\n````\n\n"
        "```python\n# b.py\nplain()\n```\n"
    )
    assert rewrite_fences(text) == (
        'Intro ~~ stays.\n\n````python hl_lines="2 4"\n# a.py\nfrom m import f\nx = \'```\'\nf()\n'
        "````\n\n```python\n# b.py\nplain()\n```\n"
    )


def test_the_extension_works_in_plain_python_markdown() -> None:
    text = "```python\n# a.py\n~~x = 1\ny = 2\n```\n"
    html = markdown.markdown(
        text, extensions=["fenced_code", "codehilite", HighlightedLinesExtension()]
    )
    assert "~~" not in html
    assert html.count('<span class="hll">') == 1

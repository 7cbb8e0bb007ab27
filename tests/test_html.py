"""The HTML preview: the same pages as the Markdown, highlighted, escaped, linked relatively."""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_render import (
    ALPHA,
    ALPHA_FILES,
    BETA,
    BETA_FILES,
    GAMMA,
    GAMMA_FILES,
    MAKE_RESPONSE,
    URL_FOR,
    build_db,
    check_golden,
)

from miner.cli import cli
from miner.highlight import highlight_excerpt, split_excerpt
from miner.render import RenderReport, first_sentence, html_inline, render_pages, web_link

HTML_PAGES = [
    "flask-app-flask-examples.html",
    "flask-globals-request-examples.html",
    "flask-helpers-flash-examples.html",
    "flask-helpers-make-response-examples.html",
    "flask-helpers-url-for-examples.html",
]
SITE_FILES = ["flask.app.html", "flask.globals.html", "flask.helpers.html", "index.html", "miner.css"]
MAKE_RESPONSE_PAGE = "flask-helpers-make-response-examples.html"


def render_site(tmp_path: Path, db=None, **options) -> tuple[Path, RenderReport]:
    """Render into tmp_path/site with intros off; returns the library directory and the report."""
    options.setdefault("intros", tmp_path / "no-intros")
    options.setdefault("formats", ("html",))
    report = render_pages(db or build_db(), tmp_path / "site", **options)
    return tmp_path / "site" / "flask", report


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """Both formats of the fixture database, side by side."""
    directory, report = render_site(tmp_path, formats=("markdown", "html"))
    assert report.failures == ()
    return directory


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


class Links(HTMLParser):
    """Every href and src of a document, and every id."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append(value)
            if name == "id" and value:
                self.ids.add(value)


def parse(path: Path) -> Links:
    parser = Links()
    parser.feed(read(path))
    return parser


def test_html_writes_pages_index_module_pages_and_css(tmp_path: Path) -> None:
    directory, report = render_site(tmp_path)
    assert report.failures == ()
    assert sorted(path.name for path in report.pages) == HTML_PAGES
    assert sorted(path.name for path in report.files) == SITE_FILES
    assert sorted(path.name for path in directory.iterdir()) == sorted(HTML_PAGES + SITE_FILES)


def test_both_formats_share_the_pages(site: Path) -> None:
    markdown = sorted(path.name for path in site.glob("*.markdown"))
    assert [name.replace(".markdown", ".html") for name in markdown] == HTML_PAGES


def test_golden_html_page(site: Path, update_golden: bool) -> None:
    check_golden(read(site / MAKE_RESPONSE_PAGE), "flask-helpers-make-response.html", update_golden)


def test_highlighted_lines_are_marked_and_no_tilde_is_left(site: Path) -> None:
    for html_page in HTML_PAGES:
        html = read(site / html_page)
        markdown = read(site / html_page.replace(".html", ".markdown"))
        assert "~~" not in html
        highlighted = len(re.findall(r"^~~", markdown, re.MULTILINE))
        assert highlighted > 0
        assert html.count('<span class="hll">') == highlighted, html_page


def test_markers_stay_comments_with_their_own_class(site: Path) -> None:
    html = read(site / MAKE_RESPONSE_PAGE)
    markdown = read(site / "flask-helpers-make-response-examples.markdown")
    markers = re.findall(r"^## \.\.\. source file .*$", markdown, re.MULTILINE)
    assert len(markers) >= 2
    shown = re.findall(r'<span class="marker"><span class="c1">(## [^<]*)</span>', html)
    assert shown == markers


def test_every_link_is_relative_and_resolves(site: Path) -> None:
    for page in sorted(site.glob("*.html")):
        links = parse(page)
        for link in links.links:
            if re.match(r"[a-z]+:", link):
                assert re.match(r"(https?:|data:,$)", link), f"{page.name}: {link}"
                continue
            assert not link.startswith("/"), f"{page.name}: absolute link {link}"
            target, _, fragment = link.partition("#")
            assert (site / target).is_file() if target else True, f"{page.name}: {link}"
            if fragment:
                assert fragment in parse(site / target if target else page).ids, link


def test_the_page_shows_intro_siblings_and_every_example(site: Path) -> None:
    html = read(site / MAKE_RESPONSE_PAGE)
    assert "<title>flask.helpers make_response Example Code</title>" in html
    assert (
        '<a href="https://github.com/pallets/flask/blob/3.1.3/src/flask/helpers.py#L139">'
        "<code>make_response</code></a>"
    ) in html
    assert "can be\nadded to it; <code>make_response(body, 404)</code> sets the status" in html
    assert "<code>Response</code>" in html
    assert "can also be imported from\n<code>flask</code>,\na shorter path" in html
    assert re.findall(r'<a href="(flask-helpers-[a-z-]+\.html)"><code>', html) == [
        "flask-helpers-flash-examples.html",
        "flask-helpers-url-for-examples.html",
    ]
    headings = re.findall(r"<h2>Example (\d) from ([^<]+)</h2>", html)
    assert sorted(name for _, name in headings) == ["Alpha App", "Gamma Tools", "beta-service"]
    assert [number for number, _ in headings] == ["1", "2", "3"]
    assert "<strong>Gamma Tools / tools / export.py</strong>" in html  # no link, no ./


def test_index_groups_every_page_by_module_with_counts(site: Path) -> None:
    html = read(site / "index.html")
    modules = re.findall(r'<section class="module" id="([^"]+)">', html)
    assert modules == ["flask.app", "flask.globals", "flask.helpers"]
    pages = re.findall(r'<a class="name" href="([^"]+)">', html)
    assert pages == HTML_PAGES
    row = re.search(r'(?s)<li data-name="make_response .*?</li>', html)
    assert row is not None
    # calls in views.py (2), cors.py (1), handlers.py (3) and export.py (1); imports not counted
    assert re.search(r'<span class="count"[^>]*>7 uses · 3 projects</span>', row[0])
    assert '<span class="gist">Turn a view&#39;s return value into a <code>Response</code>' in row[0]
    assert "flask.helpers.make_response_alias flask.make_response\">" in html


def test_a_module_page_lists_its_names_with_their_summary(site: Path) -> None:
    html = read(site / "flask.helpers.html")
    assert re.findall(r'<a class="name" href="([^"]+)">', html) == HTML_PAGES[2:]
    assert "<code>make_response(body, 404)</code>" in html
    assert '<a href="flask.app.html"><code>flask.app</code></a>' in html


def test_project_text_and_source_code_are_escaped(tmp_path: Path) -> None:
    hostile = dataclasses.replace(
        ALPHA,
        blurb='Alpha <script>alert("blurb")</script> & friends.',
        docs="javascript:alert('docs')",
    )
    files = {  # only this file, so that it is the one shown
        "alpha_app/views.py": ALPHA_FILES["alpha_app/views.py"].replace(
            'return "ok"', 'return make_response("<script>alert(1)</script>")'
        ),
    }
    db = build_db(
        projects=[(hostile, files, "LICENSE"), (BETA, BETA_FILES, None), (GAMMA, GAMMA_FILES, None)]
    )
    directory, report = render_site(tmp_path, db, names=[MAKE_RESPONSE])
    assert report.failures == ()
    html = read(directory / MAKE_RESPONSE_PAGE)
    assert "<script>alert" not in html
    assert "Alpha &lt;script&gt;alert(&#34;blurb&#34;)&lt;/script&gt; &amp; friends." in html
    assert "javascript:" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_an_html_partial_can_be_overridden_alone(tmp_path: Path) -> None:
    default, _ = render_site(tmp_path / "default", names=[MAKE_RESPONSE])
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "siblings.html.j2").write_text("<p>{{ page.siblings | length }} siblings</p>\n")
    custom, _ = render_site(tmp_path / "custom", names=[MAKE_RESPONSE], templates=templates)
    before = read(default / MAKE_RESPONSE_PAGE)
    after = read(custom / MAKE_RESPONSE_PAGE)
    siblings = re.search(r'(?s)(<nav class="siblings"[^>]*>\n)(.*?)(</nav>)', before)
    assert siblings is not None
    assert after == before.replace(siblings.group(2), "<p>2 siblings</p>\n")


def test_the_how_it_is_called_block_sits_after_the_intro(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html.j2").write_text(
        '{% extends "miner/page.html.j2" %}\n'
        "{% block how_it_is_called %}<p>SHAPES of {{ page.target.name }}</p>{% endblock %}\n"
    )
    directory, _ = render_site(tmp_path, names=[MAKE_RESPONSE], templates=templates)
    html = read(directory / MAKE_RESPONSE_PAGE)
    assert html.index("</section>") < html.index("<p>SHAPES of make_response</p>")
    assert html.index("<p>SHAPES of make_response</p>") < html.index('<nav class="siblings"')


def test_the_index_lists_the_pages_the_folder_has(tmp_path: Path) -> None:
    directory, report = render_site(tmp_path, names=[MAKE_RESPONSE])  # a fresh folder
    assert [path.name for path in report.pages] == [MAKE_RESPONSE_PAGE]
    index = read(directory / "index.html")
    assert index.count('<a class="name"') == 1 and f'href="{MAKE_RESPONSE_PAGE}"' in index
    render_site(tmp_path)  # every page, then one again: the others are still there and listed
    directory, _ = render_site(tmp_path, names=[MAKE_RESPONSE])
    assert read(directory / "index.html").count('<a class="name"') == len(HTML_PAGES)


def test_a_broken_index_template_costs_only_the_index(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "index.html.j2").write_text("{{ no_such_variable }}\n")
    directory, report = render_site(tmp_path, templates=templates)
    assert report.failures == (
        (str(directory / "index.html"),
         f"{templates / 'index.html.j2'}:1: UndefinedError: 'no_such_variable' is undefined"),
    )
    assert sorted(path.name for path in report.pages) == HTML_PAGES
    assert sorted(path.name for path in report.files) == [n for n in SITE_FILES if n != "index.html"]


def test_an_unknown_format_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="unknown output format 'pdf': choose from markdown, html"):
        render_site(tmp_path, formats=("pdf",))


def test_split_excerpt_finds_highlights_and_markers() -> None:
    text = (
        "# a.py\n\n\n## ... source file abbreviated to get to f examples ...\n\n\n"
        "~~from m import f\nx = 1\n\ny = f()\n\n\n"
        "## ... source file continues with no further f examples...\n\n"
    )
    full = split_excerpt(text)
    assert full.highlighted == (7,)
    assert full.markers == (4, 13)
    assert "~~" not in full.code
    assert full.code.count("\n") == text.count("\n")
    compact = split_excerpt(text, compact=True)
    assert compact.code == (
        "# a.py\n## ... source file abbreviated to get to f examples ...\nfrom m import f\n"
        "x = 1\n\ny = f()\n## ... source file continues with no further f examples..."
    )
    assert compact.highlighted == (3,)
    assert compact.markers == (2, 7)


def test_highlight_excerpt_escapes_and_marks_lines() -> None:
    html = highlight_excerpt("# a.py\n~~x = '<b>&'\ny = 2\n")
    assert html.startswith('<div class="highlight"><pre><span></span><code>')
    assert '<span class="hll"><span class="n">x</span>' in html
    assert "&lt;b&gt;&amp;" in html
    assert "~~" not in html


@pytest.mark.parametrize(
    ("summary", "expected"),
    [
        ("Create a redirect.  Then more.", "Create a redirect."),
        ("Works like\n``has_request_context``. More", "Works like ``has_request_context``."),
        ("Use ``x.y`` here! Or not.", "Use ``x.y`` here!"),
        ("No full stop", "No full stop"),
    ],
)
def test_first_sentence(summary: str, expected: str) -> None:
    assert first_sentence(summary) == expected


def test_html_inline_turns_rest_into_code_and_escapes() -> None:
    text = "Use :func:`~flask.url_for` <here> & ``a < b`` or ` alone."
    assert str(html_inline(text)) == (
        "Use <code>url_for</code> &lt;here&gt; &amp; <code>a &lt; b</code> or ` alone."
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/x", "https://example.org/x"),
        ("HTTP://example.org", "HTTP://example.org"),
        ("javascript:alert(1)", None),
        ("/relative", None),
        (None, None),
    ],
)
def test_web_link_allows_only_http(url: str | None, expected: str | None) -> None:
    assert web_link(url) == expected


def test_cli_renders_both_formats(make_repo, tmp_path: Path) -> None:
    repo = make_repo({"shop/views.py": "from flask import make_response\n\nmake_response('x')\n"})
    projects = tmp_path / "projects.toml"
    projects.write_text(f'[[project]]\nname = "Shop"\nurl = "{repo.url}"\n', encoding="utf-8")
    db, out = str(tmp_path / "miner.db"), tmp_path / "out"
    runner = CliRunner()
    crawled = runner.invoke(
        cli, ["crawl", "--projects", str(projects), "--cache", str(tmp_path / "c"), "--db", db]
    )
    assert crawled.exit_code == 0, crawled.output
    result = runner.invoke(cli, ["render", "--db", db, "--out", str(out), "--format", "both"])
    assert result.exit_code == 0, result.output
    assert f"HTML preview: {out / 'flask' / 'index.html'}" in result.output
    names = sorted(path.name for path in (out / "flask").iterdir())
    assert "flask-helpers-make-response-examples.markdown" in names
    assert MAKE_RESPONSE_PAGE in names
    default = runner.invoke(cli, ["render", "--db", db, "--out", str(tmp_path / "md")])
    assert default.exit_code == 0
    assert not list((tmp_path / "md").rglob("*.html"))


def test_the_index_counts_projects_by_real_uses_and_says_when_a_name_is_only_imported(
    tmp_path: Path,
) -> None:
    db = build_db()
    with db.conn:  # make every use of url_for an import only
        db.execute("DELETE FROM uses WHERE qualname = ? AND kind != 'import'", [URL_FOR])
    directory, report = render_site(tmp_path, db)
    assert report.failures == ()
    row = re.search(r'(?s)<li data-name="url_for .*?</li>', read(directory / "index.html"))
    assert row is not None
    assert '<span class="count" title="the projects only import it">imported only</span>' in row[0]

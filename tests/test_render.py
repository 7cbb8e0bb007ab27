"""Render: golden pages in both excerpt styles, template overrides, names and failures."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest

from miner.model import (
    Checkout,
    FileScan,
    FileStatus,
    MinerError,
    Project,
    SourceFile,
    Target,
    Use,
)
from miner.render import find_page, make_environment, markdown_inline, render_pages
from miner.scan import ScanContext, scan_file
from miner.store import Database, open_db, save_crawl, save_library
from miner.targets import discover

GOLDEN = Path(__file__).parent / "golden"

MAKE_RESPONSE = "flask.helpers.make_response"
FLASH = "flask.helpers.flash"
URL_FOR = "flask.helpers.url_for"
SEND_FILE = "flask.helpers.send_file"
REQUEST = "flask.globals.request"
FLASK = "flask.app.Flask"
#: what the golden database holds uses of: send_file has none
USED = frozenset({MAKE_RESPONSE, FLASH, URL_FOR, REQUEST, FLASK})

TARGETS = [
    Target(
        FLASK,
        "flask.app",
        "Flask",
        "class",
        ("flask.Flask",),
        "The application object: it holds the configuration, the URL rules and the\n"
        "view functions.",
        "flask/app.py",
        109,
    ),
    Target(REQUEST, "flask.globals", "request", "object", ("flask.request",), "", "", 0),
    Target(
        FLASH, "flask.helpers", "flash", "function", ("flask.flash",), "", "flask/helpers.py", 300
    ),
    Target(
        MAKE_RESPONSE,
        "flask.helpers",
        "make_response",
        "function",
        ("flask.make_response", "flask.helpers.make_response_alias"),
        "Turn a view's return value into a :class:`~flask.Response` so headers can be\n"
        "added to it; ``make_response(body, 404)`` sets the status too.",
        "flask/helpers.py",
        139,
    ),
    Target(SEND_FILE, "flask.helpers", "send_file", "function", ("flask.send_file",), "", "", 0),
    Target(URL_FOR, "flask.helpers", "url_for", "function", ("flask.url_for",), "", "", 0),
]

#: the name each target is written as in the fixture sources
WRITTEN = {
    MAKE_RESPONSE: "make_response",
    FLASH: "flash",
    URL_FOR: "url_for",
    SEND_FILE: "send_file",
    REQUEST: "request",
    FLASK: "Flask",
}

ALPHA = Project(
    "Alpha App",
    "https://github.com/example/alpha-app.git",
    docs="https://alpha-app.readthedocs.io/en/latest/",
    pypi="alpha-app",
    blurb="Alpha App publishes team reports as web pages and CSV downloads.\n",
    license="MIT",
    position=1,
)
BETA = Project(
    "beta-service",
    "https://gitlab.com/example/beta-service.git",
    docs="https://beta-service.example.org/docs/",
    position=2,
)
GAMMA = Project(
    "Gamma Tools",
    "/srv/git/gamma-tools",
    pypi="gamma-tools",
    blurb="Gamma Tools turns spreadsheets into small web services.",
    position=3,
)

ALPHA_FILES = {
    # imports make_response only to re-export it: never the chosen file
    "alpha_app/__init__.py": """\
        from flask import Flask, make_response

        app = Flask(__name__)
        """,
    "alpha_app/views.py": '''\
        """Views of the alpha application."""
        import csv
        import io
        import json

        from flask import flash, make_response, redirect, url_for

        from alpha_app import app
        from alpha_app.models import Report, User

        PAGE_SIZE = 20


        class ApiError(Exception):
            status = 400

            def to_response(self):
                body = json.dumps({"error": str(self)})
                return make_response(body, self.status, {"Content-Type": "application/json"})


        def _page_number(args):
            # The page number comes from the query string.
            try:
                return max(1, int(args.get("page", "1")))
            except ValueError:
                return 1


        @app.route("/")
        def index():
            return redirect(url_for("reports"))


        @app.route("/reports")
        def reports():
            found = Report.query.paginate(per_page=PAGE_SIZE)
            return json.dumps([report.to_dict() for report in found.items])


        @app.route("/reports/<int:report_id>")
        def report(report_id):
            found = Report.query.get_or_404(report_id)
            return json.dumps(found.to_dict())


        @app.route("/reports/<int:report_id>/delete", methods=["POST"])
        def delete_report(report_id):
            found = Report.query.get_or_404(report_id)
            found.delete()
            flash("Report deleted.")
            return redirect(url_for("reports"))


        @app.route("/users")
        def users():
            return json.dumps([user.to_dict() for user in User.query.all()])


        @app.route("/users/<int:user_id>")
        def user_profile(user_id):
            user = User.query.get_or_404(user_id)
            return json.dumps(user.to_dict())


        @app.route("/users/<int:user_id>/reports")
        def user_reports(user_id):
            user = User.query.get_or_404(user_id)
            return json.dumps([report.to_dict() for report in user.reports])


        @app.route("/reports/export.csv")
        def export_reports():
            """Send every report as a CSV file."""
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerow(["id", "title", "author"])
            for found in Report.query.order_by(Report.id):
                writer.writerow([found.id, found.title, found.author.name])
            response = make_response(buffer.getvalue())
            response.headers["Content-Type"] = "text/csv"
            response.headers["Content-Disposition"] = "attachment; filename=reports.csv"
            return response


        @app.route("/health")
        def health():
            return "ok"
        ''',
}

BETA_FILES = {
    "beta/cors.py": """\
        from functools import wraps

        from flask import make_response, request


        def allow_origin(origin):
            def decorator(view):
                @wraps(view)
                def wrapped(*args, **kwargs):
                    response = make_response(view(*args, **kwargs))
                    response.headers["Access-Control-Allow-Origin"] = origin
                    return response

                return wrapped

            return decorator


        def is_preflight():
            return request.method == "OPTIONS"
        """,
    "beta/handlers.py": """\
        import logging

        from flask import make_response, request

        log = logging.getLogger(__name__)


        def handle_upload(store):
            if request.content_length is None:
                return make_response("missing body", 411)
            if request.content_length > store.limit:
                log.warning("upload too large: %s bytes", request.content_length)
                return make_response("too large", 413)
            name = store.save(request.stream)
            log.info("stored %s", name)
            response = make_response("", 201)
            response.headers["Location"] = store.url(name)
            return response
        """,
}

GAMMA_FILES = {
    "./tools/export.py": """\
        from flask import make_response, send_file

        FENCE = "````"


        def as_markdown(rows):
            body = "\\n".join(f"| {left} | {right} |" for left, right in rows)
            return make_response(f"{FENCE}\\n{body}\\n{FENCE}\\n", 200)


        def as_download(path):
            return send_file(path, as_attachment=True)
        """,
}

PROJECTS = [
    (ALPHA, ALPHA_FILES, "LICENSE"),
    (BETA, BETA_FILES, "COPYING"),
    (GAMMA, GAMMA_FILES, None),
]


SCAN_CONTEXT = ScanContext.for_library(discover("flask"))


def fixture_uses(source: str, used: Iterable[str]) -> tuple[Use, ...]:
    """The uses of `used` in `source`, found by the real scanner (so they carry usage shapes)."""
    scan = scan_file(SourceFile("fixture.py", "sha", source.encode("utf-8")), SCAN_CONTEXT)
    assert scan.error is None, scan.error
    return tuple(use for use in scan.uses if use.qualname in set(used))


def build_db(
    used: Iterable[str] = USED,
    targets: Iterable[Target] = TARGETS,
    projects: Iterable[tuple[Project, dict[str, str], str | None]] = PROJECTS,
) -> Database:
    """An in-memory database of the fixture library and projects, with uses of `used` only."""
    db = open_db(":memory:")
    save_library(
        db,
        "flask",
        "3.1.3",
        "Flask",
        "https://flask.palletsprojects.com/",
        "https://github.com/pallets/flask/blob/{version}/src/{path}#L{line}",
        targets,
    )
    for number, (project, files, license_path) in enumerate(projects, start=1):
        texts = {f"{project.position}-{path}": dedent(text) for path, text in files.items()}
        scans = [
            FileScan(
                path,
                f"{project.position}-{path}",
                FileStatus.SCANNED,
                lines=dedent(text).count("\n"),
                uses=fixture_uses(dedent(text), used),
            )
            for path, text in files.items()
        ]
        commit = f"{number:x}" * 40
        checkout = Checkout(project, Path("/nowhere"), commit, "main", "2024-05-01", license_path)
        save_crawl(db, checkout, scans, texts, "2024-05-02T00:00:00", "2024-05-02T00:01:00")
    return db


def render(
    tmp_path: Path, db: Database | None = None, **options: Any
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Render into a fresh directory; returns {file name: text} and the failures."""
    out = Path(tempfile.mkdtemp(dir=tmp_path))
    options.setdefault("intros", tmp_path / "no-intros")
    report = render_pages(db or build_db(), out, **options)
    pages = {path.name: path.read_bytes().decode("utf-8") for path in report.pages}
    assert sorted(p.relative_to(out).parent for p in report.pages) == [Path("flask")] * len(pages)
    return pages, list(report.failures)


def check_golden(actual: str, name: str, update: bool) -> None:
    """Compare `actual` byte for byte with tests/golden/`name`, or rewrite it."""
    path = GOLDEN / name
    if update:
        GOLDEN.mkdir(exist_ok=True)
        path.write_bytes(actual.encode("utf-8"))
        return
    assert path.exists(), f"{path} is missing: run pytest --update-golden and review the diff"
    assert actual == path.read_bytes().decode("utf-8")


@pytest.mark.parametrize("style", ["focused", "fsp"])
def test_golden_page(tmp_path: Path, style: str, update_golden: bool) -> None:
    pages, failures = render(tmp_path, style=style)
    assert failures == []
    assert sorted(pages) == [
        "flask-app-flask-examples.markdown",
        "flask-globals-request-examples.markdown",
        "flask-helpers-flash-examples.markdown",
        "flask-helpers-make-response-examples.markdown",
        "flask-helpers-url-for-examples.markdown",
    ]
    check_golden(
        pages["flask-helpers-make-response-examples.markdown"],
        f"flask-helpers-make-response.{style}.markdown",
        update_golden,
    )


def test_sortorder_counts_pages_with_uses_and_ignores_the_names_filter(tmp_path: Path) -> None:
    pages, _ = render(tmp_path, names=[MAKE_RESPONSE], sortorder_prefix="12345")
    assert list(pages) == ["flask-helpers-make-response-examples.markdown"]
    assert "\nsortorder: 123450004\n" in pages["flask-helpers-make-response-examples.markdown"]
    pages, _ = render(tmp_path)
    assert "\nsortorder: 500000001\n" in pages["flask-app-flask-examples.markdown"]


def test_a_sortorder_prefix_must_leave_room(tmp_path: Path) -> None:
    with pytest.raises(MinerError, match="sortorder prefix '123456789' leaves no room"):
        render(tmp_path, sortorder_prefix="123456789")


SIBLINGS_1 = """\
<a href="/flask-helpers-flash-examples.html">flash</a>
is another name from `flask.helpers` with its own page of examples.
"""
SIBLINGS_2 = """\
<a href="/flask-helpers-flash-examples.html">flash</a>
and <a href="/flask-helpers-url-for-examples.html">url_for</a>
are other names from `flask.helpers` with their own pages of examples.
"""
SIBLINGS_3 = """\
<a href="/flask-helpers-flash-examples.html">flash</a>,
<a href="/flask-helpers-send-file-examples.html">send_file</a>,
and <a href="/flask-helpers-url-for-examples.html">url_for</a>
are other names from `flask.helpers` with their own pages of examples.
"""


@pytest.mark.parametrize(
    ("used", "expected"),
    [
        ({MAKE_RESPONSE, FLASH}, SIBLINGS_1),
        ({MAKE_RESPONSE, FLASH, URL_FOR}, SIBLINGS_2),
        ({MAKE_RESPONSE, FLASH, URL_FOR, SEND_FILE}, SIBLINGS_3),
    ],
)
def test_siblings_sentence(tmp_path: Path, used: set[str], expected: str) -> None:
    pages, _ = render(tmp_path, build_db(used))
    page = pages["flask-helpers-make-response-examples.markdown"]
    assert f"\n\n{expected}\n## Example 1 from " in page


def test_no_siblings_no_sentence(tmp_path: Path) -> None:
    pages, _ = render(tmp_path, build_db({MAKE_RESPONSE, REQUEST}))
    page = pages["flask-helpers-make-response-examples.markdown"]
    assert "<a href" not in page
    assert re.search(
        r"the examples below may use either\.\n\nHow the projects in this corpus call "
        r"`make_response`: the forms that the most projects write come first, then the most "
        r"used\.\n\n(\* `.+`: \d+ uses? in \d projects?\n)+\nIn these forms .+\n\n"
        r"## Example 1 from ",
        page,
    )


def test_names_may_be_aliases(tmp_path: Path) -> None:
    pages, _ = render(tmp_path, names=["flask.make_response", "flask.request"])
    assert sorted(pages) == [
        "flask-globals-request-examples.markdown",
        "flask-helpers-make-response-examples.markdown",
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("flask.nope", "no page for 'flask.nope': give a page slug such as"),
        ("flask.send_file", "no page for flask.send_file: it has no uses in the database"),
    ],
)
def test_unknown_name(tmp_path: Path, name: str, message: str) -> None:
    with pytest.raises(MinerError, match=re.escape(message)):
        render(tmp_path, names=[name])


def test_a_hand_written_intro_replaces_the_generated_one(tmp_path: Path) -> None:
    intros = tmp_path / "intros"
    intros.mkdir()
    (intros / "flask-helpers-make-response.markdown").write_text("Hand-written intro.\n\n")
    pages, _ = render(tmp_path, names=[MAKE_RESPONSE], intros=intros)
    page = pages["flask-helpers-make-response-examples.markdown"]
    assert "\n\n\nHand-written intro.\n\nHow the projects in this corpus call" in page
    assert "can also be imported" not in page


@pytest.fixture
def default_page(tmp_path: Path) -> str:
    """The make_response page rendered with the bundled templates only."""
    pages, _ = render(tmp_path, names=[MAKE_RESPONSE])
    return pages["flask-helpers-make-response-examples.markdown"]


def test_overriding_one_partial_changes_only_that_part(tmp_path: Path, default_page: str) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "siblings.markdown.j2").write_text("Siblings: {{ page.siblings | length }}.\n")
    pages, _ = render(tmp_path, names=[MAKE_RESPONSE], templates=templates)
    assert pages["flask-helpers-make-response-examples.markdown"] == default_page.replace(
        SIBLINGS_2, "Siblings: 2.\n"
    )


def test_an_override_can_extend_the_bundled_page(tmp_path: Path, default_page: str) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.markdown.j2").write_text(
        '{% extends "miner/page.markdown.j2" %}\n{% block siblings %}{% endblock %}\n'
    )
    pages, _ = render(tmp_path, names=[MAKE_RESPONSE], templates=templates)
    assert pages["flask-helpers-make-response-examples.markdown"] == default_page.replace(
        SIBLINGS_2 + "\n", ""
    )


def test_a_missing_template_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(MinerError, match=r"^template directory .*missing does not exist: pass"):
        make_environment(tmp_path / "missing")


def test_a_broken_page_template_is_an_error(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.markdown.j2").write_text("{% if %}\n")
    with pytest.raises(MinerError, match=r"^template page.markdown.j2 cannot be loaded: "):
        render(tmp_path, templates=templates)


def test_one_broken_page_does_not_stop_the_others(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "example.markdown.j2").write_text(
        '{% if "send_file" in example.excerpt.text %}{{ no_such_variable }}{% endif %}\n'
        '{% include "miner/example.markdown.j2" %}'
    )
    db = build_db({MAKE_RESPONSE, FLASH, SEND_FILE})
    pages, failures = render(tmp_path, db, templates=templates)
    assert sorted(pages) == ["flask-helpers-flash-examples.markdown"]
    where = templates / "example.markdown.j2"
    assert failures == [
        (MAKE_RESPONSE, f"{where}:1: UndefinedError: 'no_such_variable' is undefined"),
        (SEND_FILE, f"{where}:1: UndefinedError: 'no_such_variable' is undefined"),
    ]


def test_two_names_with_one_slug_never_share_a_file(tmp_path: Path) -> None:
    twin = Target("flask.helpers.Make_Response", "flask.helpers", "Make_Response", "class")
    db = build_db({MAKE_RESPONSE})
    save_library(db, "flask", "3.1.3", "Flask", None, "{path}", [*TARGETS, twin])
    db["uses"].insert({**next(db["uses"].rows), "id": None, "qualname": twin.qualname})
    pages, failures = render(tmp_path, db)
    assert failures == []
    # the name with more uses keeps the slug (django.conf.settings, not the Settings class)
    assert sorted(pages) == [
        "flask-helpers-make-response-2-examples.markdown",
        "flask-helpers-make-response-examples.markdown",
    ]
    assert (
        "sidebartitle: flask.helpers Make_Response\n"
        in pages["flask-helpers-make-response-2-examples.markdown"]
    )
    assert (
        "slug: flask-helpers-make-response-2-examples\n"
        in pages["flask-helpers-make-response-2-examples.markdown"]
    )
    assert (
        '<a href="/flask-helpers-make-response-2-examples.html">Make_Response</a>'
        in pages["flask-helpers-make-response-examples.markdown"]
    )
    # explain finds each by its own slug and names that slug, not the plain one
    _library, found, slug = find_page(db, "flask-helpers-make-response-2-examples")
    assert (found.qualname, slug) == (twin.qualname, "flask-helpers-make-response-2-examples")
    assert find_page(db, "flask.helpers.make_response")[2] == (
        "flask-helpers-make-response-examples"
    )


def test_an_unknown_style_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(MinerError, match="unknown excerpt style 'wide': choose one of"):
        render(tmp_path, style="wide")


def test_markdown_inline_turns_rest_into_code_spans() -> None:
    text = "Use :func:`~flask.url_for`, :meth:`Flask.run <flask.Flask.run>` and ``x == 1``."
    assert markdown_inline(text) == "Use `url_for`, `Flask.run` and `x == 1`."


def test_the_bundled_intros_replace_the_generated_one(tmp_path: Path) -> None:
    pages, failures = render(tmp_path, names=[REQUEST], intros=None)  # None: data/intros
    assert failures == []
    page = pages["flask-globals-request-examples.markdown"]
    assert "is an object in the `flask.globals` module" in page
    assert "a proxy to the `Request` being handled right now" in page
    assert "docstring" not in page


def test_a_page_whose_only_uses_cannot_work_says_there_is_no_example(tmp_path: Path) -> None:
    """ShortMe's render_template(url_for(...)) is a use no reader should copy, and no import."""
    broken = {"app.py": 'from flask import url_for\n\n\ndef setup():\n    return render_template(url_for("index"))\n'}
    pages, _ = render(tmp_path, build_db({URL_FOR}, projects=[(ALPHA, broken, None)]))
    page = pages["flask-helpers-url-for-examples.markdown"]
    assert "## Example" not in page and "How the projects in this corpus call" not in page
    assert page.endswith(
        "No project in this corpus has a use of `url_for` worth showing: only imports, code\n"
        "that never runs, or calls that cannot work. So there is no example to show yet.\n"
    )

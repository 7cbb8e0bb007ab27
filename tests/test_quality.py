"""Examples a reader would pick: each defect class seen on a real corpus, on a small fixture."""

from __future__ import annotations

import textwrap

import pytest

from miner.model import SourceFile, UseKind
from miner.scan import ScanContext, scan_file
from miner.targets import discover


@pytest.fixture(scope="module")
def context():
    return ScanContext.for_library(discover("flask"))


def shapes(context, text: str, qualname: str) -> list[str]:
    scan = scan_file(SourceFile("app.py", "sha", textwrap.dedent(text).encode()), context)
    return [u.shape for u in scan.uses if u.qualname == qualname and u.kind is not UseKind.IMPORT]


def test_a_name_passed_as_an_argument_keeps_its_place_in_the_call(context):
    found = shapes(context, """\
        from flask import g
        user = getattr(g, "user", None)
        """, "flask.globals.g")
    assert found == ["getattr(g, str, None)"]


def test_flags_and_none_stay_as_written_in_a_shape(context):
    found = shapes(context, """\
        from flask import url_for
        link = url_for("index", _external=True, page=3)
        """, "flask.helpers.url_for")
    assert found == ["url_for(str, _external=True, page=int)"]


# --- fixtures: small projects written for these tests ------------------------------------------

from miner import misuse as misuses  # noqa: E402
from miner import outline, rank  # noqa: E402
from miner.excerpt import ABBREVIATED, unreachable_lines  # noqa: E402
from miner.model import Project  # noqa: E402
from miner.rank import Candidate, classify_path, select  # noqa: E402
from miner.store import FileCandidate  # noqa: E402

MARKER = ABBREVIATED.format(name="url_for")


def file_of(context, path: str, text: str, project: str = "Shop") -> FileCandidate:
    text = textwrap.dedent(text)
    scan = scan_file(SourceFile(path, "sha", text.encode()), context)
    return FileCandidate(Project(project, f"https://example.org/{project}"), "c0ffee", None,
                         path, text, scan.uses)


def excerpt_of(context, text: str, qualname: str = "flask.helpers.url_for", path: str = "app.py"):
    return rank.file_excerpt(file_of(context, path, text), qualname, "focused")


def highlighted_text(excerpt) -> list[str]:
    return [line[2:].strip() for line in excerpt.text.split("\n") if line.startswith("~~")]


DEAD = """\
    from flask import redirect, url_for


    def invite():
        return "sent"
        return redirect(url_for("home"))
    """


def test_uses_after_a_return_are_dead_code_never_highlighted_nor_counted(context):
    assert unreachable_lines(outline.of_text(textwrap.dedent(DEAD))) == frozenset({6})
    excerpt = excerpt_of(context, DEAD)
    assert highlighted_text(excerpt) == ["from flask import redirect, url_for"]
    assert rank.real_uses(file_of(context, "app.py", DEAD), "flask.helpers.url_for") == []


def test_a_file_whose_only_uses_are_dead_or_misused_is_never_an_example(context):
    misuse = file_of(context, "b.py", """\
        from flask import render_template, url_for


        def broken():
            return render_template(url_for("missing"))
        """, project="B")
    dead = file_of(context, "a.py", DEAD, project="A")
    good = file_of(context, "c.py", """\
        from flask import url_for


        def link():
            return url_for("home")
        """, project="C")
    usage = rank.usage_of([misuse, dead, good], "flask.helpers.url_for")
    candidates = [
        Candidate(f.project.name, 0, f.path, rank.score_file(f, "flask.helpers.url_for", usage, "flask"))
        for f in (misuse, dead, good)
    ]
    decisions = select(candidates)
    assert [d.candidate.project for d in decisions if d.chosen] == ["C"]
    assert {d.candidate.project: d.reason for d in decisions if not d.chosen} == {
        "A": rank._NO_USE, "B": rank._NO_USE,
    }


@pytest.mark.parametrize(
    ("qualname", "code", "reason"),
    [
        # ShortMe's setup view: a URL is no template name
        ("flask.helpers.url_for", 'return render_template(url_for("index"))',
         "url_for(...) gives a URL, which render_template cannot take"),
        ("flask.templating.render_template", 'return redirect(render_template("done.html"))',
         "render_template(...) gives a rendered page, which redirect cannot take"),
        ("flask.json.jsonify", "return redirect(jsonify(ok=True))",
         "jsonify(...) gives a response, which redirect cannot take"),
        ("flask.helpers.url_for", 'abort(url_for("login"))',
         "url_for(...) gives a URL, which abort cannot take"),
        ("flask.helpers.abort", 'abort("Not found")',
         "a string is no status code: abort raises LookupError"),
        # flask-base's account view meant abort(404)
        ("flask.helpers.redirect", "return redirect(404)",
         "a status code is no URL: the browser is sent to a page named after it"),
        ("flask.json.jsonify", 'return jsonify(items, status="ok")',
         "jsonify takes either positional or keyword arguments: both raise TypeError"),
    ],
)
def test_calls_that_cannot_work_are_no_uses(context, qualname, code, reason):
    text = f"""\
        from flask import abort, jsonify, redirect, render_template, url_for


        def view(items):
            {code}
        """
    file = file_of(context, "views.py", text)
    (use,) = [u for u in file.uses if u.qualname == qualname and u.kind is not UseKind.IMPORT]
    assert misuses.misuse(use) == reason
    assert rank.real_uses(file, qualname) == []


@pytest.mark.parametrize(
    ("qualname", "code"),
    [
        ("flask.helpers.url_for", 'return redirect(url_for("index"))'),
        ("flask.json.jsonify", "return make_response(jsonify(items), 201)"),
        ("flask.helpers.redirect", 'abort(redirect("/login"))'),  # abort takes a response
        ("flask.helpers.abort", 'abort(404, "Not found")'),
        ("flask.helpers.abort", "abort(code)"),
        ("flask.json.jsonify", 'return jsonify(url_for("index"))'),
        ("flask.json.jsonify", "return jsonify(items=items, total=len(items))"),
    ],
)
def test_calls_that_work_are_real_uses(context, qualname, code):
    text = f"""\
        from flask import abort, jsonify, make_response, redirect, render_template, url_for


        def view(items, code):
            {code}
        """
    file = file_of(context, "views.py", text)
    assert [misuses.misuse(u) for u in rank.real_uses(file, qualname)] == [""]


def test_a_use_inside_a_very_long_statement_is_shown_by_its_element(context):
    routes = "".join(f'    ("/page{i}", "page{i}"),\n' for i in range(40))
    text = (
        "from flask import url_for\n\n"
        f"ROUTES = [\n{routes}"
        '    ("/home", url_for("home")),\n'
        f"{routes}]\n"
    )
    excerpt = excerpt_of(context, text)
    lines = excerpt.text.split("\n")
    assert '~~    ("/home", url_for("home")),' in lines
    assert "ROUTES = [" in lines and "]" in lines  # the statement's opening and closing
    assert excerpt.text.count(MARKER) == 2  # the elements before and after, left out
    assert excerpt.text.count("\n") < 20


def test_every_library_name_the_shown_code_reads_has_its_import_shown(context):
    prelude = "".join(f"import module_{i}\n" for i in range(30))  # too long to show whole
    text = prelude + textwrap.dedent("""\
        from flask import json, url_for


        def link(data):
            return url_for("api", payload=json.dumps(data))
        """)
    excerpt = excerpt_of(context, text)
    assert "~~from flask import json, url_for" in excerpt.text.split("\n")
    assert "import module_0" not in excerpt.text


def test_an_import_chosen_by_an_if_shows_the_whole_block(context):
    text = "".join(f"import module_{i}\n" for i in range(30)) + textwrap.dedent("""\
        if QUART:
            from quart import url_for
        else:
            from flask import url_for


        def link():
            return url_for("home")
        """)
    excerpt = excerpt_of(context, text)
    assert "if QUART:\n    from quart import url_for\nelse:\n~~    from flask import url_for\n" in (
        excerpt.text
    )


def test_a_factory_passed_to_the_call_is_shown_with_it(context):
    middle = "".join(f"def helper_{i}():\n    return {i}\n\n\n" for i in range(30))
    text = textwrap.dedent("""\
        from flask.cli import FlaskGroup


        def create_app():
            return make_app("config.py")


        """) + middle + "cli = FlaskGroup(create_app=create_app)\n"
    excerpt = excerpt_of(context, text, "flask.cli.FlaskGroup")
    assert "def create_app():\n    return make_app(\"config.py\")\n" in excerpt.text
    assert "helper_3" not in excerpt.text
    assert "~~cli = FlaskGroup(create_app=create_app)" in excerpt.text


def test_a_long_docstring_left_out_is_marked_and_a_short_one_and_comments_are_kept(context):
    text = textwrap.dedent('''\
        from flask import url_for


        def link():
            """Build the link.

            A long explanation
            that goes on
            and on.
            """
            # the home page
            target = "home"
            return url_for(target)


        def short():
            """One line."""
            return url_for("x")
        ''')
    excerpt = excerpt_of(context, text)
    assert "def link():\n\n\n" + MARKER + "\n\n\n    # the home page\n" in excerpt.text
    assert '    """One line."""\n' in excerpt.text
    assert "A long explanation" not in excerpt.text


def test_the_pinned_link_covers_the_block_of_the_first_use_only(context):
    text = "from flask import url_for\n\n\n" + "".join(
        f"def view_{i}():\n    return url_for('v{i}')\n\n\n" for i in range(3)
    )
    spaced = text.replace("def view_0", "x = 1\ny = 2\nz = 3\nw = 4\n\n\ndef view_0")
    excerpt = excerpt_of(context, spaced)
    assert excerpt.segments[0] == (1, 1)  # the import
    assert excerpt.anchor == (10, 19)  # the views from the first one, not the import


@pytest.mark.parametrize(("path", "head", "label"), [
    ("app/models.py", b'"""SQL generated by SQLAlchemy is logged."""\n', "application"),
    ("app/models.py", b"# Code generated by protoc. DO NOT EDIT.\n", "generated"),
    ("example_app/app.py", b"", "example"),
    ("example_apps/blog/app.py", b"", "example"),
    ("sample_app2/app.py", b"", "example"),
    ("samples/app.py", b"", "example"),
    ("exampleshop/app.py", b"", "application"),
])
def test_source_labels_come_from_what_paths_and_headers_mean(path, head, label):
    assert classify_path(path, head) == label


def test_files_written_for_a_removed_or_misspelled_api_are_never_examples():
    modules = {"flask.app", "flask.helpers", "flask.json"}
    old = "from flask.ext.admin import Admin\nfrom flask import url_for\n"
    assert rank.outdated_reason(old, "flask", modules, ()) == (
        "written for another flask: it uses flask.ext, which the analysed flask lacks"
    )
    assert rank.outdated_reason("import flask\nfrom flask.json import dumps\n", "flask", modules,
                                ()) == ""
    assert rank.outdated_reason("x = 1\n", "flask", modules, ["flask.Markup"]).endswith(
        "it uses flask.Markup, which the analysed flask lacks"
    )
    score = rank.Score(1, 1, 1, 1, 1, 1, 1.0, 5, 5, "application", ("url_for(str)",), "h")
    lost = select([Candidate("Old", 0, "a.py", score, outdated="written for another flask")])
    assert [(d.chosen, d.reason) for d in lost] == [(False, "written for another flask")]


@pytest.mark.parametrize(
    ("call", "reason"),
    [
        # CTFd's export view: attachment_filename= became download_name= (removed in Flask 2.2)
        ('send_file(data, as_attachment=True, attachment_filename="ctf.zip")',
         "it passes attachment_filename= to send_file, which the analysed send_file does not take"),
        # trape's upload view: filename= became path= (send_from_directory takes **kwargs)
        ("send_from_directory(directory=uploads, filename=name)",
         "it calls send_from_directory without path, which the analysed send_from_directory requires"),
    ],
)
def test_a_call_the_analysed_signature_refuses_is_written_for_another_version(context, call, reason):
    from miner.targets import discover

    targets = {t.qualname: t for t in discover("flask").targets}
    text = f"""\
        from flask import send_file, send_from_directory


        def export(data, uploads, name):
            return {call}
        """
    file = file_of(context, "exports.py", text)
    assert rank.outdated_reason(file.text, "flask", set(), (), file.uses, targets) == (
        f"written for another flask: {reason}"
    )
    for fixed in ('send_file(data, as_attachment=True, download_name="ctf.zip")',
                  "send_from_directory(uploads, name)", "send_from_directory(uploads, path=name)",
                  "send_file(*args, **options)"):
        current = file_of(context, "exports.py", text.replace(call, fixed))
        assert rank.outdated_reason(current.text, "flask", set(), (), current.uses, targets) == ""


def test_typicality_is_measured_against_the_commonest_form(context):
    file = file_of(context, "app.py", """\
        from flask import url_for


        def link():
            return url_for("home")
        """)
    common = rank.score_file(file, "flask.helpers.url_for", rank.Usage({"url_for(str)": 10, "x": 10}, {}), "flask")
    rare = rank.score_file(file, "flask.helpers.url_for", rank.Usage({"url_for(str)": 2, "x": 10}, {}), "flask")
    assert (common.typicality, rare.typicality) == (1.0, 0.2)


def test_keywords_are_variety_and_module_level_is_a_place_of_its_own():
    assert rank.skeleton("Flask(value, static_folder=str, **kwargs)") == "Flask(value)"
    assert rank.skeleton("make_response(jsonify(...), int)") == "make_response(value, int)"
    assert rank.skeleton("Response(dumps(...), status=int)") == "Response(value)"
    assert rank.skeleton("request.args.get(...)") == "request.args.get(...)"
    assert rank.skeleton("@bp.route(str, methods=list)") == "@bp.route(str)"


FORM_VIEW = """\
    from flask import request


    def new():
        if request.method == "POST":
            return request.form["title"]
        return ""
    """
ODD_READ = """\
    from flask import request


    def is_submitted():
        return "submitted" in request.form
    """
LAMBDAS = """\
    from flask import request

    ARGS = {"form": lambda: request.form, "json": lambda: request.get_json()}
    """


def test_the_pattern_many_projects_write_is_the_typical_use(context):
    """Request's form view (request.method with request.form, in one function, in most projects)
    is more typical than a lone request.form, and a module-level table of lambdas is rare."""
    name = "flask.globals.request"
    corpus = [file_of(context, "views.py", FORM_VIEW, project=p) for p in "ABCD"]
    corpus += [file_of(context, "odd.py", ODD_READ, project=p) for p in "EF"]
    corpus.append(file_of(context, "api.py", LAMBDAS, project="G"))
    usage = rank.usage_of(corpus, name)
    assert usage.forms == {"request.method": 4, "request.form": 6,
                           "request.form at module level": 1, "request.get_json() at module level": 1}
    assert usage.pairs == {frozenset({"request.method", "request.form"}): 4}
    scores = {f.project.name: rank.score_file(f, name, usage, "flask") for f in (corpus[0], corpus[4], corpus[6])}
    # the pattern weighs 0.5 (4 of 6 projects, at most half): 0.5 * 1 + 0.5 * 4/4
    assert scores["A"].typicality == 1.0
    assert scores["E"].typicality == 0.5  # 0.5 * 6/6 + 0.5 * 0
    assert scores["G"].typicality == pytest.approx(0.5 / 6, abs=1e-4)
    assert scores["G"].shapes == ("request.form at module level", "request.get_json() at module level")


def test_how_it_is_called_names_the_keyword_arguments_and_drops_bare_mentions():
    rows = [
        ("A", "url_for(str)"), ("B", "url_for(str)"), ("A", "url_for(str, _external=True)"),
        ("C", "url_for(str, _external=True, page=int)"), ("C", "url_for"),
        ("D", "g"), ("D", "getattr(g, str, None)"),
    ]
    assert rank.shape_summary(rows) == [
        ("url_for(str)", 2, 2), ("getattr(g, str, None)", 1, 1),
        ("url_for(str, _external=True)", 1, 1), ("url_for(str, _external=True, page=int)", 1, 1),
    ]
    assert rank.keyword_summary(rows) == [("_external=True", 2, 2), ("page=", 1, 1)]


def test_typicality_counts_projects_so_one_large_project_cannot_outweigh_many(context):
    huge = file_of(context, "v.py", "from flask import request\n" + "x = request.path\n" * 50, "Huge")
    small = [file_of(context, "v.py", "from flask import request\nx = request.form\n", p) for p in "ABC"]
    usage = rank.usage_of([huge, *small], "flask.globals.request")
    assert usage.forms == {"request.form at module level": 3, "request.path at module level": 1}


def test_a_module_level_object_is_shown_with_its_first_use(context):
    text = textwrap.dedent("""\
        from flask import Blueprint

        bp = Blueprint("shop", __name__, url_prefix="/shop")
        LIMIT = 1
        OTHER = 2
        MORE = 3
        EVEN_MORE = 4


        @bp.route("/")
        def index():
            return "shop"
        """)
    excerpt = excerpt_of(context, text, "flask.blueprints.Blueprint")
    assert excerpt.text.endswith('@bp.route("/")\ndef index():\n    return "shop"\n')
    assert "LIMIT" not in excerpt.text


def test_a_blurb_ends_its_sentence_before_the_next_one():
    from miner.render import full_stop

    assert full_stop("CTFs as you need them ") == "CTFs as you need them."
    assert full_stop("A forum (in Python).") == "A forum (in Python)."
    assert full_stop("Really?") == "Really?"

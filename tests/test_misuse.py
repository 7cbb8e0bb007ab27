"""Misuse rules are each library's data: loaded from data/misuse/, checked, applied by library."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from miner import misuse as misuses
from miner import rank
from miner.misuse import RulesError, load_rules, rules_of
from miner.model import MinerError, Project, SourceFile, UseKind
from miner.scan import ScanContext, scan_file
from miner.store import FileCandidate, open_db, save_project_list, shape_rows
from miner.targets import discover

LIBRARIES = ("flask", "django", "sqlalchemy")


@pytest.fixture(scope="module")
def contexts() -> dict[str, ScanContext]:
    return {name: ScanContext.for_library(discover(name)) for name in LIBRARIES}


def judged(context: ScanContext, code: str, qualname: str) -> tuple[list[str], list[int]]:
    """The misuse reason of each use of `qualname` in `code`, and the lines of its real uses."""
    text = textwrap.dedent(code)
    scan = scan_file(SourceFile("views.py", "sha", text.encode()), context)
    file = FileCandidate(Project("Shop", "https://example.org/shop"), "c0ffee", None, "views.py",
                         text, scan.uses)
    reasons = [misuses.misuse(u) for u in scan.uses if u.qualname == qualname and u.kind is not UseKind.IMPORT]
    return reasons, [use.line for use in rank.real_uses(file, qualname)]


# --- the rules are data, one file per library -------------------------------------------------


def test_each_library_profile_names_its_rules_and_they_load() -> None:
    flask, django, sqlalchemy = (rules_of(name) for name in LIBRARIES)
    assert flask.calls["flask.helpers.url_for"].returns == "URL"
    assert flask.receivers["redirect"] == {"URL"}
    assert flask.calls["flask.helpers.abort"].literals["str"].endswith("abort raises LookupError")
    assert django.calls["django.shortcuts.render"].returns == "response"
    assert django.receivers["HttpResponseRedirect"] == {"URL"}
    assert django.calls["django.http.response.JsonResponse"].unless_keywords == {"safe"}
    assert set(sqlalchemy.calls["sqlalchemy.sql.select"].literals) == {"list", "tuple"}
    assert rules_of("fakelib") == misuses.Rules()  # no profile: no rules, no misuses


@pytest.mark.parametrize("library", LIBRARIES)
def test_every_rule_names_a_target_of_the_analysed_library(library: str) -> None:
    """A misspelt or moved qualname would silently never fire."""
    known = {target.qualname for target in discover(library).targets}
    assert set(rules_of(library).calls) - known == set()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[calls."flask.helpers.abort"\n', "flask.toml: "),
        ('[kinds]\nURL = "a URL"\n[calls."flask.helpers.url_for"]\nreturns = "url"\n',
         "'url' is no kind listed in [kinds]"),
        ('[calls."django.shortcuts.redirect"]\ntakes = []\n', "not a name of flask"),
        ('[calls."flask.helpers.abort"]\nliteral.str = "no"\n', "unknown field literal"),
        ('[calls."flask.helpers.abort"]\nliterals.string = "no"\n', "'string' is no literal kind"),
        ('[calls."flask.helpers.abort"]\nunless_keywords = "code"\n', "unless_keywords must be"),
        ('[call."flask.helpers.abort"]\n', "unknown table [call]"),
        ('[kinds]\nURL = "a URL"\n[calls."flask.helpers.redirect"]\ntakes = ["URL"]\n'
         '[calls."flask.wrappers.redirect"]\ntakes = []\n', "a second takes for calls written redirect"),
    ],
)
def test_a_malformed_rules_file_is_one_line_naming_it(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "flask.toml"
    path.write_text(text)
    with pytest.raises(RulesError) as raised:
        load_rules(path, "flask")
    message = str(raised.value)
    assert isinstance(raised.value, MinerError)
    assert message.startswith(f"{path}: ") and problem in message and "\n" not in message
    assert message.endswith("(fix the misuse rules: docs/ranking.md describes their format)")


def test_a_missing_rules_file_is_one_line_naming_it(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match=r"missing\.toml: No such file or directory \(fix"):
        load_rules(tmp_path / "missing.toml", "flask")


# --- rules applied by the use's own library -------------------------------------------------------

DJANGO_VIEW = """\
    from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
    from django.shortcuts import get_object_or_404, redirect, render
    from django.template.loader import render_to_string
    from django.urls import reverse


    def view(request, items):
        {code}
    """


@pytest.mark.parametrize(
    ("qualname", "code", "reason"),
    [
        ("django.shortcuts.render", 'return redirect(render(request, "done.html"))',
         "render(...) gives a response, which redirect cannot take"),
        ("django.template.loader.render_to_string",
         'return HttpResponseRedirect(render_to_string("done.html"))',
         "render_to_string(...) gives a rendered page, which HttpResponseRedirect cannot take"),
        ("django.shortcuts.redirect", "return redirect(404)",
         "a status code is no URL: redirect raises TypeError"),
        ("django.http.response.JsonResponse", "return JsonResponse([1, 2])",
         "JsonResponse takes a dict unless safe=False: a list raises TypeError"),
        ("django.shortcuts.get_object_or_404", 'return get_object_or_404("shop.Item", pk=1)',
         "get_object_or_404 takes a model, manager or queryset: a string raises ValueError"),
    ],
)
def test_a_django_call_that_cannot_work_is_no_use(contexts, qualname: str, code: str, reason: str) -> None:
    reasons, real = judged(contexts["django"], DJANGO_VIEW.format(code=code), qualname)
    assert (reasons, real) == ([reason], [])


@pytest.mark.parametrize(
    ("qualname", "code"),
    [
        ("django.urls.base.reverse", 'return redirect(reverse("home"))'),
        ("django.urls.base.reverse", 'return HttpResponseRedirect(reverse("home"))'),
        ("django.template.loader.render_to_string", 'return HttpResponse(render_to_string("a.html"))'),
        ("django.shortcuts.redirect", 'return redirect("article", pk=1)'),
        ("django.http.response.JsonResponse", "return JsonResponse([1, 2], safe=False)"),
        ("django.http.response.JsonResponse", "return JsonResponse({}, status=201)"),
        # a project's own helper named like a Flask name is judged by no one's rules
        ("django.urls.base.reverse", 'return render_template(reverse("home"))'),
    ],
)
def test_a_django_call_that_works_is_a_use(contexts, qualname: str, code: str) -> None:
    assert judged(contexts["django"], DJANGO_VIEW.format(code=code), qualname) == ([""], [8])


def test_the_same_calls_with_flask_names_are_judged_by_flasks_rules_only(contexts) -> None:
    flask = contexts["flask"]
    bad_redirect = judged(flask, """\
        from flask import redirect
        def view():
            return redirect(404)
        """, "flask.helpers.redirect")
    assert bad_redirect == (["a status code is no URL: the browser is sent to a page named after it"], [])
    # Django's HttpResponseRedirect takes no page; a Flask project's helper of that name is its own
    page_to_helper = judged(flask, """\
        from flask import render_template
        def view():
            return HttpResponseRedirect(render_template("done.html"))
        """, "flask.templating.render_template")
    assert page_to_helper == ([""], [3])


@pytest.mark.parametrize(
    ("qualname", "code", "reason"),
    [
        ("sqlalchemy.sql.exists", "exists([1])",
         "exists([...]) is SQLAlchemy 1.x: 2.0 takes the columns as separate arguments (ArgumentError)"),
        ("sqlalchemy.sql.case", 'case([(users.c.id == 1, "one")])',
         "case([...]) is SQLAlchemy 1.x: 2.0 takes the whens as separate arguments (ArgumentError)"),
        ("sqlalchemy.sql.and_", "and_([users.c.id == 1, users.c.name == name])",
         "and_ takes the conditions as separate arguments: a list raises ArgumentError (write and_(*conditions))"),
        ("sqlalchemy.sql.insert", 'insert("users")',
         "a table name is no table: insert raises ArgumentError (pass the Table or the mapped class)"),
    ],
)
def test_a_sqlalchemy_call_that_cannot_work_under_2x_is_no_use(contexts, qualname, code, reason) -> None:
    text = f"""\
        from sqlalchemy import and_, case, exists, insert


        def query(users, name):
            return {code}
        """
    assert judged(contexts["sqlalchemy"], text, qualname) == ([reason], [])


def test_sqlalchemy_1x_select_is_no_use_and_2x_select_is(contexts) -> None:
    code = """\
        from sqlalchemy import select


        def query(users):
            old = select([users.c.id])
            new = select(users.c.id)
            return old, new
        """
    reasons, real = judged(contexts["sqlalchemy"], code, "sqlalchemy.sql.select")
    assert reasons == [
        "select([...]) is SQLAlchemy 1.x: 2.0 takes the columns as separate arguments (ArgumentError)", "",
    ]
    assert real == [6]


def test_how_it_is_called_counts_no_call_that_cannot_work() -> None:
    """The select page must not teach select([...]) as a common form (59 uses on the corpus)."""
    db = open_db(":memory:")
    save_project_list(db, [Project(name, f"https://example.org/{name}") for name in "ABCD"])
    rows = [("A", "select(list)"), ("B", "select(list)"), ("C", "select(value)"), ("D", "select(list)")]
    db["uses"].insert_all(
        {"project": project, "path": "q.py", "qualname": "sqlalchemy.sql.select", "kind": "call",
         "resolution": "import", "line": line, "shape": shape, "result": "assigned"}
        for line, (project, shape) in enumerate(rows, start=1)
    )
    assert shape_rows(db, "sqlalchemy.sql.select") == [("C", "select(value)")]

"""Ranking chooses the way a careful editor would, on corpora where the right choice is known."""

from __future__ import annotations

import textwrap
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from tests_support import build_repo

from miner import outline, rank, store
from miner.crawl import crawl
from miner.model import Project, Resolution, SourceFile, Use, UseKind
from miner.rank import Candidate, classify_path, select, shape_summary
from miner.scan import ScanContext, scan_file
from miner.store import FileCandidate
from miner.targets import discover

QUALNAME = "flask.helpers.make_response"
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def context():
    return ScanContext.for_library(discover("flask"))


def candidate(context, project: str, path: str, text: str, position: int = 0) -> FileCandidate:
    scan = scan_file(SourceFile(path, "sha", text.encode()), context)
    return FileCandidate(
        project=Project(project, f"https://example.org/{project}", position=position),
        commit="c0ffee",
        license_path=None,
        path=path,
        text=text,
        uses=scan.uses,
        committed_at="2025-10-01T00:00:00+00:00",
    )


def ranked(files: list[FileCandidate], qualname: str = QUALNAME) -> list[Candidate]:
    usage = rank.usage_of(files, qualname)
    return [
        Candidate(f.project.name, f.project.position, f.path,
                  rank.score_file(f, qualname, usage, "flask", now=NOW))
        for f in files
    ]


VIEW = textwrap.dedent(
    """\
    from flask import jsonify, make_response


    def not_found(message):
        response = make_response(jsonify(error=message), 404)
        response.headers["Cache-Control"] = "no-store"
        return response
    """
)


def test_a_vendored_copy_collapses_into_its_original(context):
    original = candidate(context, "Origin", "origin/views.py", VIEW, position=1)
    copy = candidate(context, "Borrower", "borrower/vendor/views.py", VIEW, position=0)
    decisions = select(ranked([copy, original]))
    chosen = [d.candidate.project for d in decisions if d.chosen]
    assert chosen == ["Origin"]
    lost = next(d for d in decisions if not d.chosen)
    assert lost.candidate.project == "Borrower"
    assert lost.reason == "copy of Origin / origin/views.py, which is credited instead"


def test_a_copy_with_other_comments_is_still_a_copy(context):
    edited = VIEW.replace("def not_found", "# vendored on 2024-01-01\ndef not_found")
    first = ranked([candidate(context, "A", "a.py", VIEW)])[0]
    second = ranked([candidate(context, "B", "b.py", edited)])[0]
    assert first.score.content_hash == second.score.content_hash


def test_a_use_in_a_test_file_loses_to_the_same_use_in_application_code(context):
    in_tests = candidate(context, "Shop", "tests/test_views.py", VIEW.replace("message", "text"))
    in_app = candidate(context, "Shop", "shop/views.py", VIEW)
    decisions = select(ranked([in_tests, in_app]))
    assert [d.candidate.path for d in decisions if d.chosen] == ["shop/views.py"]
    loser = decisions[-1]
    assert loser.candidate.score.source_label == "test"
    assert loser.reason.startswith("Shop shows a better file: shop/views.py (")


def long_function(body_lines: int) -> str:
    filler = "".join(f"    step_{i} = {i}\n" for i in range(body_lines))
    return (
        "from flask import make_response\n\n\ndef view():\n"
        + filler
        + "    response = make_response('ok')\n    return response\n"
    )


def test_a_200_line_function_loses_to_a_10_line_one(context):
    long = candidate(context, "Shop", "shop/long.py", long_function(200))
    short = candidate(context, "Shop", "shop/short.py", long_function(8))
    scored = {c.path: c.score for c in ranked([long, short])}
    assert scored["shop/long.py"].definition_lines > 200
    assert scored["shop/short.py"].definition_lines == 11
    assert scored["shop/long.py"].definition < scored["shop/short.py"].definition == 1.0
    decisions = select(ranked([long, short]))
    assert [d.candidate.path for d in decisions if d.chosen] == ["shop/short.py"]


def scored(project: str, total: float, *shapes: str, position: int = 0,
           label: str = "application", lines: int = 10) -> Candidate:
    """A candidate with a given total and shapes, for selection alone."""
    score = rank.Score(
        conciseness=1, definition=1, self_contained=1, typicality=1, source_kind=1,
        project_signals=1, total=total, excerpt_lines=lines, definition_lines=5,
        source_label=label, shapes=shapes, content_hash=f"{project}{total}",
    )
    return Candidate(project, position, f"{project.lower()}.py", score)


def test_each_showing_of_a_shape_costs_a_little_so_variety_comes_in_by_degrees():
    page = select([
        scored("A", 0.90, "Flask(value)"),
        scored("B", 0.89, "Flask(value)", position=1),
        scored("C", 0.88, "Flask(value)", position=2),
        scored("D", 0.84, "Flask(value, static_folder=str)", position=3),
        scored("E", 0.80, "Flask(value, instance_relative_config=True)", position=4),
    ])
    chosen = [(d.candidate.project, d.new_shape) for d in page if d.chosen]
    # D passes B once Flask(value) is shown once (0.89 - 0.05 < 0.84 is false: a tie goes to
    # the higher total), then C after two showings (0.88 - 0.10 < 0.84); E passes C (0.80 > 0.78).
    assert chosen == [("A", True), ("B", False), ("D", True), ("E", True), ("C", False)]
    reasons = {d.candidate.project: d.reason for d in page}
    assert reasons["D"] == (
        "shows a usage shape not shown yet, Flask(value, static_folder=str), at total 0.840: "
        "variety comes before the best remaining (C, 0.880), each of whose shapes the page "
        "already shows twice (0.05 off a total per showing, at most 0.25 for application or "
        "example code with a short excerpt)"
    )
    assert reasons["B"].startswith("shapes already shown, such as Flask(value); ")


@pytest.mark.parametrize(
    "weak",
    [
        scored("W", 0.80, "Flask(str)", position=9, label="test"),  # test scaffolding
        scored("W", 0.80, "Flask(str)", position=9, lines=150),  # a 150-line excerpt
        scored("W", 0.60, "Flask(str)", position=9),  # far below: out of reach
    ],
)
def test_variety_never_puts_a_weak_candidate_before_a_better_one(weak):
    strong = [scored(p, 0.90 - i / 100, "Flask(value)", position=i) for i, p in enumerate("ABCDEF")]
    page = select([*strong, weak])
    assert [d.candidate.project for d in page if d.chosen] == [*"ABCDEF", "W"]
    assert next(d for d in page if d.candidate.project == "W").reason.startswith(
        "shows a usage shape not shown yet: Flask(str); best remaining total"
    )


def test_variety_never_promotes_a_candidate_whose_own_total_is_weak():
    """Within reach of the best remaining (0.70 - 0.48 < VARIETY_REACH), and that one's shape
    shown four times (0.70 - 4 * 0.05 < 0.48), but under VARIETY_FLOOR: it waits its turn."""
    repeated = [scored(p, 0.70, "f(str)", position=i) for i, p in enumerate("ABCDE")]
    page = select([*repeated, scored("W", 0.48, "f(int)", position=9)])
    assert [d.candidate.project for d in page if d.chosen] == [*"ABCDE", "W"]
    long_one = scored("Long", 0.70, "g()", lines=150)
    page = select([long_one, scored("Short", 0.48, "g(int)", position=1)])
    assert [d.candidate.project for d in page if d.chosen] == ["Long", "Short"]


def test_explain_names_the_shape_that_was_new_not_the_files_commonest():
    page = select([
        scored("A", 0.9, "url_for(str)"),
        scored("B", 0.8, "url_for(str)", "url_for(str, _external=True)", position=1),
    ])
    reason = next(d.reason for d in page if d.candidate.project == "B")
    assert reason.startswith("shows a usage shape not shown yet: url_for(str, _external=True); ")


def test_max_examples_and_listed_order(context):
    files = [
        candidate(context, name, f"{name.lower()}/views.py", VIEW.replace("404", str(400 + i)), i)
        for i, name in enumerate(["Zed", "Amy", "Bob"])
    ]
    decisions = select(ranked(files), max_examples=2, order="listed")
    chosen = [d.candidate for d in decisions if d.chosen]
    assert len(chosen) == 2
    assert [c.position for c in chosen] == sorted(c.position for c in chosen)
    assert [d.place for d in decisions if d.chosen] == [1, 2]
    (full,) = [d for d in decisions if not d.chosen]
    assert full.reason == "page full: the 2 examples above were chosen first"


def test_unknown_order_is_refused():
    with pytest.raises(ValueError, match="unknown order 'random'"):
        select([], order="random")


@pytest.mark.parametrize(
    "path,label",
    [
        ("shop/views.py", "application"),
        ("tests/test_views.py", "test"),
        ("shop/views_test.py", "test"),
        ("conftest.py", "test"),
        ("shop/tests.py", "test"),  # a Django app's tests
        ("cms/test_utils/project/placeholderapp/views.py", "test"),
        ("test_project/urls.py", "test"),
        ("test_proj/blog/admin.py", "test"),
        ("wagtail/test/testapp/models.py", "test"),
        ("django_webtest_tests/testapp_tests/views.py", "test"),
        ("auditlog_tests/custom_logentry_app/models.py", "test"),
        ("simple_history/registry_tests/migration_test_app/models.py", "test"),
        ("indico/testing/fixtures/user.py", "test"),
        ("benchmarks/models.py", "test"),
        ("contest/views.py", "application"),  # 'test' inside a word is no test folder
        ("latest_news/views.py", "application"),
        ("testimonials/models.py", "application"),
        ("django_webtest/response.py", "application"),
        ("sandbox/apps/user/models.py", "example"),
        ("demoproject/settings.py", "example"),
        ("sample_taggit/models.py", "example"),
        ("allauth/drf_demo/views.py", "example"),
        ("documents/views.py", "application"),  # 'doc' inside a word is no docs folder
        ("examples/app.py", "example"),
        ("docs/conf.py", "example"),
        ("shop/_vendor/six.py", "vendored"),
        ("third_party/lib.py", "vendored"),
        ("migrations/versions/0001_init.py", "migration"),
        ("api/service_pb2.py", "generated"),
        # scripts: run, not imported
        ("bin/migrate_db_0.7.py", "script"),
        ("bin/utils/api_proxy.py", "script"),
        ("tools/release.py", "script"),
        ("scripts/seed.py", "script"),
        ("update-doc-index.py", "script"),  # no import statement can name it
        ("shop/utils/helpers.py", "application"),  # a package's utils/ is the package's code
        ("shop/scripts/run.py", "application"),  # only top-level script folders
        ("manage.py", "application"),
        ("examples/run-demo.py", "example"),
        ("tests/test-views.py", "test"),
        # build output and installed copies
        ("examples/charts/build/lib/app/__init__.py", "build"),
        ("examples/charts/build/bdist.linux-i686/egg/app/views.py", "build"),
        ("build/lib.linux-x86_64-3.11/shop/views.py", "build"),
        ("dist/shop/views.py", "build"),
        ("Shop-1.0-py3.11.egg/shop/views.py", "build"),
        ("venv/lib/python3.11/site-packages/flask_login/utils.py", "build"),
        (".tox/py311/lib/python3.11/site-packages/shop.py", "build"),
        ("frontend/node_modules/some-tool/hook.py", "build"),
        ("docs/build/conf.py", "example"),  # Sphinx sources in build/: not build output
        ("shop/build/steps.py", "application"),
        ("shop/dist/views.py", "application"),
    ],
)
def test_classify_path(path, label):
    assert classify_path(path) == label


def test_a_top_level_scripts_package_is_application_code():
    # Flaskex keeps its helpers in scripts/ with an __init__.py: app.py imports them
    assert classify_path("scripts/helpers.py", package=True) == "application"
    assert classify_path("scripts/helpers.py") == "script"
    assert classify_path("bin/migrate_db_1.3.py", package=True) == "script"  # unimportable


def test_a_script_ranks_between_application_code_and_examples(context):
    edits = {"App": "shop/views.py", "Tool": "bin/migrate_db_1.3.py", "Demo": "examples/app.py"}
    files = [
        candidate(context, project, path, VIEW.replace("message", f"message_{i}"), position=i)
        for i, (project, path) in enumerate(edits.items())
    ]
    scores = {c.project: c.score for c in ranked(files)}
    assert [scores[p].source_label for p in edits] == ["application", "script", "example"]
    assert scores["Tool"].source_kind == rank.SOURCE_KINDS["script"] == 0.85
    assert scores["App"].total > scores["Tool"].total > scores["Demo"].total
    assert [d.candidate.project for d in select(ranked(files)) if d.chosen] == list(edits)


def test_build_output_is_never_an_example(context):
    built = candidate(context, "Charts", "examples/charts/build/lib/app/views.py", VIEW)
    decisions = select(ranked([built]))
    assert [d.chosen for d in decisions] == [False]
    assert decisions[0].candidate.score.source_label == "build"
    assert decisions[0].reason == (
        "build output or an installed copy (build/lib, an .egg, site-packages, ...): "
        "a copy a build made, never an example"
    )


def test_generated_files_are_recognised_by_their_header():
    assert classify_path("shop/models.py", b"# Code generated by a tool. DO NOT EDIT.\n") == "generated"


def test_self_containedness_counts_names_a_reader_cannot_place():
    text = textwrap.dedent(
        """\
        import os
        from flask import make_response
        from .helpers import decorate


        def view(name):
            return make_response(os.path.join(name, decorate(name)))
        """
    )
    # Loads in the function: make_response, os, name, decorate, name -> 4 of 5 placeable.
    assert rank.self_containedness(outline.of_text(text), [(6, 7)], "flask") == pytest.approx(0.8)


def test_shape_summary_counts_uses_and_projects():
    rows = [("A", "f(int)"), ("A", "f(int)"), ("B", "f(int)"), ("B", "f()"), ("C", "f()"), ("C", "f(str)")]
    assert shape_summary(rows, limit=2) == [("f(int)", 3, 2), ("f()", 2, 2)]


def test_a_file_that_only_imports_the_name_loses_to_a_real_use(context):
    import_only = candidate(context, "Shop", "shop/__init__.py", "from flask import make_response\n")
    real = candidate(context, "Shop", "tests/test_views.py", long_function(150))
    scores = {c.path: c for c in ranked([import_only, real])}
    # even with a higher total (a short application file against a long test), it never wins
    lifted = replace(scores["shop/__init__.py"],
                     score=replace(scores["shop/__init__.py"].score, total=0.99))
    assert lifted.score.total > scores["tests/test_views.py"].score.total
    decisions = select([lifted, scores["tests/test_views.py"]])
    assert [d.candidate.path for d in decisions if d.chosen] == ["tests/test_views.py"]
    assert decisions[-1].reason == rank._NO_USE


def test_project_signals_reward_recent_commits_and_authors(context):
    from miner.model import History

    quiet = candidate(context, "Quiet", "q/views.py", VIEW)
    busy = replace(quiet, project=replace(quiet.project, name="Busy"),
                   history=History(200, 80, 7))
    scores = {c.project: c.score for c in ranked([quiet, busy])}
    # Same recency; the busy project adds a full quarter for commits and one for authors.
    assert scores["Busy"].project_signals == pytest.approx(scores["Quiet"].project_signals + 0.5)


def test_shape_summary_puts_shapes_shared_by_many_projects_first():
    rows = [("A", "f(int)")] * 5 + [("A", "f()"), ("B", "f()"), ("C", "f()")]
    assert shape_summary(rows) == [("f()", 3, 3), ("f(int)", 5, 1)]


def test_a_long_excerpt_waits_for_readable_ones_within_reach():
    page = select([
        scored("Long", 0.85, "flash(value)", lines=150),
        scored("Short", 0.80, "flash(str)", position=1),
        scored("Test", 0.84, "flash(str, str)", position=2, label="test"),  # not sound: no help
        scored("Far", 0.50, "flash()", position=3),  # out of reach
    ])
    assert [d.candidate.project for d in page if d.chosen] == ["Short", "Long", "Test", "Far"]
    reason = next(d.reason for d in page if d.candidate.project == "Short")
    assert reason == (
        "shows a usage shape not shown yet, flash(str); a readable excerpt (10 lines, total "
        "0.800) comes before Long (0.850), whose excerpt runs to 150 lines (over 60; at most "
        "0.25 of a total is given up for it)"
    )


ANNOTATED = """\
from flask import Flask


def configure(app: Flask) -> None:
    app.config["NAME"] = "{project}"
"""
CREATED = """\
from flask import Flask

app = Flask(__name__)
app.config["NAME"] = "{project}"
"""


def test_a_file_that_only_annotates_the_name_ranks_below_one_that_calls_it(context):
    # as many projects annotate Flask as create one: the annotation is no measure of its use
    files = [
        candidate(context, name, "app.py", (ANNOTATED if name < "C" else CREATED).format(project=name),
                  position=i)
        for i, name in enumerate(["A", "B", "C", "D"])
    ]
    scores = {c.project: c.score for c in ranked(files, "flask.app.Flask")}
    assert scores["A"].shapes == (": Flask",)
    assert scores["D"].typicality == 1.0
    assert scores["A"].typicality == rank.MENTION_WEIGHT  # as common as the use, counted half
    assert scores["A"].total < scores["D"].total


def test_a_name_chiefly_annotated_is_taught_by_its_annotations(context):
    # like SQLAlchemy's Connection: annotated in three projects, subclassed in one
    subclass = "from flask import Flask\n\n\nclass App(Flask):\n    pass\n"
    files = [
        candidate(context, name, "app.py", ANNOTATED.format(project=name) if name < "D" else subclass,
                  position=i)
        for i, name in enumerate(["A", "B", "C", "D"])
    ]
    scores = {c.project: c.score for c in ranked(files, "flask.app.Flask")}
    assert scores["A"].typicality == 1.0
    assert scores["D"].typicality == pytest.approx(1 / 3, abs=1e-4)


def test_a_name_only_ever_annotated_keeps_its_examples(context):
    text = "from flask.typing import ResponseValue\n\n\ndef view() -> ResponseValue:\n    return 'ok'\n"
    files = [candidate(context, name, "views.py", text.replace("ok", name), position=i)
             for i, name in enumerate(["A", "B"])]
    candidates = ranked(files, "flask.typing.ResponseValue")
    assert [c.score.typicality for c in candidates] == [1.0, 1.0]
    assert [d.chosen for d in select(candidates)] == [True, True]


def test_a_mention_wins_no_place_for_variety_over_a_use():
    page = select([
        scored("A", 0.90, "Flask(value)"),
        scored("B", 0.89, "Flask(value)", position=1),
        scored("C", 0.88, "Flask(value)", position=2),
        scored("D", 0.86, ": Flask", position=3),  # 0.02 below C, new: it used to pass C
    ], max_examples=3)
    assert [d.candidate.project for d in page if d.chosen] == ["A", "B", "C"]


def test_a_new_mention_beside_a_shown_use_is_nothing_new():
    page = select([
        scored("A", 0.90, "Flask(value)"),
        scored("B", 0.89, "Flask(value)", position=1),
        scored("C", 0.86, "Flask(value)", "isinstance(value, Flask)", position=2),
    ])
    chosen = [(d.candidate.project, d.new_shape) for d in page if d.chosen]
    assert chosen == [("A", True), ("B", False), ("C", False)]
    assert page[2].reason.startswith("shapes already shown, such as Flask(value); ")


def test_mentions_still_vary_among_themselves():
    # a page whose best file only mentions the name: variety works as for uses
    page = select([
        scored("A", 0.90, ": ResponseValue"),
        scored("B", 0.89, ": ResponseValue", position=1),
        scored("C", 0.86, ": ResponseValue", position=2),
        scored("D", 0.84, "isinstance(value, ResponseValue)", position=3),
    ])
    assert [d.candidate.project for d in page if d.chosen] == ["A", "B", "D", "C"]


def test_labels_reach_the_database_and_a_scripts_package_counts_as_application(tmp_path):
    helper = "from flask import make_response\n\n\ndef ok():\n    return make_response('{}')\n"
    files = {
        "scripts/__init__.py": "",
        "scripts/helpers.py": helper.format("helpers"),  # Flaskex's layout: app.py imports it
        "bin/migrate_db_1.3.py": helper.format("migrate"),
        "tools/release.py": helper.format("release"),
        "examples/demo/build/lib/demo/views.py": helper.format("built"),
    }
    db = store.open_db(tmp_path / "miner.db")
    project = Project("Shop", build_repo(tmp_path / "shop", files))
    crawl(db, [project], discover("flask"), tmp_path / "cache", jobs=1, pypi_index=None)
    labels = {
        row["path"]: (row["source_label"], row["score_source_kind"])
        for row in db["uses"].rows_where("kind = 'call'")
    }
    assert labels == {
        "scripts/helpers.py": ("application", 1.0),
        "bin/migrate_db_1.3.py": ("script", 0.85),
        "tools/release.py": ("script", 0.85),
        "examples/demo/build/lib/demo/views.py": ("build", 0.0),
    }
    packaged = {f.path: f.in_package for f in store.load_candidates(db, QUALNAME)}
    assert packaged == {
        "scripts/helpers.py": True, "bin/migrate_db_1.3.py": False, "tools/release.py": False,
        "examples/demo/build/lib/demo/views.py": False,
    }


def test_a_keyword_only_one_project_passes_makes_no_shape_of_its_own():
    """CTFd's team_id= and braintree's transaction_id= are route parameters: both are one way
    of calling url_for; _external=, which two projects pass, is another."""

    def url_for(project: str, shape: str) -> FileCandidate:
        use = Use(
            "flask.helpers.url_for", UseKind.CALL, Resolution.DIRECT, 3, 5, 3, 40, "view", "url_for", "x", shape
        )
        return FileCandidate(Project(project, f"/src/{project}"), "c0ffee", None, "views.py", "x", (use,))

    files = [
        url_for("ctfd", "url_for(str, team_id=value)"),
        url_for("braintree", "url_for(str, transaction_id=value)"),
        url_for("shortme", "url_for(str, _external=True)"),
        url_for("flask-user", "url_for(str, token=value, _external=True)"),
    ]
    usage = rank.usage_of(files, "flask.helpers.url_for")
    shapes = [rank.variety_shape(file.uses[0], usage) for file in files]
    assert shapes == [
        "url_for(str, key=value)",
        "url_for(str, key=value)",
        "url_for(str, _external=True)",
        "url_for(str, key=value, _external=True)",
    ]

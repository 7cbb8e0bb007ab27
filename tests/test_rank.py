"""Ranking chooses the way a careful editor would, on corpora where the right choice is known."""

from __future__ import annotations

import textwrap
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from miner import outline, rank
from miner.model import Project, SourceFile
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


def ranked(files: list[FileCandidate]) -> list[Candidate]:
    usage = rank.usage_of(files, QUALNAME)
    return [
        Candidate(f.project.name, f.project.position, f.path,
                  rank.score_file(f, QUALNAME, usage, "flask", now=NOW))
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
        ("examples/app.py", "example"),
        ("docs/conf.py", "example"),
        ("shop/_vendor/six.py", "vendored"),
        ("third_party/lib.py", "vendored"),
        ("migrations/versions/0001_init.py", "migration"),
        ("api/service_pb2.py", "generated"),
    ],
)
def test_classify_path(path, label):
    assert classify_path(path) == label


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

"""Every SQL file in queries/ runs against a crawled fixture database and answers correctly."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from tests_support import build_repo

from miner import store
from miner.crawl import crawl
from miner.model import Project
from miner.resources import resource_dir
from miner.targets import discover

QUERIES = sorted(resource_dir("queries").glob("*.sql"))
PARAMS = {"qualname": "flask.helpers.make_response"}

ALPHA = {
    "app/views.py": textwrap.dedent(
        """\
        from flask import jsonify, make_response, request


        def missing():
            return make_response(jsonify({"error": "missing"}), 404)


        def plain():
            page = request.args.get("page")
            return make_response(page)
        """
    ),
    "tests/test_views.py": "from flask import make_response\n\nmake_response('t')\n",
    "legacy.py": 'from flask import flash\nprint "old"\n',
}
BETA = {
    "main.py": "import flask\nfrom flask import Markup\n\nflask.url_for('home')\nflask.escape('x')\n"
    "from flask.signals import Namespace\n\nsignals = Namespace()\n"  # blinker's class
}


@pytest.fixture(scope="module")
def db(tmp_path_factory):

    root = tmp_path_factory.mktemp("queries")
    projects = [
        Project("alpha", build_repo(root / "alpha", ALPHA), position=0),
        Project("beta", build_repo(root / "beta", BETA), position=1),
    ]
    database = store.open_db(root / "miner.db")
    crawl(database, projects, discover("flask"), root / "cache", jobs=1)
    return database


def rows(db, name: str) -> list[tuple]:
    sql = (resource_dir("queries") / f"{name}.sql").read_text(encoding="utf-8")
    return [tuple(row) for row in db.execute(sql, {k: v for k, v in PARAMS.items() if f":{k}" in sql})]


def test_there_are_at_least_eight_documented_queries():
    assert len(QUERIES) >= 8
    for path in QUERIES:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("-- ") and first.endswith("?"), f"{path.name}: first line asks no question"


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_every_query_runs(db, path):
    assert rows(db, path.stem) is not None


EXPECTED = {
    "names_by_projects": [
        ("flask.helpers.make_response", "function", 1, 3),
        ("flask.globals.request", "object", 1, 1),
        ("flask.helpers.url_for", "function", 1, 1),
        ("flask.json.jsonify", "function", 1, 1),
    ],
    "projects_by_uses": [("alpha", 5, 3, 2), ("beta", 1, 1, 1)],
    "unparsable_files": [("alpha", "legacy.py", "SyntaxError: Python 2 print statement (line 2)")],
    "uses_by_kind": [("call", 3, 1), ("import", 2, 1)],
    "uses_by_resolution": [("re-export", 9, 1), ("foreign", 2, 1), ("module-attribute", 1, 1)],
    "foreign_names": [("flask.signals.Namespace", "blinker.Namespace", 2, 1, "beta")],
    "tests_versus_application": [("alpha", 1, 4), ("beta", 0, 1)],
    "calls_with_status_code": [
        (
            "alpha",
            "app/views.py",
            5,
            "make_response(jsonify(...), int)",
            'return make_response(jsonify({"error": "missing"}), 404)',
        )
    ],
    "usage_shapes": [
        ("make_response(jsonify(...), int)", 1, 1),
        ("make_response(str)", 1, 1),
        ("make_response(value)", 1, 1),
    ],
    "missing_names": [("flask.Markup", 1, 1, "beta"), ("flask.escape", 1, 1, "beta")],
    "call_results": [("returned", 2, 1), ("discarded", 1, 1)],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_query_answers(db, name):
    assert rows(db, name) == EXPECTED[name]


def test_unused_names_lists_what_nobody_uses(db):
    unused = {row[0] for row in rows(db, "unused_names")}
    assert "flask.helpers.send_file" in unused
    assert "flask.helpers.make_response" not in unused


def test_best_candidates_puts_application_code_first(db):
    best = rows(db, "best_candidates")
    assert [(row[0], row[1], row[9]) for row in best] == [
        ("alpha", "app/views.py", "application"),
        ("alpha", "tests/test_views.py", "test"),
    ]
    assert best[0][2] > best[1][2]


def test_the_docs_show_every_query():
    docs = (Path(__file__).parent.parent / "docs" / "queries.md").read_text(encoding="utf-8")
    for path in QUERIES:
        assert f"`{path.name}`" in docs, f"{path.name} is not in docs/queries.md"


def test_every_use_carries_its_own_score_parts(db):
    rows = {
        (row["path"], row["line"]): row
        for row in db["uses"].rows_where("qualname = ?", ["flask.helpers.make_response"])
    }
    assert rows[("tests/test_views.py", 3)]["source_label"] == "test"
    assert rows[("tests/test_views.py", 3)]["score_source_kind"] == 0.3
    assert rows[("app/views.py", 5)]["score_source_kind"] == 1.0
    assert rows[("app/views.py", 5)]["score_definition"] == 1.0  # a 2-line function
    calls = [row["score_typicality"] for row in rows.values() if row["kind"] == "call"]
    assert sorted(calls) == [pytest.approx(1 / 3)] * 3  # three calls, three different shapes
    assert all(row["score_typicality"] is None for row in rows.values() if row["kind"] == "import")

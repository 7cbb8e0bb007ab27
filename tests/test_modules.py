"""Module pages show the module in use: files that write its names through it, ranked and
excerpted like a name page's examples (miner/modules.py)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from test_render import build_db  # tests/ is on sys.path under pytest

from miner.model import Project
from miner.modules import import_lines
from miner.render import render_pages

IMPORTS = textwrap.dedent(
    """\
    import sqlalchemy as sa
    from django.db import (
        transaction,
        models,
    )
    import flask.json
    from django.contrib import admin as django_admin
    import flask as fl
    """
)


def test_the_import_binding_a_module_is_found_in_every_form() -> None:
    assert import_lines(IMPORTS, "sqlalchemy", "sa") == [1]
    assert import_lines(IMPORTS, "sqlalchemy.orm", "sa.orm") == [1]  # sa.orm.relationship
    assert import_lines(IMPORTS, "sqlalchemy.orm", "sa") == []  # sa is sqlalchemy itself
    assert import_lines(IMPORTS, "django.db.models", "models") == [4]  # the name's own line
    assert import_lines(IMPORTS, "flask", "flask") == [6]  # import flask.json binds flask
    assert import_lines(IMPORTS, "flask", "fl") == [8]
    assert import_lines(IMPORTS, "django.contrib.admin", "admin") == []  # bound as django_admin
    assert import_lines(IMPORTS, "django.contrib.admin", "django_admin") == [7]
    assert import_lines(IMPORTS, "django.contrib", "django_admin") == []


SOLO = {
    "solo/app.py": """\
        import flask

        app = flask.Flask(__name__)


        @app.route("/")
        def index():
            return flask.make_response("hi")
        """,
    "solo/views.py": """\
        from flask import make_response


        def view():
            return make_response("x")
        """,
}


def test_a_module_page_shows_the_files_writing_names_through_the_module(tmp_path: Path) -> None:
    solo = Project("Solo", "https://github.com/example/solo", position=0)
    db = build_db(projects=[(solo, SOLO, None)])
    render_pages(db, tmp_path, intros=tmp_path / "no-intros")
    folder = tmp_path / "modules" / "flask"
    text = (folder / "flask-examples.markdown").read_text(encoding="utf-8")
    names, examples = text.split("\n\nThe example below uses the module itself: it imports `flask`", 1)
    assert '<a href="/flask-app-flask-examples.html">Flask</a>' in names  # the list stays
    assert "## Example 1 from Solo" in examples
    assert "[**Solo / solo / app.py**]" in examples
    assert "~~import flask\n" in examples
    assert "~~app = flask.Flask(__name__)\n" in examples
    assert '~~    return flask.make_response("hi")\n' in examples
    assert "views.py" not in examples  # `from flask import make_response`: not through flask
    helpers = (folder / "flask-helpers-examples.markdown").read_text(encoding="utf-8")
    assert "## Example" not in helpers  # nobody writes helpers.make_response


def test_a_project_s_application_files_are_read_before_its_examples_and_tests() -> None:
    from miner.modules import busiest_files

    uses = {
        ("p", "tests/test_models.py"): [None] * 4,
        ("p", "app/models.py"): [None],
        ("p", "docs/example.py"): [None] * 2,
        ("p", "app/migrations/0001_initial.py"): [None] * 9,
        ("q", "main.py"): [None],
    }
    assert busiest_files(uses, per_project=2) == [
        ("p", "app/models.py"),
        ("p", "docs/example.py"),
        ("q", "main.py"),
    ]

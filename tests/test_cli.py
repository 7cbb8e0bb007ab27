"""The command line: exit codes, one-line errors and a full crawl + render through click."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from miner.cli import cli

VIEWS = textwrap.dedent(
    """\
    from flask import Flask, make_response

    app = Flask(__name__)


    @app.route("/")
    def index():
        response = make_response("hello", 200)
        response.headers["X-Example"] = "yes"
        return response
    """
)


@pytest.fixture
def projects_file(make_repo, tmp_path: Path) -> Path:
    repo = make_repo({"shop/views.py": VIEWS, "LICENSE": "MIT License\n"}, name="shop")
    path = tmp_path / "projects.toml"
    path.write_text(
        f'[[project]]\nname = "Shop"\nurl = "{repo.url}"\n'
        'web = "https://github.com/example/shop"\nlicense = "MIT"\n',
        encoding="utf-8",
    )
    return path


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.parametrize("command", ["crawl", "render", "targets"])
def test_help(command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output


def test_crawl_then_render_one_page(projects_file, tmp_path):
    db, out = tmp_path / "m.db", tmp_path / "site"
    crawled = run("crawl", "--projects", str(projects_file), "--cache", str(tmp_path / "c"),
                  "--db", str(db), "--jobs", "1")
    assert crawled.exit_code == 0, crawled.output
    assert "crawled 1 of 1 projects" in crawled.output

    rendered = run("render", "--db", str(db), "--out", str(out), "--name", "flask.make_response")
    assert rendered.exit_code == 0, rendered.output
    page = (out / "flask" / "flask-helpers-make-response-examples.markdown").read_text(encoding="utf-8")
    assert page.startswith("title: flask.helpers make_response Example Code\n")
    assert '~~    response = make_response("hello", 200)\n' in page
    assert "## Example 1 from Shop\n" in page
    assert [p.name for p in (out / "flask").iterdir()] == ["flask-helpers-make-response-examples.markdown"]


def test_a_failed_project_exits_non_zero_after_the_others(projects_file, tmp_path):
    text = projects_file.read_text(encoding="utf-8")
    missing = (tmp_path / "nowhere").as_uri()
    projects_file.write_text(text + f'\n[[project]]\nname = "Gone"\nurl = "{missing}"\n')
    result = run("crawl", "--projects", str(projects_file), "--cache", str(tmp_path / "c"),
                 "--db", str(tmp_path / "m.db"), "--jobs", "1")
    assert result.exit_code == 1
    assert "Gone: FAILED: " in result.output
    assert "crawled 1 of 2 projects" in result.output


def test_render_without_a_database_is_one_clear_line(tmp_path):
    result = run("render", "--db", str(tmp_path / "none.db"))
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {tmp_path / 'none.db'}: no such database: run `miner crawl` first, or pass --db\n"
    )


def test_only_an_unknown_project_is_one_clear_line(projects_file, tmp_path):
    result = run("crawl", "--projects", str(projects_file), "--only", "Nope",
                 "--db", str(tmp_path / "m.db"))
    assert result.exit_code == 1
    assert result.output == "Error: --only 'Nope': no such project in the list (names: Shop)\n"


def test_an_unknown_library_is_one_clear_line():
    result = run("targets", "--library", "no_such_library_here")
    assert result.exit_code == 1
    assert result.output.startswith("Error: target library 'no_such_library_here' is not installed")


def test_targets_lists_canonical_names_with_their_aliases():
    result = run("targets")
    assert result.exit_code == 0
    assert "flask.helpers.make_response\tfunction  (also flask.make_response)\n" in result.output
    assert "flask.globals.request\tobject" in result.output
    assert "flask.cli.F\t" not in result.output  # a TypeVar: typing plumbing, not API


def test_explain_shows_the_chosen_example_and_why_others_lost(make_repo, tmp_path):
    app = VIEWS
    in_tests = VIEWS.replace("hello", "test")
    repo = make_repo({"shop/views.py": app, "tests/test_views.py": in_tests}, name="both")
    projects = tmp_path / "p.toml"
    projects.write_text(f'[[project]]\nname = "Both"\nurl = "{repo.url}"\n', encoding="utf-8")
    db = tmp_path / "m.db"
    assert run("crawl", "--projects", str(projects), "--cache", str(tmp_path / "c"),
               "--db", str(db), "--jobs", "1").exit_code == 0

    result = run("explain", "flask-helpers-make-response-examples", "--db", str(db))

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "flask-helpers-make-response-examples: flask.helpers.make_response"
    assert lines[1] == "2 candidate files in 1 projects; order: score, at most 10 examples"
    assert "  make_response(str, int): 2 uses in 1 project" in lines
    chosen = lines.index("Chosen (1):")
    assert lines[chosen + 1].startswith("  1. Both / shop/views.py: total ")
    assert "(application)" in lines[chosen + 1]
    lost = lines.index("Not chosen (1):")
    assert lines[lost + 1].startswith("  - Both / tests/test_views.py: total ")
    assert lines[lost + 2].startswith("     why: Both shows a better file: shop/views.py (")


def test_explain_of_an_unknown_page_is_one_clear_line(projects_file, tmp_path):
    db = tmp_path / "m.db"
    run("crawl", "--projects", str(projects_file), "--cache", str(tmp_path / "c"), "--db", str(db))
    result = run("explain", "no-such-page", "--db", str(db))
    assert result.exit_code == 1
    assert result.output.startswith("Error: no page for 'no-such-page': give a page slug")


def test_render_max_examples_and_listed_order(make_repo, tmp_path):
    repos = [make_repo({"app.py": VIEWS.replace("hello", name)}, name=name) for name in "zab"]
    projects = tmp_path / "p.toml"
    projects.write_text(
        "".join(f'[[project]]\nname = "{n}"\nurl = "{r.url}"\n' for n, r in zip("zab", repos, strict=True)),
        encoding="utf-8",
    )
    db, out = tmp_path / "m.db", tmp_path / "site"
    run("crawl", "--projects", str(projects), "--cache", str(tmp_path / "c"), "--db", str(db))

    result = run("render", "--db", str(db), "--out", str(out), "--name", "flask.make_response",
                 "--max-examples", "2", "--order", "listed")

    assert result.exit_code == 0, result.output
    page = (out / "flask" / "flask-helpers-make-response-examples.markdown").read_text(encoding="utf-8")
    headings = [line for line in page.splitlines() if line.startswith("## Example")]
    assert len(headings) == 2
    listed = [heading.rsplit(" ", 1)[1] for heading in headings]
    assert listed == sorted(listed, key="zab".index)


DRIFT_KEEP = VIEWS
DRIFT_GONE = textwrap.dedent(
    """\
    from flask import make_response


    def teapot():
        return make_response("short and stout", 418)
    """
)
DRIFT_SPARE = textwrap.dedent(
    """\
    from flask import make_response


    def gone():
        response = make_response("", 410)
        response.headers["X-Reason"] = "removed"
        response.headers["X-Since"] = "2024"
        response.headers["X-Contact"] = "ops"
        for name in ("a", "b", "c", "d", "e", "f", "g"):
            response.headers[f"X-{name}"] = name
        return response
    """
)


def test_drift_is_reported_and_a_gone_example_is_replaced(make_repo, tmp_path):
    keep = make_repo({"keep/views.py": DRIFT_KEEP}, name="keep")
    gone = make_repo({"gone/teapot.py": DRIFT_GONE, "gone/spare.py": DRIFT_SPARE}, name="gone")
    projects = tmp_path / "p.toml"
    projects.write_text(
        f'[[project]]\nname = "Keep"\nurl = "{keep.url}"\n'
        f'[[project]]\nname = "Gone"\nurl = "{gone.url}"\n',
        encoding="utf-8",
    )
    db, out = tmp_path / "m.db", tmp_path / "site"
    common = ["--db", str(db)]
    crawl_args = ["crawl", "--projects", str(projects), "--cache", str(tmp_path / "c"), *common]
    assert run(*crawl_args).exit_code == 0
    first = run("render", "--out", str(out), "--name", "flask.make_response", *common)
    assert first.exit_code == 0
    page = out / "flask" / "flask-helpers-make-response-examples.markdown"
    assert "**Gone / gone / teapot.py**" in page.read_text(encoding="utf-8")

    keep.commit({"keep/views.py": DRIFT_KEEP.replace('"yes"', '"changed"')})
    gone.commit({}, delete=("gone/teapot.py",))
    assert run(*crawl_args).exit_code == 0
    second = run("render", "--out", str(out), "--name", "flask.make_response", *common)

    assert second.exit_code == 0, second.output
    assert (
        "drift: flask.helpers.make_response: the example from Keep (keep/views.py) "
        "its code changed\n"
    ) in second.output
    assert (
        "drift: flask.helpers.make_response: the example from Gone (gone/teapot.py) "
        "is gone; the page selects again\n"
    ) in second.output
    text = page.read_text(encoding="utf-8")
    assert "**Gone / gone / spare.py**" in text and "teapot.py" not in text
    assert 'response.headers["X-Example"] = "changed"' in text

    third = run("render", "--out", str(out), "--name", "flask.make_response", *common)
    assert "drift:" not in third.output  # the page is current again


def test_render_counts_pages_not_files(projects_file, tmp_path):
    db = tmp_path / "m.db"
    run("crawl", "--projects", str(projects_file), "--cache", str(tmp_path / "c"), "--db", str(db))
    result = run("render", "--db", str(db), "--out", str(tmp_path / "site"),
                 "--name", "flask.make_response", "--format", "both")
    assert f"wrote 1 page (markdown and html) to {tmp_path / 'site'}\n" in result.output


def test_a_moved_example_is_reported_as_moved(make_repo, tmp_path):
    repo = make_repo({"shop/views.py": VIEWS}, name="moving")
    projects = tmp_path / "p.toml"
    projects.write_text(f'[[project]]\nname = "Moving"\nurl = "{repo.url}"\n', encoding="utf-8")
    common = ["--db", str(tmp_path / "m.db")]
    crawl_args = ["crawl", "--projects", str(projects), "--cache", str(tmp_path / "c"), *common]
    render_args = ["render", "--out", str(tmp_path / "site"), *common]
    assert run(*crawl_args).exit_code == 0
    assert run(*render_args).exit_code == 0

    repo.commit({"shop/pages.py": VIEWS}, delete=("shop/views.py",))
    assert run(*crawl_args).exit_code == 0
    result = run(*render_args)

    assert (
        "drift: flask.helpers.make_response: the example from Moving (shop/views.py) "
        "moved to shop/pages.py\n"
    ) in result.output

"""The commands behave as a user expects from well-made tools: options from the environment,
-q anywhere, did-you-mean for names, one-line errors for busy ports and broken templates."""

from __future__ import annotations

import socket
import sqlite3
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from miner.cli import cli
from miner.resources import resource_dir

VIEWS = textwrap.dedent(
    """\
    from flask import Markup, jsonify, make_response


    def index():
        return make_response(jsonify(ok=True), 200)


    def banner():
        return Markup("<b>hi</b>")


    from flask.signals import Namespace  # blinker's class, imported through flask

    shop_signals = Namespace()
    """
)


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def crawled(make_repo, tmp_path: Path) -> Path:
    """A database of one crawled project, "Shop", which also uses a name Flask 3 removed."""
    repo = make_repo({"shop/views.py": VIEWS}, name="shop")
    projects = tmp_path / "projects.toml"
    projects.write_text(f'[[project]]\nname = "Shop"\nurl = "{repo.url}"\n', encoding="utf-8")
    db = tmp_path / "m.db"
    env = {"MINER_PROJECTS": str(projects), "MINER_CACHE": str(tmp_path / "c"), "MINER_DB": str(db)}
    result = run("crawl", "--only", "SHOP", "-q", "--jobs", "1", "--pypi-index", "", env=env)
    assert (result.exit_code, result.output) == (0, "")
    return db


def test_options_come_from_the_environment_and_only_ignores_case(crawled):
    # the crawl above took its projects, cache and database from MINER_*, and -q after crawl
    assert crawled.is_file()
    result = run("render", "--name", "flask.make_response", "--out", str(crawled.parent / "s"),
                 env={"MINER_DB": str(crawled)})
    assert result.output == f"wrote 1 page (markdown) to {crawled.parent / 's'}\n"


def test_a_bare_name_suggests_the_public_one(crawled):
    expected = "Error: no page for 'make_response': did you mean flask.make_response?\n"
    explained = run("explain", "make_response", "--db", str(crawled))
    rendered = run("render", "--name", "make_response", "--db", str(crawled))
    assert (explained.exit_code, explained.output) == (1, expected)
    assert (rendered.exit_code, rendered.output) == (1, expected)


def test_a_removed_name_says_so_and_points_to_missing_names(crawled):
    result = run("explain", "flask.Markup", "--db", str(crawled))
    version = run("targets").output.split()[2].rstrip(":")
    assert (result.exit_code, result.output) == (1, (
        f"Error: no page for flask.Markup: flask {version} does not have it (removed or "
        "private); its 2 uses in 1 project are in the missing_names table "
        "(queries/missing_names.sql)\n"
    ))


def test_a_foreign_name_says_whose_it_is_and_points_to_foreign_names(crawled):
    result = run("explain", "flask.signals.Namespace", "--db", str(crawled))
    assert (result.exit_code, result.output) == (1, (
        "Error: no page for flask.signals.Namespace: it is blinker.Namespace, which flask.signals "
        "imports from another library; its 2 uses in 1 project are in the foreign_names table "
        "(queries/foreign_names.sql)\n"
    ))


def test_html_of_one_name_into_a_fresh_folder_links_only_pages_that_exist(crawled, tmp_path):
    out = tmp_path / "fresh"
    result = run("render", "-q", "--name", "flask.jsonify", "--format", "html", "--out", str(out),
                 "--db", str(crawled))
    assert result.exit_code == 0, result.output
    site = out / "flask"
    assert sorted(p.name for p in site.iterdir()) == [
        "flask-json-jsonify-examples.html", "flask.json.html", "index.html", "miner.css",
    ]
    index = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="flask-json-jsonify-examples.html"' in index
    assert "make-response" not in index


def test_a_template_error_names_the_template_file_and_line(crawled, tmp_path):
    templates = tmp_path / "mine"
    templates.mkdir()
    page = templates / "page.markdown.j2"
    page.write_text('{% extends "miner/page.markdown.j2" %}\n{% block intro %}\n'
                    "{{ page.nope.x }}\n{% endblock %}\n", encoding="utf-8")
    result = run("render", "-q", "--name", "flask.make_response", "--templates", str(templates),
                 "--out", str(tmp_path / "s"), "--db", str(crawled))
    assert (result.exit_code, result.output) == (1, (
        f"flask.helpers.make_response: page not written: {page}:3: UndefinedError: "
        "'miner.render.Page object' has no attribute 'nope'\n"
    ))
    page.write_text("hello\n{% if %}\n", encoding="utf-8")
    result = run("render", "--templates", str(templates), "--db", str(crawled))
    assert (result.exit_code, result.output) == (1, (
        f"Error: template page.markdown.j2 cannot be loaded: {page}:2: "
        "Expected an expression, got 'end of statement block'\n"
    ))


def test_serve_on_a_busy_port_is_one_error_line(crawled):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run("serve", "--port", str(port), "--db", str(crawled))
    assert (result.exit_code, result.output) == (1, (
        f"Error: cannot listen on 127.0.0.1:{port}: Address already in use (another miner "
        "serve?): stop it or pass another --port\n"
    ))


def test_targets_prints_its_header_once():
    result = run("targets")
    header, *names = result.output.splitlines()
    assert header.startswith("# flask ") and header.endswith(" public names")
    assert "public names" not in "\n".join(names)


def test_templates_copies_the_bundled_ones_to_start_an_override(tmp_path):
    out = tmp_path / "mine"
    result = run("templates", str(out))
    bundled = sorted(p.name for p in resource_dir("templates").glob("*.j2"))
    assert sorted(p.name for p in out.iterdir()) == bundled
    assert result.output == (
        f"copied {len(bundled)} templates to {out}: edit the ones you change, delete the others, "
        f"then: miner render --templates {out}\n"
    )
    (out / "page.markdown.j2").write_text("mine\n", encoding="utf-8")
    again = run("templates", str(out))
    assert (out / "page.markdown.j2").read_text(encoding="utf-8") == "mine\n"
    assert again.output.endswith(f"copied 0 templates to {out}: edit the ones you change, "
                                 f"delete the others, then: miner render --templates {out}\n")


def query(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_crawl_output_a_person_can_read(make_repo, tmp_path):
    repo = make_repo({"shop/views.py": VIEWS}, name="shop")
    gone = [(tmp_path / name).as_uri() for name in ("gone", "lost")]
    projects = tmp_path / "projects.toml"
    projects.write_text(
        f'[[project]]\nname = "Shop"\nurl = "{repo.url}"\n'
        f'[[project]]\nname = "Gone"\nurl = "{gone[0]}"\n'
        f'[[project]]\nname = "Lost"\nurl = "{gone[1]}"\n'
        '[[project]]\nname = "Far"\nurl = "https://nowhere.invalid/far.git"\n',
        encoding="utf-8",
    )
    args = ["crawl", "--projects", str(projects), "--cache", str(tmp_path / "c"), "--jobs", "1",
            "--db", str(tmp_path / "m.db"), "--pypi-index", ""]  # fmt: skip
    result = run(*args)
    lines = result.output.splitlines()
    head = repo.repo.head.commit.hexsha[:12]
    assert lines == [
        "note: cannot resolve nowhere.invalid (no network?): its 1 project will fail",
        f"Shop: crawled {head}: 1 file, 4 uses, 2 of removed names",
        "Gone: FAILED: repository not found (check the url in the project list)",
        "Lost: FAILED: the same error as Gone",
        "Far: FAILED: cannot resolve host nowhere.invalid (check the url and your network)",
        "ranking: scoring the examples of the pages whose inputs changed",
        "ranking: scored 2 pages in " + lines[-5].split(" in ")[1],
        f"crawled 1 of 4 projects into {tmp_path / 'm.db'}: 1 from git, 3 failed",
        "to fix a failure: add a `pypi` name to its entry in the project list, point its `url` at "
        "a clone",
        f"the full reasons: miner stats --db {tmp_path / 'm.db'}",
        "uses of removed names: see the missing_names table (queries/missing_names.sql)",
    ]
    assert max(len(line) for line in lines if "pytest" not in line) <= 120
    (stored,) = query(tmp_path / "m.db", "SELECT error FROM crawls WHERE project = 'Gone'")
    assert stored == (f"Gone: cannot fetch {gone[0]}: repository not found (check the url in the "
                      "project list)",)  # fmt: skip
    again = run(*args, "--only", "shop")
    assert f"Shop: unchanged at {head}, 1 file, 4 uses" in again.output.splitlines()
    assert "ranking: no page changed" in again.output.splitlines()


def test_stats_prints_each_projects_last_crawl_with_every_failure_in_full(crawled, make_repo):
    head = query(crawled, "SELECT commit_sha FROM projects")[0][0][:12]
    projects = crawled.parent / "projects.toml"
    gone = (crawled.parent / "gone").as_uri()
    projects.write_text(projects.read_text(encoding="utf-8")
                        + f'[[project]]\nname = "Gone"\nurl = "{gone}"\n', encoding="utf-8")  # fmt: skip
    run("crawl", "--projects", str(projects), "--cache", str(crawled.parent / "c"), "--db",
        str(crawled), "--pypi-index", "", "--jobs", "1")  # fmt: skip
    (last,) = query(crawled, "SELECT max(finished_at) FROM crawls")[0]

    result = run("stats", "--db", str(crawled))

    assert result.exit_code == 0
    assert result.output.splitlines() == [
        f"{crawled}: 2 projects, last crawled {last}: 1 ok (4 uses), 1 failed",
        f"Gone: FAILED: cannot fetch {gone}: repository not found (check the url in the "
        "project list)",
        f"Shop: git {head}: 1 file, 4 uses",
        "  note: unchanged: the remote head is the stored commit and the scan key is the same",
    ]
    empty = run("stats", "--db", str(crawled.parent / "none.db"))
    assert (empty.exit_code, empty.output) == (
        1, f"Error: {crawled.parent / 'none.db'}: no such database: run `miner crawl` first, or "
        "pass --db\n"
    )  # fmt: skip


def test_quiet_prints_the_failures_alone_and_a_refused_history_is_a_warning(
    make_repo, tmp_path, monkeypatch
):
    from miner import sources
    from miner.model import History

    monkeypatch.setattr(sources, "history", lambda *args: History(1, note="recent history not "
                        "fetched (git said: upload-pack: aborting)"))  # fmt: skip
    repo = make_repo({"shop/views.py": VIEWS}, name="shop")
    projects = tmp_path / "projects.toml"
    projects.write_text(f'[[project]]\nname = "Shop"\nurl = "{repo.url}"\n[[project]]\n'
                        f'name = "Gone"\nurl = "{(tmp_path / "gone").as_uri()}"\n', encoding="utf-8")  # fmt: skip
    args = ["crawl", "--projects", str(projects), "--cache", str(tmp_path / "c"), "--jobs", "1",
            "--pypi-index", "", "--db"]  # fmt: skip

    quiet = run("-q", *args, str(tmp_path / "q.db"))
    loud = run(*args, str(tmp_path / "l.db"))

    assert (quiet.exit_code, quiet.output) == (
        1, "Gone: FAILED: repository not found (check the url in the project list)\n"
    )
    assert "Shop: warning: recent history not read: ranked by the commits at hand (miner stats " \
           "says why)" in loud.output.splitlines()
    assert query(tmp_path / "l.db", "SELECT note FROM crawls WHERE project = 'Shop'") == [
        ("recent history not fetched (git said: upload-pack: aborting)",)
    ]


def test_an_unresolvable_host_is_said_once_with_what_becomes_of_its_projects():
    from miner.cli import _host_note
    from miner.model import Project

    def projects(*pypi: str | None) -> list[Project]:
        return [Project(f"p{n}", f"https://forge.invalid/o/p{n}", pypi=name)
                for n, name in enumerate(pypi)]  # fmt: skip

    assert [
        _host_note("forge.invalid", projects("a", None, None), fallback=True),
        _host_note("forge.invalid", projects("a", "b"), fallback=True),
        _host_note("forge.invalid", projects("a"), fallback=True),
        _host_note("forge.invalid", projects("a", "b"), fallback=False),
    ] == [
        "note: cannot resolve forge.invalid (no network?): 1 of its 3 projects falls back to PyPI, "
        "the other 2 fail",
        "note: cannot resolve forge.invalid (no network?): its 2 projects fall back to PyPI releases",
        "note: cannot resolve forge.invalid (no network?): its 1 project falls back to PyPI releases",
        "note: cannot resolve forge.invalid (no network?): its 2 projects will fail",
    ]


def test_every_project_that_cannot_resolve_the_host_shares_one_failure_line():
    from miner.crawl import ProjectResult
    from miner.progress import _Failures

    failures = _Failures()
    brief = "cannot resolve host github.com (check the url and your network)"
    lines = [
        failures.line(ProjectResult(name, ok=False, error=f"{name}: ...", brief=brief))
        for name in ("a", "b")
    ]
    assert lines == [
        "a: FAILED: cannot resolve host github.com (check the url and your network)",
        "b: FAILED: the same error as a",
    ]

"""Progress: bars on a terminal, plain lines in a pipe, nothing but errors with --quiet."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from miner import progress, store
from miner.cli import cli
from miner.crawl import CrawlListener, crawl
from miner.model import Project
from miner.render import render_pages
from miner.targets import discover

FILES: dict[str, str | bytes] = {
    "app.py": "from flask import abort, jsonify\nabort(404)\njsonify(a=1)\n",
    "other.py": "import os\n",
}


def projects_file(tmp_path, urls):
    path = tmp_path / "projects.toml"
    path.write_text(
        "".join(f'[[project]]\nname = "{name}"\nurl = "{url}"\n' for name, url in urls.items()),
        encoding="utf-8",
    )
    return path


def run(tmp_path, urls, *options):
    arguments = [
        *options,
        "crawl",
        "--projects",
        str(projects_file(tmp_path, urls)),
        "--db",
        str(tmp_path / "miner.db"),
        "--cache",
        str(tmp_path / "cache"),
        "--jobs",
        "1",
    ]
    return CliRunner().invoke(cli, arguments, catch_exceptions=False)


def test_plain_lines_when_stderr_is_not_a_terminal(make_repo, tmp_path):
    repo = make_repo(FILES)
    result = run(tmp_path, {"demo": repo.url})
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert any(line.startswith("demo: ") and "2 files" in line for line in lines)
    assert lines[-1].startswith("crawled 1 of 1 projects")
    assert "━" not in result.output  # no bar

    again = run(tmp_path, {"demo": repo.url})
    assert "demo: " in again.output and "unchanged" in again.output


def test_quiet_prints_only_failures(make_repo, tmp_path):
    repo = make_repo(FILES)
    assert run(tmp_path, {"demo": repo.url}, "--quiet").output == ""

    missing = (tmp_path / "missing").as_uri()
    result = run(tmp_path, {"demo": repo.url, "gone": missing}, "-q")
    assert result.exit_code == 1
    assert [line.split(":")[0] for line in result.output.splitlines()] == ["gone"]
    assert "FAILED" in result.output


def test_bars_on_a_terminal(make_repo, tmp_path, monkeypatch):
    monkeypatch.setattr(progress, "mode_for", lambda quiet: "quiet" if quiet else "bars")
    repo = make_repo(FILES)
    result = run(tmp_path, {"demo": repo.url})
    assert result.exit_code == 0
    assert "demo: " in result.output  # the result line is printed above the bars


def test_the_crawl_reports_projects_and_files(make_repo, tmp_path):
    repo = make_repo(FILES)
    events = []

    class Recorder(CrawlListener):
        def crawl_started(self, projects):
            events.append(("crawl", projects))

        def project_started(self, project):
            events.append(("project", project.name))

        def files_scanned(self, project, done, total):
            events.append(("files", done, total))

        def project_finished(self, result):
            events.append(("done", result.project))

    db = store.open_db(tmp_path / "miner.db")
    crawl(
        db,
        [Project("demo", repo.url)],
        discover("flask"),
        tmp_path / "c",
        jobs=1,
        listener=Recorder(),
    )

    assert events[:2] == [("crawl", 1), ("project", "demo")]
    assert events[-2:] == [("files", 2, 2), ("done", "demo")]


@pytest.mark.parametrize("names", [None, ["flask.abort"]])
def test_render_reports_every_page(make_repo, tmp_path, names):
    repo = make_repo(FILES)
    db = store.open_db(tmp_path / "miner.db")
    crawl(db, [Project("demo", repo.url)], discover("flask"), tmp_path / "c", jobs=1)
    calls = []

    report = render_pages(db, tmp_path / "site", names=names, progress=lambda *a: calls.append(a))

    pages = len(report.pages)
    assert pages == (2 if names is None else 1)
    assert calls == [(done, pages) for done in range(1, pages + 1)]


def test_the_ranking_bar_goes_when_its_result_line_is_printed():
    import io

    from rich.console import Console
    from rich.progress import Progress

    out = io.StringIO()
    with Progress(console=Console(file=out, force_terminal=True, width=100)) as bars:
        listener = progress._Bars(bars)
        listener.crawl_started(1)
        listener.ranking_started()
        assert [task.description for task in bars.tasks] == ["projects", "ranking"]
        listener.ranking_finished(3)
        assert [task.description for task in bars.tasks] == ["projects"]
    assert "ranking: scored 3 pages in " in out.getvalue()


def test_a_long_reason_is_cut_in_its_detail_and_keeps_its_advice():
    reason = "git: " + "x" * 200 + " (check the url and your network)"
    line = progress.fit("Shop: FAILED: ", reason)
    assert len(line) == progress.LINE_WIDTH
    assert line.startswith("Shop: FAILED: git: xxx") and line.endswith("x… (check the url and your network)")
    assert progress.fit("Shop: FAILED: ", "short (do this)") == "Shop: FAILED: short (do this)"

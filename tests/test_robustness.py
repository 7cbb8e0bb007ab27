"""Broken and hostile input never stops a crawl, loses rows, hangs, or escapes its place (issue 8).

Every case goes through the command line (`miner crawl`, `miner render`) on real git
repositories built on disk: no network, only file:// URLs and servers on 127.0.0.1. Each
failure is one line naming the input and what to do; the other projects go on; the exit
status is 1 when anything failed; rows stored earlier stay.
"""

from __future__ import annotations

import gc
import http.server
import json
import os
import re
import socket
import sqlite3
import subprocess
import textwrap
import threading
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import markdown
import pytest
from click.testing import CliRunner, Result
from markupsafe import escape

from miner.cli import cli

APP = textwrap.dedent(
    """\
    from flask import Flask, make_response

    app = Flask(__name__)


    @app.route("/")
    def index():
        return make_response("hello", 200)
    """
)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def project_list(tmp_path: Path, *projects: dict[str, str]) -> Path:
    """A projects.toml of the given tables (JSON strings are valid TOML basic strings)."""
    tables = [
        "[[project]]\n" + "".join(f"{key} = {json.dumps(value)}\n" for key, value in table.items())
        for table in projects
    ]
    path = tmp_path / "projects.toml"
    path.write_text("\n".join(tables), encoding="utf-8")
    return path


def crawl(tmp_path: Path, projects: Path, *options: str, timeout: str = "30") -> Result:
    return run(
        "crawl", "--projects", str(projects), "--cache", str(tmp_path / "cache"),
        "--db", str(tmp_path / "miner.db"), "--jobs", "1", "--timeout", timeout, *options,
    )  # fmt: skip


def query(tmp_path: Path, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(tmp_path / "miner.db") as conn:
        return conn.execute(sql, params).fetchall()


def files_of(tmp_path: Path, project: str) -> dict[str, str]:
    rows = query(tmp_path, "SELECT path, status FROM files WHERE project = ?", project)
    return dict(rows)


def failure_lines(result: Result) -> list[str]:
    return [line for line in result.output.splitlines() if ": FAILED: " in line]


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


# -- the project list --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[project]\nname = "a"\n',
            "invalid TOML: Expected ']]' at the end of an array declaration "
            "(at line 1, column 10) (fix the syntax there)",
        ),
        ('[[project]]\nname = "a"\n', 'project 1 ("a") has no "url" (add url = "...")'),
        (
            '[[project]]\nname = "a"\nurl = "x"\n\n[[project]]\nname = "A"\nurl = "y"\n',
            'project 2 ("A") has the same name as project 1; give each project its own name',
        ),
        (
            '[[project]]\nname = "a"\nurl = "x"\nlisence = "MIT"\n',
            'project 1 ("a") has unknown key "lisence"; did you mean "license"?',
        ),
    ],
    ids=["invalid-toml", "missing-url", "duplicate-names", "unknown-key"],
)
def test_a_broken_project_list_is_one_line_and_touches_nothing(
    tmp_path: Path, text: str, message: str
) -> None:
    projects = tmp_path / "projects.toml"
    projects.write_text(text, encoding="utf-8")

    result = crawl(tmp_path, projects)

    assert result.exit_code == 1
    assert result.output == f"Error: {projects}: {message}\n"
    assert not (tmp_path / "miner.db").exists()


# -- remotes -----------------------------------------------------------------------------------


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server() -> Iterator[dict[str, str]]:
    """Two loopback servers: one answers 401 asking for a password, one accepts and stalls."""

    class AsksForPassword(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="private"')
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    private = http.server.ThreadingHTTPServer(("127.0.0.1", 0), AsksForPassword)
    stalling = socket.socket()
    stalling.bind(("127.0.0.1", 0))
    stalling.listen(8)  # the kernel accepts connections; nobody ever answers
    thread = threading.Thread(target=private.serve_forever, daemon=True)
    thread.start()
    try:
        yield {
            "private": f"http://127.0.0.1:{private.server_address[1]}/owner/private.git",
            "stalling": f"http://127.0.0.1:{stalling.getsockname()[1]}/owner/slow.git",
        }
    finally:
        private.shutdown()
        private.server_close()
        stalling.close()
        thread.join(timeout=5)


def test_bad_remotes_fail_one_line_each_and_the_others_go_on(
    make_repo, tmp_path: Path, server: dict[str, str]
) -> None:
    good = make_repo({"app.py": APP}, name="good")
    empty = tmp_path / "empty.git"
    git(tmp_path, "init", "-q", "--bare", str(empty))
    refused = f"https://127.0.0.1:{closed_port()}/owner/x.git"
    projects = project_list(
        tmp_path,
        {"name": "Scheme", "url": "foo://example.invalid/x.git"},
        {"name": "Nowhere", "url": str(tmp_path / "no such dir")},
        {"name": "Refused", "url": refused},
        {"name": "Private", "url": server["private"]},
        {"name": "Empty", "url": str(empty)},
        {"name": "Good", "url": good.url},
    )
    started = time.monotonic()

    result = crawl(tmp_path, projects, timeout="10")

    assert time.monotonic() - started < 10  # a password prompt would wait forever
    assert result.exit_code == 1
    lines = failure_lines(result)
    refused_line = lines.pop(2)  # curl's own words, which vary between versions, then advice
    assert refused_line.startswith("Refused: FAILED: cannot connect to 127.0.0.1 port ")
    assert refused_line.endswith(" (check the url and your network)")
    assert lines == [
        "Scheme: FAILED: unsupported URL scheme (use https://, ssh://, git://, file:// or a local "
        "path)",
        "Nowhere: FAILED: repository not found (check the url in the project list)",
        "Private: FAILED: access denied: private or missing repository (check the url in the "
        "project list)",
        "Empty: FAILED: repository is empty (check the url in the project list)",
    ]
    assert max(len(line) for line in result.output.splitlines() if ": FAILED: " in line) <= 120
    stored = dict(query(tmp_path, "SELECT project, error FROM crawls WHERE status = 'failed'"))
    assert stored["Nowhere"] == (  # the whole story stays in the database: `miner stats`
        f"Nowhere: cannot fetch {tmp_path / 'no such dir'}: repository not found (check the url "
        "in the project list)"
    )
    assert stored["Refused"].startswith(f"Refused: cannot fetch {refused}: cannot connect to ")
    assert "Traceback" not in result.output
    assert "crawled 1 of 6 projects" in result.output
    assert files_of(tmp_path, "Good") == {"app.py": "scanned"}
    failed = query(tmp_path, "SELECT project FROM crawls WHERE status = 'failed' ORDER BY id")
    assert [name for (name,) in failed] == ["Scheme", "Nowhere", "Refused", "Private", "Empty"]


def test_a_stalled_remote_times_out_and_keeps_the_rows_it_had(
    make_repo, tmp_path: Path, server: dict[str, str]
) -> None:
    remote = make_repo({"app.py": APP}, name="slow")
    assert crawl(tmp_path, project_list(tmp_path, {"name": "Slow", "url": remote.url})).exit_code == 0
    projects = project_list(tmp_path, {"name": "Slow", "url": server["stalling"]})
    started = time.monotonic()

    result = crawl(tmp_path, projects, timeout="2")

    assert time.monotonic() - started < 10
    assert result.exit_code == 1
    assert failure_lines(result) == [
        "Slow: FAILED: timed out after 2 s (raise --timeout or try again later)"
    ]
    assert files_of(tmp_path, "Slow") == {"app.py": "scanned"}  # the last good crawl's rows
    assert query(tmp_path, "SELECT COUNT(*) FROM uses WHERE project = 'Slow'") == [(4,)]


def test_a_repository_without_python_files_is_an_empty_ok_crawl(make_repo, tmp_path: Path) -> None:
    remote = make_repo({"README.md": "no code\n", "setup.cfg": "[metadata]\n"}, name="docs")

    result = crawl(tmp_path, project_list(tmp_path, {"name": "Docs", "url": remote.url}))

    assert result.exit_code == 0, result.output
    assert "Docs: " in result.output and ": 0 files, 0 uses" in result.output
    assert query(tmp_path, "SELECT status, files, uses FROM crawls") == [("ok", 0, 0)]
    rendered = run("render", "--db", str(tmp_path / "miner.db"), "--out", str(tmp_path / "site"))
    assert rendered.exit_code == 0 and "wrote 0 pages (markdown)" in rendered.output


def test_a_default_branch_renamed_between_crawls_is_followed(make_repo, tmp_path: Path) -> None:
    remote = make_repo({"old.py": APP}, name="renamed")
    projects = project_list(tmp_path, {"name": "Renamed", "url": remote.url})
    assert crawl(tmp_path, projects).exit_code == 0
    git(remote.path, "branch", "-m", "main", "trunk")
    head = remote.commit({"new.py": APP}, delete=("old.py",))

    result = crawl(tmp_path, projects)

    assert result.exit_code == 0, result.output
    assert query(tmp_path, "SELECT branch, commit_sha FROM projects") == [("trunk", head)]
    assert files_of(tmp_path, "Renamed") == {"new.py": "scanned"}
    assert query(tmp_path, "SELECT DISTINCT path FROM uses") == [("new.py",)]


def test_a_force_pushed_history_replaces_the_rows(make_repo, tmp_path: Path) -> None:
    remote = make_repo({"kept.py": APP, "dropped.py": APP}, name="rewritten")
    projects = project_list(tmp_path, {"name": "Rewritten", "url": remote.url})
    assert crawl(tmp_path, projects).exit_code == 0
    git(remote.path, "checkout", "-q", "--orphan", "rewrite")
    git(remote.path, "rm", "-q", "--cached", "dropped.py")
    (remote.path / "dropped.py").unlink()
    git(remote.path, "-c", "user.name=F", "-c", "user.email=f@example.org",
        "commit", "-q", "-m", "history rewritten")  # fmt: skip
    git(remote.path, "branch", "-M", "rewrite", "main")  # main now has no common history
    head = git(remote.path, "rev-parse", "HEAD")

    result = crawl(tmp_path, projects)

    assert result.exit_code == 0, result.output
    assert query(tmp_path, "SELECT commit_sha FROM projects") == [(head,)]
    assert files_of(tmp_path, "Rewritten") == {"kept.py": "scanned"}
    assert query(tmp_path, "SELECT DISTINCT path FROM uses") == [("kept.py",)]


# -- files -------------------------------------------------------------------------------------

IMPORT = b"from flask import make_response\n"
DEEP = r"(RecursionError|MemoryError|SyntaxError): .+"  # which one depends on Python's version
BAD_FILES: dict[str, tuple[bytes, str, str | None]] = {  # path: (content, status, error regex)
    "py2/print.py": (IMPORT + b'print "hello"\n', "unparsable",
                     r"SyntaxError: Python 2 print statement \(line 2\)"),
    "py2/octal.py": (IMPORT + b"x = 0777\n", "unparsable", r"SyntaxError: leading zeros .+"),
    # Python 2's `except E, e:` is Python 3.14's `except A, B:` (PEP 758): valid grammar now.
    "py2/except.py": (IMPORT + b"try:\n    pass\nexcept Exception, e:\n    pass\n",
                      "scanned", None),
    "syntax.py": (IMPORT + b"def broken(:\n", "unparsable", r"SyntaxError: .+ \(line 2\)"),
    "latin1_cookie.py": (b"# -*- coding: latin-1 -*-\n" + IMPORT + 'make_response("caf\xe9")\n'
                         .encode("latin-1"), "scanned", None),
    "latin1_no_cookie.py": (IMPORT + 'make_response("caf\xe9")\n'.encode("latin-1"),
                            "unparsable", r"SyntaxError: .*'utf-8' codec can't decode byte 0xe9.*"),
    "bogus_cookie.py": (b"# -*- coding: klingon -*-\n" + IMPORT, "unparsable",
                        r"SyntaxError: unknown encoding.*klingon.*"),
    "bom.py": (b"\xef\xbb\xbf" + IMPORT + b"make_response()\n", "scanned", None),
    "nul.py": (IMPORT + b"x = 1\0\n", "unparsable", r"binary content: the file holds NUL bytes"),
    "generated.py": (IMPORT + b"x = 1\n" * 200_000, "too-large",
                     rf"{len(IMPORT) + 1_200_000} bytes, over the 1000000 cap"),
    "deep/parens.py": (IMPORT + b"x = " + b"(" * 5000 + b"1" + b")" * 5000 + b"\n",
                       "unparsable", DEEP),
    "deep/chain.py": (IMPORT + b"x = " + b" + ".join([b"a"] * 100_000) + b"\n", "unparsable", DEEP),
    "deep/unary.py": (IMPORT + b"x = " + b"-" * 100_000 + b"a\n", "unparsable", DEEP),
    "deep/calls.py": (IMPORT + b"x = f" + b"()" * 50_000 + b"\n", "unparsable", DEEP),
    "deep/lambdas.py": (IMPORT + b"x = " + b"lambda: " * 20_000 + b"1\n", "unparsable", DEEP),
    "fine.py": (IMPORT + b"make_response()\n", "scanned", None),
}  # fmt: skip


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_broken_files_are_recorded_and_never_stop_the_crawl(
    make_repo, tmp_path: Path, jobs: str
) -> None:
    """Each file gets its status and one-line reason, in this process and in worker processes."""
    remote = make_repo({path: content for path, (content, _, _) in BAD_FILES.items()}, name="bad")

    result = crawl(tmp_path, project_list(tmp_path, {"name": "Bad", "url": remote.url}), "-j", jobs)

    assert result.exit_code == 0, result.output
    rows = {path: (status, error) for path, status, error in query(
        tmp_path, "SELECT path, status, error FROM files"
    )}  # fmt: skip
    assert rows.keys() == BAD_FILES.keys()
    for path, (_, status, error) in BAD_FILES.items():
        assert rows[path][0] == status, path
        if error is None:
            assert rows[path][1] is None, path
        else:
            assert re.fullmatch(error, rows[path][1]) and "\n" not in rows[path][1], rows[path]
    assert query(tmp_path, "SELECT DISTINCT path FROM uses ORDER BY path") == [
        ("bom.py",), ("fine.py",), ("latin1_cookie.py",), ("py2/except.py",)
    ]
    unparsable = sum(status == "unparsable" for _, status, _ in BAD_FILES.values())
    assert query(tmp_path, "SELECT files, unparsable FROM crawls") == [(len(BAD_FILES), unparsable)]


ODD_NAMES = {
    "Spaces": 'dir with space/my "quoted" file.py',
    "Unicode": "café/naïve l'école.py",
}


def test_odd_file_names_survive_crawl_and_render_with_correct_links(
    make_repo, tmp_path: Path
) -> None:
    tables = []
    for name, path in ODD_NAMES.items():
        code = APP + f"\n\ndef {name.lower()}():\n    return make_response()\n"  # not copies
        remote = make_repo({path: code}, name=name.lower())
        tables.append({"name": name, "url": remote.url, "web": f"https://github.com/o/{name}"})
    assert crawl(tmp_path, project_list(tmp_path, *tables)).exit_code == 0
    site = tmp_path / "site"

    result = run("render", "--db", str(tmp_path / "miner.db"), "--out", str(site),
                 "--format", "both", "--name", "flask.make_response")  # fmt: skip

    assert result.exit_code == 0, result.output
    markdown = (site / "flask" / "flask-helpers-make-response-examples.markdown").read_text("utf-8")
    html = (site / "flask" / "flask-helpers-make-response-examples.html").read_text("utf-8")
    for name, path in ODD_NAMES.items():
        (commit,) = query(tmp_path, "SELECT commit_sha FROM projects WHERE name = ?", name)[0]
        assert files_of(tmp_path, name) == {path: "scanned"}
        url = re.escape(f"https://github.com/o/{name}/blob/{commit}/{quote(path)}") + r"#L\d+-L\d+"
        label = " / ".join([name, *path.split("/")])
        assert re.search(rf"\[\*\*{re.escape(label)}\*\*\]\({url}\)\n", markdown), label
        escaped = re.escape(str(escape(label)))
        assert re.search(rf'<a href="{url}"><strong>{escaped}</strong></a>', html), label


# -- hostile repositories ----------------------------------------------------------------------


def test_symlinks_are_never_followed(make_repo, tmp_path: Path) -> None:
    outside = tmp_path / "outside.py"
    outside.write_text(APP, encoding="utf-8")
    remote = make_repo({"real.py": APP}, name="links")
    links = {
        "escape.py": str(outside),  # absolute, outside the repository
        "up.py": "../../outside.py",  # relative, climbing out
        "loop_a.py": "loop_b.py",  # a loop
        "loop_b.py": "loop_a.py",
        "self.py": "self.py",
        "pkg": "..",  # a directory loop: pkg/pkg/pkg/...
        "passwd.py": "/etc/passwd",
    }
    for name, target in links.items():
        os.symlink(target, remote.path / name)
    git(remote.path, "add", "-A")
    git(remote.path, "commit", "-q", "-m", "links")
    assert git(remote.path, "ls-files", "-s", "up.py").startswith("120000 ")

    result = crawl(tmp_path, project_list(tmp_path, {"name": "Links", "url": remote.url}))

    assert result.exit_code == 0, result.output
    assert files_of(tmp_path, "Links") == {"real.py": "scanned"}
    assert query(tmp_path, "SELECT DISTINCT path FROM uses") == [("real.py",)]


@pytest.mark.parametrize("name", ["../../etc", "/tmp/abs", "..", "a/../../b", "~root"])
def test_a_project_name_cannot_escape_the_cache_or_the_output(
    make_repo, tmp_path: Path, name: str
) -> None:
    remote = make_repo({"app.py": APP}, name="escape")
    before = set(tmp_path.iterdir())

    crawled = crawl(tmp_path, project_list(tmp_path, {"name": name, "url": remote.url}))
    rendered = run("render", "--db", str(tmp_path / "miner.db"), "--out",
                   str(tmp_path / "site"), "--format", "both")  # fmt: skip

    assert crawled.exit_code == 0 and rendered.exit_code == 0, crawled.output + rendered.output
    created = set(tmp_path.iterdir()) - before
    assert {path.name for path in created} <= {"cache", "site", "miner.db", "miner.db-wal",
                                               "miner.db-shm", "projects.toml"}  # fmt: skip
    cache = (tmp_path / "cache").resolve()
    for entry in cache.iterdir():
        assert entry.resolve().parent == cache and not entry.name.startswith(".")
    for page in (tmp_path / "site").rglob("*"):
        assert page.resolve().is_relative_to((tmp_path / "site").resolve())
    assert files_of(tmp_path, name) == {"app.py": "scanned"}


def test_submodules_are_not_fetched_nor_their_commands_run(make_repo, tmp_path: Path) -> None:
    inner = make_repo({"inner.py": APP}, name="inner")
    marker = tmp_path / "submodule-ran"
    outer = make_repo(
        {
            "outer.py": APP,
            ".gitmodules": f'[submodule "vendor"]\n\tpath = vendor\n\turl = {inner.url}\n'
            f"\tupdate = !touch {marker}\n",
        },
        name="outer",
    )
    inner_head = git(inner.path, "rev-parse", "HEAD")
    git(outer.path, "update-index", "--add", "--cacheinfo", f"160000,{inner_head},vendor")
    git(outer.path, "commit", "-q", "-m", "add a submodule")
    assert git(outer.path, "ls-files", "-s", "vendor").startswith("160000 ")

    result = crawl(tmp_path, project_list(tmp_path, {"name": "Outer", "url": outer.url}))

    assert result.exit_code == 0, result.output
    assert files_of(tmp_path, "Outer") == {"outer.py": "scanned"}
    (entry,) = [p for p in (tmp_path / "cache").iterdir() if p.is_dir()]
    missing = subprocess.run(["git", "--git-dir", str(entry), "cat-file", "-e", inner_head])
    assert missing.returncode != 0  # the submodule's commit was never fetched
    assert not marker.exists()


def test_hooks_filters_and_attributes_never_run(
    make_repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user's git config and templates that run commands, and a repository asking for them.

    Hooks from the user's template directory (a reference-transaction hook runs on every ref
    update, fetches included), clean/smudge/process filters, a textconv diff driver and
    fsmonitor all point at a script that touches a marker; the repository's .gitattributes
    names the filters for every file. Plain `git clone` runs them (checked first); a crawl
    never does.
    """
    marker = tmp_path / "ran"
    script = tmp_path / "touch-marker"
    script.write_text(f"#!/bin/sh\ntouch {marker}\ncat\n", encoding="utf-8")
    script.chmod(0o755)
    templates = tmp_path / "templates"
    (templates / "hooks").mkdir(parents=True)
    for hook in ("reference-transaction", "post-checkout", "post-merge", "pre-auto-gc"):
        (templates / "hooks" / hook).symlink_to(script)
    remote = make_repo(
        {"app.py": APP, ".gitattributes": "* filter=evil diff=evil\n*.py filter=evil\n"},
        name="hostile",
    )
    config = tmp_path / "gitconfig"
    config.write_text(
        f"[init]\n\ttemplateDir = {templates}\n"
        f'[filter "evil"]\n\tclean = {script}\n\tsmudge = {script}\n\trequired = true\n'
        f'[diff "evil"]\n\ttextconv = {script}\n'
        f"[core]\n\tfsmonitor = {script}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    git(tmp_path, "clone", "-q", remote.url, str(tmp_path / "plain-clone"))
    assert marker.exists()  # the setup is armed: ordinary git runs these commands
    marker.unlink()

    result = crawl(tmp_path, project_list(tmp_path, {"name": "Hostile", "url": remote.url}))
    remote.commit({"more.py": APP})
    again = crawl(tmp_path, project_list(tmp_path, {"name": "Hostile", "url": remote.url}))

    assert result.exit_code == 0 and again.exit_code == 0, result.output + again.output
    assert files_of(tmp_path, "Hostile") == {"app.py": "scanned", "more.py": "scanned"}
    assert not marker.exists()


# -- output safety -----------------------------------------------------------------------------

HOSTILE_SOURCE = '''\
from flask import Flask, make_response

app = Flask(__name__)


@app.route("/")
def index():
    # </pre><script>alert("comment")</script> {{ 7*7 }} {% raw %}
    doc = """
````
</pre><script>alert("pre")</script>
{{ 7*7 }} {% raw %}{{ config }}{% endraw %} {# comment #} <!-- -->
```
"""
    return make_response("<script>alert(1)</script>{{ 7*7 }}" + doc, 200)
'''


def test_hostile_source_and_blurb_stay_inert_in_markdown_and_html(
    make_repo, tmp_path: Path
) -> None:
    remote = make_repo({"app.py": HOSTILE_SOURCE}, name="hostile")
    blurb = '<img src=x onerror="alert(1)"> <b>bold</b> {{ 7*7 }} {% if true %}x{% endif %}'
    projects = project_list(
        tmp_path,
        {"name": "Evil <i>Co</i> {{ 6*6 }}", "url": remote.url, "blurb": blurb,
         "web": "https://github.com/o/evil"},
    )  # fmt: skip
    assert crawl(tmp_path, projects).exit_code == 0
    site = tmp_path / "site"

    result = run("render", "--db", str(tmp_path / "miner.db"), "--out", str(site),
                 "--format", "both", "--name", "flask.make_response")  # fmt: skip

    assert result.exit_code == 0, result.output
    markdown = (site / "flask" / "flask-helpers-make-response-examples.markdown").read_text("utf-8")
    fence = "`````"  # longer than the longest run of backticks in the code
    assert markdown.count(fence) == 2
    code = markdown.split(f"{fence}python\n", 1)[1].split(fence, 1)[0].replace("~~", "")
    for line in HOSTILE_SOURCE.splitlines()[9:]:  # from the docstring on: verbatim
        assert f"\n{line}\n" in code, line
    shown = (
        "&lt;img src=x onerror=\"alert(1)\"&gt; &lt;b&gt;bold&lt;/b&gt; \\{\\{ 7\\*7 \\}\\} "
        "\\{% if true %\\}x\\{% endif %\\}."  # the blurb ends its sentence (full_stop)
    )
    assert f"\n{shown}\n" in markdown  # no template ran, no tag is left
    assert "## Example 1 from Evil &lt;i&gt;Co&lt;/i&gt; \\{\\{ 6\\*6 \\}\\}\n" in markdown

    page = (site / "flask" / "flask-helpers-make-response-examples.html").read_text("utf-8")
    for raw in ("</pre><script>", "<img", "<b>bold", "<i>Co"):
        assert raw not in page
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page
    assert "Evil &lt;i&gt;Co&lt;/i&gt; {{ 6*6 }}" in page
    assert page.count("<pre") == page.count("</pre>") >= 1
    assert "{{ 7*7 }} {% if true %}x{% endif %}" in page  # shown literally, never run
    assert "&lt;script&gt;alert(1)&lt;/script&gt;{{ 7*7 }}" in page  # the code, escaped
    assert "<script" not in page
    index = (site / "flask" / "index.html").read_text("utf-8")
    assert "<script>alert" not in index and "<img" not in index


def test_repository_text_cannot_inject_html_or_links_into_markdown_pages(
    make_repo, tmp_path: Path
) -> None:
    """A README description, a documentation URL and a file name come from strangers.

    Published Markdown is turned into HTML by a site generator that passes raw HTML and any
    link through (Python-Markdown, as Pelican uses it): none of them may become markup there.
    """
    name = "<img src=x onerror=alert(4)>[x](javascript:alert(5)).py"
    remote = make_repo(
        {
            "README.md": "# Proj\n\n&lt;script&gt;alert(1)&lt;/script&gt; A tool "
            "[click](javascript:alert(3)) for things.\n",
            "pyproject.toml": '[project]\nname = "proj"\n[project.urls]\n'
            'Documentation = "https://docs.example.org/)<script>alert(2)</script>"\n',
            name: APP,
        },
        name="meta",
    )
    projects = project_list(
        tmp_path, {"name": "Meta", "url": remote.url, "web": "https://github.com/o/meta"}
    )
    assert crawl(tmp_path, projects).exit_code == 0
    site = tmp_path / "site"

    result = run("render", "--db", str(tmp_path / "miner.db"), "--out", str(site),
                 "--name", "flask.make_response")  # fmt: skip

    assert result.exit_code == 0, result.output
    page = (site / "flask" / "flask-helpers-make-response-examples.markdown").read_text("utf-8")
    published = markdown.markdown(page.split("\n\n", 1)[1], extensions=["fenced_code"])
    assert "<script" not in published and "<img" not in published
    assert 'href="javascript' not in published
    docs = "https://docs.example.org/%29%3Cscript%3Ealert%282%29%3C/script%3E"  # still a URL
    assert f'<a href="{docs}">documentation</a>' in published
    assert "&lt;img src=x onerror=alert(4)&gt;[x](javascript:alert(5)).py" in published  # text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; A tool" in published


# -- publishing: Pelican's Markdown dialect --------------------------------------------------

#: a source line that itself begins with ~~ (inside brackets a line may start anywhere)
TILDE_APP = textwrap.dedent(
    """\
    from flask import make_response


    def index():
        flags = (
    ~~1
        )
        text = '''
    ~~~
    <script>alert("fence")</script>
    '''
        return make_response(text, flags)
    """
)
#: file names (one path part each): emphasis, attribute lists, fences after a newline or a CR,
#: code spans, links, images, raw HTML, tables, footnotes, abbreviations, headings, placeholders
HOSTILE_NAMES = [
    "a*b*{: onfocus=alert(1) autofocus}.py",
    "x\n~~~\n<b onclick=alert(2)>.py",
    "y\r~~~ {: onclick=alert(3)}.py",
    "`code` ``span``.py",
    "[x](javascript:alert(4)) ![i](x.png).py",
    "<img src=x onerror=alert(5)>.py",
    "| a | b |.py",
    "[^1] *[HTML]: <b>abbr.py",
    "\x1b[31mred\x1b[0m \x02wzxhzdk:0\x03 \u202eyp.txt.py",
    "_emph_ **strong** ~~del~~.py",
]
#: what the page and the published HTML must say for a name: controls shown as U+FFFD or space
SHOWN_NAMES = [
    name.replace("\n", " ").replace("\r", " ").replace("\x1b", "\ufffd").replace("\x02", "\ufffd")
    .replace("\x03", "\ufffd").replace("\u202e", "\ufffd")
    for name in HOSTILE_NAMES
]  # fmt: skip
#: one public name per file, so that every file is the example of its own page
NAMES = ["redirect", "abort", "url_for", "render_template", "flash", "send_file",
         "get_flashed_messages", "stream_with_context", "render_template_string",
         "send_from_directory"]  # fmt: skip
DESCRIPTION = "~~~ a*b*{: onmouseover=alert(6)} <svg onload=alert(7)> [l](javascript:alert(8))"


def tags_and_attributes(html: str) -> tuple[set[str], set[str], list[str]]:
    """Every element name, attribute name and the text of an HTML document."""

    class Collector(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.tags: set[str] = set()
            self.attributes: set[str] = set()
            self.hrefs: list[str] = []
            self.text: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.tags.add(tag)
            self.attributes.update(name for name, _ in attrs)
            self.hrefs += [value or "" for name, value in attrs if name in ("href", "src")]

        def handle_data(self, data: str) -> None:
            self.text.append(data)

    collector = Collector()
    collector.feed(html)
    assert not any(href.lower().lstrip().startswith(("javascript", "data")) for href in collector.hrefs)
    return collector.tags, collector.attributes, ["".join(collector.text)]


#: what miner's own Markdown may produce under Pelican's settings (codehilite spans included)
ALLOWED_TAGS = {"p", "a", "strong", "code", "pre", "div", "span", "h1", "h2", "ul", "li", "blockquote"}
ALLOWED_ATTRIBUTES = {"href", "class"}


def hostile_site(make_repo, tmp_path: Path) -> list[Path]:
    """A crawled and rendered project whose every text a publisher sees is hostile."""
    files: dict[str, str | bytes] = {
        # abort("hello", 200) cannot work (miner/misuse.py): abort takes the status code first
        path: APP.replace("make_response", name).replace('abort("hello", 200)', 'abort(404, "hello")')
        for path, name in zip(HOSTILE_NAMES, NAMES, strict=True)
    }
    files["pkg/__init__.py"] = APP.replace("make_response", "jsonify")
    files["tilde.py"] = TILDE_APP
    files["pyproject.toml"] = (
        '[project]\nname = "evil"\n'
        f"description = {json.dumps(DESCRIPTION)}\n"
        'dependencies = ["flask===``<svg/onload=alert``{:onclick=x}"]\n'
    )
    remote = make_repo(files, name="publish")
    projects = project_list(
        tmp_path,
        {"name": "Evil <i>Co</i> _x_ {: onclick=alert(10)}", "url": remote.url,
         "web": "https://github.com/o/evil"},
    )  # fmt: skip
    crawled = crawl(tmp_path, projects)
    assert crawled.exit_code == 0, crawled.output
    site = tmp_path / "site"
    result = run("render", "--db", str(tmp_path / "miner.db"), "--out", str(site))
    assert result.exit_code == 0, result.output
    return sorted((site / "flask").iterdir())


def test_published_pages_carry_no_markup_from_a_repository(make_repo, tmp_path: Path) -> None:
    """Python-Markdown with Pelican's default extensions, and a real Pelican build."""
    from pelican import Pelican
    from pelican.settings import DEFAULT_CONFIG, read_settings
    from test_pelican import SETTINGS

    from miner.pelican_plugin import HighlightedLinesExtension

    pages = hostile_site(make_repo, tmp_path)
    config = DEFAULT_CONFIG["MARKDOWN"]
    content = tmp_path / "content" / "pages"
    content.mkdir(parents=True)
    direct = []
    for page in pages:
        text = page.read_text("utf-8")
        direct.append(markdown.markdown(
            text.split("\n\n\n", 1)[1],
            extensions=[*config["extension_configs"], HighlightedLinesExtension()],
            extension_configs=config["extension_configs"],
            output_format="html",
        ))  # fmt: skip
        (content / page.name).write_text(text, encoding="utf-8")
    output = tmp_path / "output"
    settings = read_settings(
        override={**SETTINGS, "PATH": str(tmp_path / "content"), "OUTPUT_PATH": str(output)}
    )
    Pelican(settings).run()
    built = [
        (output / f"{page.stem}.html").read_text("utf-8")
        .split('<section id="content" class="body">', 1)[1].split("</section>", 1)[0]
        for page in pages
    ]  # fmt: skip

    project = "Evil <i>Co</i> _x_ {: onclick=alert(10)}"
    for html in ("".join(direct), "".join(built)):
        tags, attributes, (shown,) = tags_and_attributes(html)
        assert tags <= ALLOWED_TAGS, tags - ALLOWED_TAGS
        assert attributes <= ALLOWED_ATTRIBUTES, attributes - ALLOWED_ATTRIBUTES
        for name in [*SHOWN_NAMES, "pkg / __init__.py"]:  # each file reads back as written
            assert f"{project} / {name}" in shown, name
        assert f"Example 1 from {project}\n" in shown
        assert "~~~ a*b*{: onmouseover=alert(6)} " in shown  # the rest: see metadata.py
        assert "Flask ===``<svg/onload=alert``{:onclick=x}." in shown
        assert "\n~~1\n" in shown  # the source line as written, not a highlight
        assert '<script>alert("fence")</script>' in shown  # code, shown as text
    text = "".join(page.read_text("utf-8") for page in pages)
    blocks = re.findall(r'^(`{3,})python( hl_lines="[\d ]+")?\n(.*?)^\1$', text, re.M | re.S)
    assert [hl for _, hl, code in blocks if "\n~~1\n" in code] == [' hl_lines="2 13"']
    highlighted = sum(
        len(re.findall(r"\d+", hl)) if hl else len(re.findall("^~~", code, re.M))
        for _, hl, code in blocks
    )
    assert "".join(direct).count('<span class="hll">') == highlighted
    assert "".join(built).count('<span class="hll">') == highlighted


# -- one project never stops the crawl -------------------------------------------------------


def malformed_date_commit(remote) -> None:
    """Put a commit whose author date is not a number under the head, then commit on top."""
    tree = git(remote.path, "rev-parse", "HEAD^{tree}")
    parent = git(remote.path, "rev-parse", "HEAD")
    raw = (f"tree {tree}\nparent {parent}\nauthor M <m@e> notanumber +0000\n"
           "committer M <m@e> notanumber +0000\n\nbroken date\n")  # fmt: skip
    sha = subprocess.run(
        ["git", "hash-object", "-t", "commit", "--literally", "-w", "--stdin"],
        cwd=remote.path, input=raw, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    git(remote.path, "update-ref", "refs/heads/main", sha)
    git(remote.path, "reset", "-q", "--soft", sha)
    remote.commit({"later.py": APP}, message="after the broken one")


def test_one_project_never_stops_the_crawl_whatever_it_raises(
    make_repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Surrogates in metadata and code, a malformed date, a huge url, no memory, a full disk."""
    from miner import crawl as crawling
    from miner import metadata, store

    surrogate = make_repo(
        {
            "setup.py": 'from setuptools import setup\nsetup(name="s", '
            'description="A tool \\ud800 for \\udfff things", install_requires=["flask>=2"])\n',
            "app.py": APP,
            "escaped.py": b"# coding: raw_unicode_escape\n" + APP.encode() + b'\nx = "\\ud800"\n',
        },
        name="surrogate",
    )
    dated = make_repo({"app.py": APP}, name="dated")
    malformed_date_commit(dated)
    assert "notanumber" in git(dated.path, "cat-file", "-p", "HEAD~1")
    memory = make_repo({"app.py": APP}, name="memory")
    full = make_repo({"app.py": APP}, name="full")
    good = make_repo({"app.py": APP}, name="good")
    projects = project_list(
        tmp_path,
        {"name": "Surrogate", "url": surrogate.url},
        {"name": "Dated", "url": dated.url},
        {"name": "Huge", "url": "https://example.invalid/" + "a" * 200_000},
        {"name": "Memory", "url": memory.url},
        {"name": "Full", "url": full.url},
        {"name": "Good", "url": good.url},
    )
    describe, save_crawl = metadata.describe, store.save_crawl

    def no_memory(files, library):  # type: ignore[no-untyped-def]
        if any(b"memory" in content for content in files.values()) or "memory" in str(files):
            raise MemoryError
        return describe(files, library)

    def disk_full(db, checkout, *args, **kwargs):  # type: ignore[no-untyped-def]
        save_crawl(db, checkout, *args, **kwargs)  # the rows are written, then COMMIT fails
        if checkout.project.name == "Full":
            raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(crawling.metadata, "describe", no_memory)
    monkeypatch.setattr(crawling.store, "save_crawl", disk_full)
    (memory.path / "README.md").write_text("memory\n", encoding="utf-8")
    git(memory.path, "add", "README.md")
    git(memory.path, "commit", "-q", "-m", "readme")

    result = crawl(tmp_path, projects)

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert failure_lines(result) == [
        "Huge: FAILED: the url is 200024 characters long, over the 8192 limit (check the url in "
        "the project list)",
        "Memory: FAILED: out of memory (crawl it alone with --only, or free memory)",
        "Full: FAILED: not stored: the disk is full (free some space, then crawl again)",
    ]
    assert "crawled 3 of 6 projects" in result.output
    statuses = dict(query(tmp_path, "SELECT project, status FROM crawls"))
    assert statuses == {"Surrogate": "ok", "Dated": "ok", "Huge": "failed", "Memory": "failed",
                        "Full": "failed", "Good": "ok"}  # fmt: skip
    assert files_of(tmp_path, "Full") == {}  # rolled back whole
    assert files_of(tmp_path, "Dated") == {"app.py": "scanned", "later.py": "scanned"}
    assert files_of(tmp_path, "Surrogate") == {"app.py": "scanned", "escaped.py": "unparsable",
                                               "setup.py": "no-mention"}  # fmt: skip
    (description,) = query(tmp_path, "SELECT description FROM projects WHERE name = 'Surrogate'")[0]
    assert description == "A tool \ufffd for \ufffd things"
    assert query(tmp_path, "SELECT COUNT(DISTINCT project) FROM candidates") == [(3,)]  # ranked


# -- the database as input -------------------------------------------------------------------


def digest(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def miner_db(make_repo, tmp_path: Path) -> Path:
    """A real miner database in rollback-journal mode, checkpointed into one file."""
    remote = make_repo({"app.py": APP}, name="dbinput")
    assert crawl(tmp_path, project_list(tmp_path, {"name": "P", "url": remote.url})).exit_code == 0
    gc.collect()  # the crawl's connection, closed
    with sqlite3.connect(tmp_path / "miner.db") as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    assert not (tmp_path / "miner.db-wal").exists()
    return tmp_path / "miner.db"


def broken_copy(miner_db: Path, kind: str) -> Path:
    path = miner_db.with_name(f"{kind}.db")
    if kind == "text":
        path.write_text("name,uses\nflask,3\n", encoding="utf-8")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "other-app":
        with sqlite3.connect(path) as conn:
            conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        conn.close()
    elif kind == "corrupt":
        data = bytearray(miner_db.read_bytes())
        data[4096:] = b"\xa5" * (len(data) - 4096)  # the header survives, every page is junk
        path.write_bytes(bytes(data))
    elif kind == "older":
        path.write_bytes(miner_db.read_bytes())
        with sqlite3.connect(path) as conn:
            conn.execute("ALTER TABLE projects DROP COLUMN blurb")
        conn.close()
    return path


@pytest.mark.parametrize("kind", ["text", "empty", "other-app", "corrupt", "older"])
def test_a_file_that_is_not_a_miner_database_is_one_error_line(
    miner_db: Path, tmp_path: Path, kind: str
) -> None:
    path = broken_copy(miner_db, kind)
    before = digest(path)
    messages = {
        "text": "not a miner database (not SQLite at all): pass --db the file miner crawl wrote",
        "empty": "no table library: an empty file or one written by an older miner (run miner "
        "crawl on it to fill or upgrade it)",
        "other-app": "not a miner database (it holds other tables: notes): pass --db the file "
        "miner crawl wrote",
        "corrupt": "the database is corrupt (database disk image is malformed): crawl again into "
        "a new file",
        "older": "no column projects.blurb: an empty file or one written by an older miner (run "
        "miner crawl on it to fill or upgrade it)",
    }

    for command in (["render", "--out", str(tmp_path / "site")], ["explain", "flask.make_response"]):
        result = CliRunner().invoke(cli, [*command, "--db", str(path)])
        assert result.exit_code == 1, result.output
        assert result.output == f"Error: {path}: {messages[kind]}\n", command
    if kind in ("text", "other-app"):  # crawl refuses to write miner's tables into it too
        result = crawl(tmp_path, project_list(tmp_path, {"name": "P", "url": "/nowhere"}),
                       "--db", str(path))  # fmt: skip
        assert result.exit_code == 1 and result.output.startswith(f"Error: {path}: not a miner")
    assert digest(path) == before  # nothing was written, not even a journal mode
    assert {p.name for p in tmp_path.glob(f"{kind}.db*")} == {f"{kind}.db"}


def test_render_and_explain_change_no_schema_nor_journal_mode(miner_db: Path, tmp_path: Path) -> None:
    def schema() -> list[tuple]:
        with sqlite3.connect(miner_db) as conn:
            return conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()

    before = schema()
    miner_db.chmod(0o444)
    try:
        rendered = run("render", "--db", str(miner_db), "--out", str(tmp_path / "site"))
        explained = run("explain", "flask.make_response", "--db", str(miner_db))
    finally:
        miner_db.chmod(0o644)

    assert rendered.exit_code == 0 and explained.exit_code == 0, rendered.output + explained.output
    assert (tmp_path / "site" / "flask" / "flask-helpers-make-response-examples.markdown").is_file()
    if os.geteuid() != 0:  # root writes a read-only file anyway
        assert "cannot be written" in rendered.output
    assert schema() == before
    with sqlite3.connect(miner_db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert not (tmp_path / "miner.db-wal").exists()


# -- bounded cost ------------------------------------------------------------------------------


#: Bytes the dripping index sends of its sdist at most, then it ends the response: a client
#: without an overall deadline fails the test after that many seconds instead of hanging.
MAX_DRIP = 30


@pytest.fixture
def dripping_index() -> Iterator[tuple[str, list[float]]]:
    """A simple index on 127.0.0.1 whose sdist arrives one byte a second, and the times at which
    each byte was sent (the client cannot make the server faster, however loaded the machine)."""
    stop = threading.Event()
    dripped: list[float] = []

    class Drip(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.endswith("/shop/"):
                body = b'<a href="../../files/shop-1.0.tar.gz">shop-1.0.tar.gz</a>'
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            self.send_response(200)
            self.send_header("Content-Length", "1000000")
            self.end_headers()
            while not stop.is_set() and len(dripped) < MAX_DRIP:  # each read is quick
                try:
                    self.wfile.write(b"\x1f")
                    self.wfile.flush()
                except OSError:
                    return
                dripped.append(time.monotonic())
                stop.wait(1)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Drip)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/simple/", dripped
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_a_pypi_download_has_an_overall_deadline(
    tmp_path: Path, dripping_index: tuple[str, list[float]]
) -> None:
    index, dripped = dripping_index
    gone = (tmp_path / "gone").as_uri()
    projects = project_list(tmp_path, {"name": "Shop", "url": gone, "pypi": "shop"})

    result = crawl(tmp_path, projects, "--pypi-index", index, timeout="3")

    # 3 s of dripping, a byte a second, then the crawl goes on (a write or two may still reach
    # the closed socket): counted by the server, not timed, so a loaded machine cannot fail it.
    assert len(dripped) <= 6, dripped
    assert result.exit_code == 1
    assert failure_lines(result) == [
        "Shop: FAILED: repository not found; PyPI: shop-1.0.tar.gz not downloaded within 3 s "
        "(raise --timeout or try again later)"
    ]


def many_members(folder: Path, kind: str, count: int) -> None:
    import io
    import tarfile
    import zipfile

    folder.mkdir(parents=True)
    names = ["shop-1.0/PKG-INFO", "shop-1.0/shop/app.py"] + [f"shop-1.0/e/{n}" for n in range(count)]
    texts = {"shop-1.0/PKG-INFO": "Home-page: https://github.com/example/shop\n",
             "shop-1.0/shop/app.py": APP}  # fmt: skip
    if kind == "zip":
        with zipfile.ZipFile(folder / "shop-1.0.zip", "w") as bundle:
            for name in names:
                bundle.writestr(name, texts.get(name, ""))
    else:
        with tarfile.open(folder / "shop-1.0.tar.gz", "w:gz") as bundle:
            for name in names:
                data = texts.get(name, "").encode()
                info = tarfile.TarInfo(name)
                info.size = len(data)
                bundle.addfile(info, io.BytesIO(data))


@pytest.mark.parametrize("kind", ["tar", "zip"])
def test_an_archive_with_too_many_members_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    from miner import sources

    monkeypatch.setattr(sources, "_MAX_MEMBERS", 300)  # the real cap is 20,000: same code path
    for count, folder in ((297, "fits"), (299, "over")):
        many_members(tmp_path / folder, kind, count)
    projects = project_list(tmp_path, {"name": "Shop", "url": (tmp_path / "gone").as_uri(),
                                       "pypi": "shop", "web": "https://github.com/example/shop"})  # fmt: skip
    fits = crawl(tmp_path, projects, "--pypi-index", str(tmp_path / "fits"))
    over = crawl(tmp_path, projects, "--pypi-index", str(tmp_path / "over"))

    assert fits.exit_code == 0, fits.output
    archive = "shop-1.0.zip" if kind == "zip" else "shop-1.0.tar.gz"
    assert failure_lines(over) == [
        f"Shop: FAILED: repository not found; PyPI: {archive} holds more than 300 files and "
        "folders (check --pypi-index)"
    ]
    assert files_of(tmp_path, "Shop") == {"shop/app.py": "scanned"}  # the earlier crawl's rows


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "-1", "0", "1e308", "86401"])
def test_a_timeout_must_be_a_finite_number_of_seconds(tmp_path: Path, value: str) -> None:
    result = crawl(tmp_path, project_list(tmp_path, {"name": "P", "url": "/x"}), timeout=value)

    assert result.exit_code == 2
    shown = str(float(value))
    assert result.output.splitlines()[-1] == (
        f"Error: Invalid value for '--timeout': {shown} is not a number of seconds above 0 and at "
        "most 86400 (try 300)"
    )
    assert not (tmp_path / "miner.db").exists()


def test_jobs_are_capped_at_the_cores(make_repo, tmp_path: Path) -> None:
    remote = make_repo({"app.py": APP}, name="jobs")
    projects = project_list(tmp_path, {"name": "P", "url": remote.url})

    result = run("crawl", "--projects", str(projects), "--cache", str(tmp_path / "cache"),
                 "--db", str(tmp_path / "miner.db"), "--jobs", "100000")  # fmt: skip

    cores = os.cpu_count()
    assert result.exit_code == 0, result.output
    assert f"note: --jobs 100000 is more than this machine's {cores} cores: using {cores}\n" in result.output
    assert files_of(tmp_path, "P") == {"app.py": "scanned"}


# -- text is what Python sees: names -------------------------------------------------------


def test_names_that_decode_alike_both_stay(make_repo, tmp_path: Path) -> None:
    """b'\\xff.py' (not UTF-8) and a file literally named '\\xff.py' are two files."""
    remote = make_repo({"app.py": APP}, name="bytes")
    blobs = {}
    for name, view in ((b"\xff.py", "undecodable"), (b"\\xff.py", "literal")):
        code = APP + f"\n\ndef {view}():\n    return make_response()\n"
        with open(os.path.join(os.fsencode(remote.path), name), "wb") as file:
            file.write(code.encode())
        blobs[view] = subprocess.run(["git", "hash-object", "--stdin"], input=code, text=True,
                                     capture_output=True, check=True).stdout.strip()  # fmt: skip
    git(remote.path, "add", "-A")
    git(remote.path, "commit", "-q", "-m", "odd names")

    result = crawl(tmp_path, project_list(tmp_path, {"name": "Bytes", "url": remote.url}))

    assert result.exit_code == 0, result.output
    assert files_of(tmp_path, "Bytes") == {
        "app.py": "scanned", "\\xff.py": "scanned", "\\xff~1.py": "scanned"
    }  # fmt: skip
    stored = dict(query(tmp_path, "SELECT path, blob_sha FROM files WHERE path LIKE '%xff%'"))
    assert stored == {"\\xff.py": blobs["literal"], "\\xff~1.py": blobs["undecodable"]}
    assert query(tmp_path, "SELECT COUNT(DISTINCT path) FROM uses WHERE path LIKE '%xff%'") == [(2,)]


def test_tree_entries_named_dot_dot_never_leave_the_project(make_repo, tmp_path: Path) -> None:
    remote = make_repo({"ok.py": APP}, name="dots")
    blob = git(remote.path, "rev-parse", "HEAD:ok.py")
    inner = subprocess.run(["git", "mktree"], cwd=remote.path, input=f"100644 blob {blob}\tevil.py\n",
                           capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    tree = subprocess.run(
        ["git", "mktree"], cwd=remote.path, capture_output=True, text=True, check=True,
        input=f"040000 tree {inner}\t..\n040000 tree {inner}\t.\n100644 blob {blob}\t..py\n"
        f"100644 blob {blob}\tok.py\n",
    ).stdout.strip()  # fmt: skip
    commit = git(remote.path, "commit-tree", tree, "-p", "HEAD", "-m", "dots")
    git(remote.path, "update-ref", "refs/heads/main", commit)
    assert "../evil.py" in git(remote.path, "ls-tree", "-r", "--name-only", "HEAD")
    projects = project_list(tmp_path, {"name": "Dots", "url": remote.url,
                                       "web": "https://github.com/o/dots"})  # fmt: skip

    result = crawl(tmp_path, projects)
    rendered = run("render", "--db", str(tmp_path / "miner.db"), "--out", str(tmp_path / "site"),
                   "--format", "both")  # fmt: skip

    assert result.exit_code == 0 and rendered.exit_code == 0, result.output + rendered.output
    assert files_of(tmp_path, "Dots") == {"..py": "scanned", "ok.py": "scanned"}
    for page in (tmp_path / "site").rglob("*.*"):
        for link in re.findall(r"https://github\.com/o/dots/[^)\"\s]*", page.read_text("utf-8")):
            assert "/../" not in link and "/./" not in link and link.count("/o/dots/") == 1, link


ESCAPES = "\x1b[2J\x1b]0;owned\x07\r\x9b31m"


def test_terminal_escapes_in_names_are_neutralised_in_everything_printed(
    make_repo, tmp_path: Path
) -> None:
    remote = make_repo({f"odd{ESCAPES}.py": APP}, name="term")
    projects = project_list(
        tmp_path,
        {"name": f"Term{ESCAPES}", "url": remote.url},
        {"name": f"Gone{ESCAPES}", "url": str(tmp_path / f"nowhere{ESCAPES}")},
    )
    crawled = crawl(tmp_path, projects)
    rendered = run("render", "--db", str(tmp_path / "miner.db"), "--out", str(tmp_path / "site"))
    explained = run("explain", "flask.make_response", "--db", str(tmp_path / "miner.db"))
    stats = run("stats", "--db", str(tmp_path / "miner.db"))
    only = crawl(tmp_path, projects, "--only", f"Missing{ESCAPES}")

    assert crawled.exit_code == 1 and rendered.exit_code == 0 and explained.exit_code == 0
    assert stats.exit_code == 0
    assert only.exit_code == 1 and only.output.startswith("Error: --only ")
    for result in (crawled, rendered, explained, stats, only):
        assert not set(result.output) & {"\x1b", "\x07", "\r", "\x9b"}, result.output
    shown = "\ufffd[2J\ufffd]0;owned\ufffd \ufffd31m"
    assert f"Term{shown}: " in crawled.output and f"odd{shown}.py" in explained.output
    assert f"Gone{shown}: FAILED: repository not found " in crawled.output
    assert f"Gone{shown}: FAILED: cannot fetch {tmp_path}/nowhere{shown}: " in stats.output


@pytest.mark.parametrize(
    ("first", "second"),
    [("Café", "Cafe\u0301"), ("ﬁle", "file"), ("\uff26lask", "flask"), ("ǅ", "Ǆ")],
    ids=["combining", "ligature", "fullwidth", "titlecase"],
)
def test_names_that_are_unicode_twins_are_refused_like_case_twins(
    tmp_path: Path, first: str, second: str
) -> None:
    projects = project_list(tmp_path, {"name": first, "url": "x"}, {"name": second, "url": "y"})

    result = crawl(tmp_path, projects)

    assert result.exit_code == 1
    assert result.output == (
        f'Error: {projects}: project 2 ("{second}") has the same name as project 1; '
        "give each project its own name\n"
    )

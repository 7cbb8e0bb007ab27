"""End to end through the crawl pipeline: a real git repository in, exact rows out."""

from __future__ import annotations

import sys
import textwrap
import threading
from pathlib import Path

import pytest

from miner import store
from miner.crawl import crawl
from miner.model import Project
from miner.targets import discover

APP = textwrap.dedent(
    '''\
    import flask
    import flask as f
    from flask import make_response
    from flask import make_response as mr
    from flask.helpers import url_for

    app = flask.Flask(__name__)


    def view():
        first = make_response("a")
        second = mr("b", 201)
        third = f.make_response("c")
        fourth = flask.make_response(url_for("view"))
        app.make_response("trap")
        flask.current_app.make_response("trap")
        return first, second, third, fourth


    def shadowed(make_response):
        url_for = str
        return make_response(url_for(1))
    '''
)

LATIN1 = '# -*- coding: latin-1 -*-\nfrom flask import flash\nflash("caf\xe9")\n'.encode("latin-1")

FILES: dict[str, str | bytes] = {
    "pkg/app.py": APP,
    "pkg/broken.py": "from flask import flash\ndef oops(:\n",
    "pkg/python2.py": 'from flask import flash\nprint "hello"\n',
    "pkg/latin1.py": LATIN1,
    "pkg/undecodable.py": b"from flask import flash\nflash('\xff\xfe')\n",
    "pkg/unrelated.py": "import os\n",
    "README.md": "not python\n",
}

EXPECTED_USES = [
    ("pkg/app.py", 3, "flask.helpers.make_response", "import", "re-export"),
    ("pkg/app.py", 4, "flask.helpers.make_response", "import", "alias"),
    ("pkg/app.py", 5, "flask.helpers.url_for", "import", "direct"),
    ("pkg/app.py", 7, "flask.app.Flask", "call", "module-attribute"),
    ("pkg/app.py", 11, "flask.helpers.make_response", "call", "re-export"),
    ("pkg/app.py", 12, "flask.helpers.make_response", "call", "alias"),
    ("pkg/app.py", 13, "flask.helpers.make_response", "call", "alias"),
    ("pkg/app.py", 14, "flask.helpers.make_response", "call", "module-attribute"),
    ("pkg/app.py", 14, "flask.helpers.url_for", "call", "direct"),
    ("pkg/app.py", 16, "flask.globals.current_app", "attribute", "module-attribute"),
    ("pkg/latin1.py", 2, "flask.helpers.flash", "import", "re-export"),
    ("pkg/latin1.py", 3, "flask.helpers.flash", "call", "re-export"),
]


@pytest.fixture(scope="module")
def flask_library():
    return discover("flask")


def uses_rows(db):
    return sorted(
        (row["path"], row["line"], row["qualname"], row["kind"], row["resolution"])
        for row in db["uses"].rows
    )


def test_crawl_stores_exactly_the_expected_uses(make_repo, tmp_path, flask_library):
    repo = make_repo(FILES)
    db = store.open_db(tmp_path / "miner.db")
    report = crawl(db, [Project("demo", repo.url)], flask_library, tmp_path / "cache", jobs=1)

    assert report.failed == []
    assert uses_rows(db) == EXPECTED_USES
    files = {row["path"]: (row["status"], row["error"]) for row in db["files"].rows}
    assert files["pkg/unrelated.py"] == ("no-mention", None)
    assert files["pkg/broken.py"][0] == "unparsable"
    assert files["pkg/python2.py"][0] == "unparsable"
    assert files["pkg/undecodable.py"][0] == "unparsable"
    assert files["pkg/latin1.py"] == ("scanned", None)
    assert "README.md" not in files
    texts = {row["blob_sha"]: row["text"] for row in db["sources"].rows}
    assert any("café" in text for text in texts.values())  # decoded through its cookie


def test_parallel_scan_gives_the_same_rows(make_repo, tmp_path, flask_library):
    repo = make_repo(FILES)
    one = store.open_db(tmp_path / "one.db")
    two = store.open_db(tmp_path / "two.db")
    crawl(one, [Project("demo", repo.url)], flask_library, tmp_path / "cache1", jobs=1)
    crawl(two, [Project("demo", repo.url)], flask_library, tmp_path / "cache2", jobs=2)
    assert uses_rows(one) == uses_rows(two) == EXPECTED_USES


def test_recrawl_moves_to_the_new_commit_without_duplicates(make_repo, tmp_path, flask_library):
    repo = make_repo(FILES)
    db = store.open_db(tmp_path / "miner.db")
    projects = [Project("demo", repo.url)]
    crawl(db, projects, flask_library, tmp_path / "cache", jobs=1)
    new_commit = repo.commit({"pkg/extra.py": "from flask import abort\nabort(404)\n"})

    crawl(db, projects, flask_library, tmp_path / "cache", jobs=1)

    assert db["projects"].get("demo")["commit_sha"] == new_commit
    rows = uses_rows(db)
    assert len(rows) == len(set(rows)) == len(EXPECTED_USES) + 2
    assert ("pkg/extra.py", 2, "flask.helpers.abort", "call", "re-export") in rows
    assert [row["status"] for row in db["crawls"].rows] == ["ok", "ok"]


def test_a_broken_project_keeps_its_rows_and_the_others_go_on(make_repo, tmp_path, flask_library):
    repo = make_repo(FILES)
    other = make_repo({"main.py": "from flask import abort\n"}, name="other")
    db = store.open_db(tmp_path / "miner.db")
    cache = tmp_path / "cache"
    crawl(db, [Project("demo", repo.url)], flask_library, cache, jobs=1)
    gone = Project("demo", (tmp_path / "missing").as_uri())

    report = crawl(db, [gone, Project("other", other.url)], flask_library, cache, jobs=1)

    assert [result.project for result in report.failed] == ["demo"]
    assert "demo" in report.failed[0].error
    assert len([r for r in uses_rows(db) if r[0].startswith("pkg/")]) == len(EXPECTED_USES)
    assert db["projects"].get("other")["commit_sha"] == other.repo.head.commit.hexsha


@pytest.mark.parametrize(
    "license_text,metadata_file,expected_license",
    [
        ("MIT", ("setup.cfg", "[metadata]\nname = shop\ndescription = A shop built on Flask.\n"
                 "[options]\ninstall_requires =\n    flask>=2.2,<4\n"), "MIT"),
        ("APACHE_HEADER", ("pyproject.toml", '[project]\nname = "shop"\n'
                           'description = "A shop built on Flask."\n'
                           'dependencies = ["flask>=2.2,<4"]\n'), "Apache-2.0"),
        ("GPL_3_OPENING", ("setup.py", "from setuptools import setup\n"
                           "setup(name='shop', description='A shop built on Flask.',"
                           " install_requires=['flask>=2.2,<4'])\n"), "GPL-3.0"),
        ("CUSTOM", ("README.md", "# Shop\n\nA shop built on Flask.\n"), None),
    ],
)
def test_crawl_detects_license_description_and_versions(
    make_repo, tmp_path, flask_library, license_text, metadata_file, expected_license
):
    import test_metadata  # the license texts written for the metadata tests

    name, content = metadata_file
    files = {
        "LICENSE": getattr(test_metadata, license_text),
        name: content,
        "shop/app.py": "from flask import abort\nabort(404)\n",
    }
    if name == "README.md":
        files["requirements.txt"] = "flask>=2.2,<4\n"
    repo = make_repo(files)
    db = store.open_db(tmp_path / "miner.db")
    crawl(db, [Project("shop", repo.url)], flask_library, tmp_path / "cache", jobs=1)

    row = db["projects"].get("shop")
    assert row["detected_license"] == expected_license
    assert row["license_path"] == "LICENSE"
    assert row["description"] == "A shop built on Flask."
    assert row["declared_versions"] == ">=2.2,<4"
    (candidate,) = store.load_candidates(db, "flask.helpers.abort")
    assert candidate.project.license == expected_license  # no list value: detection is used
    assert candidate.project.blurb == "A shop built on Flask."


def test_the_project_list_wins_over_detection(make_repo, tmp_path, flask_library):
    repo = make_repo({"LICENSE": "MIT License\n\nPermission is hereby granted...\n",
                      "app.py": "from flask import abort\nabort(404)\n"})
    db = store.open_db(tmp_path / "miner.db")
    listed = Project("shop", repo.url, license="BSD-3-Clause", blurb="Our words.")
    crawl(db, [listed], flask_library, tmp_path / "cache", jobs=1)
    (candidate,) = store.load_candidates(db, "flask.helpers.abort")
    assert (candidate.project.license, candidate.project.blurb) == ("BSD-3-Clause", "Our words.")


def test_names_the_library_no_longer_has_are_flagged_but_private_ones_are_not(flask_library):
    from miner.model import SourceFile
    from miner.scan import ScanContext, scan_file

    source = (
        "import flask\n"
        "from flask import Markup, make_response\n"  # Markup left flask in 3.0
        "from flask.ctx import _AppCtxGlobals\n"  # private, but still there
        "from flask.ext.sqlalchemy import SQLAlchemy\n"  # the flask.ext namespace is long gone
        "flask.escape('<b>')\n"
        "flask.globals._cv_app\n"
    )
    scan = scan_file(SourceFile("old.py", "sha", source.encode()), ScanContext.for_library(flask_library))
    assert scan.missing == (
        (2, "flask.Markup"),
        (4, "flask.ext.sqlalchemy.SQLAlchemy"),
        (5, "flask.escape"),
    )
    assert [use.qualname for use in scan.uses] == ["flask.helpers.make_response"]


#: The repository the test releases name in their metadata, as PyPI shows it.
SHOP_HOME = "Home-page: https://github.com/example/shop\n"


def make_sdist(folder, name: str, version: str, files: dict[str, str]) -> None:
    """A source distribution as PyPI serves one: name-version.tar.gz with a top folder."""
    import io
    import tarfile

    folder.mkdir(parents=True, exist_ok=True)
    pkg_info = f"Name: {name}\nVersion: {version}\n{SHOP_HOME}"
    with tarfile.open(folder / f"{name}-{version}.tar.gz", "w:gz") as archive:
        for path, text in {"PKG-INFO": pkg_info, **files}.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{name}-{version}/{path}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        escape = tarfile.TarInfo(f"{name}-{version}/../../escape.py")  # must never be written
        escape.size = 1
        archive.addfile(escape, io.BytesIO(b"x"))
        link = tarfile.TarInfo(f"{name}-{version}/link.py")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        archive.addfile(link)


def test_an_unreachable_remote_falls_back_to_the_pypi_release(tmp_path, flask_library):
    index = tmp_path / "index"
    make_sdist(index, "shop", "1.0.0", {"shop/views.py": "from flask import abort\n"})
    make_sdist(index, "shop", "1.2.0", {"shop/views.py": "from flask import abort\nabort(418)\n",
                                        "LICENSE": "MIT License\n"})
    make_sdist(index, "shop", "2.0.0rc1", {"shop/views.py": "import flask\n"})
    gone = Project("Shop", (tmp_path / "no-such-repo").as_uri(), pypi="shop",
                   web="https://github.com/example/shop")
    db = store.open_db(tmp_path / "miner.db")

    report = crawl(db, [gone], flask_library, tmp_path / "cache", jobs=1, pypi_index=str(index))

    (result,) = report.results
    assert result.ok
    assert result.note.startswith("git unreachable (")
    assert result.note.endswith("); analysed the PyPI release shop 1.2.0 (" + _day(index) + ")")
    (crawl_row,) = db["crawls"].rows
    assert (crawl_row["source"], crawl_row["note"]) == ("pypi", result.note)
    assert db["projects"].get("Shop")["release"] == "shop 1.2.0"
    assert uses_rows(db) == [
        ("shop/views.py", 1, "flask.helpers.abort", "import", "re-export"),
        ("shop/views.py", 2, "flask.helpers.abort", "call", "re-export"),
    ]
    assert {row["path"] for row in db["files"].rows} == {"shop/views.py"}  # no link, no escape
    assert not (tmp_path / "escape.py").exists()
    (candidate,) = store.load_candidates(db, "flask.helpers.abort")
    assert candidate.release == "shop 1.2.0"


def _day(index) -> str:
    """The day the test's index files were written: a local index's upload times."""
    import datetime

    stamp = max(path.stat().st_mtime for path in index.iterdir())
    return datetime.datetime.fromtimestamp(stamp, datetime.timezone.utc).date().isoformat()


def make_wheel(folder, name: str, version: str, files: dict[str, str], metadata: str) -> Path:
    """A pure-Python wheel: its files at the top, and name-version.dist-info/METADATA."""
    import zipfile

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in files.items():
            archive.writestr(member, text)
        archive.writestr(f"{name}-{version}.dist-info/METADATA", metadata)
    return path


def test_the_fallback_takes_the_newest_release_even_when_it_ships_only_a_wheel(
    tmp_path, flask_library
):
    import hashlib
    import os

    index = tmp_path / "index"
    make_sdist(index, "shop", "1.2.2", {
        "PKG-INFO": f"Name: shop\nVersion: 1.2.2\nSummary: The old shop.\n{SHOP_HOME}"
                    "Classifier: License :: OSI Approved :: GNU General Public License v3 (GPLv3)\n",
        "shop/views.py": "from flask import abort\nabort(404)\n",
    })  # fmt: skip
    old_sdist = index / "shop-1.2.2.tar.gz"
    os.utime(old_sdist, (1500000000, 1500000000))  # 2017-07-14
    wheel = make_wheel(index, "shop", "3.3.14", {"shop/views.py": "from flask import abort\nabort(418)\n"},
                       "Metadata-Version: 2.4\nName: shop\nVersion: 3.3.14\n"
                       "Summary: A shop for everyone.\nLicense-Expression: MIT\n"
                       "Project-URL: Source, https://gitlab.example.org/Example/Shop.git\n")  # fmt: skip
    os.utime(wheel, (1746489600, 1746489600))  # 2025-05-06
    make_wheel(index / "other", "shop", "4.0.0", {}, "")  # not in the project's folder listing
    gone = Project("Shop", (tmp_path / "no-such-repo").as_uri(), pypi="shop",
                   web="https://github.com/example/shop")  # the same owner/name on another host
    db = store.open_db(tmp_path / "miner.db")

    (result,) = crawl(db, [gone], flask_library, tmp_path / "cache", jobs=1,
                      pypi_index=str(index)).results  # fmt: skip

    assert result.ok and result.release == "the PyPI release shop 3.3.14 (2025-05-06)"
    row = db["projects"].get("Shop")
    assert (row["release"], row["release_file"], row["release_uploaded_at"]) == (
        "shop 3.3.14", "shop-3.3.14-py3-none-any.whl", "2025-05-06T00:00:00Z"
    )
    assert row["release_sha256"] == hashlib.sha256(wheel.read_bytes()).hexdigest()
    # no invented git data: a release has no commit, branch or commit date
    assert (row["commit_sha"], row["branch"], row["committed_at"]) == (None, None, None)
    (crawl_row,) = db["crawls"].rows
    assert (crawl_row["commit_sha"], crawl_row["branch"], crawl_row["source"]) == (None, None, "pypi")
    # the release's own description and license win
    assert (row["description"], row["detected_license"]) == ("A shop for everyone.", "MIT")
    (candidate,) = store.load_candidates(db, "flask.helpers.abort")
    assert "abort(418)" in candidate.text and candidate.committed_at == "2025-05-06T00:00:00Z"


def test_choose_release_prefers_the_sdist_then_the_pure_wheel_then_an_older_release():
    from packaging.version import Version

    from miner.model import Release
    from miner.sources import IndexFile, choose_release, release_line

    def file(version: str, kind: str, yanked: bool = False) -> IndexFile:
        return IndexFile(Version(version), f"{version}.{kind}", f"u/{version}", kind, None, yanked)

    both = [file("2.0", "wheel"), file("2.0", "sdist"), file("1.0", "sdist")]
    assert choose_release("x", both) == (file("2.0", "sdist"), Version("2.0"))
    yanked = [file("3.0", "sdist", yanked=True), file("2.1rc1", "sdist"), file("2.0", "wheel")]
    assert choose_release("x", yanked) == (file("2.0", "wheel"), Version("2.0"))
    # PEP 592: installers skip yanked releases unless pinned to one, and so does the fallback
    with pytest.raises(ValueError, match=r"^every release of x is yanked \(point url at a clone\)"):
        choose_release("x", [file("1.0", "sdist", yanked=True), file("0.9", "wheel", yanked=True)])
    with pytest.raises(ValueError, match=r"^x has pre-releases only"):
        choose_release("x", [file("1.0b1", "sdist")])
    from miner.sources import _release_file_version

    assert _release_file_version("Flask_User-1.0.2.2-py2.py3-none-any.whl", "flask-user") == (
        Version("1.0.2.2"), "wheel"
    )
    assert _release_file_version("x-1.0-cp311-cp311-linux_x86_64.whl", "x") is None
    # a newest release with binary wheels only lists no usable file: the older one is said so
    assert release_line(Release("x", "2.0", "f", "d", "2025-01-02T00:00:00Z", newest="2.1")) == (
        "the PyPI release x 2.0 (2025-01-02), older than the newest release 2.1"
    )
    from datetime import datetime, timezone

    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert release_line(Release("x", "1.2.2", "f", "d", "2017-07-14T02:40:00Z"), now) == (
        "the PyPI release x 1.2.2 (2017-07-14), 8 years old"
    )
    assert release_line(Release("x", "1.0", "f", "d")) == (
        "the PyPI release x 1.0 (upload date unknown)"
    )


def test_without_a_pypi_name_an_unreachable_remote_is_a_failure(tmp_path, flask_library):
    gone = Project("Shop", (tmp_path / "no-such-repo").as_uri())
    db = store.open_db(tmp_path / "miner.db")
    report = crawl(db, [gone], flask_library, tmp_path / "cache", jobs=1,
                   pypi_index=str(tmp_path / "index"))
    assert [r.project for r in report.failed] == ["Shop"]


def test_a_pypi_release_links_to_its_tag_when_git_listed_one(make_repo, tmp_path, flask_library):
    import shutil

    repo = make_repo({"shop/views.py": "from flask import abort\nabort(404)\n"})
    repo.repo.create_tag("v1.2.0")
    index = tmp_path / "index"
    make_sdist(index, "shop", "1.2.0", {"shop/views.py": "from flask import abort\nabort(418)\n"})
    project = Project("Shop", repo.url, pypi="shop", web="https://github.com/example/shop")
    db = store.open_db(tmp_path / "miner.db")
    crawl(db, [project], flask_library, tmp_path / "cache", jobs=1, pypi_index=str(index))
    (from_git,) = store.load_candidates(db, "flask.helpers.abort")
    assert from_git.link_ref == from_git.commit and from_git.release is None

    shutil.rmtree(repo.path)  # the remote goes away
    crawl(db, [project], flask_library, tmp_path / "cache", jobs=1, pypi_index=str(index))

    (from_pypi,) = store.load_candidates(db, "flask.helpers.abort")
    assert (from_pypi.release, from_pypi.link_ref) == ("shop 1.2.0", "v1.2.0")
    assert "abort(418)" in from_pypi.text


def test_a_dead_worker_fails_its_project_and_the_crawl_goes_on(
    make_repo, tmp_path, flask_library, monkeypatch
):
    from concurrent.futures.process import BrokenProcessPool

    import miner.crawl as crawling

    both_in_flight, replaced = threading.Barrier(2), threading.Event()
    met = []

    class DyingPool(crawling._InlineExecutor):
        """Both projects in flight meet the dead worker; the second learns of it only once
        the first has (and the pool was replaced), as when its worker dies later."""

        def map(self, function, *iterables, **kwargs):
            second = any(source.path == "b.py" for source in iterables[0])
            met.append("second" if second else "first")
            both_in_flight.wait(timeout=60)
            if second:
                replaced.wait(timeout=60)
            raise BrokenProcessPool("a child process terminated abruptly")

    made = []
    real = crawling._executor

    def executor(jobs, context):  # the first pool dies, the replacement works
        made.append(DyingPool() if not made else real(1, context))
        if len(made) == 2:
            replaced.set()
        return made[-1]

    monkeypatch.setattr(crawling, "_executor", executor)
    first = make_repo({"a.py": "from flask import abort\nabort(1)\n"}, name="first")
    second = make_repo({"b.py": "from flask import abort\nabort(2)\n"}, name="second")
    db = store.open_db(tmp_path / "miner.db")

    report = crawl(db, [Project("first", first.url), Project("second", second.url)],
                   flask_library, tmp_path / "cache", jobs=2)

    assert [r.project for r in report.failed] == ["first"]
    assert "a scan worker process died" in report.failed[0].error
    assert len(made) == 2
    assert sorted(met) == ["first", "second"]  # the second ran again, on the new pool
    assert db["projects"].get("second")["commit_sha"] == second.repo.head.commit.hexsha


def test_an_sdist_that_unpacks_too_large_is_refused_in_one_line(
    tmp_path, flask_library, monkeypatch
):
    from miner import sources

    monkeypatch.setattr(sources, "_MAX_SDIST_BYTES", 1000)  # the download is smaller than that
    index = tmp_path / "index"
    make_sdist(index, "shop", "1.0.0", {"shop/views.py": "from flask import abort\n" * 200})
    gone = Project("Shop", (tmp_path / "no-such-repo").as_uri(), pypi="shop",
                   web="https://github.com/example/shop")
    db = store.open_db(tmp_path / "miner.db")

    report = crawl(db, [gone], flask_library, tmp_path / "cache", jobs=1, pypi_index=str(index))

    (failed,) = report.failed
    assert "\n" not in failed.error
    assert failed.error.startswith("Shop: cannot fetch file://")
    assert failed.error.count("Shop: cannot fetch") == 1
    assert failed.error.endswith(
        "the PyPI fallback failed too: shop-1.0.0.tar.gz unpacks to more than 1000 bytes "
        "(check --pypi-index)"
    )


@pytest.mark.parametrize(
    ("home", "web", "refusal"),
    [
        (SHOP_HOME.replace("example/shop", "someone/shop"), "https://github.com/example/shop",
         "shop 1.0.0 names the repository someone/shop, not this project's (check the pypi name)"),
        ("Home-page: https://shop.example.org/\n", "https://github.com/example/shop",
         "shop 1.0.0 names no repository, so it may be another project (check the pypi name)"),
        (SHOP_HOME, None, "cannot check that shop 1.0.0 is this project: the list names no "
         "repository (add web = its repository page)"),
    ],
)  # fmt: skip
def test_a_release_that_does_not_name_the_projects_repository_is_refused(
    tmp_path, flask_library, home, web, refusal
):
    index = tmp_path / "index"
    make_sdist(index, "shop", "1.0.0", {
        "PKG-INFO": f"Name: shop\nVersion: 1.0.0\n{home}",
        "shop/views.py": "from flask import abort\nabort(418)\n",
    })  # fmt: skip
    gone = Project("Shop", (tmp_path / "no-such-repo").as_uri(), pypi="shop", web=web)
    db = store.open_db(tmp_path / "miner.db")

    (failed,) = crawl(db, [gone], flask_library, tmp_path / "cache", jobs=1,
                      pypi_index=str(index)).failed  # fmt: skip

    assert failed.brief == f"repository not found; PyPI: {refusal}"
    assert failed.error == (
        f"Shop: cannot fetch {gone.url}: repository not found (check the url in the project "
        f"list); the PyPI fallback failed too: {refusal}"
    )
    assert db["crawls"].get(1)["error"] == failed.error
    assert db["uses"].count == 0  # nothing of it was analysed


def test_repository_path_reads_owner_and_name_from_any_form_of_url():
    from miner.sources import repository_path

    assert {
        url: repository_path(url)
        for url in (
            "https://github.com/Indico/indico", "https://github.com/indico/indico.git/",
            "https://github.com/indico/indico/releases", "git@github.com:indico/indico.git",
            "ssh://git@host/indico/indico", "https://getindico.io", "/srv/clones/indico",
            "https://docs.example.org/en/", "file:///srv/clones/indico",
        )
    } == {
        "https://github.com/Indico/indico": "indico/indico",
        "https://github.com/indico/indico.git/": "indico/indico",
        "https://github.com/indico/indico/releases": "indico/indico",
        "git@github.com:indico/indico.git": "indico/indico",
        "ssh://git@host/indico/indico": "indico/indico",
        "https://getindico.io": None,
        "/srv/clones/indico": None,
        "https://docs.example.org/en/": None,
        "file:///srv/clones/indico": None,
    }  # fmt: skip


@pytest.fixture
def yanked_index(tmp_path):
    """A PEP 503 index on 127.0.0.1 whose every release of `shop` is yanked (data-yanked)."""
    import http.server
    import threading

    files = tmp_path / "files"
    for version in ("1.0", "1.1"):
        make_sdist(files, "shop", version, {"shop/views.py": "from flask import abort\n"})
    page = "".join(
        f'<a href="/files/shop-{v}.tar.gz" data-yanked="">shop-{v}.tar.gz</a>\n' for v in ("1.0", "1.1")
    ).encode()

    class Index(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            name = self.path.removeprefix("/files/")
            body = page if self.path == "/simple/shop/" else (files / name).read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Index)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/simple/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_a_project_whose_every_release_is_yanked_is_not_analysed(tmp_path, yanked_index):
    from click.testing import CliRunner

    from miner.cli import cli

    projects = tmp_path / "projects.toml"
    projects.write_text(
        f'[[project]]\nname = "Shop"\nurl = "{(tmp_path / "gone").as_uri()}"\npypi = "shop"\n'
        'web = "https://github.com/example/shop"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, [
        "crawl", "--projects", str(projects), "--cache", str(tmp_path / "c"), "--jobs", "1",
        "--db", str(tmp_path / "m.db"), "--pypi-index", yanked_index,
    ])  # fmt: skip

    assert result.exit_code == 1
    assert "Shop: FAILED: repository not found; PyPI: every release of shop is yanked (point url at " \
           "a clone)" in result.output.splitlines()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX fork and flock")
def test_workers_forked_while_a_project_holds_its_cache_lock_do_not_keep_it(
    tmp_path, flask_library
):
    """A pool forked while a project thread holds a cache lock (the replacement for a dead
    worker) must not hold the lock on: that project's next git step would wait for it."""
    import fcntl

    from miner import crawl as crawling
    from miner.scan import ScanContext
    from miner.sources import _cache_lock

    git_dir = tmp_path / "cache" / "demo-0123456789"
    holding, forked = threading.Event(), threading.Event()

    def hold() -> None:
        with _cache_lock(Project("demo", "unused"), git_dir, 5):
            holding.set()
            forked.wait()

    thread = threading.Thread(target=hold)
    thread.start()
    holding.wait()
    pool = crawling._executor(2, ScanContext.for_library(flask_library))
    try:
        forked.set()
        thread.join()
        with open(f"{git_dir}.lock", "a") as other:  # the workers are alive: no one holds it
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        pool.shutdown()


def test_an_unchanged_project_in_flight_reads_no_cached_scans(
    make_repo, tmp_path, flask_library, monkeypatch
):
    """With projects in flight, a project whose remote head did not move costs one ls-remote:
    its cached scans are not read beforehand (they are read only for a project that moved)."""
    from miner import crawl as crawling

    moved, still = make_repo(FILES, name="moved"), make_repo(FILES, name="still")
    projects = [Project("moved", moved.url), Project("still", still.url)]
    db = store.open_db(tmp_path / "miner.db")
    crawl(db, projects, flask_library, tmp_path / "cache", jobs=2)
    moved.commit({"pkg/new.py": "from flask import g\n"})
    read = []
    real = crawling.store.cached_scans

    def cached_scans(db, scan_key, blobs):
        read.append(len(set(blobs)))
        return real(db, scan_key, blobs)

    monkeypatch.setattr(crawling.store, "cached_scans", cached_scans)

    report = crawl(db, projects, flask_library, tmp_path / "cache", jobs=2)

    assert [(r.project, r.unchanged) for r in report.results] == [("moved", False), ("still", True)]
    assert read == [sum(path.endswith(".py") for path in FILES)]  # the moved project's, once

"""The blob cache: an unchanged file is never parsed (nor read) again, and reuse changes nothing."""

from __future__ import annotations

import dataclasses
import gc
import textwrap
import weakref
from collections import Counter

import pytest

import miner.scan
import miner.syntax
from miner import sources, store
from miner.crawl import UNCHANGED_NOTE, crawl
from miner.model import FileScan, FileStatus, Project, Resolution, SourceFile, Use, UseKind
from miner.scan import MemoryCache, ScanContext, scan_project, scan_tree
from miner.targets import discover

# A project with a cross-file re-export (views -> compat -> flask), so later rounds run too.
FILES: dict[str, str | bytes] = {
    "pkg/__init__.py": "",
    "pkg/compat.py": "from flask import make_response, jsonify\n",
    "pkg/views.py": textwrap.dedent(
        """\
        from .compat import make_response


        def view():
            return make_response("é")
        """
    ),
    "pkg/app.py": textwrap.dedent(
        """\
        import flask

        app = flask.Flask(__name__)


        @app.route("/")
        def index():
            return flask.jsonify(ok=True)
        """
    ),
    "pkg/other.py": "from flask import abort\nabort(404)\n",
    "pkg/copy_of_other.py": "from flask import abort\nabort(404)\n",  # the same blob twice
    "pkg/plain.py": "import os\n",
    "pkg/broken.py": "from flask import g\ndef oops(:\n",
}


@pytest.fixture(scope="module")
def library():
    return discover("flask")


@pytest.fixture(scope="module")
def context(library):
    return ScanContext.for_library(library)


@pytest.fixture
def parsed(monkeypatch):
    """The paths miner.scan parses (in this process: crawls here run with jobs=1), in order."""
    calls: list[str] = []
    path_of: dict[bytes, str] = {}
    scan_file, parse = miner.scan.scan_file, miner.syntax.parse

    def noting_scan_file(source, *args, **kwargs):
        path_of[source.data] = source.path
        return scan_file(source, *args, **kwargs)

    def noting_parse(data):
        calls.append(path_of[data])
        return parse(data)

    monkeypatch.setattr(miner.scan, "scan_file", noting_scan_file)
    monkeypatch.setattr(miner.syntax, "parse", noting_parse)
    monkeypatch.setattr(miner.scan, "MODULE_CACHE_BYTES", 0)  # count every scan's parse
    monkeypatch.setattr(miner.scan, "_modules", {})
    return calls


def source_files(files: dict[str, str | bytes]) -> list[SourceFile]:
    result = []
    for path, content in files.items():
        data = content.encode() if isinstance(content, str) else content
        result.append(SourceFile(path, f"sha-{hash(data) & 0xFFFFFFFF:x}", data))
    return result


def test_a_second_scan_parses_and_reads_nothing(context, parsed):
    files = source_files(FILES)
    cache = MemoryCache()
    fresh = scan_project(files, context, cache=cache)
    assert parsed and cache.added

    parsed.clear()
    reads: list[list[str]] = []

    def read(paths):
        reads.append(paths)
        return [f for f in files if f.path in paths]

    again = scan_tree([(f.path, f.blob_sha) for f in files], read, context, cache=cache)

    assert parsed == []
    assert reads == []  # cached blobs are not even read
    assert again == fresh


def test_the_cross_file_rounds_parse_no_file_twice(context, parsed, monkeypatch):
    """Files the re-export rounds scan again reuse the tree the first round parsed."""
    monkeypatch.setattr(miner.scan, "MODULE_CACHE_BYTES", 1_000_000)
    scan_project(source_files(FILES), context)

    assert "pkg/views.py" in parsed  # it imports from compat: scanned in two rounds
    assert Counter(parsed).most_common(1)[0][1] == 1


def test_a_scan_leaves_no_garbage_uncollectable(context):
    """Scans keep their trees out of the cyclic collector's way (gc.freeze): once the project
    is scanned, a cycle that was alive during the scan is collectable again (a database
    connection dropped after an in-process crawl is closed when it is collected)."""

    class Node:
        pass

    cycle = Node()
    cycle.itself = cycle  # type: ignore[attr-defined]
    alive = weakref.ref(cycle)

    scan_project(source_files(FILES), context)
    del cycle
    gc.collect()

    assert alive() is None


def test_changing_one_file_reparses_only_that_file(context, parsed):
    files = source_files(FILES)
    cache = MemoryCache()
    scan_project(files, context, cache=cache)
    changed = [
        SourceFile(f.path, "sha-new", b"from flask import abort\nabort(500)\n")
        if f.path == "pkg/other.py"
        else f
        for f in files
    ]
    parsed.clear()

    result = scan_project(changed, context, cache=cache)

    assert set(parsed) == {"pkg/other.py"}
    assert result == scan_project(changed, context)  # the same as without a cache


def test_a_change_to_a_reexporting_module_redoes_only_the_cross_file_rounds(context, parsed):
    files = source_files(FILES)
    cache = MemoryCache()
    scan_project(files, context, cache=cache)
    changed = [
        SourceFile(f.path, "sha-compat2", b"from flask import make_response, abort\n")
        if f.path == "pkg/compat.py"
        else f
        for f in files
    ]
    parsed.clear()
    fresh = scan_project(changed, context)
    cold = Counter(parsed)
    parsed.clear()

    result = scan_project(changed, context, cache=cache)

    # What compat re-exports changed, so every later round is redone; round one (which
    # parses the files that import flask) is not, except for compat itself.
    first_of_blob = {}  # round one scans one file per distinct blob
    for f in changed:
        if context.prefilter.search(f.data):
            first_of_blob.setdefault(f.blob_sha, f.path)
    in_round_one = set(first_of_blob.values())
    expected = cold - Counter(in_round_one - {"pkg/compat.py"})
    assert Counter(parsed) == expected
    assert "pkg/views.py" in parsed  # it imports from compat
    assert result == fresh


def test_changing_the_target_set_reparses_what_it_must(context, parsed):
    files = source_files(FILES)
    cache = MemoryCache()
    scan_project(files, context, cache=cache)
    fewer = {k: v for k, v in context.index.items() if not v.endswith(".abort")}
    other_index = dataclasses.replace(context, index=fewer)
    other_version = dataclasses.replace(context, version="0.0-other")
    assert len({context.key, other_index.key, other_version.key}) == 3

    for changed in (other_index, other_version):
        parsed.clear()
        fresh = scan_project(files, changed)
        cold = Counter(parsed)
        parsed.clear()
        result = scan_project(files, changed, cache=cache)
        assert Counter(parsed) == cold  # a new key: everything a cold scan parses, no more
        assert "pkg/plain.py" not in parsed  # and a file without flask is still never parsed
        assert result == fresh

    parsed.clear()
    scan_project(files, context, cache=cache)  # the first target set is still cached
    assert parsed == []


def test_the_scan_key_covers_the_scanner_version(context, monkeypatch):
    monkeypatch.setattr(miner.scan, "SCANNER_VERSION", miner.scan.SCANNER_VERSION + 1)
    assert dataclasses.replace(context).key != context.key


def test_the_database_cache_round_trips_every_field(tmp_path):
    db = store.open_db(tmp_path / "miner.db")
    use = Use(
        qualname="flask.helpers.make_response",
        kind=UseKind.CALL,
        resolution=Resolution.CROSS_FILE,
        line=3,
        column=5,
        end_line=4,
        end_column=9,
        enclosing="View.get",
        written_as="mr",
        line_text="    return mr('café ✓')",
    )
    scans = [
        FileScan("a.py", "sha-a", FileStatus.SCANNED, 4, None, (use,), (("mr", "flask.mr"),)),
        FileScan("b.py", "sha-b", FileStatus.UNPARSABLE, 2, "SyntaxError: bad (line 2)"),
        FileScan("c.py", "sha-c", FileStatus.NO_MENTION, 1),
    ]
    store.save_scans_to_cache(db, "key1", [("", scan) for scan in scans])
    store.save_scans_to_cache(db, "key1", [("links", scans[0])])

    found = store.cached_scans(db, "key1", ["sha-a", "sha-b", "sha-c", "sha-missing"])

    assert set(found) == {("sha-a", ""), ("sha-a", "links"), ("sha-b", ""), ("sha-c", "")}
    for scan in scans:
        assert found[(scan.blob_sha, "")] == dataclasses.replace(scan, path="")
    assert store.cached_scans(db, "key2", ["sha-a"]) == {}


# -- through the crawl and its database ---------------------------------------------------


def rows(db, table):
    columns = [c for c in db[table].columns_dict if c != "id"]
    return sorted(tuple(row[c] for c in columns) for row in db[table].rows)


def test_a_recrawl_reparses_only_the_changed_file_and_stores_the_same_rows(
    make_repo, tmp_path, library, parsed
):
    repo = make_repo(FILES)
    project = Project("demo", repo.url)
    db = store.open_db(tmp_path / "miner.db")
    crawl(db, [project], library, tmp_path / "cache", jobs=1)
    repo.commit({"pkg/other.py": "from flask import abort\nabort(500)\n"})
    parsed.clear()

    report = crawl(db, [project], library, tmp_path / "cache", jobs=1)

    assert set(parsed) == {"pkg/other.py"}
    assert report.results[0].parsed == 1
    fresh = store.open_db(tmp_path / "fresh.db")
    crawl(fresh, [project], library, tmp_path / "cache2", jobs=1)
    for table in ("files", "uses", "sources"):
        assert rows(db, table) == rows(fresh, table), table


def test_a_project_whose_head_has_not_moved_is_skipped(make_repo, tmp_path, library, monkeypatch):
    repo = make_repo(FILES)
    project = Project("demo", repo.url)
    db = store.open_db(tmp_path / "miner.db")
    crawl(db, [project], library, tmp_path / "cache", jobs=1)
    before = {table: rows(db, table) for table in ("files", "uses", "sources")}
    use_ids = sorted(row["id"] for row in db["uses"].rows)

    def no_fetch(*args, **kwargs):
        raise AssertionError("an unchanged project must not be fetched")

    monkeypatch.setattr(sources, "fetch_project", no_fetch)
    report = crawl(db, [project], library, tmp_path / "cache", jobs=1)

    result = report.results[0]
    assert (result.ok, result.unchanged) == (True, True)
    assert result.uses == len(before["uses"])
    assert {table: rows(db, table) for table in before} == before
    assert sorted(row["id"] for row in db["uses"].rows) == use_ids  # rows untouched
    last = list(db["crawls"].rows)[-1]
    assert (last["status"], last["note"], last["commit_sha"]) == ("ok", UNCHANGED_NOTE, result.commit)


def test_a_new_scan_key_recrawls_an_unmoved_project(make_repo, tmp_path, library, monkeypatch):
    repo = make_repo(FILES)
    project = Project("demo", repo.url)
    db = store.open_db(tmp_path / "miner.db")
    crawl(db, [project], library, tmp_path / "cache", jobs=1)
    monkeypatch.setattr(miner.scan, "SCANNER_VERSION", miner.scan.SCANNER_VERSION + 1)

    report = crawl(db, [project], library, tmp_path / "cache", jobs=1)

    assert report.results[0].unchanged is False
    assert report.results[0].parsed > 0


def test_texts_of_cached_files_are_read_when_the_database_lacks_them(
    make_repo, tmp_path, library, parsed
):
    """Two projects with the same file: the second is all cache hits, yet needs its texts."""
    first = make_repo(FILES, name="first")
    db = store.open_db(tmp_path / "miner.db")
    crawl(db, [Project("first", first.url)], library, tmp_path / "cache", jobs=1)
    db.execute("DELETE FROM uses")
    db.execute("DELETE FROM files")
    db.execute("DELETE FROM sources")
    second = make_repo(FILES, name="second")
    parsed.clear()

    report = crawl(db, [Project("second", second.url)], library, tmp_path / "cache", jobs=1)

    assert parsed == [] and report.results[0].ok
    texts = {row["text"] for row in db["sources"].rows}
    assert any("é" in text for text in texts)


def test_only_display_settings_of_a_project_keep_it_skipped(make_repo, tmp_path, library):
    repo = make_repo(FILES)
    project = Project("demo", repo.url)
    db = store.open_db(tmp_path / "miner.db")
    crawl(db, [project], library, tmp_path / "cache", jobs=1)

    reworded = dataclasses.replace(project, blurb="Another description.", docs="https://x.org")
    report = crawl(db, [reworded], library, tmp_path / "cache", jobs=1)
    assert report.results[0].unchanged is True

    moved = dataclasses.replace(project, url=repo.path.as_posix())  # same repository, other url
    report = crawl(db, [moved], library, tmp_path / "cache", jobs=1)
    assert report.results[0].unchanged is False

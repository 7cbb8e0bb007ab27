"""Store: the schema, whole-project crawl transactions and reading rows back."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from miner.model import (
    Checkout,
    FileScan,
    FileStatus,
    MinerError,
    Project,
    Resolution,
    Target,
    Use,
    UseKind,
)
from miner.store import (
    SCHEMA,
    Database,
    load_candidates,
    load_library,
    load_targets,
    open_db,
    save_crawl,
    save_failed_crawl,
    save_library,
    save_project_list,
    used_qualnames,
)

MAKE_RESPONSE = "flask.helpers.make_response"
ALPHA = Project("Alpha", "https://github.com/example/alpha.git", license="MIT", position=1)
BETA = Project("Beta", "https://github.com/example/beta.git", position=2)


def checkout(project: Project = ALPHA, commit: str = "c1") -> Checkout:
    """A checkout of `project` at `commit`; the git dir is never read by the store."""
    return Checkout(
        project, Path("/nowhere"), commit, "main", "2024-05-01T10:00:00+00:00", "LICENSE"
    )


def use(line: int, qualname: str = MAKE_RESPONSE, kind: UseKind = UseKind.CALL) -> Use:
    """A use of `qualname` on `line`."""
    return Use(qualname, kind, Resolution.DIRECT, line, 5, line, 18, "view", "make_response", "x")


def scanned(path: str, sha: str, *uses: Use) -> FileScan:
    """A scanned file with `uses`."""
    return FileScan(path, sha, FileStatus.SCANNED, lines=10, uses=uses)


def rows(db: Database, table: str, *drop: str) -> list[dict[str, object]]:
    """Every row of `table` without the `drop` columns, in a stable order."""
    found = [{k: v for k, v in row.items() if k not in drop} for row in db[table].rows]
    return sorted(found, key=repr)


@pytest.fixture
def db() -> Database:
    """An empty in-memory database with the schema."""
    return open_db(":memory:")


def test_open_db_creates_the_schema_idempotently(tmp_path: Path) -> None:
    path = tmp_path / "miner.db"
    open_db(path).close()
    db = open_db(path)
    assert set(db.table_names()) == set(SCHEMA)
    for name, spec in SCHEMA.items():
        assert list(db[name].columns_dict) == list(spec.columns)
    assert {tuple(index.columns) for index in db["uses"].indexes} == {
        ("qualname",),
        ("project", "path"),
    }
    assert db.execute("PRAGMA foreign_keys").fetchone() == (1,)
    assert db.journal_mode == "wal"


def test_open_db_renames_an_older_commit_column_keeping_its_values(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:  # the two tables as an older miner wrote them
        conn.execute('CREATE TABLE projects (name TEXT PRIMARY KEY, url TEXT NOT NULL, '
                     'position INTEGER NOT NULL, "commit" TEXT, branch TEXT)')
        conn.execute('CREATE TABLE crawls (id INTEGER PRIMARY KEY, project TEXT, '
                     'started_at TEXT, finished_at TEXT, status TEXT, "commit" TEXT)')
        conn.execute("INSERT INTO projects VALUES ('Alpha', 'u', 1, 'c0ffee', 'main')")
        conn.execute("INSERT INTO crawls VALUES (1, 'Alpha', 't0', 't1', 'ok', 'c0ffee')")
    conn.close()
    db = open_db(path)
    assert "commit" not in db["projects"].columns_dict
    assert db.execute("SELECT commit_sha, branch FROM projects").fetchall() == [("c0ffee", "main")]
    assert db.execute("SELECT commit_sha FROM crawls").fetchall() == [("c0ffee",)]
    db.close()
    assert open_db(path).execute("SELECT commit_sha FROM projects").fetchall() == [("c0ffee",)]


def test_save_library_replaces_targets_and_aliases(db: Database) -> None:
    old = Target("flask.helpers.flash", "flask.helpers", "flash", "function", ("flask.flash",))
    new = Target(
        MAKE_RESPONSE, "flask.helpers", "make_response", "function", ("flask.make_response",)
    )
    save_library(db, "flask", "3.0.0", "Flask", None, "https://x/{version}/{path}#L{line}", [old])
    save_library(db, "flask", "3.1.3", "Flask", "https://flask", "https://x/{path}", [new])
    assert load_targets(db) == [new]
    assert load_library(db).version == "3.1.3"
    assert rows(db, "target_aliases") == [
        {"alias": "flask.make_response", "qualname": MAKE_RESPONSE}
    ]


def test_load_library_needs_one(db: Database) -> None:
    with pytest.raises(MinerError, match="no target library: run `miner crawl` first"):
        load_library(db)


def test_save_crawl_twice_replaces_rows_and_counts(db: Database) -> None:
    first = [
        scanned("app.py", "s1", use(3), use(9)),
        FileScan("setup.py", "s2", FileStatus.NO_MENTION, lines=4),
        FileScan("py2.py", "s3", FileStatus.UNPARSABLE, lines=2, error="invalid syntax"),
    ]
    save_crawl(db, checkout(), first, {"s1": "app text"}, "t0", "t1")
    second = [scanned("app.py", "s4", use(5)), scanned("views.py", "s5", use(1), use(2))]
    crawl_id = save_crawl(db, checkout(commit="c2"), second, {"s4": "new", "s5": "v"}, "t2", "t3")

    assert [(r["path"], r["blob_sha"]) for r in db["files"].rows] == [
        ("app.py", "s4"),
        ("views.py", "s5"),
    ]
    assert sorted((r["path"], r["line"]) for r in db["uses"].rows) == [
        ("app.py", 5),
        ("views.py", 1),
        ("views.py", 2),
    ]
    crawl = db["crawls"].get(crawl_id)
    assert (crawl["status"], crawl["commit_sha"], crawl["files"], crawl["scanned"]) == (
        "ok",
        "c2",
        2,
        2,
    )
    assert (crawl["unparsable"], crawl["uses"]) == (0, 3)
    assert db["crawls"].get(1)["unparsable"] == 1
    project = db["projects"].get("Alpha")
    assert (project["commit_sha"], project["crawled_at"], project["license_path"]) == (
        "c2",
        "t3",
        "LICENSE",
    )


def test_save_crawl_with_the_same_data_gives_the_same_rows(db: Database) -> None:
    scans = [scanned("app.py", "s1", use(3))]
    save_crawl(db, checkout(), scans, {"s1": "text"}, "t0", "t1")
    before = {table: rows(db, table, "id") for table in ("files", "uses", "sources", "projects")}
    save_crawl(db, checkout(), scans, {"s1": "text"}, "t0", "t1")
    after = {table: rows(db, table, "id") for table in ("files", "uses", "sources", "projects")}
    assert after == before
    assert db["crawls"].count == 2


def test_failed_crawl_keeps_the_previous_rows(db: Database) -> None:
    save_crawl(db, checkout(), [scanned("app.py", "s1", use(3))], {"s1": "text"}, "t0", "t1")
    before = {table: rows(db, table) for table in ("files", "uses", "sources", "projects")}
    save_failed_crawl(db, ALPHA, "fetch timed out", "t2", "t3")
    assert {table: rows(db, table) for table in before} == before
    assert [(r["status"], r["error"]) for r in db["crawls"].rows] == [
        ("ok", None),
        ("failed", "fetch timed out"),
    ]


def test_failed_first_crawl_records_the_project(db: Database) -> None:
    save_failed_crawl(db, BETA, "no such repository", "t0", "t1")
    assert db["projects"].get("Beta")["commit_sha"] is None
    assert db["crawls"].count == 1


@pytest.mark.parametrize(
    ("scans", "texts", "error"),
    [
        # two rows for one file: the files primary key refuses the second
        (
            [scanned("app.py", "s2", use(1)), scanned("app.py", "s3", use(2))],
            {"s2": "a", "s3": "b"},
            sqlite3.IntegrityError,
        ),
        # a file with uses but no text
        ([scanned("app.py", "s2", use(1))], {}, MinerError),
    ],
)
def test_a_failing_save_crawl_rolls_back_entirely(
    db: Database, scans: list[FileScan], texts: dict[str, str], error: type[Exception]
) -> None:
    save_crawl(db, checkout(), [scanned("app.py", "s1", use(3))], {"s1": "text"}, "t0", "t1")
    tables = ("files", "uses", "sources", "projects", "crawls")
    before = {table: rows(db, table) for table in tables}
    with pytest.raises(error):
        save_crawl(db, checkout(commit="c2"), scans, texts, "t2", "t3")
    assert {table: rows(db, table) for table in tables} == before


def test_sources_no_file_references_are_deleted(db: Database) -> None:
    save_crawl(db, checkout(ALPHA), [scanned("a.py", "shared", use(1))], {"shared": "s"}, "t", "t")
    save_crawl(db, checkout(BETA), [scanned("b.py", "shared", use(1))], {"shared": "s"}, "t", "t")
    save_crawl(db, checkout(ALPHA), [scanned("a.py", "a2", use(1))], {"a2": "a2"}, "t", "t")
    assert {r["blob_sha"] for r in db["sources"].rows} == {"shared", "a2"}
    save_crawl(db, checkout(BETA), [FileScan("b.py", "b2", FileStatus.NO_MENTION)], {}, "t", "t")
    assert {r["blob_sha"] for r in db["sources"].rows} == {"a2"}


def test_an_already_stored_text_need_not_be_passed_again(db: Database) -> None:
    save_crawl(db, checkout(ALPHA), [scanned("a.py", "s1", use(1))], {"s1": "text"}, "t", "t")
    save_crawl(db, checkout(ALPHA), [scanned("a.py", "s1", use(2))], {}, "t", "t")
    assert db["sources"].get("s1")["text"] == "text"


def test_save_project_list_keeps_the_crawl_state(db: Database) -> None:
    save_crawl(db, checkout(), [scanned("app.py", "s1", use(3))], {"s1": "text"}, "t0", "t1")
    save_project_list(db, [Project("Alpha", ALPHA.url, blurb="New blurb.", position=5), BETA])
    alpha = db["projects"].get("Alpha")
    assert (alpha["blurb"], alpha["position"], alpha["commit_sha"]) == ("New blurb.", 5, "c1")
    assert db["projects"].get("Beta")["commit_sha"] is None


def test_load_candidates_groups_uses_by_file_in_list_order(db: Database) -> None:
    other = "flask.helpers.flash"
    save_crawl(
        db,
        checkout(BETA, "b1"),
        [scanned("z.py", "b", use(4), use(2, kind=UseKind.IMPORT))],
        {"b": "beta text"},
        "t",
        "t",
    )
    save_crawl(
        db,
        checkout(ALPHA, "a1"),
        [scanned("b.py", "ab", use(7)), scanned("a.py", "aa", use(1), use(2, other))],
        {"ab": "alpha b", "aa": "alpha a"},
        "t",
        "t",
    )
    candidates = load_candidates(db, MAKE_RESPONSE)
    assert [(c.project.name, c.commit, c.path, c.text) for c in candidates] == [
        ("Alpha", "a1", "a.py", "alpha a"),
        ("Alpha", "a1", "b.py", "alpha b"),
        ("Beta", "b1", "z.py", "beta text"),
    ]
    assert candidates[0].project == ALPHA
    assert candidates[0].license_path == "LICENSE"
    assert [u.line for u in candidates[0].uses] == [1]
    assert [(u.line, u.kind) for u in candidates[2].uses] == [
        (2, UseKind.IMPORT),
        (4, UseKind.CALL),
    ]
    assert candidates[1].uses == (use(7),)
    assert used_qualnames(db) == {MAKE_RESPONSE, other}

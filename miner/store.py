"""Store stage: the SQLite database that `crawl` writes and `render` reads.

This is the only module that imports sqlite-utils (other modules type-hint with the `Database`
it re-exports), and it owns the schema: `SCHEMA` describes every table and column, and the
README copies it. Writes are whole-project transactions, so a crawl that breaks half-way leaves
the previous crawl's rows in place; reads return the dataclasses of `miner.model` plus the two
small read-side dataclasses defined here.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import sqlite_utils

from miner import outline
from miner.misuse import misuse_of
from miner.model import (
    Checkout,
    FileScan,
    FileStatus,
    History,
    MinerError,
    Project,
    ProjectMetadata,
    Resolution,
    Target,
    Use,
    UseKind,
)

#: How long a write waits for another process's transaction (another crawl) before giving up.
BUSY_TIMEOUT_SECONDS = 30


class DatabaseBusy(MinerError):
    """Another process kept the database's write lock for longer than BUSY_TIMEOUT_SECONDS."""


class Database(sqlite_utils.Database):
    """sqlite-utils' Database, whose transactions take the write lock as they begin.

    sqlite-utils begins a transaction with a deferred BEGIN; one that reads (a table's schema)
    before it writes cannot wait for another writer in WAL mode: SQLite says "database is
    locked" at once. BEGIN IMMEDIATE waits up to the busy timeout instead, so two crawls of
    one database take turns, one project's transaction at a time.
    """

    @contextlib.contextmanager
    def atomic(self) -> Iterator[Database]:
        if self.conn.in_transaction:  # nested: a savepoint, as sqlite-utils does it
            with super().atomic():
                yield self
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if "locked" not in str(error):
                raise
            raise self.busy() from None
        try:
            yield self
            self.conn.execute("COMMIT")
        except BaseException:
            self.rollback()
            raise

    def busy(self) -> DatabaseBusy:
        path = self.conn.execute("PRAGMA database_list").fetchone()[2]
        return DatabaseBusy(
            f"{path}: another process has been writing to this database for over "
            f"{BUSY_TIMEOUT_SECONDS} s (another miner crawl?): let it finish, then run again"
        )

    def enable_wal(self) -> None:
        """WAL mode, retried while another process creates the same new database.

        (Leaving rollback-journal mode needs an exclusive lock, which SQLite refuses at once
        instead of waiting when two processes open a new database together.)
        """
        deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
        while True:
            try:
                super().enable_wal()
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error):
                    raise
                if time.monotonic() > deadline:
                    raise self.busy() from None
            time.sleep(0.05)


@dataclass(frozen=True, slots=True)
class TableSpec:
    """One table: its purpose, its columns as name -> (type, meaning), keys and indexes."""

    doc: str
    columns: dict[str, tuple[type, str]]
    pk: str | tuple[str, ...]
    not_null: tuple[str, ...] = ()
    foreign_keys: tuple[tuple[str, str, str], ...] = ()  #: (column, other table, other column)
    indexes: tuple[tuple[str, ...], ...] = ()


SCHEMA: dict[str, TableSpec] = {
    "library": TableSpec(
        "The target library at the analysed version.",
        {
            "name": (str, "import name, e.g. flask"),
            "version": (str, "version that was analysed, e.g. 3.1.3"),
            "display_name": (str, "name used in prose, e.g. Flask"),
            "home_url": (str, "the library's home page"),
            "source_url": (
                str,
                "link template to a definition, with {version}, {path} and {line}: "
                "https://github.com/pallets/flask/blob/{version}/src/{path}#L{line}",
            ),
        },
        pk="name",
        not_null=("version", "display_name", "source_url"),
    ),
    "targets": TableSpec(
        "Every public name of a library, keyed by its defining module.",
        {
            "qualname": (str, "canonical name: flask.helpers.make_response"),
            "library": (str, "library.name"),
            "module": (str, "defining module: flask.helpers"),
            "name": (str, "the name itself: make_response"),
            "kind": (str, "function, class, exception or object"),
            "summary": (str, "first paragraph of the docstring, may be empty"),
            "source_path": (str, "definition file inside the library: flask/helpers.py"),
            "line": (int, "line of the definition in source_path"),
            "keywords": (str, "JSON list of the keyword arguments a function takes; NULL: any"),
            "required": (str, "JSON list of the parameters a call must give; NULL: no function"),
        },
        pk="qualname",
        not_null=("library", "module", "name", "kind"),
        foreign_keys=(("library", "library", "name"),),
    ),
    "target_aliases": TableSpec(
        "Every other import path of a target.",
        {
            "alias": (str, "another import path: flask.make_response"),
            "qualname": (str, "targets.qualname it stands for"),
        },
        pk="alias",
        not_null=("qualname",),
        foreign_keys=(("qualname", "targets", "qualname"),),
    ),
    "projects": TableSpec(
        "The project list entries, plus the state of each project's last successful crawl.",
        {
            "name": (str, "display name, used in headings"),
            "url": (str, "git URL, local path or file:// URL"),
            "web": (str, "browsable home for links, when url is not one"),
            "docs": (str, "documentation URL"),
            "pypi": (str, "PyPI distribution name"),
            "blurb": (str, "one or two sentences describing the project"),
            "license": (str, "SPDX id; NULL when unknown"),
            "subdir": (str, "the directory of the repository that is the project, if not all"),
            "release": (
                str,
                "the PyPI release analysed when git could not be reached ('indico 3.3.14'), else "
                "NULL; commit_sha, branch and committed_at are then NULL: a release has no git data",
            ),
            "release_file": (str, "the file of that release analysed: its sdist, or a pure-Python wheel"),
            "release_sha256": (str, "sha256 digest of that file"),
            "release_uploaded_at": (str, "ISO 8601 time that file was uploaded to the index"),
            "tags": (str, "JSON list of the remote's tags at the last crawl that reached git"),
            "position": (int, "place in the project list"),
            "commit_sha": (str, "git commit id of the last successful crawl; NULL for a PyPI release"),
            "branch": (str, "branch of that commit"),
            "committed_at": (str, "ISO 8601 date of that commit"),
            "license_path": (str, "LICENSE/COPYING file at the top of the tree at that commit"),
            "description": (str, "description detected from package metadata or the README"),
            "detected_license": (str, "SPDX id detected from the license file and metadata"),
            "license_source": (str, "how the license was detected, or why it was not"),
            "detected_docs": (str, "documentation URL from package metadata"),
            "detected_pypi": (str, "PyPI name from package metadata"),
            "declared_versions": (
                str,
                "the target library's version range the project declares ('' unpinned)",
            ),
            "history_sampled": (int, "recent commits read for the history signals (bounded)"),
            "commits_last_year": (int, "commits in the year before the crawl, among those read"),
            "authors_last_year": (int, "distinct commit authors in that year"),
            "crawled_at": (str, "ISO 8601 time the last successful crawl finished"),
            "scan_key": (
                str,
                "the scan key (see scan_cache) and the project settings that crawl's rows were "
                "made under: an unmoved project is skipped only under the same key",
            ),
        },
        pk="name",
        not_null=("url", "position"),
    ),
    "crawls": TableSpec(
        "One row per crawl attempt, kept forever as history.",
        {
            "id": (int, "increasing crawl number (rows are never deleted)"),
            "project": (str, "projects.name"),
            "started_at": (str, "ISO 8601"),
            "finished_at": (str, "ISO 8601"),
            "status": (str, "'ok' or 'failed'"),
            "error": (str, "one-line reason of a failed crawl"),
            "commit_sha": (str, "git commit id crawled (ok crawls from git); NULL for a PyPI release"),
            "branch": (str, "crawled branch (ok crawls)"),
            "files": (int, "files seen"),
            "scanned": (int, "files parsed and searched for uses"),
            "unparsable": (int, "files that could not be parsed"),
            "uses": (int, "uses found"),
            "note": (
                str,
                "why an ok crawl changed nothing, that a PyPI release was analysed instead, or "
                "that git refused the recent history ranking reads",
            ),
            "source": (str, "'git', or 'pypi' when the git remote failed and a PyPI release was used"),
        },
        pk="id",
        not_null=("project", "started_at", "finished_at", "status"),
        foreign_keys=(("project", "projects", "name"),),
    ),
    "files": TableSpec(
        "Every .py file of each project's last successful crawl.",
        {
            "project": (str, "projects.name"),
            "path": (str, "repository-relative POSIX path"),
            "blob_sha": (str, "git blob id of the content"),
            "lines": (int, "number of lines"),
            "status": (str, "scanned, no-mention, unparsable or too-large"),
            "error": (str, "why the file was not scanned"),
        },
        pk=("project", "path"),
        not_null=("blob_sha", "status"),
        foreign_keys=(("project", "projects", "name"),),
        indexes=(("blob_sha",),),
    ),
    "sources": TableSpec(
        "Decoded text of every file with at least one use, so rendering needs no checkout.",
        {
            "blob_sha": (str, "git blob id, shared by identical files"),
            "text": (str, "decoded source text"),
            "outline": (bytes, "what ranking and pages need of its syntax (miner/outline.py), "
                        "made by the scan's parse: zlib-compressed JSON"),
            "outline_key": (str, "outline.KEY of the code that made it; others are not read"),
        },
        pk="blob_sha",
        not_null=("text",),
    ),
    "scan_cache": TableSpec(
        "The scan result of every blob seen, so that an unchanged file is never parsed again. "
        "Rows are reused only under the same scan key (a hash of the library, its version, its "
        "modules and alias index, the size cap and the scanner's version and code) and the same "
        "links (what the project's other modules re-export to the file).",
        {
            "blob_sha": (str, "git blob id of the file"),
            "scan_key": (str, "ScanContext.key the file was scanned under"),
            "links": (str, "'' for a file scanned alone; else a hash of its module name and "
                      "the project's re-exports in that round"),
            "status": (str, "scanned, no-mention, unparsable or too-large"),
            "lines": (int, "number of lines"),
            "error": (str, "why the file was not scanned"),
            "uses": (str, "JSON list of the uses found, one object per use"),
            "exports": (str, "JSON list of [name, library path] the module binds at top level"),
            "missing": (str, "JSON list of [line, library path] the library does not have"),
            "foreign_names": (
                str,
                "JSON list of [line, library path, origin] of other libraries' names",
            ),
        },
        pk=("blob_sha", "scan_key", "links"),
        not_null=("status",),
    ),
    "uses": TableSpec(
        "Every resolved use of a target in the files of the last successful crawls.",
        {
            "id": (int, "surrogate key; not stable across crawls"),
            "project": (str, "projects.name"),
            "path": (str, "files.path"),
            "qualname": (str, "targets.qualname (canonical)"),
            "kind": (str, "call, attribute, subclass, decorator, raise, except, ... import"),
            "resolution": (str, "direct, alias, module-attribute, re-export, star, ..."),
            "line": (int, "1-based start line"),
            "column": (int, "1-based start column"),
            "end_line": (int, "1-based end line"),
            "end_column": (int, "1-based end column"),
            "enclosing": (str, "dotted enclosing definition, '' at module level"),
            "written_as": (str, "the expression as written: flask.make_response, mr"),
            "line_text": (str, "the source line holding the use"),
            "shape": (str, "normalised form of the use: make_response(jsonify(...), int)"),
            "result": (str, "what a call's value is used for: returned, .headers[...] =, ..."),
            "enclosing_lines": (int, "length of the enclosing definition or statement"),
            "source_label": (
                str, "application, script, example, test, vendored, generated, migration, build"
            ),
            "score_source_kind": (float, "rank.SOURCE_KINDS of source_label"),
            "score_definition": (float, "short enclosing definition: min(1, 25 / enclosing_lines)"),
            "score_typicality": (float, "share of the name's uses (imports aside) with this shape"),
        },
        pk="id",
        not_null=("project", "path", "qualname", "kind", "resolution", "line"),
        foreign_keys=(("project", "projects", "name"),),
        indexes=(("qualname",), ("project", "path")),
    ),
    "missing_names": TableSpec(
        "Uses of library names the analysed version does not have (removed or private ones, "
        "such as flask.Markup after Flask 3.0): flagged, never shown on pages.",
        {
            "project": (str, "projects.name"),
            "path": (str, "files.path"),
            "line": (int, "1-based line of the use"),
            "name": (str, "the dotted path as written against the library: flask.Markup"),
        },
        pk=("project", "path", "line", "name"),
        foreign_keys=(("project", "projects", "name"),),
    ),
    "foreign_names": TableSpec(
        "Uses of another library's names imported through the library's modules "
        "(`from flask.signals import Namespace` is blinker's Namespace): resolution 'foreign', "
        "recorded so they do not vanish, never given a page (the page belongs to their library).",
        {
            "project": (str, "projects.name"),
            "path": (str, "files.path"),
            "line": (int, "1-based line of the use"),
            "name": (str, "the dotted path as written against the library: flask.signals.Namespace"),
            "origin": (str, "where the library's module got it from: blinker.Namespace"),
        },
        pk=("project", "path", "line", "name"),
        foreign_keys=(("project", "projects", "name"),),
    ),
    "shown_examples": TableSpec(
        "What the last render showed on each page, so that a later crawl can tell what drifted.",
        {
            "qualname": (str, "targets.qualname of the page"),
            "project": (str, "projects.name"),
            "path": (str, "files.path of the example"),
            "blob_sha": (str, "the file's blob when it was shown"),
            "content_hash": (str, "hash of its normalised text, to recognise it after a move"),
            "excerpt_hash": (str, "hash of the excerpt as shown"),
            "style": (str, "excerpt style it was shown in"),
            "rendered_at": (str, "ISO 8601"),
        },
        pk=("qualname", "project"),
    ),
    "drift": TableSpec(
        "Shown examples whose code changed, moved or disappeared since the last render; "
        "written by crawl, reported and cleared by render.",
        {
            "qualname": (str, "targets.qualname of the page"),
            "project": (str, "projects.name"),
            "path": (str, "files.path of the example as shown"),
            "status": (str, "changed, moved or disappeared"),
            "now_path": (str, "where a moved example is now"),
            "detected_at": (str, "ISO 8601"),
        },
        pk=("qualname", "project"),
    ),
    "candidates": TableSpec(
        "Every (name, project, file) that could be an example, with each part of its score "
        "(see miner/rank.py; every part is in [0, 1]).",
        {
            "qualname": (str, "targets.qualname of the page"),
            "project": (str, "projects.name"),
            "path": (str, "files.path"),
            "conciseness": (float, "short focused excerpt"),
            "definition": (float, "short enclosing definition"),
            "self_contained": (float, "share of the excerpt's names a reader can place"),
            "typicality": (float, "projects writing the file's commonest form (and pattern) against the name's (rank.Usage)"),
            "source_kind": (float, "application 1, script 0.85, example 0.7, test 0.3, "
                            "vendored, generated, migration, build 0"),
            "project_signals": (float, "recent commit, commits and authors in the last year"),
            "total": (float, "weighted sum of the parts (rank.WEIGHTS)"),
            "excerpt_lines": (int, "lines of the focused excerpt"),
            "definition_lines": (int, "lines of the longest enclosing definition of a use"),
            "source_label": (
                str, "application, script, example, test, vendored, generated, migration, build"
            ),
            "shapes": (str, "JSON list of the file's usage shapes, most typical first"),
            "content_hash": (str, "hash of the normalised text: equal for copies of one file"),
            "rank_key": (str, "excerpt_facts.rank_key of the ranking code that scored it"),
        },
        pk=("qualname", "project", "path"),
        foreign_keys=(("project", "projects", "name"),),
        indexes=(("qualname", "total"), ("project",)),
    ),
    "excerpt_facts": TableSpec(
        "The parts of a candidate's score that only its file's text and highlighted lines decide "
        "(rank.TextFacts), kept per blob so that a crawl never builds an unchanged file's "
        "excerpt again. Rows go with their blob's source text.",
        {
            "blob_sha": (str, "git blob id of the file"),
            "qualname": (str, "targets.qualname whose uses are highlighted"),
            "lines": (str, "hash of the highlighted lines"),
            "rank_key": (str, "hash of the ranking and excerpt code the facts were made with"),
            "conciseness": (float, "short focused excerpt"),
            "self_contained": (float, "share of the excerpt's names a reader can place"),
            "excerpt_lines": (int, "lines of the focused excerpt"),
            "content_hash": (str, "hash of the normalised text"),
            "generated": (int, "1 when the file's head says it was generated"),
            "dead": (str, "JSON list of the highlighted lines no run reaches (after a return)"),
        },
        pk=("blob_sha", "qualname", "lines", "rank_key"),
        not_null=("conciseness", "self_contained", "excerpt_lines", "content_hash"),
        indexes=(("rank_key",),),
    ),
}

#: (table, old column, new column): columns an older miner wrote under another name, renamed in
#: place by open_db so that nothing stored is lost (`commit` is an SQL keyword).
RENAMED_COLUMNS = (("projects", "commit", "commit_sha"), ("crawls", "commit", "commit_sha"))

_LIST_FIELDS = ("name", "url", "web", "docs", "pypi", "blurb", "license", "subdir", "position")


@dataclass(frozen=True, slots=True)
class LibraryInfo:
    """A row of `library`: what pages need to name and link the library."""

    name: str
    version: str
    display_name: str
    home_url: str | None
    source_url: str

    def source_link(self, target: Target) -> str | None:
        """The URL of a target's definition at the analysed version, if its file is known."""
        if not target.source_path:
            return None
        return self.source_url.format(
            version=self.version,
            version_underscore=self.version.replace(".", "_"),
            path=target.source_path,
            line=target.line,
        )


@dataclass(frozen=True, slots=True)
class FileCandidate:
    """One file holding uses of one target, with everything needed to show it."""

    project: Project
    commit: str
    license_path: str | None
    path: str
    text: str
    uses: tuple[Use, ...] = field(default_factory=tuple)
    committed_at: str | None = None  #: date of the analysed commit
    blob_sha: str = ""  #: git blob of the file's content
    declared_versions: str | None = None  #: the library's version range the project declares
    history: History = field(default_factory=History)  #: recent commits and authors
    release: str | None = None  #: the PyPI release shown when git could not be reached
    release_uploaded_at: str | None = None  #: when that release's file was uploaded
    link_ref: str | None = None  #: what code links point at: the commit, or the release's tag
    outline: bytes | None = None  #: the file's stored outline (miner.outline.dumps)
    #: its top-level folder holds an __init__.py: a package the project imports (rank: a
    #: `scripts/` package is application code, not a folder of scripts)
    in_package: bool = False


def schema_markdown() -> str:
    """The schema as Markdown, one table per section: the README's "Database schema" copy."""
    parts = []
    for table, spec in SCHEMA.items():
        key = spec.pk if isinstance(spec.pk, str) else ", ".join(spec.pk)
        rows = "\n".join(
            f"| `{column}` | {kind.__name__} | {meaning} |"
            for column, (kind, meaning) in spec.columns.items()
        )
        parts.append(
            f"### `{table}`\n{spec.doc} Primary key: `{key}`.\n\n"
            f"| column | type | meaning |\n|---|---|---|\n{rows}\n"
        )
    return "\n".join(parts)


def open_db(path: Path | str) -> Database:
    """Open or create the database and make sure every table and index exists.

    A file that is not a miner database (another application's SQLite, a text file) is
    refused with a one-line MinerError before anything is written to it.
    """
    if Path(path).is_file() and Path(path).stat().st_size:
        _check_miner_tables(Path(path), _table_names(Path(path), "ro"), complete=False)
    db = Database(path)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")  # another crawl writing
    db.execute("PRAGMA foreign_keys=ON")
    db.enable_wal()
    with db.atomic():  # one process creates or upgrades the schema; another one waits
        _rename_columns(db)
        for name, spec in SCHEMA.items():
            db[name].create(
                {column: kind for column, (kind, _) in spec.columns.items()},
                pk=spec.pk,
                not_null=spec.not_null,
                foreign_keys=list(spec.foreign_keys),
                if_not_exists=True,
            )
            existing = db[name].columns_dict
            missing = {c: kind for c, (kind, _) in spec.columns.items() if c not in existing}
            for column, kind in missing.items():  # a database written by an older miner
                db[name].add_column(column, kind)
            for columns in spec.indexes:
                db[name].create_index(list(columns), if_not_exists=True)
    return db


def open_existing(path: Path, *, writable: bool = False) -> Database:
    """A database `miner crawl` wrote, opened as it is, for `render` and `explain`.

    Read-only unless `writable` (then only rows are written, as render records what it
    showed): the file is never created, nor are tables or columns added, nor its journal
    mode changed. Anything that is not a complete miner database is a one-line MinerError.
    """
    mode = "rw" if writable else "ro"
    _check_miner_tables(path, _table_names(path, mode), complete=True)
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
    return Database(conn)


def database_error(path: Path, error: sqlite3.Error) -> str:
    """What SQLite's complaint about `path` means to the user, on one line."""
    text = str(error)
    if "file is not a database" in text:
        return f"{path}: not a miner database (not SQLite at all): pass --db the file miner crawl wrote"
    if "malformed" in text or "corrupt" in text:
        return f"{path}: the database is corrupt ({text}): crawl again into a new file"
    if "disk is full" in text or "disk I/O" in text:
        return f"{path}: cannot write the database: the disk is full ({text}): free some space"
    if "readonly" in text or "read-only" in text:
        return f"{path}: the database is read-only ({text}): make it writable, or use a copy"
    if "unable to open" in text:
        return f"{path}: cannot open the database ({text}): check the path and its permissions"
    return f"{path}: database error: {text}"


def _table_names(path: Path, mode: str) -> set[str]:
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True)
        try:
            return {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.close()
    except sqlite3.Error as error:
        raise MinerError(database_error(path, error)) from None


def _check_miner_tables(path: Path, tables: set[str], *, complete: bool) -> None:
    """Refuse another application's database, and (`complete`) one missing miner's tables or
    columns: an older miner's, which only `miner crawl` upgrades."""
    if tables and not tables & SCHEMA.keys():
        raise MinerError(
            f"{path}: not a miner database (it holds other tables: {', '.join(sorted(tables)[:5])}):"
            " pass --db the file miner crawl wrote"
        )
    if not complete:
        return
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        for name, spec in SCHEMA.items():
            columns = {row[1] for row in conn.execute(f"PRAGMA table_info([{name}])")}
            missing = [column for column in spec.columns if column not in columns]
            if missing:
                what = f"table {name}" if not columns else f"column {name}.{missing[0]}"
                raise MinerError(
                    f"{path}: no {what}: an empty file or one written by an older miner "
                    "(run miner crawl on it to fill or upgrade it)"
                )
    except sqlite3.Error as error:
        raise MinerError(database_error(path, error)) from None
    finally:
        conn.close()


def _rename_columns(db: Database) -> None:
    """Rename the columns of RENAMED_COLUMNS in a database written by an older miner."""
    for table, old, new in RENAMED_COLUMNS:
        columns = db[table].columns_dict if db[table].exists() else {}
        if old in columns and new not in columns:
            db.execute(f'ALTER TABLE [{table}] RENAME COLUMN "{old}" TO [{new}]')


def save_library(
    db: Database,
    name: str,
    version: str,
    display_name: str,
    home_url: str | None,
    source_url: str,
    targets: Iterable[Target],
) -> None:
    """Replace one library with its targets and aliases, in one transaction."""
    with db.atomic():
        db.execute(
            "DELETE FROM target_aliases WHERE qualname IN "
            "(SELECT qualname FROM targets WHERE library = ?)",
            [name],
        )
        db.execute("DELETE FROM targets WHERE library = ?", [name])
        db["library"].upsert(
            {
                "name": name,
                "version": version,
                "display_name": display_name,
                "home_url": home_url,
                "source_url": source_url,
            },
            pk="name",
        )
        targets = list(targets)
        db["targets"].insert_all(
            {
                "qualname": t.qualname,
                "library": name,
                "module": t.module,
                "name": t.name,
                "kind": t.kind,
                "summary": t.summary,
                "source_path": t.source_path,
                "line": t.line,
                "keywords": None if t.keywords is None else json.dumps(t.keywords),
                "required": None if t.required is None else json.dumps(t.required),
            }
            for t in targets
        )
        db["target_aliases"].insert_all(
            {"alias": alias, "qualname": t.qualname} for t in targets for alias in t.aliases
        )


def save_project_list(db: Database, projects: Iterable[Project]) -> None:
    """Upsert the project list; the crawl state of each project is left alone."""
    with db.atomic():
        for project in projects:
            _upsert_project(db, project)


def save_crawl(
    db: Database,
    checkout: Checkout,
    scans: Iterable[FileScan],
    texts: Mapping[str, str],
    started_at: str,
    finished_at: str,
    scan_key: str | None = None,
    metadata: ProjectMetadata | None = None,
    history: History | None = None,
) -> int:
    """Replace a project's files and uses with one crawl's results; returns the crawl id.

    Everything happens in one transaction: if any row is refused, the previous crawl's rows
    stay. `texts` maps blob_sha -> decoded text and must cover every file that has uses
    (unless that blob is already stored). `scan_key` is the ScanContext.key the rows were
    made under: a later crawl of the same commit under the same key can skip the project.
    """
    project = checkout.project.name
    scans = list(scans)
    with db.atomic():
        _upsert_project(
            db,
            checkout.project,
            # A PyPI release has no git data: its file, digest and upload time stand instead.
            commit_sha=None if checkout.release else checkout.commit,
            branch=None if checkout.release else checkout.branch,
            committed_at=None if checkout.release else checkout.committed_at,
            **_release_columns(checkout),
            license_path=(metadata and metadata.license_path) or checkout.license_path,
            release=checkout.release,
            # The tags are known from the last contact with git; a PyPI release keeps them.
            **({} if checkout.release else {"tags": json.dumps(list(checkout.tags))}),
            crawled_at=finished_at,
            scan_key=scan_key,
            **_metadata_columns(metadata or ProjectMetadata()),
            **_history_columns(history or History()),
        )
        old_blobs = {
            sha for (sha,) in db.execute("SELECT blob_sha FROM files WHERE project = ?", [project])
        }
        db.execute("DELETE FROM uses WHERE project = ?", [project])
        db.execute("DELETE FROM files WHERE project = ?", [project])
        db["files"].insert_all(
            {
                "project": project,
                "path": scan.path,
                "blob_sha": scan.blob_sha,
                "lines": scan.lines,
                "status": scan.status.value,
                "error": scan.error,
            }
            for scan in scans
        )
        db["uses"].insert_all(
            _use_row(project, scan.path, use) for scan in scans for use in scan.uses
        )
        db.execute("DELETE FROM missing_names WHERE project = ?", [project])
        db["missing_names"].insert_all(
            {"project": project, "path": scan.path, "line": line, "name": name}
            for scan in scans
            for line, name in scan.missing
        )
        db.execute("DELETE FROM foreign_names WHERE project = ?", [project])
        db["foreign_names"].insert_all(
            {"project": project, "path": scan.path, "line": line, "name": name, "origin": origin}
            for scan in scans
            for line, name, origin in scan.foreign
        )
        _save_sources(db, project, scans, texts)
        crawl_id = (
            db["crawls"]
            .insert(
                {
                    "project": project,
                    "started_at": started_at,
                    "finished_at": finished_at,
                    "status": "ok",
                    "error": None,
                    "note": "; ".join(filter(None, [checkout.note, history and history.note]))
                    or None,
                    "source": "pypi" if checkout.release else "git",
                    "commit_sha": None if checkout.release else checkout.commit,
                    "branch": None if checkout.release else checkout.branch,
                    "files": len(scans),
                    "scanned": sum(s.status is FileStatus.SCANNED for s in scans),
                    "unparsable": sum(s.status is FileStatus.UNPARSABLE for s in scans),
                    "uses": sum(len(s.uses) for s in scans),
                }
            )
            .last_pk
        )
        _forget_blobs(db, old_blobs - {scan.blob_sha for scan in scans})
    return int(crawl_id)


def _forget_blobs(db: Database, blob_shas: Iterable[str]) -> None:
    """Drop the stored text, outline, excerpt facts and cached scans of those blobs that no
    file holds any more (a cached scan carries no outline: one seen again is scanned again).

    Only the blobs one project stopped using are looked at, through the index on
    files.blob_sha: storing a project costs the same in a corpus of any size.
    """
    for chunk in _chunks(sorted(blob_shas)):
        marks = ", ".join("?" * len(chunk))
        for table in ("sources", "excerpt_facts", "scan_cache"):
            db.execute(
                f"DELETE FROM {table} WHERE blob_sha IN ({marks}) AND NOT EXISTS "
                f"(SELECT 1 FROM files WHERE files.blob_sha = {table}.blob_sha)",
                chunk,
            )


def save_failed_crawl(
    db: Database, project: Project, error: str, started_at: str, finished_at: str
) -> int:
    """Record a failed crawl attempt; the project's previous files and uses stay as they were."""
    with db.atomic():
        _upsert_project(db, project)
        crawl_id = (
            db["crawls"]
            .insert(
                {
                    "project": project.name,
                    "started_at": started_at,
                    "finished_at": finished_at,
                    "status": "failed",
                    "error": error,
                }
            )
            .last_pk
        )
    return int(crawl_id)


def save_unchanged_crawl(
    db: Database, project: Project, note: str, started_at: str, finished_at: str
) -> dict[str, Any]:
    """Record an ok crawl that changed nothing: the project's rows stay as they are.

    Returns the new `crawls` row, whose counts are those of the rows kept.
    """
    with db.atomic():
        _upsert_project(db, project, crawled_at=finished_at)
        row = db.execute(
            "SELECT commit_sha, branch FROM projects WHERE name = ?", [project.name]
        ).fetchone()
        counts = db.execute(
            "SELECT COUNT(*), COALESCE(SUM(status = 'scanned'), 0), "
            "COALESCE(SUM(status = 'unparsable'), 0) FROM files WHERE project = ?",
            [project.name],
        ).fetchone()
        uses = db.execute("SELECT COUNT(*) FROM uses WHERE project = ?", [project.name]).fetchone()
        crawl = {
            "project": project.name,
            "started_at": started_at,
            "finished_at": finished_at,
            "status": "ok",
            "error": None,
            "commit_sha": row[0] if row else None,
            "branch": row[1] if row else None,
            "files": counts[0],
            "scanned": counts[1],
            "unparsable": counts[2],
            "uses": uses[0],
            "note": note,
        }
        crawl["id"] = db["crawls"].insert(crawl).last_pk
    return crawl


def crawl_state(db: Database, project: str) -> tuple[str | None, str | None]:
    """(commit, scan key) of the project's last successful crawl; (None, None) if it has none."""
    row = db.execute(
        "SELECT commit_sha, scan_key FROM projects WHERE name = ?", [project]
    ).fetchone()
    return (row[0], row[1]) if row else (None, None)


def project_blobs(db: Database, project: str) -> tuple[set[str], set[str]]:
    """The blob shas of the project's stored files, and those of them whose text is stored."""
    rows = db.execute(
        "SELECT files.blob_sha, sources.blob_sha IS NOT NULL FROM files "
        "LEFT JOIN sources ON sources.blob_sha = files.blob_sha WHERE files.project = ?",
        [project],
    ).fetchall()
    return {sha for sha, _ in rows}, {sha for sha, stored in rows if stored}


def stored_texts(db: Database, blob_shas: Iterable[str]) -> set[str]:
    """Those of `blob_shas` whose text is in `sources`."""
    found: set[str] = set()
    for chunk in _chunks(sorted(set(blob_shas))):
        marks = ", ".join("?" * len(chunk))
        rows = db.execute(f"SELECT blob_sha FROM sources WHERE blob_sha IN ({marks})", chunk)
        found.update(sha for (sha,) in rows.fetchall())
    return found


def cached_scans(
    db: Database, scan_key: str, blob_shas: Iterable[str]
) -> dict[tuple[str, str], FileScan]:
    """(blob_sha, links) -> the cached scan of that blob under `scan_key`, for every link known.

    The scans have an empty path: a result belongs to a blob, not to a file.
    """
    found: dict[tuple[str, str], FileScan] = {}
    for chunk in _chunks(sorted(set(blob_shas))):
        marks = ", ".join("?" * len(chunk))
        rows = db.execute(
            "SELECT blob_sha, links, status, lines, error, uses, exports, missing, foreign_names "
            "FROM scan_cache "
            f"WHERE scan_key = ? AND blob_sha IN ({marks})",
            [scan_key, *chunk],
        )
        for sha, links, status, lines, error, uses, exports, missing, foreign in rows.fetchall():
            found[(sha, links)] = FileScan(
                path="",
                blob_sha=sha,
                status=FileStatus(status),
                lines=lines or 0,
                error=error,
                uses=tuple(_use_from_json(use) for use in json.loads(uses or "[]")),
                exports=tuple((name, path) for name, path in json.loads(exports or "[]")),
                missing=tuple((line, path) for line, path in json.loads(missing or "[]")),
                foreign=tuple(
                    (line, path, origin) for line, path, origin in json.loads(foreign or "[]")
                ),
            )
    return found


def save_scans_to_cache(
    db: Database, scan_key: str, entries: Iterable[tuple[str, FileScan]]
) -> int:
    """Remember (links, scan) pairs under `scan_key`; returns how many rows were written."""
    rows = [
        {
            "blob_sha": scan.blob_sha,
            "scan_key": scan_key,
            "links": links,
            "status": scan.status.value,
            "lines": scan.lines,
            "error": scan.error,
            "uses": json.dumps([_use_to_json(use) for use in scan.uses], ensure_ascii=False),
            "exports": json.dumps([list(pair) for pair in scan.exports]),
            "missing": json.dumps([list(pair) for pair in scan.missing]),
            "foreign_names": json.dumps([list(row) for row in scan.foreign]),
        }
        for links, scan in entries
    ]
    with db.atomic():
        db["scan_cache"].insert_all(rows, pk=("blob_sha", "scan_key", "links"), replace=True)
    return len(rows)


_USE_FIELDS = tuple(f.name for f in fields(Use))


def _use_to_json(use: Use) -> dict[str, Any]:
    """Every field of a Use (new fields included without a change here), enums as values."""
    return {name: getattr(use, name) for name in _USE_FIELDS} | {
        "kind": use.kind.value,
        "resolution": use.resolution.value,
    }


def _use_from_json(data: dict[str, Any]) -> Use:
    return Use(
        **data | {"kind": UseKind(data["kind"]), "resolution": Resolution(data["resolution"])}
    )


def _chunks(items: list[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def load_library(db: Database, name: str | None = None) -> LibraryInfo:
    """The library called `name`, or the only library of the database when no name is given."""
    libraries = load_libraries(db)
    if name is not None:
        libraries = [library for library in libraries if library.name == name]
    if len(libraries) == 1:
        return libraries[0]
    if not libraries:
        wanted = f"library {name!r}" if name else "target library"
        raise MinerError(f"the database has no {wanted}: run `miner crawl` first")
    names = ", ".join(library.name for library in libraries)
    raise MinerError(f"the database holds several libraries ({names}): name one")


def load_libraries(db: Database) -> list[LibraryInfo]:
    """Every library of the database, by name."""
    return [
        LibraryInfo(
            name=row["name"],
            version=row["version"],
            display_name=row["display_name"],
            home_url=row["home_url"],
            source_url=row["source_url"],
        )
        for row in db.query("SELECT * FROM library ORDER BY name")
    ]


def load_targets(db: Database, library: str | None = None) -> list[Target]:
    """The targets (of one library, or all) with their aliases, ordered by module then name."""
    aliases: dict[str, list[str]] = {}
    for row in db.query("SELECT alias, qualname FROM target_aliases ORDER BY alias"):
        aliases.setdefault(row["qualname"], []).append(row["alias"])
    rows = db.query(
        "SELECT * FROM targets WHERE :library IS NULL OR library = :library ORDER BY module, name",
        {"library": library},
    )
    return [
        Target(
            qualname=row["qualname"],
            module=row["module"],
            name=row["name"],
            kind=row["kind"],
            aliases=tuple(aliases.get(row["qualname"], ())),
            summary=row["summary"] or "",
            source_path=row["source_path"] or "",
            line=row["line"] or 0,
            keywords=None if row["keywords"] is None else tuple(json.loads(row["keywords"])),
            required=None if row["required"] is None else tuple(json.loads(row["required"])),
        )
        for row in rows
    ]


def used_qualnames(db: Database) -> set[str]:
    """The canonical names that have at least one use."""
    return {row["qualname"] for row in db.query("SELECT DISTINCT qualname FROM uses")}


def count_uses(db: Database) -> dict[str, tuple[int, int]]:
    """qualname -> (uses that are not imports, projects with such a use), for every used name.

    A name that projects only import counts (0, 0): the index says so in words.
    """
    rows = db.query(
        "SELECT qualname, SUM(kind != 'import') AS uses, "
        "COUNT(DISTINCT CASE WHEN kind != 'import' THEN project END) AS projects "
        "FROM uses GROUP BY qualname"
    )
    return {row["qualname"]: (row["uses"], row["projects"]) for row in rows}


def load_candidates(db: Database, qualname: str) -> list[FileCandidate]:
    """Every file with uses of `qualname`, in project list order then path, with its text."""
    return _file_candidates(db, "uses.qualname = :qualname", {"qualname": qualname})


def load_file(db: Database, project: str, path: str) -> FileCandidate | None:
    """One file with its text and every use in it (of any name)."""
    found = _file_candidates(
        db, "uses.project = :project AND uses.path = :path", {"project": project, "path": path}
    )
    return found[0] if found else None


def import_paths(db: Database) -> dict[str, set[str]]:
    """Qualname -> the other library paths projects import it by (`django.forms.ValidationError`
    for `django.core.exceptions.ValidationError`); a use stored before imports recorded their
    path (written_as was the qualname) adds nothing."""
    found: dict[str, set[str]] = {}
    for qualname, path in db.execute(
        "SELECT DISTINCT qualname, written_as FROM uses "
        "WHERE kind = 'import' AND written_as != qualname"
    ):
        found.setdefault(qualname, set()).add(path)
    return found


def dotted_uses(db: Database) -> list[tuple[str, str, str, str, str, str]]:
    """(project, path, qualname, written_as, resolution, shape) of every use written through a
    module or object (`models.CharField`, `sa.Column`): the candidates of module pages."""
    return db.execute(
        "SELECT project, path, qualname, written_as, resolution, shape FROM uses "
        "WHERE kind != 'import' AND instr(written_as, '.') > 0 "
        "ORDER BY project, path, line"
    ).fetchall()


#: A selected column: the file's top-level folder holds an __init__.py (FileCandidate.in_package).
_IN_PACKAGE = """
    EXISTS (SELECT 1 FROM files AS init WHERE init.project = uses.project
            AND instr(uses.path, '/') > 0
            AND init.path = substr(uses.path, 1, instr(uses.path, '/')) || '__init__.py')
    AS in_package"""


def _file_candidates(db: Database, where: str, params: dict[str, str]) -> list[FileCandidate]:
    rows = db.query(
        """
        SELECT uses.*, files.blob_sha, sources.text, """ + _IN_PACKAGE + """,
               CASE WHEN sources.outline_key = :key THEN sources.outline END AS outline,
               projects.url, projects.web, projects.docs, projects.pypi, projects.blurb,
               projects.license, projects.position, projects.commit_sha AS project_commit,
               projects.license_path, projects.committed_at, projects.subdir,
               projects.description, projects.detected_license, projects.detected_docs,
               projects.detected_pypi, projects.declared_versions,
               projects.commits_last_year, projects.authors_last_year, projects.release,
               projects.release_uploaded_at,
               projects.tags
        FROM uses
        JOIN files ON files.project = uses.project AND files.path = uses.path
        JOIN sources ON sources.blob_sha = files.blob_sha
        JOIN projects ON projects.name = uses.project
        WHERE """
        + where
        + """
        ORDER BY projects.position, projects.name, uses.path, uses.line, uses."column", uses.id
        """,
        {**params, "key": outline.KEY},
    )
    candidates = []
    for (project_name, path), group in itertools.groupby(
        rows, key=lambda row: (row["project"], row["path"])
    ):
        file_rows = list(group)
        first = file_rows[0]
        candidates.append(
            FileCandidate(
                # The project list's values win over what was detected in the project's files.
                project=Project(
                    name=project_name,
                    url=first["url"],
                    docs=first["docs"] or first["detected_docs"],
                    # A PyPI link only from the project list: a name read from the project's
                    # own files may be another package's (CTFd's `ctfd` is a placeholder).
                    pypi=first["pypi"],
                    blurb=first["blurb"] or first["description"],
                    license=first["license"] or first["detected_license"],
                    web=first["web"],
                    subdir=first["subdir"],
                    position=first["position"],
                ),
                commit=first["project_commit"],
                license_path=first["license_path"],
                path=path,
                text=first["text"],
                uses=tuple(_use_from_row(row) for row in file_rows),
                # The analysed code's date: the commit's, or the release's upload time.
                committed_at=first["committed_at"] or first["release_uploaded_at"],
                blob_sha=first["blob_sha"],
                declared_versions=first["declared_versions"],
                history=History(0, first["commits_last_year"] or 0, first["authors_last_year"] or 0),
                release=first["release"],
                release_uploaded_at=first["release_uploaded_at"],
                link_ref=_link_ref(first["project_commit"], first["release"], first["tags"]),
                outline=first["outline"],
                in_package=bool(first["in_package"]),
            )
        )
    return candidates


def _link_ref(commit: str | None, release: str | None, tags: str | None) -> str | None:
    """Links point at the analysed commit; for a PyPI release, at its tag if git had one."""
    if not release:
        return commit
    version = release.rpartition(" ")[2]
    known = set(json.loads(tags or "[]"))
    return next((tag for tag in (f"v{version}", version) if tag in known), None)


def _release_columns(checkout: Checkout) -> dict[str, str | None]:
    release = checkout.published
    return {
        "release_file": release.filename if release else None,
        "release_sha256": release.sha256 if release else None,
        "release_uploaded_at": release.uploaded_at if release else None,
    }


def _metadata_columns(metadata: ProjectMetadata) -> dict[str, str | None]:
    return {
        "description": metadata.description,
        "detected_license": metadata.license,
        "license_source": metadata.license_source,
        "detected_docs": metadata.docs,
        "detected_pypi": metadata.pypi,
        "declared_versions": metadata.declared_versions,
    }


def _history_columns(history: History) -> dict[str, int]:
    return {
        "history_sampled": history.sampled,
        "commits_last_year": history.commits_last_year,
        "authors_last_year": history.authors_last_year,
    }


def _upsert_project(db: Database, project: Project, **crawl_state: str | int | None) -> None:
    """Insert or update a project's list fields, plus any crawl state given."""
    row = {name: getattr(project, name) for name in _LIST_FIELDS}
    db["projects"].upsert(row | crawl_state, pk="name")


def _save_sources(
    db: Database, project: str, scans: list[FileScan], texts: Mapping[str, str]
) -> None:
    """Store the text of every file with uses, and the outlines the scan made (a text already
    stored gets a new outline when its own was made by other code); a file with uses but no
    text is refused."""
    needed = {scan.blob_sha: scan.path for scan in scans if scan.uses}
    made = {scan.blob_sha: scan.outline for scan in scans if scan.uses and scan.outline}
    db["sources"].insert_all(
        (
            {"blob_sha": sha, "text": texts[sha], "outline": made.get(sha),
             "outline_key": outline.KEY if sha in made else None}
            for sha in needed
            if sha in texts
        ),
        pk="blob_sha",
        ignore=True,
    )
    for sha, blob in made.items():
        db.execute(
            "UPDATE sources SET outline = ?, outline_key = ? "
            "WHERE blob_sha = ? AND outline_key IS NOT ?",
            [blob, outline.KEY, sha, outline.KEY],
        )
    for sha in sorted(needed.keys() - texts.keys()):
        if db.execute("SELECT 1 FROM sources WHERE blob_sha = ?", [sha]).fetchone() is None:
            raise MinerError(
                f"no source text for {project}/{needed[sha]} (blob {sha}), "
                "which has uses: pass it in texts"
            )


def _use_row(project: str, path: str, use: Use) -> dict[str, Any]:
    """The `uses` row of one Use."""
    return {
        "project": project,
        "path": path,
        "qualname": use.qualname,
        "kind": use.kind.value,
        "resolution": use.resolution.value,
        "line": use.line,
        "column": use.column,
        "end_line": use.end_line,
        "end_column": use.end_column,
        "enclosing": use.enclosing,
        "written_as": use.written_as,
        "line_text": use.line_text,
        "shape": use.shape,
        "result": use.result,
        "enclosing_lines": use.enclosing_lines,
    }


def _use_from_row(row: Mapping[str, Any]) -> Use:
    """The Use of one `uses` row (extra joined columns are ignored)."""
    return Use(
        qualname=row["qualname"],
        kind=UseKind(row["kind"]),
        resolution=Resolution(row["resolution"]),
        line=row["line"],
        column=row["column"],
        end_line=row["end_line"],
        end_column=row["end_column"],
        enclosing=row["enclosing"],
        written_as=row["written_as"],
        line_text=row["line_text"],
        shape=row["shape"] or "",
        result=row["result"] or "",
        enclosing_lines=row["enclosing_lines"] or 0,
    )


def foreign_name_counts(db: Database, name: str) -> tuple[int, int, str]:
    """(uses, projects, origin) of another library's name used through the library's module."""
    row = db.execute(
        "SELECT count(*), count(DISTINCT project), max(origin) FROM foreign_names WHERE name = ?",
        [name],
    ).fetchone()
    return row[0], row[1], row[2] or ""


def missing_name_counts(db: Database, name: str) -> tuple[int, int]:
    """(uses, projects) of a library name the analysed version does not have."""
    row = db.execute(
        "SELECT count(*), count(DISTINCT project) FROM missing_names WHERE name = ?", [name]
    ).fetchone()
    return row[0], row[1]


def shape_rows(db: Database, qualname: str) -> list[tuple[str, str]]:
    """(project, shape) of every use of a name except imports and calls that cannot work
    (miner/misuse.py: SQLAlchemy 1.x's ``select([...])`` is no way to call it): the input of a
    shape summary."""
    rows = db.execute(
        "SELECT project, shape, result FROM uses WHERE qualname = ? AND kind != 'import'", [qualname]
    )
    return [
        (project, shape)
        for project, shape, result in rows.fetchall()
        if not misuse_of(qualname, shape or "", result or "")
    ]


def replace_candidates(
    db: Database, pages: Iterable[str], rows: Iterable[Mapping[str, Any]]
) -> None:
    """Replace the scored candidates of these pages (names) in one transaction."""
    with db.atomic():
        _fill_pages(db, pages)
        db.execute("DELETE FROM candidates WHERE qualname IN (SELECT qualname FROM temp.rank_pages)")
        db["candidates"].insert_all(rows)


def stale_pages(db: Database, changed_projects: Iterable[str], rank_key: str) -> set[str]:
    """The names whose candidates must be scored again.

    Those with a use, or a stored candidate, in a project whose rows changed; those with uses
    but no candidates scored under `rank_key` (never ranked, or by other ranking code).
    """
    changed = sorted(set(changed_projects))
    found: set[str] = set()
    for chunk in _chunks(changed):
        marks = ", ".join("?" * len(chunk))
        for table in ("uses", "candidates"):
            rows = db.execute(f"SELECT DISTINCT qualname FROM {table} WHERE project IN ({marks})", chunk)
            found.update(name for (name,) in rows.fetchall())
    rows = db.execute(
        "SELECT DISTINCT qualname FROM uses WHERE qualname NOT IN "
        "(SELECT qualname FROM candidates WHERE rank_key = ?) "
        "UNION SELECT DISTINCT qualname FROM candidates WHERE rank_key IS NOT ?",
        [rank_key, rank_key],
    )
    found.update(name for (name,) in rows.fetchall())
    return found


def scoring_inputs(db: Database, pages: Iterable[str]) -> list[tuple[str, FileCandidate]]:
    """(name, file) for every file with uses of these names: what scoring needs but the text.

    The files carry their blob, uses and project signals; `text` is empty (the text-only parts
    of a score come from `excerpt_facts`, or from `load_texts` for the blobs not there).
    """
    _fill_pages(db, pages)
    rows = db.query(
        """
        SELECT uses.*, files.blob_sha, projects.position, """ + _IN_PACKAGE + """,
               COALESCE(projects.committed_at, projects.release_uploaded_at) AS committed_at,
               projects.commits_last_year, projects.authors_last_year
        FROM uses
        JOIN files ON files.project = uses.project AND files.path = uses.path
        JOIN sources ON sources.blob_sha = files.blob_sha
        JOIN projects ON projects.name = uses.project
        WHERE uses.qualname IN (SELECT qualname FROM temp.rank_pages)
        ORDER BY uses.qualname, projects.position, projects.name, uses.path, uses.line,
                 uses."column", uses.id
        """
    )
    inputs = []
    for (qualname, project, path), group in itertools.groupby(
        rows, key=lambda row: (row["qualname"], row["project"], row["path"])
    ):
        file_rows = list(group)
        first = file_rows[0]
        file = FileCandidate(
            project=Project(name=project, url="", position=first["position"]),
            commit="",
            license_path=None,
            path=path,
            text="",
            uses=tuple(_use_from_row(row) for row in file_rows),
            committed_at=first["committed_at"],
            blob_sha=first["blob_sha"],
            history=History(0, first["commits_last_year"] or 0, first["authors_last_year"] or 0),
            in_package=bool(first["in_package"]),
        )
        inputs.append((qualname, file))
    return inputs


def load_facts(
    db: Database, rank_key: str, blob_shas: Iterable[str]
) -> dict[tuple[str, str, str], dict[str, Any]]:
    """(blob_sha, qualname, lines hash) -> the stored excerpt_facts row, under `rank_key`."""
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    for chunk in _chunks(sorted(set(blob_shas))):
        marks = ", ".join("?" * len(chunk))
        for row in db.query(
            f"SELECT * FROM excerpt_facts WHERE rank_key = ? AND blob_sha IN ({marks})",
            [rank_key, *chunk],
        ):
            found[(row["blob_sha"], row["qualname"], row["lines"])] = row
    return found


def save_facts(db: Database, rows: Iterable[Mapping[str, Any]]) -> None:
    """Remember excerpt facts (rows of `excerpt_facts`)."""
    with db.atomic():
        db["excerpt_facts"].insert_all(
            rows, pk=("blob_sha", "qualname", "lines", "rank_key"), replace=True
        )


def forget_other_facts(db: Database, rank_key: str) -> None:
    """Drop the excerpt facts other ranking code made: they are never read again."""
    with db.atomic():
        db.execute("DELETE FROM excerpt_facts WHERE rank_key != ?", [rank_key])


def load_texts(db: Database, blob_shas: Iterable[str]) -> dict[str, tuple[str, bytes | None]]:
    """blob_sha -> (stored source text, its outline if made by this code), for those of
    `blob_shas` that have one."""
    found: dict[str, tuple[str, bytes | None]] = {}
    for chunk in _chunks(sorted(set(blob_shas))):
        marks = ", ".join("?" * len(chunk))
        rows = db.execute(
            "SELECT blob_sha, text, CASE WHEN outline_key = ? THEN outline END FROM sources "
            f"WHERE blob_sha IN ({marks})",
            [outline.KEY, *chunk],
        )
        found.update((sha, (text, syntax)) for sha, text, syntax in rows.fetchall())
    return found


def _fill_pages(db: Database, pages: Iterable[str]) -> None:
    """Put the names being ranked in the temporary table `rank_pages` that queries join."""
    with db.atomic():  # committed: no transaction is left open on the connection
        db.execute("CREATE TEMP TABLE IF NOT EXISTS rank_pages (qualname TEXT PRIMARY KEY)")
        db.execute("DELETE FROM temp.rank_pages")
        db.conn.executemany(
            "INSERT OR IGNORE INTO temp.rank_pages VALUES (?)", [(page,) for page in pages]
        )


def load_candidate_rows(db: Database, qualname: str) -> list[dict[str, Any]]:
    """The scored candidates of one page, with their project's list position."""
    return list(
        db.query(
            """
            SELECT candidates.*, projects.position FROM candidates
            JOIN projects ON projects.name = candidates.project
            WHERE candidates.qualname = :qualname
            ORDER BY candidates.total DESC, projects.position, candidates.path
            """,
            {"qualname": qualname},
        )
    )


def save_shown(db: Database, qualname: str, rows: Iterable[Mapping[str, Any]]) -> None:
    """Record what a page now shows, and forget its drift: the page is current again."""
    with db.atomic():
        db.execute("DELETE FROM shown_examples WHERE qualname = ?", [qualname])
        db.execute("DELETE FROM drift WHERE qualname = ?", [qualname])
        db["shown_examples"].insert_all(rows)


def load_shown(db: Database) -> list[dict[str, Any]]:
    return list(db["shown_examples"].rows)


def save_drift(db: Database, rows: Iterable[Mapping[str, Any]]) -> None:
    """Replace what drifted: each crawl compares against the last render afresh."""
    with db.atomic():
        db.execute("DELETE FROM drift")
        db["drift"].insert_all(rows)


def load_missing(db: Database) -> dict[tuple[str, str], list[str]]:
    """(project, path) -> the library paths it uses that the analysed library lacks."""
    found: dict[tuple[str, str], list[str]] = {}
    for row in db.query("SELECT project, path, name FROM missing_names ORDER BY line"):
        found.setdefault((row["project"], row["path"]), []).append(row["name"])
    return found


def load_drift(db: Database) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM drift ORDER BY qualname, project"))


def file_blob(db: Database, project: str, path: str) -> str | None:
    """The blob a project's file has in its last crawl, None when the file is gone."""
    row = db.execute(
        "SELECT blob_sha FROM files WHERE project = ? AND path = ?", [project, path]
    ).fetchone()
    return row[0] if row else None


def save_use_scores(
    db: Database,
    labels: Mapping[tuple[str, str], str],
    source_kinds: Mapping[str, float],
    comfortable_definition: int,
    pages: Iterable[str],
) -> None:
    """The parts of a score that belong to each use of these names, in the uses table.

    `labels` maps (project, path) to the file's source label; typicality is computed here,
    over the whole corpus, so a query can rank single uses as well as files (see rank.py).
    """
    with db.atomic():
        _fill_pages(db, pages)
        db.conn.executemany(
            "UPDATE uses SET source_label = ?, score_source_kind = ? WHERE project = ? AND path = ?",
            [(label, source_kinds[label], project, path) for (project, path), label in labels.items()],
        )
        db.execute(
            "UPDATE uses SET score_definition = min(1.0, ? * 1.0 / max(enclosing_lines, 1)) "
            "WHERE qualname IN (SELECT qualname FROM temp.rank_pages)",
            [comfortable_definition],
        )
        db.execute(
            """
            UPDATE uses SET score_typicality = CASE WHEN uses.kind = 'import' THEN NULL
                ELSE shapes.n * 1.0 / totals.n END
            FROM (SELECT qualname, shape, count(*) AS n FROM uses WHERE kind != 'import'
                  AND qualname IN (SELECT qualname FROM temp.rank_pages)
                  GROUP BY qualname, shape) AS shapes,
                 (SELECT qualname, count(*) AS n FROM uses WHERE kind != 'import'
                  AND qualname IN (SELECT qualname FROM temp.rank_pages)
                  GROUP BY qualname) AS totals
            WHERE shapes.qualname = uses.qualname AND shapes.shape = uses.shape
              AND totals.qualname = uses.qualname
            """
        )

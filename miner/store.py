"""Store stage: the SQLite database that `crawl` writes and `render` reads.

This is the only module that imports sqlite-utils (other modules type-hint with the `Database`
it re-exports), and it owns the schema: `SCHEMA` describes every table and column, and the
README copies it. Writes are whole-project transactions, so a crawl that breaks half-way leaves
the previous crawl's rows in place; reads return the dataclasses of `miner.model` plus the two
small read-side dataclasses defined here.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

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
            "position": (int, "place in the project list"),
            "commit": (str, "last successfully crawled commit"),
            "branch": (str, "branch of that commit"),
            "committed_at": (str, "ISO 8601 date of that commit"),
            "license_path": (str, "LICENSE/COPYING file at the top of the tree at that commit"),
            "crawled_at": (str, "ISO 8601 time the last successful crawl finished"),
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
            "commit": (str, "crawled commit (ok crawls)"),
            "branch": (str, "crawled branch (ok crawls)"),
            "files": (int, "files seen"),
            "scanned": (int, "files parsed and searched for uses"),
            "unparsable": (int, "files that could not be parsed"),
            "uses": (int, "uses found"),
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
    ),
    "sources": TableSpec(
        "Decoded text of every file with at least one use, so rendering needs no checkout.",
        {
            "blob_sha": (str, "git blob id, shared by identical files"),
            "text": (str, "decoded source text"),
        },
        pk="blob_sha",
        not_null=("text",),
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
        },
        pk="id",
        not_null=("project", "path", "qualname", "kind", "resolution", "line"),
        foreign_keys=(("project", "projects", "name"),),
        indexes=(("qualname",), ("project", "path")),
    ),
}

_LIST_FIELDS = ("name", "url", "web", "docs", "pypi", "blurb", "license", "position")


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
            version=self.version, path=target.source_path, line=target.line
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
    """Open or create the database and make sure every table and index exists."""
    db = Database(path)
    db.execute("PRAGMA foreign_keys=ON")
    db.enable_wal()
    for name, spec in SCHEMA.items():
        db[name].create(
            {column: kind for column, (kind, _) in spec.columns.items()},
            pk=spec.pk,
            not_null=spec.not_null,
            foreign_keys=list(spec.foreign_keys),
            if_not_exists=True,
        )
        for columns in spec.indexes:
            db[name].create_index(list(columns), if_not_exists=True)
    return db


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
) -> int:
    """Replace a project's files and uses with one crawl's results; returns the crawl id.

    Everything happens in one transaction: if any row is refused, the previous crawl's rows
    stay. `texts` maps blob_sha -> decoded text and must cover every file that has uses
    (unless that blob is already stored).
    """
    project = checkout.project.name
    scans = list(scans)
    with db.atomic():
        _upsert_project(
            db,
            checkout.project,
            commit=checkout.commit,
            branch=checkout.branch,
            committed_at=checkout.committed_at,
            license_path=checkout.license_path,
            crawled_at=finished_at,
        )
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
                    "commit": checkout.commit,
                    "branch": checkout.branch,
                    "files": len(scans),
                    "scanned": sum(s.status is FileStatus.SCANNED for s in scans),
                    "unparsable": sum(s.status is FileStatus.UNPARSABLE for s in scans),
                    "uses": sum(len(s.uses) for s in scans),
                }
            )
            .last_pk
        )
        db.execute(
            "DELETE FROM sources WHERE blob_sha NOT IN "
            "(SELECT blob_sha FROM files WHERE blob_sha IS NOT NULL)"
        )
    return int(crawl_id)


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
        )
        for row in rows
    ]


def used_qualnames(db: Database) -> set[str]:
    """The canonical names that have at least one use."""
    return {row["qualname"] for row in db.query("SELECT DISTINCT qualname FROM uses")}


def load_candidates(db: Database, qualname: str) -> list[FileCandidate]:
    """Every file with uses of `qualname`, in project list order then path, with its text."""
    rows = db.query(
        """
        SELECT uses.*, files.blob_sha, sources.text,
               projects.url, projects.web, projects.docs, projects.pypi, projects.blurb,
               projects.license, projects.position, projects."commit" AS project_commit,
               projects.license_path
        FROM uses
        JOIN files ON files.project = uses.project AND files.path = uses.path
        JOIN sources ON sources.blob_sha = files.blob_sha
        JOIN projects ON projects.name = uses.project
        WHERE uses.qualname = :qualname
        ORDER BY projects.position, projects.name, uses.path, uses.line, uses."column", uses.id
        """,
        {"qualname": qualname},
    )
    candidates = []
    for (project_name, path), group in itertools.groupby(
        rows, key=lambda row: (row["project"], row["path"])
    ):
        file_rows = list(group)
        first = file_rows[0]
        candidates.append(
            FileCandidate(
                project=Project(
                    name=project_name,
                    url=first["url"],
                    docs=first["docs"],
                    pypi=first["pypi"],
                    blurb=first["blurb"],
                    license=first["license"],
                    web=first["web"],
                    position=first["position"],
                ),
                commit=first["project_commit"],
                license_path=first["license_path"],
                path=path,
                text=first["text"],
                uses=tuple(_use_from_row(row) for row in file_rows),
            )
        )
    return candidates


def _upsert_project(db: Database, project: Project, **crawl_state: str | None) -> None:
    """Insert or update a project's list fields, plus any crawl state given."""
    row = {name: getattr(project, name) for name in _LIST_FIELDS}
    db["projects"].upsert(row | crawl_state, pk="name")


def _save_sources(
    db: Database, project: str, scans: list[FileScan], texts: Mapping[str, str]
) -> None:
    """Store the text of every file with uses; a file with uses but no text is refused."""
    needed = {scan.blob_sha: scan.path for scan in scans if scan.uses}
    db["sources"].insert_all(
        ({"blob_sha": sha, "text": texts[sha]} for sha in needed if sha in texts),
        pk="blob_sha",
        ignore=True,
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
    )

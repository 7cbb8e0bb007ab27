"""Crawl: the pipeline behind `miner crawl`, sources -> scan -> store, one project at a time.

Each project is fetched, its files scanned (in worker processes when jobs > 1) and its
results saved in one transaction. A project that cannot be fetched is recorded as a
failed crawl and keeps the rows of its last good crawl; the others go on.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from miner import rank, sources, store
from miner.model import FileScan, FileStatus, MinerError, Project, SourceFile
from miner.scan import ScanContext, decode_source, scan_project, use_context
from miner.store import Database
from miner.targets import Library

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ProjectResult:
    """What one project's crawl did, for the summary line."""

    project: str
    ok: bool
    commit: str = ""
    files: int = 0
    scanned: int = 0
    unparsable: int = 0
    uses: int = 0
    error: str = ""


@dataclass
class CrawlReport:
    results: list[ProjectResult] = field(default_factory=list)

    @property
    def failed(self) -> list[ProjectResult]:
        return [result for result in self.results if not result.ok]


def crawl(
    db: Database,
    projects: Iterable[Project],
    library: Library,
    cache_dir: Path,
    *,
    jobs: int = 0,
    timeout: float = 300,
    on_result: Callable[[ProjectResult], None] = lambda result: None,
) -> CrawlReport:
    """Fetch, scan and store every project; never stops at a broken one."""
    projects = list(projects)
    context = ScanContext.for_library(library)
    store.save_library(
        db,
        library.name,
        library.version,
        library.display_name,
        library.home_url,
        library.source_url,
        library.targets,
    )
    store.save_project_list(db, projects)
    report = CrawlReport()
    with _executor(jobs, context) as executor:
        for project in projects:
            result = _crawl_project(db, project, context, cache_dir, executor, timeout)
            report.results.append(result)
            on_result(result)
    rank_corpus(db, library.name)
    return report


def rank_corpus(db: Database, library: str) -> int:
    """Score every candidate example of every page: scores depend on the whole corpus."""
    rows = []
    for qualname in sorted(store.used_qualnames(db)):
        counts = store.shape_counts(db, qualname)
        for file in store.load_candidates(db, qualname):
            score = rank.score_file(file, qualname, counts, library)
            row = {"qualname": qualname, "project": file.project.name, "path": file.path}
            row.update(asdict(score), shapes=json.dumps(score.shapes))
            rows.append(row)
    store.save_candidates(db, rows)
    return len(rows)


def _crawl_project(
    db: Database,
    project: Project,
    context: ScanContext,
    cache_dir: Path,
    executor: Executor,
    timeout: float,
) -> ProjectResult:
    started = _now()
    try:
        checkout = sources.fetch_project(project, cache_dir, timeout=timeout)
        files = list(sources.iter_source_files(checkout))
    except MinerError as error:
        store.save_failed_crawl(db, project, str(error), started, _now())
        return ProjectResult(project.name, ok=False, error=str(error))
    scans = scan_files(files, context, executor)
    with_uses = {scan.blob_sha for scan in scans if scan.uses}
    texts = {f.blob_sha: decode_source(f.data) for f in files if f.blob_sha in with_uses}
    store.save_crawl(db, checkout, scans, texts, started, _now())
    return ProjectResult(
        project.name,
        ok=True,
        commit=checkout.commit,
        files=len(scans),
        scanned=sum(scan.status is FileStatus.SCANNED for scan in scans),
        unparsable=sum(scan.status is FileStatus.UNPARSABLE for scan in scans),
        uses=sum(len(scan.uses) for scan in scans),
    )


def scan_files(files: list[SourceFile], context: ScanContext, executor: Executor) -> list[FileScan]:
    """Scan one project's files on the executor, largest first so that workers finish together."""
    largest_first = sorted(files, key=lambda f: -len(f.data))

    def mapper(function, *iterables):  # type: ignore[no-untyped-def]
        return executor.map(function, *iterables, chunksize=4)

    return scan_project(largest_first, context, mapper)


class _InlineExecutor(Executor):
    """Runs each task at once in this process: the same code path as the pool, for --jobs 1."""

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # handed to the caller, as a pool would
            future.set_exception(error)
        return future


def _executor(jobs: int, context: ScanContext) -> Executor:
    """An inline executor for one job; worker processes (not threads: CPU-bound) otherwise."""
    jobs = jobs or os.cpu_count() or 1
    if jobs == 1:
        use_context(context)
        return _InlineExecutor()
    return ProcessPoolExecutor(max_workers=jobs, initializer=use_context, initargs=(context,))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")

"""Crawl: the pipeline behind `miner crawl`, sources -> scan -> store, one project at a time.

Each project is fetched, its files scanned (in worker processes when jobs > 1) and its
results saved in one transaction. A project that cannot be fetched is recorded as a
failed crawl and keeps the rows of its last good crawl; the others go on.

Re-crawls are cheap: a project whose remote head is the commit already stored, under the
same scan key, is skipped after one `git ls-remote`; in a project that did change, a file
whose blob was scanned before under the same key is neither read nor parsed (the
`scan_cache` table). The fetch-and-scan half of a project's crawl, `crawl_project_work`,
never touches the database, so it can also run on a Dask cluster (`dask=ADDRESS`) while
this process alone writes SQLite.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import logging
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ThreadPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import platformdirs

from miner import DISTRIBUTION, interrupts, metadata, rank, rerank, sources, store
from miner.escape import clean_text
from miner.model import (
    Checkout,
    FileScan,
    FileStatus,
    History,
    MinerError,
    Project,
    ProjectMetadata,
    SourceFile,
)
from miner.pool import AffinePool
from miner.scan import (
    MemoryCache,
    ScanCache,
    ScanContext,
    decode_source,
    scan_tree,
    use_context,
)
from miner.store import Database, FileCandidate
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
    error: str = ""  #: the whole reason of a failure, as crawls.error keeps it
    brief: str = ""  #: the reason as the crawl prints it: no name, no url (see FetchError)
    parsed: int = 0  #: files scanned this time; the others came from the scan cache
    unchanged: bool = False  #: the stored commit was current: nothing was fetched or scanned
    missing: int = 0  #: uses of library names the analysed version does not have
    note: str = ""  #: e.g. that a PyPI release was analysed because git failed
    release: str = ""  #: "the PyPI release indico 3.3.14 (2025-05-06)" when one was analysed
    warning: str = ""  #: what an ok crawl did without (its recent history), else ""


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
    dask: str | None = None,
    listener: CrawlListener | None = None,
    pypi_index: str | None = sources.PYPI_SIMPLE,
) -> CrawlReport:
    """Fetch, scan and store every project; never stops at a broken one.

    With `dask` (a scheduler address such as tcp://host:8786) the fetch-and-scan work of
    each project runs on that Dask cluster and `cache_dir` is the workers' clone cache;
    results are stored here, as they arrive. `listener` hears of progress. A project whose
    git remote fails and that names a `pypi` package is analysed from its newest source
    distribution in `pypi_index` instead (None turns that fallback off).
    """
    projects = list(projects)
    listener = listener or CrawlListener()
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

    def finish(result: ProjectResult) -> None:
        report.results.append(result)
        on_result(result)
        listener.project_finished(result)

    listener.crawl_started(len(projects))
    pool = [_executor(1 if dask else jobs, context)]  # replaced when a worker dies
    try:
        if dask:
            _crawl_on_dask(
                db, projects, context, cache_dir, dask, timeout, listener, finish, pypi_index
            )
        else:
            _crawl_here(
                db, projects, context, cache_dir, jobs, pool, timeout, listener, finish,
                pypi_index,
            )
        interrupts.check()
        changed = {r.project for r in report.results if r.ok and not r.unchanged}
        # Scores depend on rows of the whole corpus: the pages with a changed input are scored again.
        listener.ranking_started()
        ranked = rerank.rank_pages(db, library.name, changed, functools.partial(_map_on, pool[0]))
        listener.ranking_finished(ranked)
        if ranked:
            store.save_drift(db, detect_drift(db))
        interrupts.check()
    finally:  # waits for the workers' manager threads, which must not outlive this (see pool)
        pool[0].shutdown(wait=True, cancel_futures=True)
    return report


def _crawl_here(
    db: Database,
    projects: list[Project],
    context: ScanContext,
    cache_dir: Path,
    jobs: int,
    pool: list[Executor],
    timeout: float,
    listener: CrawlListener,
    finish: Callable[[ProjectResult], None],
    pypi_index: str | None,
) -> None:
    """Crawl the projects, scanning on `pool[0]`, which a new pool replaces when a worker dies;
    the caller shuts it down.

    With more than one job, up to PROJECTS_PER_JOB x jobs projects are in flight at once
    (threads: their git work waits on subprocesses, their scans run on the shared worker
    pool), so that git work, storing and the tail of one project's scan overlap the scans of
    others. Each project is stored as soon as its work is done and a new one starts; results
    are reported in project list order. With one job, projects go one after another.
    """
    jobs = max(jobs or os.cpu_count() or 1, 1)
    in_flight = PROJECTS_PER_JOB * jobs if jobs > 1 else 1
    threads: Executor = _ProjectThreads(in_flight) if in_flight > 1 else _InlineExecutor()

    def mapper(function: Callable[..., Any], *iterables: Any) -> Iterator[Any]:
        return _map_on(pool[0], function, *iterables)

    def start(project: Project, *, probed: bool = False) -> Future[ProjectWork | None]:
        """Submit the project's work; in a thread, first only ask whether its remote head moved
        (a future of None: it did), so that an unchanged project costs no reads here."""
        if not probed:
            listener.project_started(project)
        if in_flight == 1:
            known = KnownState(*store.crawl_state(db, project.name))
            cache, stored = _DatabaseCache(db), functools.partial(store.stored_texts, db)
        elif not probed and _may_be_unchanged(context, project, known := _known(db, project)):
            return threads.submit(_unchanged_work, project, known, timeout)
        else:  # threads read no SQLite: what they may need is read here
            known, cache, stored = _prefetched(db, context, project)
            known = KnownState() if probed else known
        return threads.submit(
            crawl_project_work,
            project,
            context,
            cache_dir,
            timeout=timeout,
            known=known,
            cache=cache,
            texts_stored=stored,
            mapper=mapper,
            progress=functools.partial(listener.files_scanned, project),
            pypi_index=pypi_index,
        )

    def outcome(
        project: Project, used: Executor, future: Future[ProjectWork | None]
    ) -> ProjectWork | Future[ProjectWork | None]:
        """The project's work, or the future of its next try: after a remote head that moved,
        or a dead worker, which fails the first project that meets it (the others in flight at
        the time run again on the new pool)."""
        try:
            work = future.result()
            return work if work is not None else start(project, probed=True)
        except BrokenProcessPool:  # a worker was killed (out of memory)
            if pool[0] is not used:
                return start(project)
            used.shutdown(wait=False, cancel_futures=True)
            pool[0] = _executor(jobs, context)
            return ProjectWork(
                project, _now(), _now(),
                error=f"{project.name}: a scan worker process died (out of memory?); "
                "crawl it again, or with --jobs 1 to find the file",
            )

    running: dict[Future[ProjectWork | None], tuple[int, Project, Executor]] = {}
    results: dict[int, ProjectResult] = {}  #: stored, not yet reported
    queue = iter(enumerate(projects))
    reported = 0
    try:
        while True:
            while len(running) < in_flight and (item := next(queue, None)) is not None:
                running[start(item[1])] = (*item, pool[0])
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: running[f][0]):
                number, project, used = running.pop(future)
                work = outcome(project, used, future)
                if isinstance(work, Future):
                    running[work] = (number, project, pool[0])
                else:
                    interrupts.check()  # a Ctrl-C is no project's failure, even one dropped
                    results[number] = store_work(db, context, work)
            while reported in results:
                finish(results.pop(reported))
                reported += 1
    except BaseException:  # Ctrl-C: the projects in flight wait for no scan still queued
        if isinstance(pool[0], AffinePool):
            pool[0].cancel_queued()
        raise
    finally:
        threads.shutdown(wait=True, cancel_futures=True)


#: Projects in flight per worker process (with more than one): enough that one project's git
#: work, storing, or the last files of a scan round never leave a worker without work.
PROJECTS_PER_JOB = 2


def _known(db: Database, project: Project) -> KnownState:
    return KnownState(*store.crawl_state(db, project.name))


def _may_be_unchanged(context: ScanContext, project: Project, known: KnownState) -> bool:
    """Its last crawl is under the same key: if the remote head is its commit, it is skipped."""
    return bool(known.commit) and known.scan_key == crawl_key(context, project)


def _unchanged_work(project: Project, known: KnownState, timeout: float) -> ProjectWork | None:
    """The work of a project whose remote head is the stored commit, or None: it must be
    crawled (a remote that cannot say is left to the crawl, which explains or falls back)."""
    started = _now()
    try:
        _branch, head = sources.remote_head(project, timeout)
    except MinerError:
        return None
    return ProjectWork(project, started, _now(), unchanged=True) if head == known.commit else None


def _prefetched(
    db: Database, context: ScanContext, project: Project
) -> tuple[KnownState, MemoryCache, Callable[[set[str]], set[str]]]:
    """What a project's work may ask the database, read beforehand (for a thread or a cluster):
    its last crawl's state, the cached scans of the blobs it had, which of them have text."""
    commit, scan_key = store.crawl_state(db, project.name)
    blobs, with_text = store.project_blobs(db, project.name)
    cached = store.cached_scans(db, context.key, blobs)
    cache = MemoryCache((context.key, sha, links, s) for (sha, links), s in cached.items())
    return (
        KnownState(commit, scan_key),
        cache,
        functools.partial(_stored_among, frozenset(with_text)),
    )


class CrawlListener:
    """Hears how a crawl goes. Every method does nothing: override the ones you need.

    (The command line draws progress bars with it; library code never prints.)
    """

    def crawl_started(self, projects: int) -> None:
        """A crawl of this many projects begins."""

    def project_started(self, project: Project) -> None:
        """A project's crawl begins (with Dask: its work is sent to the cluster)."""

    def files_scanned(self, project: Project, done: int, total: int) -> None:
        """`done` of the project's `total` .py files have a result (cached ones included)."""

    def project_finished(self, result: ProjectResult) -> None:
        """A project's results are stored (or its failure recorded)."""

    def ranking_started(self) -> None:
        """Every project is done; the pages with a changed input are being scored."""

    def ranking_finished(self, pages: int) -> None:
        """That many pages were scored again (0: nothing they depend on changed)."""


def detect_drift(db: Database) -> list[dict[str, str | None]]:
    """Compare what the last render showed with what the crawl found now.

    An example whose file is unchanged did not drift. One whose file changed is `changed`
    only if its excerpt changed. One whose file no longer uses the name is `moved` when a file
    of the same project with the same normalised content uses it now, else `disappeared`.
    """
    now = _now()
    drifted = []
    candidates: dict[str, list[FileCandidate]] = {}  #: per page, loaded once
    for shown in store.load_shown(db):
        qualname, project, path = shown["qualname"], shown["project"], shown["path"]
        if store.file_blob(db, project, path) == shown["blob_sha"]:
            continue
        if qualname not in candidates:
            candidates[qualname] = store.load_candidates(db, qualname)
        files = {f.path: f for f in candidates[qualname] if f.project.name == project}
        if path in files:
            excerpt = rank.file_excerpt(files[path], qualname, shown["style"])
            if rank.digest(excerpt.text) == shown["excerpt_hash"]:
                continue
            status, now_path = "changed", path
        else:
            # Ranking has just stored every candidate's content hash: no need to rehash.
            same = [
                row["path"]
                for row in store.load_candidate_rows(db, qualname)
                if row["project"] == project and row["content_hash"] == shown["content_hash"]
            ]
            status, now_path = ("moved", same[0]) if same else ("disappeared", None)
        drifted.append(
            {"qualname": qualname, "project": project, "path": path, "status": status,
             "now_path": now_path, "detected_at": now}
        )
    return drifted


#: What the crawl says of a project whose recent history git refused (crawls.note says why).
HISTORY_WARNING = "recent history not read: ranked by the commits at hand (miner stats says why)"

#: The crawls.note of a project skipped because its head and the scan key had not changed.
UNCHANGED_NOTE = "unchanged: the remote head is the stored commit and the scan key is the same"


@dataclass(frozen=True, slots=True)
class KnownState:
    """What the database holds about a project before its crawl."""

    commit: str | None = None  #: commit of the last successful crawl
    scan_key: str | None = None  #: scan key that crawl's rows were made under


@dataclass(frozen=True)
class ProjectWork:
    """What fetching and scanning one project produced: plain, picklable data for `_store`."""

    project: Project
    started_at: str
    finished_at: str
    checkout: Checkout | None = None
    scans: tuple[FileScan, ...] = ()
    texts: Mapping[str, str] = field(default_factory=dict)  #: blob_sha -> text, to store
    cache_entries: tuple[tuple[str, FileScan], ...] = ()  #: new (links, scan) for scan_cache
    parsed: int = 0  #: files that went through the scanner; the others came from the cache
    unchanged: bool = False  #: skipped: remote head == known commit under the same scan key
    error: str = ""  #: a failed fetch or read; the project's stored rows stay
    brief: str = ""  #: that failure as the crawl prints it
    metadata: ProjectMetadata | None = None  #: description, license, versions it declares
    history: History | None = None  #: recent commits and authors, for ranking
    facts: tuple[dict[str, object], ...] = ()  #: excerpt_facts rows of the files scanned


def crawl_project_work(
    project: Project,
    context: ScanContext,
    cache_dir: Path | None,
    *,
    timeout: float = 300,
    known: KnownState = KnownState(),
    cache: ScanCache | None = None,
    texts_stored: Callable[[set[str]], Collection[str]] = lambda shas: (),
    mapper: Callable[..., Iterable[FileScan]] = map,
    progress: Callable[[int, int], None] | None = None,
    pypi_index: str | None = None,
) -> ProjectWork:
    """Fetch one project and scan its files without touching the database.

    This is the unit of work a Dask worker runs: picklable in, picklable out. `cache` is
    asked for earlier results and never written to (new ones come back in the result);
    `texts_stored(shas)` says which texts the database already holds, so only the others
    are read and returned. `cache_dir` None means the user's cache directory on this machine.
    """
    started = _now()
    cache_dir = cache_dir if cache_dir is not None else _default_cache_dir()
    try:
        try:
            if _may_be_unchanged(context, project, known):
                _branch, head = sources.remote_head(project, timeout)
                if head == known.commit:
                    return ProjectWork(project, started, _now(), unchanged=True)
            checkout = sources.fetch_project(project, cache_dir, timeout=timeout)
            recent = sources.history(checkout, timeout)
        except sources.FetchError as error:
            if not (project.pypi and pypi_index):
                raise
            checkout = sources.fetch_release(project, cache_dir, pypi_index, timeout, error)
            recent = History()
        files = sources.read_files(checkout, metadata.wants_file, metadata.MAX_FILES)
        about = metadata.describe(files, context.library)
        if checkout.published:  # the release's own description and license win
            about = replace(
                about,
                description=checkout.published.summary or about.description,
                license=checkout.published.license or about.license,
            )
        entries = [(path, sha) for path, sha, _size in sources.list_python_blobs(checkout)]
        reader = _BlobReader(checkout, entries)
        recorder = _Recorder(cache)
        counter = _Counter(mapper)
        scans = scan_tree(entries, reader.read, context, counter, recorder, progress)
        with_uses = {scan.blob_sha: scan.path for scan in scans if scan.uses}
        needed = with_uses.keys() - set(texts_stored(set(with_uses)))
        texts = {sha: decode_source(data) for sha, data in reader.blobs(needed).items()}
        facts = _excerpt_facts(scans, counter.paths, reader, context.library, mapper)
    except MinerError as error:
        brief = getattr(error, "brief", "")
        return ProjectWork(project, started, _now(), error=str(error), brief=brief)
    except BrokenProcessPool:  # the caller replaces the pool
        raise
    # Whatever else one project makes go wrong (a bug, a full disk, no memory) is its own failure.
    except Exception as error:
        return ProjectWork(project, started, _now(), error=f"{project.name}: {error_line(error)}")
    return ProjectWork(
        project,
        started,
        _now(),
        checkout,
        tuple(scans),
        texts,
        tuple(recorder.added),
        parsed=len(counter.paths),
        metadata=about,
        history=recent,
        facts=facts,
    )


def _excerpt_facts(
    scans: Iterable[FileScan],
    parsed: Collection[str],
    reader: _BlobReader,
    library: str,
    mapper: Callable[..., Iterable[dict[str, object] | None]],
) -> tuple[dict[str, object], ...]:
    """The excerpt facts of every name in the files scanned this time, on the workers.

    One task per file, with all of its names: its text and outline travel to a worker once.
    (Files from the scan cache had theirs computed when they were scanned.)
    """
    jobs: dict[str, dict[tuple[str, tuple[int, ...]], rerank.FactsJob]] = {}
    texts: dict[str, str] = {}
    for scan in scans:
        if scan.path not in parsed or not scan.uses:
            continue
        sha = scan.blob_sha
        if sha not in texts:
            texts[sha] = decode_source(reader.blobs([sha])[sha])
        of_file = jobs.setdefault(sha, {})
        shapes = rerank.shapes_by_name(scan.uses)
        for qualname, lines in rerank.lines_by_name(scan.uses).items():
            if (qualname, lines) not in of_file:
                of_file[(qualname, lines)] = rerank.FactsJob(
                    sha, qualname, lines, texts[sha], library, scan.outline or None,
                    shapes[qualname],
                )
    tasks = sorted((list(of_file.values()) for of_file in jobs.values()), key=_text_size)
    return tuple(row for rows in mapper(_facts_of_file, tasks) for row in rows)


def _text_size(jobs: list[rerank.FactsJob]) -> int:
    """Largest first: the last tasks, when workers run out of work, are the short ones."""
    return -len(jobs[0].text)


def _facts_of_file(jobs: list[rerank.FactsJob]) -> list[dict[str, object]]:
    """The excerpt_facts rows of one file's names (a worker's task)."""
    return [row for row in map(rerank.compute_facts, jobs) if row]


def store_work(db: Database, context: ScanContext, work: ProjectWork) -> ProjectResult:
    """`_store` that never raises: a project whose rows cannot be written (text SQLite refuses,
    a full disk, no memory) is rolled back and recorded as a failed crawl, and the crawl goes on.
    """
    try:
        return _store(db, context, without_surrogates(work))
    except Exception as error:
        reason = f"{work.project.name}: not stored: {error_line(error)}"
        with contextlib.suppress(Exception):  # a full disk may refuse even this row
            store.save_failed_crawl(db, work.project, reason, work.started_at, _now())
        return ProjectResult(work.project.name, ok=False, error=reason)


def error_line(error: BaseException) -> str:
    """One line saying what went wrong and what to do, for an error miner did not foresee."""
    if isinstance(error, MemoryError):
        return "out of memory (crawl it alone with --only, or free memory)"
    text = str(error)
    if getattr(error, "errno", None) == errno.ENOSPC or "disk is full" in text:
        return "the disk is full (free some space, then crawl again)"
    if getattr(error, "errno", None) == errno.E2BIG:
        return "an argument is too long for the operating system (shorten the url)"
    first = clean_text(text.strip().splitlines()[0]) if text.strip() else ""
    return f"{type(error).__name__}: {first}" if first else type(error).__name__


def without_surrogates(value: Any) -> Any:
    """`value` (plain data: dataclasses, tuples, lists, dicts, strings) with every lone
    surrogate replaced by U+FFFD: SQLite stores UTF-8, which cannot hold one, and a source
    file (an escape in setup.py, a raw_unicode_escape cookie) can make Python strings hold them.
    """
    if type(value) is str:
        return _SURROGATE.sub("\ufffd", value) if _has_surrogate(value) else value
    if isinstance(value, (tuple, list)):
        cleaned = [without_surrogates(item) for item in value]
        if all(new is old for new, old in zip(cleaned, value, strict=True)):
            return value
        return type(value)(cleaned) if type(value) in (tuple, list) else type(value)(*cleaned)
    if isinstance(value, Mapping):
        items = [(without_surrogates(k), without_surrogates(v)) for k, v in value.items()]
        if all(nk is k and nv is v for (nk, nv), (k, v) in zip(items, value.items(), strict=True)):
            return value
        return dict(items)
    if is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for item in fields(value):
            old = getattr(value, item.name)
            new = without_surrogates(old)
            if new is not old:
                changes[item.name] = new
        return replace(value, **changes) if changes else value
    return value


_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _store(db: Database, context: ScanContext, work: ProjectWork) -> ProjectResult:
    """Write one project's work to the database (the only writer) and summarise it."""
    name = work.project.name
    if work.error or (work.checkout is None and not work.unchanged):
        error = work.error or f"{name}: no result"
        store.save_failed_crawl(db, work.project, error, work.started_at, work.finished_at)
        return ProjectResult(name, ok=False, error=error, brief=work.brief)
    if work.unchanged:
        row = store.save_unchanged_crawl(
            db, work.project, UNCHANGED_NOTE, work.started_at, work.finished_at
        )
        return ProjectResult(
            name,
            ok=True,
            commit=row["commit_sha"] or "",
            files=row["files"],
            scanned=row["scanned"],
            unparsable=row["unparsable"],
            uses=row["uses"],
            unchanged=True,
        )
    assert work.checkout is not None
    scans = work.scans
    with db.atomic():
        store.save_scans_to_cache(db, context.key, work.cache_entries)
        store.save_facts(db, work.facts)
        store.save_crawl(
            db,
            work.checkout,
            scans,
            work.texts,
            work.started_at,
            work.finished_at,
            scan_key=crawl_key(context, work.project),
            metadata=work.metadata,
            history=work.history,
        )
    return ProjectResult(
        name,
        ok=True,
        commit=work.checkout.commit,
        files=len(scans),
        scanned=sum(scan.status is FileStatus.SCANNED for scan in scans),
        unparsable=sum(scan.status is FileStatus.UNPARSABLE for scan in scans),
        uses=sum(len(scan.uses) for scan in scans),
        parsed=work.parsed,
        missing=sum(len(scan.missing) for scan in scans),
        note=work.checkout.note,
        warning=HISTORY_WARNING if work.history and work.history.note else "",
        release=(
            sources.release_line(work.checkout.published) if work.checkout.published else ""
        ),
    )


def _crawl_on_dask(
    db: Database,
    projects: list[Project],
    context: ScanContext,
    cache_dir: Path | None,
    address: str,
    timeout: float,
    listener: CrawlListener,
    finish: Callable[[ProjectResult], None],
    pypi_index: str | None,
) -> None:
    """Run `crawl_project_work` of every project on a Dask cluster; store results as they come.

    Workers cannot reach this SQLite file, so each task takes along the cached scans of the
    blobs its project had at its last crawl (the files most likely to be unchanged).
    """
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise MinerError(
            f"--dask needs Dask's distributed scheduler: pip install '{DISTRIBUTION}[dask]'"
        ) from None
    try:
        client = Client(address, timeout="20s")
    except (OSError, TimeoutError) as error:
        raise MinerError(
            f"cannot reach the Dask scheduler at {address}: {error} "
            "(start one with `dask scheduler` and workers with `dask worker ADDRESS`)"
        ) from None
    with client:
        futures = {}
        for project in projects:
            known, cache, stored = _prefetched(db, context, project)
            future = client.submit(
                crawl_project_work,
                project,
                context,
                cache_dir,
                timeout=timeout,
                pypi_index=pypi_index,
                known=known,
                cache=cache,
                texts_stored=stored,
                pure=False,
            )
            futures[future] = project
            listener.project_started(project)
        for future in as_completed(futures):
            project = futures[future]
            try:
                work = future.result()
            except Exception as error:  # the task raised, or its worker died
                reason = f"{project.name}: the Dask task failed: {type(error).__name__}: {error}"
                work = ProjectWork(project, _now(), _now(), error=reason)
            interrupts.check()
            finish(store_work(db, context, work))


def _stored_among(stored: frozenset[str], shas: set[str]) -> set[str]:
    return shas & stored


class _DatabaseCache:
    """The scan_cache table as a ScanCache (puts are not used: results are stored by _store)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(
        self, scan_key: str, keys: Collection[tuple[str, str]]
    ) -> dict[tuple[str, str], FileScan]:
        found = store.cached_scans(self.db, scan_key, {sha for sha, _links in keys})
        return {key: found[key] for key in keys if key in found}

    def put(self, scan_key: str, entries: Sequence[tuple[str, FileScan]]) -> None:
        store.save_scans_to_cache(self.db, scan_key, entries)


class _Recorder:
    """Asks `inner` for cached scans and keeps what the scan adds, to be returned with the work."""

    def __init__(self, inner: ScanCache | None) -> None:
        self.inner = inner
        self.added: list[tuple[str, FileScan]] = []

    def get(
        self, scan_key: str, keys: Collection[tuple[str, str]]
    ) -> Mapping[tuple[str, str], FileScan]:
        return self.inner.get(scan_key, keys) if self.inner is not None else {}

    def put(self, scan_key: str, entries: Sequence[tuple[str, FileScan]]) -> None:
        self.added.extend(entries)


class _Counter:
    """A mapper that notes the files it scans."""

    def __init__(self, mapper: Callable[..., Iterable[FileScan]]) -> None:
        self.mapper = mapper
        self.paths: set[str] = set()

    def __call__(self, function: Callable[..., FileScan], *iterables: Any) -> Iterator[FileScan]:
        for scan in self.mapper(function, *iterables):
            self.paths.add(scan.path)
            yield scan


class _BlobReader:
    """Reads a checkout's blobs on demand, each distinct blob at most once.

    A blob listed under many paths is read once and its bytes shared by every path.
    """

    def __init__(self, checkout: Checkout, entries: Iterable[tuple[str, str]]) -> None:
        self.checkout = checkout
        self.sha_of = dict(entries)  #: path -> blob_sha
        self.data: dict[str, bytes] = {}  #: blob_sha -> bytes read so far

    def read(self, paths: list[str]) -> list[SourceFile]:
        self._load({self.sha_of[path] for path in paths})
        return [SourceFile(path, self.sha_of[path], self.data[self.sha_of[path]]) for path in paths]

    def blobs(self, shas: Collection[str]) -> dict[str, bytes]:
        self._load(set(shas))
        return {sha: self.data[sha] for sha in shas}

    def _load(self, shas: set[str]) -> None:
        missing = shas - self.data.keys()

        def first_path(_path: str, sha: str) -> bool:
            if sha in missing:
                missing.discard(sha)
                return True
            return False

        if missing:
            for source in sources.iter_source_files(self.checkout, first_path):
                self.data[source.blob_sha] = source.data


def _map_on(executor: Executor, function: Callable[..., FileScan], *iterables: Any):  # type: ignore[no-untyped-def]
    return executor.map(function, *iterables, chunksize=4)


#: Project list fields that only change how a project is shown, never which rows it has.
_DISPLAY_FIELDS = frozenset({"name", "docs", "pypi", "blurb", "license", "web", "position"})


def crawl_key(context: ScanContext, project: Project) -> str:
    """The scan key plus every project setting that can change the rows (url, subdir, ...).

    Stored with a crawl's rows; the next crawl skips the project only under the same key
    (and the same remote head). A new Project field counts unless it is listed as display-only.
    """
    settings = [
        f"{f.name}={getattr(project, f.name)!r}"
        for f in fields(project)
        if f.name not in _DISPLAY_FIELDS
    ]
    return hashlib.sha256("\0".join([context.key, *settings]).encode()).hexdigest()[:32]


def _default_cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("miner")) / "repos"


class _ProjectThreads(ThreadPoolExecutor):
    """The threads of the projects in flight. A Ctrl-C raised while `submit` starts a thread
    left that thread unknown to the pool: never joined, its project crawled on after the
    crawl had said it stopped. It is held until `submit` returns."""

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
        with interrupts.held():
            return super().submit(fn, *args, **kwargs)


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
    # Forked workers start now, before any project thread holds a lock that a forked child
    # would inherit and keep (git cache locks are let go of: see sources._cache_lock).
    return AffinePool(jobs, _start_worker, (context,)).start()


def _start_worker(context: ScanContext) -> None:
    """A worker process ignores Ctrl-C: the crawl stops it cleanly, with no traceback of its own.

    It also ends when the crawl's process dies (SIGKILL, a crash), instead of waiting forever
    for work that will never come.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    use_context(context)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()


#: How often a worker checks that the crawl's process is still alive, in seconds.
PARENT_CHECK_SECONDS = 0.5


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")

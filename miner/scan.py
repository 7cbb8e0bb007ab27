"""Scan: find every use of the target library's public names in one Python file.

Speed comes from doing the expensive work only where it can matter:
1. a byte-level prefilter drops every file that never imports the library (most files);
2. the rest is parsed once and every scope's bindings are collected in one walk;
3. only loads of names bound by the library's imports are followed upwards.

The parser is LibCST's (any Python grammar on any interpreter, an exact round trip); the
walk, the resolver and the positions are miner's own, without LibCST's metadata providers,
which cost several times the parse (see miner/syntax.py, miner/resolve.py, docs/scanning.md).

Resolution follows Python's scoping rules, so shadowing (parameters, local defs,
comprehension variables, class attributes, global/nonlocal) is respected by construction.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import io
import json
import re
import sys
import tokenize
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol, TypeVar

import libcst as cst

from miner import outline, syntax
from miner.model import FileScan, FileStatus, SourceFile, Use
from miner.resolve import Resolver
from miner.targets import Library

#: Files larger than this are recorded as too large and never parsed (generated code).
MAX_FILE_BYTES = 1_000_000

#: Part of every cache key: bump it when a change anywhere changes what a scan finds. (Edits to
#: this module and to the miner modules it imports change the key by themselves: see `_code_hash`.)
SCANNER_VERSION = 1


@dataclass(frozen=True)
class ScanContext:
    """Everything a worker needs to scan a file: small, frozen and picklable."""

    library: str
    modules: frozenset[str]  #: every public module of the library
    index: Mapping[str, str]  #: every import path of a target -> canonical qualname
    max_bytes: int = MAX_FILE_BYTES
    version: str = ""  #: the library's version, part of the cache key
    #: every attribute of every module, private ones included: a path outside it is missing
    existing: frozenset[str] = frozenset()
    #: another library's names imported by the library's modules -> their origin
    foreign: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def for_library(cls, library: Library, max_bytes: int = MAX_FILE_BYTES) -> ScanContext:
        return cls(
            library.name,
            library.modules,
            library.alias_index(),
            max_bytes,
            library.version,
            library.existing,
            library.foreign,
        )

    @cached_property
    def key(self) -> str:
        """The scan key: a hash of everything besides a file's bytes that its scan depends on.

        A cached result is reused only under the same key: the library and its version, its
        modules, the alias index, the size cap, SCANNER_VERSION and the scanner's own code.
        """
        payload = [
            SCANNER_VERSION,
            _code_hash(),
            self.library,
            self.version,
            sorted(self.modules),
            sorted(self.existing),
            sorted(self.foreign.items()),
            sorted(self.index.items()),
            self.max_bytes,
        ]
        return hashlib.sha256(json.dumps(payload).encode()).hexdigest()[:32]

    @cached_property
    def prefilter(self) -> re.Pattern[bytes]:
        """Matches a line that imports the library: the cheap test every file pays.

        (A UTF-8 byte order mark may open the first line.)
        """
        name = re.escape(self.library.encode())
        return re.compile(
            rb"^(?:\xef\xbb\xbf)?[ \t]*(?:from[ \t]+" + name + rb"[ \t.]|import[ \t][^\n#]*\b" + name + rb"\b)",
            re.MULTILINE,
        )

    def star_names(self, module: str) -> dict[str, str]:
        """Names that `from module import *` binds: the targets and submodules reachable there."""
        prefix = module + "."
        return {
            path[len(prefix) :]: path
            for path in (*self.index, *self.modules)
            if path.startswith(prefix) and "." not in path[len(prefix) :]
        }


@dataclass(frozen=True)
class ProjectLinks:
    """Where a file sits in its project, and what the project's modules re-export.

    `exports` maps a project module ("pkg.compat") to the library paths its top-level
    names are bound to ({"make_response": "flask.make_response"}), so that
    `from .compat import make_response` resolves across files.
    """

    module: str = ""  #: this file's dotted module name inside the project
    is_package: bool = False  #: an __init__.py: relative imports start from the module itself
    exports: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @cached_property
    def exporter_import(self) -> re.Pattern[bytes]:
        """`from` + a module path ending in an exporting module's last part, or only dots."""
        lasts = sorted({module.rpartition(".")[2] for module in self.exports})
        names = b"|".join(re.escape(last.encode()) for last in lasts)
        gap = rb"(?:[ \t]|\\\r?\n)+"  # blanks and backslash continuations
        path = rb"(?:[\w. \t]|\\\r?\n)*"
        return re.compile(
            rb"\bfrom" + gap + rb"(?:" + path + rb"\b(?:" + names + rb")" + gap
            + rb"|\.(?:[. \t]|\\\r?\n)*)import\b"
        )  # fmt: skip

    @cached_property
    def exported_name(self) -> re.Pattern[bytes]:
        names = sorted({name for exported in self.exports.values() for name in exported})
        return re.compile(rb"\b(?:" + b"|".join(re.escape(n.encode()) for n in names) + rb")\b")


def scan_file(
    source: SourceFile, context: ScanContext, links: ProjectLinks | None = None
) -> FileScan:
    """Scan one file. Never raises: a broken file becomes a FileScan with an error."""
    data = source.data
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    links = links or ProjectLinks()

    def outcome(
        status: FileStatus,
        error: str | None = None,
        resolver: Resolver | None = None,
        module: cst.Module | None = None,
        walked: outline.Walked | None = None,
    ) -> FileScan:
        uses = tuple(sorted(set(resolver.uses()), key=_use_order)) if resolver else ()
        exports = tuple(sorted(resolver.exports().items())) if resolver else ()
        missing = tuple(sorted(set(resolver.missing))) if resolver else ()
        foreign = (
            tuple((line, path, context.foreign[path]) for line, path in sorted(set(resolver.foreign)))
            if resolver
            else ()
        )
        # What ranking and pages need of the file's syntax, from this same parse.
        outlined = b""
        if resolver and walked and uses:
            by_id, code = resolver.positions.by_id, resolver.positions.code
            outlined = outline.stored(
                lambda: outline.finish(walked, code, by_id)
                if by_id is not None
                else outline.build(module)  # type: ignore[arg-type]
            )
        return FileScan(
            source.path, source.blob_sha, status, lines, error, uses, exports, missing, foreign,
            outlined,
        )

    if len(data) > context.max_bytes:
        return outcome(FileStatus.TOO_LARGE, f"{len(data)} bytes, over the {context.max_bytes} cap")
    if b"\0" in data:
        return outcome(FileStatus.UNPARSABLE, "binary content: the file holds NUL bytes")
    if not (context.prefilter.search(data) or _mentions_exports(data, links)):
        return outcome(FileStatus.NO_MENTION)
    try:
        text = _decode(data)
    except (SyntaxError, UnicodeDecodeError, LookupError) as error:
        return outcome(FileStatus.UNPARSABLE, _undecodable(error))
    try:
        with _collector_paused():
            module = _parsed(source)
            walked = outline.walk(module)  # what the outline needs, positions noted below
            resolver = Resolver(module, text, context, links, walked.wanted, walked.parens)
            return outcome(FileStatus.SCANNED, resolver=resolver, module=module, walked=walked)
    except (
        cst.ParserSyntaxError,
        syntax.TooComplex,
        RecursionError,
        MemoryError,
        UnicodeEncodeError,  # a lone surrogate (raw_unicode_escape): the parser wants UTF-8
    ) as error:
        return outcome(FileStatus.UNPARSABLE, syntax.one_line_error(error, text))


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a file is parsed and resolved, nor ever over its tree.

    A tree is hundreds of thousands of new objects and holds no cycles: each run of the
    collector walked them and the cached trees again, which made parsing 40% slower inside a
    scan than alone. So `_parsed` moves each new tree to the collector's permanent generation
    (gc.freeze: refcounting still frees it), and when the file is done the collector runs
    again over what the resolver and the outline made, whose cycles it frees. (Re-enabling it
    with the tree still young had cost a quarter of a scan's CPU; freezing after the file
    instead kept the outline's cyclic garbage until the next unfreeze: 50% more memory.)
    `_parsed` gives everything back to the collector whenever it empties the cache, and
    `scan_tree` when it is done.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


#: Source bytes whose trees a process keeps for the cross-file rounds, which rescan files the
#: first round parsed (a third of the parses on the reference projects). A tree takes about
#: 20 bytes of memory per byte of source: this is ~170 MB per process at most.
MODULE_CACHE_BYTES = 8_000_000
_modules: dict[bytes, cst.Module] = {}
_cached_bytes = 0


def _parsed(source: SourceFile) -> cst.Module:
    """The file's tree, parsed once per process while the cache has room (then emptied).

    Keyed by the bytes themselves: a blob sha names the same bytes only in real checkouts.
    """
    global _cached_bytes
    data = source.data
    module = _modules.get(data)
    if module is None:
        module = syntax.parse(data)
        if len(data) <= MODULE_CACHE_BYTES:
            if _cached_bytes + len(data) > MODULE_CACHE_BYTES:
                _modules.clear()
                _cached_bytes = 0
                gc.unfreeze()  # what else was frozen with the trees is collectable again
            _modules[data] = module
            _cached_bytes += len(data)
        gc.freeze()  # the new tree, out of the collector's way (see _collector_paused)
    return module


def _mentions_exports(data: bytes, links: ProjectLinks) -> bool:
    """The cheap test for cross-file uses: an exported name, and an import from a module
    that may be an exporting one (`from pkg.compat import`, `from .compat import`, `from .
    import`). Only `from M import name` binds across files, so nothing else needs a rescan.
    """
    return (
        bool(links.exports)
        and b"import" in data
        and bool(links.exporter_import.search(data))
        and bool(links.exported_name.search(data))
    )


Mapper = Callable[[Callable[..., FileScan], Iterable[Any], Iterable[Any]], Iterable[FileScan]]
T = TypeVar("T")


class ScanCache(Protocol):
    """Earlier scan results, looked up by (blob sha, links key) under one scan key.

    scan.py only asks and tells; where results live (SQLite, a dict shipped to a Dask
    worker) is the caller's business. The path of a returned FileScan is ignored.
    """

    def get(
        self, scan_key: str, keys: Collection[tuple[str, str]]
    ) -> Mapping[tuple[str, str], FileScan]: ...

    def put(self, scan_key: str, entries: Sequence[tuple[str, FileScan]]) -> None:
        """Remember (links key, scan) pairs; the scan's blob_sha is the other half of the key."""


class MemoryCache:
    """A ScanCache in a dict: for tests, and for shipping to a worker that cannot reach SQLite.

    `added` lists what `put` was given, so the owner can save it; `misses` counts lookups that
    found nothing.
    """

    def __init__(self, entries: Iterable[tuple[str, str, str, FileScan]] = ()) -> None:
        #: (scan_key, blob_sha, links) -> scan
        self.entries = {(key, sha, links): scan for key, sha, links, scan in entries}
        self.added: list[tuple[str, str, FileScan]] = []  #: (scan_key, links, scan)
        self.misses = 0

    def get(
        self, scan_key: str, keys: Collection[tuple[str, str]]
    ) -> dict[tuple[str, str], FileScan]:
        found = {k: self.entries[(scan_key, *k)] for k in keys if (scan_key, *k) in self.entries}
        self.misses += len(keys) - len(found)
        return found

    def put(self, scan_key: str, entries: Sequence[tuple[str, FileScan]]) -> None:
        for links, scan in entries:
            self.entries[(scan_key, scan.blob_sha, links)] = scan
            self.added.append((scan_key, links, scan))


def scan_project(
    files: Sequence[SourceFile],
    context: ScanContext,
    mapper: Mapper = map,
    cache: ScanCache | None = None,
) -> list[FileScan]:
    """Scan every file of one project held in memory; see `scan_tree`."""
    by_path = {source.path: source for source in files}
    entries = [(source.path, source.blob_sha) for source in files]
    return scan_tree(entries, lambda paths: [by_path[p] for p in paths], context, mapper, cache)


def _then_unfrozen(function: Callable[..., T]) -> Callable[..., T]:
    """After `function`, everything the scans froze goes back to the collector (see
    `_collector_paused`): cyclic garbage made meanwhile, such as a closed database connection
    of the process that scanned in-process, is collectable again."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return function(*args, **kwargs)
        finally:
            gc.unfreeze()

    return wrapper


@_then_unfrozen
def scan_tree(
    entries: Sequence[tuple[str, str]],
    read: Callable[[list[str]], Iterable[SourceFile]],
    context: ScanContext,
    mapper: Mapper = map,
    cache: ScanCache | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[FileScan]:
    """Scan every (path, blob sha) of one project, resolving its own re-exports across files.

    The first round scans each file alone. Each later round rescans only the files that
    may import a name another module re-exports, until no module exports anything new
    (chains such as `views -> compat -> flask` take one round per link).

    With a cache, a file whose result is known for its blob under the same scan key (and,
    after the first round, the same module name and the same re-exports) is not scanned
    and not even read: `read(paths)` is called only for the files that must be. Results
    are exactly those of a run without cache. `progress(done, total)` follows round one.
    """
    use_context(context)  # for the in-process mapper; pool workers get it at start-up
    blobs = dict(entries)
    modules = module_names(blobs)
    loaded: dict[str, SourceFile] = {}
    total = len(blobs)

    def load(paths: Iterable[str]) -> list[SourceFile]:
        missing = [path for path in paths if path not in loaded]
        if missing:
            loaded.update((source.path, source) for source in read(missing))
        return [loaded[path] for path in paths]

    def cached(links_of: Callable[[str], str]) -> dict[str, FileScan]:
        if cache is None:
            return {}
        keys = {path: (sha, links_of(path)) for path, sha in blobs.items()}
        hits = cache.get(context.key, set(keys.values()))
        return {path: replace(hits[k], path=path) for path, k in keys.items() if k in hits}

    def run(paths: list[str], exports: Mapping[str, Mapping[str, str]]) -> dict[str, FileScan]:
        sources = sorted(load(paths), key=lambda source: -len(source.data))  # largest first
        links = [ProjectLinks(*modules[source.path], exports) for source in sources]
        results = {}
        for scan in mapper(_scan_one, sources, links):
            results[scan.path] = scan
            if progress is not None and not exports:
                progress(total - len(paths) + len(results), total)
        return results

    def remember(links_of: Callable[[str], str], scans: Mapping[str, FileScan]) -> None:
        if cache is not None and scans:
            cache.put(context.key, [(links_of(path), scan) for path, scan in scans.items()])

    alone = _alone  # links key of the first round: the file scanned by itself
    scans = cached(alone)
    if progress is not None:
        progress(len(scans), total)
    # Scanned alone, a file's result depends on its bytes only: one scan per distinct blob.
    missing = [path for path in blobs if path not in scans]
    first_of: dict[str, str] = {}
    for path in missing:
        first_of.setdefault(blobs[path], path)
    fresh = run(list(first_of.values()), {})
    remember(alone, fresh)
    for path in missing:
        scans[path] = replace(fresh[first_of[blobs[path]]], path=path)
    if progress is not None and missing:
        progress(total, total)
    exports: dict[str, dict[str, str]] = {}
    chain = ""
    for _ in range(_MAX_REEXPORT_DEPTH):
        new_exports = {  # in path order: when two files share a module name, the last wins
            modules[path][0]: dict(scan.exports)
            for path, scan in sorted(scans.items())
            if scan.exports
        }
        if new_exports == exports:
            break
        exports = new_exports
        # A round's result may depend on every earlier round's exports: key on all of them.
        chain = _hash(chain, json.dumps(exports, sort_keys=True))
        links_of = functools.partial(_links_key, chain, modules)
        hits = cached(links_of)
        probe = ProjectLinks(exports=exports)
        misses = [path for path in blobs if path not in hits]
        candidates = [s.path for s in load(misses) if _mentions_exports(s.data, probe)]
        rescanned = run(candidates, exports)
        settled = {path: rescanned.get(path, scans[path]) for path in misses}
        remember(links_of, settled)
        scans.update(hits)
        scans.update(settled)
    return [scans[path] for path in sorted(scans)]


def _alone(path: str) -> str:
    return ""


def _links_key(chain: str, modules: Mapping[str, tuple[str, bool]], path: str) -> str:
    module, is_package = modules[path]
    return _hash(chain, module, str(is_package))


def _hash(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


@functools.cache
def _code_hash() -> str:
    """A hash of this module's source and of the miner modules it takes names from."""
    names = {__name__}
    for value in list(globals().values()):
        name = value.__name__ if isinstance(value, ModuleType) else getattr(value, "__module__", "")
        if isinstance(name, str) and name.startswith("miner."):
            names.add(name)
    digest = hashlib.sha256()
    for name in sorted(names):
        module = sys.modules.get(name)
        source = getattr(module, "__file__", None)
        if source:
            digest.update(name.encode() + b"\0" + Path(source).read_bytes())
    return digest.hexdigest()[:32]


_MAX_REEXPORT_DEPTH = 4


def _scan_one(source: SourceFile, links: ProjectLinks) -> FileScan:
    return scan_file(source, _context_of_this_process, links)


def module_names(paths: Iterable[str]) -> dict[str, tuple[str, bool]]:
    """Each file's dotted module name, rooted at its topmost package (src layouts included).

    `src/pkg/sub/compat.py` with `pkg/__init__.py` and `pkg/sub/__init__.py` is
    `pkg.sub.compat`; a file in a directory without `__init__.py` is a top-level module.
    """
    paths = list(paths)
    packages = {path.rpartition("/")[0] for path in paths if path.endswith("/__init__.py")}
    names: dict[str, tuple[str, bool]] = {}
    for path in paths:
        parts = path[: -len(".py")].split("/")
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1] or parts  # an __init__.py at the top of the repository
        directory = path.rpartition("/")[0]
        start = len(parts) - (0 if is_package else 1)
        while directory and directory in packages:
            directory = directory.rpartition("/")[0]
            start -= 1
        names[path] = (".".join(parts[max(start, 0) :]) or parts[-1], is_package)
    return names


#: Set in each worker process (and in this one for inline runs) by `use_context`.
_context_of_this_process: ScanContext = ScanContext("", frozenset(), {})


def use_context(context: ScanContext) -> None:
    """Install the scan context for `_scan_one`: sent to each worker once, not per file."""
    global _context_of_this_process
    _context_of_this_process = context


def decode_source(data: bytes) -> str:
    """Source text as Python reads it: honouring a PEP 263 encoding cookie and a BOM."""
    return _decode(data)


def _decode(data: bytes) -> str:
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding).removeprefix("\ufeff")


def _use_order(use: Use) -> tuple[int, int, str, str]:
    return (use.line, use.column, use.qualname, use.kind.value)


def _undecodable(error: BaseException) -> str:
    """Why the bytes are no text: a bad or unknown encoding cookie, or bytes not in it."""
    if isinstance(error, SyntaxError) and not isinstance(error, UnicodeDecodeError):
        return f"SyntaxError: {error.msg}"
    return f"SyntaxError: {error}".splitlines()[0]

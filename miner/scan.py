"""Scan: find every use of the target library's public names in one Python file.

Speed comes from doing the expensive work only where it can matter:
1. a byte-level prefilter drops every file that never imports the library (most files);
2. the rest is parsed once and every scope's bindings are collected in one walk;
3. only loads of names bound by the library's imports are followed upwards.

Why the stdlib `ast` and not LibCST's ScopeProvider: on the reference projects, LibCST's
metadata traversal (scope + parents + positions) ran at ~30 files/s where `ast.parse`
plus one walk runs at several thousand (see bench/README.md). A use needs only names,
scopes and line/column spans, all of which `ast` gives exactly; LibCST stays the tool for
work that needs the concrete syntax tree.

Resolution follows Python's scoping rules, so shadowing (parameters, local defs,
comprehension variables, class attributes, global/nonlocal) is respected by construction.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import io
import json
import re
import sys
import tokenize
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

from miner.model import FileScan, FileStatus, Resolution, SourceFile, Use, UseKind
from miner.shapes import result_of, shape_of
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

    @classmethod
    def for_library(cls, library: Library, max_bytes: int = MAX_FILE_BYTES) -> ScanContext:
        return cls(
            library.name,
            library.modules,
            library.alias_index(),
            max_bytes,
            library.version,
            library.existing,
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
            sorted(self.index.items()),
            self.max_bytes,
        ]
        return hashlib.sha256(json.dumps(payload).encode()).hexdigest()[:32]

    @cached_property
    def prefilter(self) -> re.Pattern[bytes]:
        """Matches a line that imports the library: the cheap test every file pays."""
        name = re.escape(self.library.encode())
        return re.compile(
            rb"^[ \t]*(?:from[ \t]+" + name + rb"[ \t.]|import[ \t][^\n#]*\b" + name + rb"\b)",
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

    def outcome(status: FileStatus, error: str | None = None, resolver: _Resolver | None = None):
        uses = tuple(sorted(set(resolver.uses()), key=_use_order)) if resolver else ()
        exports = tuple(sorted(resolver.exports().items())) if resolver else ()
        missing = tuple(sorted(set(resolver.missing))) if resolver else ()
        return FileScan(source.path, source.blob_sha, status, lines, error, uses, exports, missing)

    if len(data) > context.max_bytes:
        return outcome(FileStatus.TOO_LARGE, f"{len(data)} bytes, over the {context.max_bytes} cap")
    if b"\0" in data:
        return outcome(FileStatus.UNPARSABLE, "binary content: the file holds NUL bytes")
    if not (context.prefilter.search(data) or _mentions_exports(data, links)):
        return outcome(FileStatus.NO_MENTION)
    try:
        tree = ast.parse(data, filename=source.path)
        resolver = _Resolver(tree, _decode(data), context, links)
        return outcome(FileStatus.SCANNED, resolver=resolver)
    except (SyntaxError, UnicodeDecodeError, ValueError) as error:
        return outcome(FileStatus.UNPARSABLE, _one_line(error))
    except RecursionError:
        return outcome(FileStatus.UNPARSABLE, "RecursionError: nesting too deep to parse")
    except MemoryError:  # CPython's parser overflows its stack this way ("-" * 100_000 + "a")
        return outcome(FileStatus.UNPARSABLE, "MemoryError: too complex for the parser")


def _mentions_exports(data: bytes, links: ProjectLinks) -> bool:
    """The cheap test for cross-file uses: an exported name appears next to an import."""
    return bool(links.exports) and b"import" in data and bool(links.exported_name.search(data))


Mapper = Callable[[Callable[..., FileScan], Iterable[Any], Iterable[Any]], Iterable[FileScan]]


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


def _one_line(error: BaseException) -> str:
    if isinstance(error, SyntaxError) and error.lineno:
        return f"SyntaxError: {error.msg} (line {error.lineno})"
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}".strip()


# -- scopes ---------------------------------------------------------------------------

_FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


@dataclass(frozen=True, slots=True)
class _Binding:
    """A library path bound to a name, and how we know."""

    dotted: str
    resolution: Resolution


@dataclass(eq=False)
class _Bind:
    """One place where a scope binds a name; `binding` is set when it comes from the library."""

    line: int
    is_import: bool
    binding: _Binding | None = None


@dataclass(eq=False)
class _Scope:
    kind: str  #: module, function, class or comprehension
    parent: _Scope | None
    binds: dict[str, list[_Bind]] = field(default_factory=dict)
    declared_global: set[str] = field(default_factory=set)
    declared_nonlocal: set[str] = field(default_factory=set)
    star_names: dict[str, str] = field(default_factory=dict)  #: from `from M import *`

    def add(self, name: str, bind: _Bind) -> None:
        self.owner_of(name).binds.setdefault(name, []).append(bind)

    def owner_of(self, name: str) -> _Scope:
        """The scope a binding of `name` made here really lands in (global/nonlocal)."""
        if name in self.declared_global:
            return self.module()
        if name in self.declared_nonlocal:
            scope = self.parent
            while scope is not None and (scope.kind == "class" or name not in scope.binds):
                scope = scope.parent
            return scope or self.module()
        return self

    def module(self) -> _Scope:
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope

    def lookup(self, name: str) -> _Scope | None:
        """The scope whose binding of `name` a load here sees (LEGB; classes don't enclose)."""
        if name in self.declared_global:
            return self.module()
        scope: _Scope | None = self
        first = True
        while scope is not None:
            if (first or scope.kind != "class") and name in scope.binds:
                return scope
            first = False
            scope = scope.parent
        return None

    def star_binding(self, name: str) -> str | None:
        """The library path a star import in this or an enclosing scope binds to `name`."""
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.star_names:
                return scope.star_names[name]
            scope = scope.parent
        return None


class _Resolver:
    """Collects the bindings of every scope, then follows loads of library bindings."""

    def __init__(
        self, tree: ast.Module, text: str, context: ScanContext, links: ProjectLinks
    ) -> None:
        self.context = context
        self.links = links
        self.lines = text.splitlines()
        self.parents: dict[ast.AST, ast.AST] = {}
        self.loads: list[tuple[ast.Name, _Scope]] = []
        self.found: list[Use] = []
        self.missing: list[tuple[int, str]] = []  #: library paths the library does not have
        self.stores: dict[ast.Name, _Bind] = {}  #: for following `mr = make_response`
        self.rebound = 0
        # Without these words in the text there is no global/nonlocal statement to look for.
        self.may_declare = "global" in text or "nonlocal" in text
        self.module_scope = _Scope("module", None)
        self._visit_children(tree, self.module_scope)
        self._uses: list[Use] | None = None

    def uses(self) -> list[Use]:
        if self._uses is None:
            self._uses = self._resolve_loads()
        return self._uses

    def exports(self) -> dict[str, str]:
        """Top-level names this module binds to the library, for other modules to import."""
        self.uses()  # re-bindings at module level are known only after resolving
        exported = dict(self.module_scope.star_names)
        for name, binds in self.module_scope.binds.items():
            last = max(binds, key=lambda bind: bind.line)
            if last.binding is not None and not name.startswith("__"):
                exported[name] = last.binding.dotted
        return exported

    def _resolve_loads(self) -> list[Use]:
        # A second round picks up re-bindings (`mr = make_response`) found in the first.
        imports = list(self.found)  # recorded while collecting bindings
        missing_imports = list(self.missing)
        for _ in range(2):
            rebound = self.rebound
            self.found = list(imports)
            self.missing = list(missing_imports)
            for node, scope in self.loads:
                self._resolve_load(node, scope)
            if self.rebound == rebound:
                break
        return self.found

    # -- pass 1: scopes and bindings ---------------------------------------------------

    def _visit_children(self, node: ast.AST, scope: _Scope) -> None:
        for child in ast.iter_child_nodes(node):
            self.parents[child] = node
            self._visit(child, scope)

    def _visit(self, node: ast.AST, scope: _Scope) -> None:
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                self.loads.append((node, scope))
            else:
                self.stores[node] = _Bind(node.lineno, False)
                scope.add(node.id, self.stores[node])
        elif isinstance(node, ast.Import | ast.ImportFrom):
            self._bind_import(node, scope)
        elif isinstance(node, ast.Global):
            scope.declared_global.update(node.names)
        elif isinstance(node, ast.Nonlocal):
            scope.declared_nonlocal.update(node.names)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            self._visit_definition(node, scope)
        elif isinstance(node, ast.Lambda):
            self._visit_function(node, node.args, [node.body], scope)
        elif isinstance(node, _COMPREHENSIONS):
            self._visit_comprehension(node, scope)
        elif isinstance(node, ast.NamedExpr):
            self.parents[node.target] = node
            self.parents[node.value] = node
            self._visit(node.value, scope)
            target_scope = scope
            while target_scope.kind == "comprehension" and target_scope.parent is not None:
                target_scope = target_scope.parent
            target_scope.add(node.target.id, _Bind(node.lineno, False))
        elif isinstance(node, ast.ExceptHandler) and node.name:
            scope.add(node.name, _Bind(node.lineno, False))
            self._visit_children(node, scope)
        elif isinstance(node, ast.MatchAs | ast.MatchStar) and node.name:
            scope.add(node.name, _Bind(node.lineno, False))
            self._visit_children(node, scope)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            scope.add(node.rest, _Bind(node.lineno, False))
            self._visit_children(node, scope)
        else:
            self._visit_children(node, scope)

    def _visit_definition(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, scope: _Scope
    ) -> None:
        """Decorators, defaults, bases and annotations belong to the enclosing scope."""
        for decorator in node.decorator_list:
            self.parents[decorator] = node
            self._visit(decorator, scope)
        scope.add(node.name, _Bind(node.lineno, False))
        if isinstance(node, ast.ClassDef):
            for base in [*node.bases, *node.keywords]:
                self.parents[base] = node
                self._visit(base, scope)
            inner = _Scope("class", scope)
            for statement in node.body:
                self.parents[statement] = node
                self._visit(statement, inner)
            return
        if node.returns is not None:
            self.parents[node.returns] = node
            self._visit(node.returns, scope)
        self._visit_function(node, node.args, node.body, scope)

    def _visit_function(
        self, node: ast.AST, args: ast.arguments, body: list[ast.AST], scope: _Scope
    ) -> None:
        self.parents[args] = node
        inner = _Scope("function", scope)
        for default in [*args.defaults, *(d for d in args.kw_defaults if d is not None)]:
            self.parents[default] = args
            self._visit(default, scope)
        every_arg = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        every_arg += [a for a in (args.vararg, args.kwarg) if a is not None]
        for arg in every_arg:
            self.parents[arg] = args
            inner.add(arg.arg, _Bind(arg.lineno, False))
            if arg.annotation is not None:
                self.parents[arg.annotation] = arg
                self._visit(arg.annotation, scope)
        # Declarations first: `global x` anywhere in a body governs every binding of x in it.
        for statement in body if self.may_declare else ():
            for child in ast.walk(statement):
                if isinstance(child, ast.Global):
                    inner.declared_global.update(child.names)
                elif isinstance(child, ast.Nonlocal):
                    inner.declared_nonlocal.update(child.names)
        for statement in body:
            self.parents[statement] = node
            self._visit(statement, inner)

    def _visit_comprehension(self, node: ast.AST, scope: _Scope) -> None:
        """The first iterable is evaluated outside; everything else in the comprehension's scope."""
        inner = _Scope("comprehension", scope)
        generators: list[ast.comprehension] = node.generators  # type: ignore[attr-defined]
        for index, generator in enumerate(generators):
            self.parents[generator] = node
            self.parents[generator.iter] = generator
            self.parents[generator.target] = generator
            self._visit(generator.iter, scope if index == 0 else inner)
            self._visit(generator.target, inner)
            for condition in generator.ifs:
                self.parents[condition] = generator
                self._visit(condition, inner)
        for name in ("elt", "key", "value"):
            child = getattr(node, name, None)
            if child is not None:
                self.parents[child] = node
                self._visit(child, inner)

    def _bind_import(self, node: ast.Import | ast.ImportFrom, scope: _Scope) -> None:
        if isinstance(node, ast.ImportFrom):
            module = self._absolute(node)
            in_library = not node.level and self._in_library(module)
            exported = self.links.exports.get(module, {})
            for alias in node.names:
                if alias.name == "*":
                    scope.star_names.update(
                        self.context.star_names(module) if in_library else exported
                    )
                    continue
                binding = None
                if in_library:
                    dotted = f"{module}.{alias.name}"
                    binding = _Binding(dotted, self._from_resolution(alias, dotted))
                elif alias.name in exported:
                    binding = _Binding(exported[alias.name], Resolution.CROSS_FILE)
                if binding is not None:
                    self._record_import(alias, binding.dotted, binding)
                scope.add(alias.asname or alias.name, _Bind(alias.lineno, True, binding))
            return
        for alias in node.names:
            # `import a.b` binds `a`; `import a.b as c` binds c to a.b.
            dotted = alias.name if alias.asname else alias.name.split(".")[0]
            binding = None
            if self._in_library(dotted):
                resolution = Resolution.ALIAS if alias.asname else Resolution.MODULE_ATTRIBUTE
                binding = _Binding(dotted, resolution)
                self._record_import(alias, dotted, binding)
            scope.add(alias.asname or dotted, _Bind(alias.lineno, True, binding))

    def _absolute(self, node: ast.ImportFrom) -> str:
        """`from ..compat import x` inside this project module, as an absolute module name."""
        if not node.level:
            return node.module or ""
        package = self.links.module.split(".")
        if not self.links.is_package:
            package = package[:-1]
        base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
        return ".".join([*base, node.module] if node.module else base)

    def _from_resolution(self, alias: ast.alias, dotted: str) -> Resolution:
        if alias.asname is not None and alias.asname != alias.name:
            return Resolution.ALIAS
        qualname = self.context.index.get(dotted)
        if qualname is None:  # a submodule, e.g. `from flask import helpers`
            return Resolution.MODULE_ATTRIBUTE
        return Resolution.DIRECT if qualname == dotted else Resolution.REEXPORT

    def _record_import(self, alias: ast.alias, dotted: str, binding: _Binding) -> None:
        qualname = self.context.index.get(dotted)
        if qualname is not None:
            shape = f"import {qualname.rpartition('.')[2]}"
            self._record(alias, qualname, UseKind.IMPORT, binding.resolution, qualname, shape)
        elif dotted not in self.context.modules:
            self._flag_missing(alias.lineno, dotted)

    def _flag_missing(self, line: int, dotted: str) -> None:
        """A library path that is no public name: flagged unless the library has it privately."""
        if dotted not in self.context.existing:
            self.missing.append((line, dotted))

    def _in_library(self, dotted: str) -> bool:
        return dotted.split(".", 1)[0] == self.context.library

    # -- pass 2: loads ----------------------------------------------------------------

    def _resolve_load(self, node: ast.Name, scope: _Scope) -> None:
        owner = scope.lookup(node.id)
        if owner is None:
            self._resolve_star(node, scope)
            return
        bind = _bind_in_force(owner.binds[node.id], node.lineno)
        if bind is not None and bind.binding is not None:
            self._resolve_access(node, bind.binding)

    def _resolve_star(self, node: ast.Name, scope: _Scope) -> None:
        dotted = scope.star_binding(node.id)
        if dotted is not None:
            self._resolve_access(node, _Binding(dotted, Resolution.STAR))

    def _resolve_access(self, node: ast.expr, binding: _Binding) -> None:
        """Extend the access through attribute chains until it names a target."""
        dotted = binding.dotted
        while True:
            qualname = self.context.index.get(dotted)
            if qualname is not None:
                self._record_use(node, qualname, binding.resolution)
                return
            if dotted not in self.context.modules:
                self._flag_missing(node.lineno, dotted)  # e.g. flask.Markup, gone in 3.0
                return
            parent = self.parents.get(node)
            if not _is_attribute_of(parent, node):
                return
            assert isinstance(parent, ast.Attribute)
            node, dotted = parent, f"{dotted}.{parent.attr}"

    def _record_use(self, node: ast.expr, qualname: str, resolution: Resolution) -> None:
        kind = self._kind(node)
        name = qualname.rpartition(".")[2]
        self._record(
            node,
            qualname,
            kind,
            resolution,
            _dotted(node),
            shape=shape_of(node, name, kind, self.parents),
            result=result_of(node, self.parents),
        )
        if kind is UseKind.VALUE:
            self._follow_rebinding(node, qualname)

    def _follow_rebinding(self, node: ast.expr, qualname: str) -> None:
        """`mr = make_response` makes every later load of `mr` a use too."""
        parent = self.parents.get(node)
        if not (isinstance(parent, ast.Assign) and parent.value is node):
            return
        if len(parent.targets) != 1 or not isinstance(parent.targets[0], ast.Name):
            return
        bind = self.stores.get(parent.targets[0])
        if bind is not None and bind.binding is None:
            bind.binding = _Binding(qualname, Resolution.ALIAS)
            self.rebound += 1

    # -- recording ----------------------------------------------------------------------

    def _record(
        self,
        node: ast.expr | ast.alias,
        qualname: str,
        kind: UseKind,
        resolution: Resolution,
        written_as: str,
        shape: str = "",
        result: str = "",
    ) -> None:
        line, end_line = node.lineno, node.end_lineno or node.lineno
        enclosing, enclosing_lines = self._enclosing(node)
        self.found.append(
            Use(
                qualname=qualname,
                kind=kind,
                resolution=resolution,
                line=line,
                column=self._column(line, node.col_offset),
                end_line=end_line,
                end_column=self._column(end_line, node.end_col_offset or 0),
                enclosing=enclosing,
                written_as=written_as,
                line_text=self.lines[line - 1] if line <= len(self.lines) else "",
                shape=shape,
                result=result,
                enclosing_lines=enclosing_lines,
            )
        )

    def _column(self, line: int, byte_offset: int) -> int:
        """1-based character column from ast's UTF-8 byte offset."""
        if line > len(self.lines):
            return byte_offset + 1
        return len(self.lines[line - 1].encode()[:byte_offset].decode(errors="ignore")) + 1

    def _kind(self, node: ast.expr) -> UseKind:
        """Classify a use by the syntax around the expression that names the target."""
        parent = self.parents.get(node)
        grandparent = self.parents.get(parent) if parent is not None else None
        if isinstance(parent, ast.Call) and parent.func is node:
            if _is_decorator(grandparent, parent):
                return UseKind.DECORATOR
            if isinstance(grandparent, ast.Raise) and grandparent.exc is parent:
                return UseKind.RAISE
            return UseKind.CALL
        if _is_attribute_of(parent, node) or (
            isinstance(parent, ast.Subscript) and parent.value is node
        ):
            return UseKind.ANNOTATION if self._in_annotation(node) else UseKind.ATTRIBUTE
        if _is_decorator(parent, node):
            return UseKind.DECORATOR
        if isinstance(parent, ast.ClassDef) and node in parent.bases:
            return UseKind.SUBCLASS
        if isinstance(parent, ast.Raise):
            return UseKind.RAISE
        if self._in_except_clause(node):
            return UseKind.EXCEPT
        if self._in_annotation(node):
            return UseKind.ANNOTATION
        return UseKind.VALUE

    def _in_except_clause(self, node: ast.AST) -> bool:
        parent = self.parents.get(node)
        if isinstance(parent, ast.Tuple):
            node, parent = parent, self.parents.get(parent)
        return isinstance(parent, ast.ExceptHandler) and parent.type is node

    def _in_annotation(self, node: ast.AST) -> bool:
        child, ancestor = node, self.parents.get(node)
        while ancestor is not None:
            if isinstance(ancestor, ast.arg | ast.AnnAssign) and ancestor.annotation is child:
                return True
            if isinstance(ancestor, ast.FunctionDef | ast.AsyncFunctionDef):
                return ancestor.returns is child
            if isinstance(ancestor, ast.stmt):
                return False
            child, ancestor = ancestor, self.parents.get(ancestor)
        return False

    def _enclosing(self, node: ast.AST) -> tuple[str, int]:
        """The dotted enclosing definition, and the length in lines of the innermost one.

        A use at module level is measured by its top-level statement instead.
        """
        names: list[str] = []
        innermost: ast.AST | None = None
        child, ancestor = node, self.parents.get(node)
        while ancestor is not None:
            if isinstance(ancestor, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.append(ancestor.name)
                innermost = innermost or ancestor
            child, ancestor = ancestor, self.parents.get(ancestor)
        measured = innermost or child
        return ".".join(reversed(names)), _span(measured)


def _span(node: ast.AST) -> int:
    """Lines a statement or definition covers, decorators included."""
    decorators = getattr(node, "decorator_list", None) or [node]
    start = min(getattr(n, "lineno", 1) for n in decorators)
    return (getattr(node, "end_lineno", None) or start) - start + 1


def _bind_in_force(binds: list[_Bind], line: int) -> _Bind | None:
    """The binding in force at a load (scopes are flow-insensitive, so approximate by lines).

    Take the last binding written before the load (all of them if none precedes it, as in
    a function body that reads a name bound further down). If that is another import,
    a library import among the earlier ones still counts: alternative imports of one name
    (`try: from quart import x` / `except ImportError: from flask import x`) are conditional.
    """
    before = [bind for bind in binds if bind.line <= line] or binds
    last = max(before, key=lambda bind: bind.line)
    if last.binding is None and last.is_import:
        library_imports = [b for b in before if b.is_import and b.binding is not None]
        return library_imports[-1] if library_imports else last
    return last


def _is_attribute_of(parent: ast.AST | None, node: ast.AST) -> bool:
    return isinstance(parent, ast.Attribute) and parent.value is node


def _is_decorator(parent: ast.AST | None, node: ast.AST) -> bool:
    return isinstance(
        parent, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
    ) and node in parent.decorator_list


def _dotted(node: ast.AST) -> str:
    """`flask.helpers.make_response` for a Name/Attribute chain; "" for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""

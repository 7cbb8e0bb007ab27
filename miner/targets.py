"""Targets: the public API of the target library, read statically from its source.

The library's code never runs: importing Django without settings, or SQLAlchemy's test plugin,
fails, and running a library's code is not miner's business anyway. Its modules are parsed
(stdlib `ast`: this is the library's source, read like metadata; see bench/targets.py for why not
LibCST) and names are followed through `from .x import y` chains, `__all__` and star imports to
the statement that defines them, so objects such as ``flask.request`` get a defining module.

What counts as public (the rules `miner targets` documents):
- modules: every module of the package whose dotted path has no component starting with an
  underscore, and that is not inside a `tests`, `testing`, `locale` or vendored-code folder
  (`vendor`, `vendored`, `_vendor`, `externals`) or an app's migrations folder (one holding
  numbered modules such as `0001_initial.py`: `django.contrib.auth.migrations`, while
  `django.db.migrations`, the API those files are written with, is public), nor a `tests.py` or
  `conftest.py`;
- names: every public name a public module defines; and every public name defined in a private
  module that a public module re-exports on purpose: listed in its `__all__`, bound by a star
  import, written `import x as x`, or imported by a package's `__init__`;
- a name's aliases are the other public paths that re-export it on purpose (the same test:
  `__all__`, a star import, `import x as x`, a package importing from below it; or, for a name
  defined in a public module, an import the importing module's own code never reads), so
  `django.db.models.CharField` and `flask.request` are aliases; a public module that imports a
  public name for its own use (`django.shortcuts` imports `Http404` from `django.http`) is no
  alias: that path is only resolved (`Library.incidental`), and a page's redirects add it only
  when projects import the name that way (see miner/aliases.py).

Foreign names: a name a library module imports from another library (`flask.signals.Namespace`
is blinker's `Namespace`) is no target and gets no page, but projects do import it through the
library, so `Library.foreign` maps each such path to where it comes from; the scan records its
uses in `foreign_names` instead of losing them (see docs/targets.md).
"""

from __future__ import annotations

import ast
import builtins
import importlib.metadata
import importlib.util
import logging
import re
import sys
import tarfile
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from miner import sources
from miner.model import MinerError, Target
from miner.resources import resource_dir

log = logging.getLogger(__name__)

#: Folders whose modules are never public API (a single module such as flask/testing.py is:
#: its test client is documented API; a `testing` package is a test suite's plumbing).
SKIPPED_PARTS = frozenset(
    {"tests", "testing", "locale", "vendor", "vendored", "_vendor", "externals"}
)
#: Decorator factories (click's) whose result is an object, not the function.
_OBJECT_DECORATORS = frozenset({"command", "group"})
_TYPE_VARIABLES = frozenset({"TypeVar", "ParamSpec", "TypeVarTuple"})
_SKIPPED_FILES = frozenset({"tests", "conftest"})


@dataclass(frozen=True, slots=True)
class Library:
    """The target library at one version, with everything the scan needs to resolve names."""

    name: str
    version: str
    modules: frozenset[str]  #: every public module, e.g. flask, flask.helpers, flask.json
    targets: tuple[Target, ...]
    #: every name every module binds, private ones included (what the library still has)
    existing: frozenset[str] = frozenset()
    #: public names a module imports from another library -> their origin:
    #: {"flask.signals.Namespace": "blinker.Namespace"}
    foreign: Mapping[str, str] = field(default_factory=dict)
    #: public paths that bind a target only because a module imports it for its own use
    #: (`django.shortcuts.Http404`) -> the target's qualname: resolved, never listed as aliases
    incidental: Mapping[str, str] = field(default_factory=dict)
    display_name: str = ""  #: "Flask"
    home_url: str = ""
    source_url: str = ""  #: link template with {version}, {path} and {line}

    def alias_index(self) -> dict[str, str]:
        """Every import path of every target (canonical and re-exports) -> canonical qualname."""
        index: dict[str, str] = dict(self.incidental)
        for target in self.targets:
            index[target.qualname] = target.qualname
            for alias in target.aliases:
                index[alias] = target.qualname
        return index


class LibraryNotFound(MinerError):
    """The target library's source cannot be found."""


def discover(
    library: str = "flask", *, index: str = sources.PYPI_SIMPLE, cache_dir: Path | None = None
) -> Library:
    """The public modules and names of `library` ("django"), or of one release ("django==5.1")
    read from its source distribution, fetched from `index` into `cache_dir`."""
    name, _, wanted = library.partition("==")
    name = name.strip()
    if wanted:
        return _discover(_release_package(name, wanted.strip(), index, cache_dir))
    package = _installed_package(name)
    key = (name, package.version, package.origin)
    if key not in _INSTALLED:  # tests and commands ask for the same installed library often
        _INSTALLED[key] = _discover(package)
    return _INSTALLED[key]


_INSTALLED: dict[tuple[str, str, str], Library] = {}


def _discover(package: _Package) -> Library:
    name = package.name
    reader = _Reader(package)
    targets, incidental = reader.targets()
    log.info(
        "%s %s: %d modules, %d public names",
        name,
        package.version,
        len(reader.public),
        len(targets),
    )
    links = profile(name)
    return Library(
        name,
        package.version,
        frozenset(reader.public),
        tuple(targets),
        existing=reader.existing(),
        foreign=reader.foreign(),
        incidental=incidental,
        display_name=links.get("display_name", name),
        home_url=links.get("home", ""),
        source_url=links.get("source", ""),
    )


def profile(library: str) -> dict[str, str]:
    """The library's entry in data/libraries.toml (display name, links, project list), if any."""
    with (resource_dir("data") / "libraries.toml").open("rb") as file:
        return dict(tomllib.load(file).get(library, {}))


# -- where the source comes from ---------------------------------------------------------------


@dataclass(frozen=True)
class _Package:
    """A package's source files: module name -> path relative to the folder holding the package."""

    name: str
    version: str
    files: dict[str, str]
    read: Callable[[str], bytes]
    origin: str = ""  #: where the source was found


def _installed_package(name: str) -> _Package:
    """The installed package, found without importing it (a top-level find_spec runs no code)."""
    try:
        spec = importlib.util.find_spec(name) if name.isidentifier() else None
    except (ImportError, ValueError):
        spec = None
    if spec is None or not (spec.origin or spec.submodule_search_locations):
        raise LibraryNotFound(f"target library {name!r} is not installed: pip install {name}")
    if spec.submodule_search_locations:
        folder = Path(next(iter(spec.submodule_search_locations)))
        root = folder.parent
        paths = [p.relative_to(root).as_posix() for p in sorted(folder.rglob("*.py"))]
    else:
        root = Path(spec.origin or "").parent
        paths = [Path(spec.origin or "").name]
    files = _modules_of(name, paths)
    package = _Package(name, "", files, lambda path: (root / path).read_bytes(), str(root))
    return _Package(name, _installed_version(name, package), files, package.read, package.origin)


def _installed_version(name: str, package: _Package) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return _static_version(package) or "unknown"


def _static_version(package: _Package) -> str | None:
    """`__version__ = "1.2"` in the package's top module, read without running it."""
    path = package.files.get(package.name)
    match = (
        re.search(rb"""^__version__\s*=\s*["']([^"']+)["']""", package.read(path or ""), re.M)
        if path
        else None
    )
    return match.group(1).decode() if match else None


def _release_package(name: str, version: str, index: str, cache_dir: Path | None) -> _Package:
    """One release's package from its sdist: downloaded, unpacked in memory, never run."""
    folder = (cache_dir or Path.cwd()) / "sdists"
    try:
        files = sources.release_files(name, version, index, folder)
    except (OSError, ValueError, tarfile.TarError, zipfile.BadZipFile) as error:
        raise LibraryNotFound(
            f"{name}=={version}: cannot fetch its source distribution: {error} (check --pypi-index)"
        ) from None
    prefix = next(
        (p[: -len(f"{name}/__init__.py")] for p in sorted(files, key=len)
         if p.endswith(f"{name}/__init__.py") and p.count("/") <= 2),
        None,
    )  # fmt: skip
    if prefix is None:
        raise LibraryNotFound(f"{name}=={version}: its source distribution has no {name}/ package")
    paths = [
        p[len(prefix) :] for p in files if p.startswith(prefix + name + "/") and p.endswith(".py")
    ]
    return _Package(name, version, _modules_of(name, paths), lambda path: files[prefix + path])


def _modules_of(name: str, paths: list[str]) -> dict[str, str]:
    """Module name -> file, for every module importable as such (folders without __init__.py
    are namespace packages: read to resolve names, never public, see `_Reader`)."""
    modules: dict[str, str] = {}
    numbered = {path.rpartition("/")[0] for path in paths if path.rpartition("/")[2][:1].isdigit()}
    for path in paths:
        parts = path[:-3].split("/")
        if parts[-1] == "__init__":
            parts.pop()
        folder = path.rpartition("/")[0]
        folders_skipped = SKIPPED_PARTS.intersection(folder.split("/")) or folder in numbered
        if not all(part.isidentifier() for part in parts):
            continue
        if parts[0] == name and not folders_skipped and parts[-1] not in _SKIPPED_FILES:
            modules[".".join(parts)] = path
    return modules


def _in_packages(path: str, packages: set[str]) -> bool:
    """Whether every folder above the file has an __init__.py (as pkgutil walks packages)."""
    folders = path.split("/")[:-1]
    return all("/".join(folders[:depth]) in packages for depth in range(1, len(folders) + 1))


def is_public_module(dotted: str) -> bool:
    return not any(part.startswith("_") for part in dotted.split("."))


# -- reading the modules -----------------------------------------------------------------------


@dataclass
class _Module:
    """What one module binds at its top level, as written."""

    name: str
    path: str
    is_package: bool
    defined: dict[str, ast.stmt] = field(default_factory=dict)
    imported: dict[str, str] = field(default_factory=dict)  #: local -> absolute dotted source
    explicit: set[str] = field(default_factory=set)  #: `import x as x`: a re-export on purpose
    stars: list[str] = field(default_factory=list)  #: modules star-imported, in order
    all_statements: list[ast.stmt] = field(default_factory=list)  #: every statement on __all__
    loaded: frozenset[str] = frozenset()  #: every name the module's code reads, at any depth

    @classmethod
    def parse(cls, name: str, path: str, tree: ast.Module) -> _Module:
        found = cls(name, path, path.endswith("__init__.py"))
        found.loaded = frozenset(
            node.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
        )
        for statement in _top_level_statements(tree.body):
            if isinstance(statement, ast.ImportFrom):
                source = _absolute_module(name, found.is_package, statement)
                for alias in statement.names:
                    if alias.name == "*":
                        found.stars.append(source)
                        continue
                    local = alias.asname or alias.name
                    found.imported[local] = f"{source}.{alias.name}"
                    if alias.asname == alias.name:
                        found.explicit.add(local)
            elif isinstance(statement, ast.Import):
                for alias in statement.names:
                    if alias.asname:
                        found.imported[alias.asname] = alias.name
            else:
                if _binds_all(statement):
                    found.all_statements.append(statement)
                for bound in _bound_names(statement):
                    if bound not in found.defined or _is_overload(found.defined[bound]):
                        found.defined[bound] = statement
        return found


def _top_level_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Module-level statements, looking inside if/try blocks (never `if TYPE_CHECKING:`, which
    binds nothing at run time) but never into defs."""
    for statement in body:
        if isinstance(statement, ast.If):
            if not _is_type_checking(statement.test):
                yield from _top_level_statements(statement.body)
            yield from _top_level_statements(statement.orelse)
        elif isinstance(statement, ast.Try):
            nested = statement.body + statement.orelse + statement.finalbody
            for handler in statement.handlers:
                nested += handler.body
            yield from _top_level_statements(nested)
        else:
            yield statement


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _bound_names(statement: ast.stmt) -> list[str]:
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [statement.name]
    if isinstance(statement, ast.Assign):
        return [t.id for t in statement.targets if isinstance(t, ast.Name)]
    if isinstance(statement, ast.AnnAssign) and statement.value is not None:
        return [statement.target.id] if isinstance(statement.target, ast.Name) else []
    return []


def _is_overload(statement: ast.stmt) -> bool:
    """An `@overload` stub: the real definition follows it and has the docstring."""
    decorators = getattr(statement, "decorator_list", [])
    return any(_last_name(d) == "overload" for d in decorators)


def _last_name(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _binds_all(statement: ast.stmt) -> bool:
    if isinstance(statement, ast.Assign | ast.AugAssign | ast.AnnAssign):
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        return any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets)
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        func = statement.value.func
        return (
            isinstance(func, ast.Attribute)
            and func.attr in ("extend", "append")
            and isinstance(func.value, ast.Name)
            and func.value.id == "__all__"
        )
    return False


def _absolute_module(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """Resolve `from ..x import y` inside `module` to an absolute module name."""
    if not node.level:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


class _Reader:
    """Parses modules on demand and answers what each binds and where each name is defined."""

    def __init__(self, package: _Package) -> None:
        self.package = package
        packages = {
            p.rpartition("/")[0] for p in package.files.values() if p.endswith("/__init__.py")
        }
        self.public = sorted(
            module
            for module, path in package.files.items()
            if is_public_module(module) and _in_packages(path, packages)
        )
        self._parsed: dict[str, _Module | None] = {}
        self._namespaces: dict[str, dict[str, str]] = {}
        self._alls: dict[str, list[str] | None] = {}
        self._busy: set[str] = set()  # modules whose namespace is being built (import cycles)

    def module(self, name: str) -> _Module | None:
        if name not in self._parsed:
            self._parsed[name] = self._parse(name)
        return self._parsed[name]

    def _parse(self, name: str) -> _Module | None:
        path = self.package.files.get(name)
        if path is None:
            return None
        try:
            tree = ast.parse(self.package.read(path), filename=path)
        except (OSError, SyntaxError, ValueError, RecursionError, MemoryError) as error:
            log.warning("%s: module %s not read (%s); its names are left out", path, name, error)
            return None
        return _Module.parse(name, path, tree)

    def namespace(self, name: str) -> dict[str, str]:
        """Every name the module binds -> the absolute dotted path it was bound from."""
        if name in self._namespaces:
            return self._namespaces[name]
        module = self.module(name)
        if module is None or name in self._busy:
            return {}
        self._busy.add(name)
        bound: dict[str, str] = {}
        for source in module.stars:
            bound.update(self.star_exports(source))
        bound.update(module.imported)
        bound.update({n: f"{name}.{n}" for n in module.defined})
        self._busy.discard(name)
        self._namespaces[name] = bound
        return bound

    def star_exports(self, name: str) -> dict[str, str]:
        """What `from name import *` binds: its __all__, or its public names."""
        names = self.all_names(name)
        space = self.namespace(name)
        if names is None:
            return {n: path for n, path in space.items() if not n.startswith("_")}
        return {n: space.get(n, f"{name}.{n}") for n in names}

    def all_names(self, name: str) -> list[str] | None:
        """The module's `__all__` when it can be read statically, else None."""
        if name not in self._alls:
            self._alls[name] = None  # a cycle reads as "unknown"
            module = self.module(name)
            self._alls[name] = self._evaluate_all(module) if module else None
        return self._alls[name]

    def _evaluate_all(self, module: _Module) -> list[str] | None:
        names: list[str] | None = None
        for statement in module.all_statements:
            if isinstance(statement, ast.Assign | ast.AnnAssign):
                names = self._strings(module, statement.value)
            elif isinstance(statement, ast.AugAssign):
                more = self._strings(module, statement.value)
                names = None if names is None or more is None else names + more
            elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
                call = statement.value
                func = call.func
                assert isinstance(func, ast.Attribute)
                if len(call.args) != 1 or names is None:
                    return None
                arg = call.args[0]
                more = (
                    self._strings(module, arg)
                    if func.attr == "extend"
                    else (
                        [arg.value]
                        if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                        else None
                    )
                )
                names = None if more is None else names + more
        return names

    def _strings(self, module: _Module, node: ast.expr | None) -> list[str] | None:
        """A list of strings built from literals, `+` and other modules' `__all__`."""
        if isinstance(node, ast.List | ast.Tuple):
            values = [e.value for e in node.elts if isinstance(e, ast.Constant)]
            strings = [v for v in values if isinstance(v, str)]
            return strings if len(strings) == len(node.elts) else None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self._strings(module, node.left), self._strings(module, node.right)
            return None if left is None or right is None else left + right
        if isinstance(node, ast.Name) and node.id in module.imported:
            source, _, attribute = module.imported[node.id].rpartition(".")
            return self.all_names(source) if attribute == "__all__" else None
        if isinstance(node, ast.Attribute) and node.attr == "__all__":
            dotted = _dotted(node.value)
            source = module.imported.get(dotted, dotted) if dotted else ""
            return self.all_names(source) if source else None
        return None

    def resolve(self, dotted: str) -> str:
        """Follow a chain of imports to the module that defines the name."""
        seen: set[str] = set()
        while dotted not in seen:
            seen.add(dotted)
            module_name, _, name = dotted.rpartition(".")
            module = self.module(module_name)
            if module is None or name in module.defined:
                return dotted
            bound = self.namespace(module_name).get(name)
            if bound is None:
                return dotted
            dotted = bound
        return dotted

    def definition(self, dotted: str) -> tuple[_Module, ast.stmt] | None:
        module_name, _, name = dotted.rpartition(".")
        module = self.module(module_name)
        if module is None or name not in module.defined:
            return None
        return module, module.defined[name]

    def intentional(self, module: _Module, name: str) -> bool:
        """Whether `module` re-exports `name` on purpose (see the module docstring)."""
        listed = self.all_names(module.name)
        if (listed is not None and name in listed) or name in module.explicit:
            return True
        if name not in module.imported:
            return name not in module.defined  # bound by a star import
        source = module.imported[name].rpartition(".")[0]
        return module.is_package and source.startswith(module.name + ".")

    # -- building the targets -------------------------------------------------------------------

    def targets(self) -> tuple[list[Target], dict[str, str]]:
        """One Target per public definition, with the public paths that re-export it on
        purpose as aliases; and the paths that bind one incidentally -> its qualname."""
        paths: dict[str, list[str]] = {}  # definition -> public paths that re-export it
        incidental: dict[str, list[str]] = {}  # definition -> paths that merely import it
        public = set(self.public)
        for module_name in self.public:
            module = self.module(module_name)
            if module is None:
                continue
            for local, source in self.namespace(module_name).items():
                if local.startswith("_"):
                    continue
                defined_here = local in module.defined
                dotted = f"{module_name}.{local}" if defined_here else self.resolve(source)
                found = self.definition(dotted)
                if found is None or dotted.rpartition(".")[2].startswith("_"):
                    continue
                path = f"{module_name}.{local}"
                if defined_here or self.intentional(module, local):
                    paths.setdefault(dotted, []).append(path)
                elif found[0].name in public:
                    # an import the module never reads is there for others: a re-export
                    # (`from ..exc import NoResultFound`, unread, in sqlalchemy.orm.exc)
                    unread = local in module.imported and local not in module.loaded
                    (paths if unread else incidental).setdefault(dotted, []).append(path)
        built = []
        for dotted, reached in paths.items():
            module, statement = self.definition(dotted) or (None, None)
            assert module is not None and statement is not None
            if _is_type_variable(statement):
                continue
            canonical = dotted if module.name in public else _closest(module.name, reached)
            built.append(
                self._target(canonical, module, statement, [p for p in reached if p != canonical])
            )
        kept = {target.qualname for target in built}
        by_path = {
            path: dotted for dotted, found in incidental.items() if dotted in kept for path in found
        }
        return sorted(built, key=lambda t: t.qualname), by_path

    def _target(
        self, qualname: str, module: _Module, statement: ast.stmt, aliases: list[str]
    ) -> Target:
        public_module, _, name = qualname.rpartition(".")
        kind = self._kind(module, statement)
        summary = _first_paragraph(self._docstring(module, statement, set()))
        return Target(
            qualname=qualname,
            module=public_module,
            name=name,
            kind=kind,
            aliases=tuple(sorted(aliases, key=lambda a: (a.count("."), a))),
            summary=summary,
            source_path=module.path,
            line=statement.lineno,
            keywords=_keywords(statement),
            required=_required(statement),
        )

    def _bases(self, module: _Module, statement: ast.ClassDef) -> Iterator[str]:
        """Each base class as an absolute dotted path (library bases resolved to their definition)."""
        space = self.namespace(module.name)
        for base in statement.bases:
            dotted = _dotted(base)
            if not dotted:
                continue
            head, _, rest = dotted.partition(".")
            if head in space:
                yield self.resolve(".".join(filter(None, [space[head], rest])))
            else:
                yield (
                    dotted
                    if head != dotted or head not in module.defined
                    else f"{module.name}.{head}"
                )

    def _kind(self, module: _Module, statement: ast.stmt) -> str:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            return "object" if _wrapped_in_object(statement) else "function"
        if isinstance(statement, ast.ClassDef):
            return "exception" if self._is_exception(module, statement, set()) else "class"
        value = getattr(statement, "value", None)
        dotted = _dotted(value) if value is not None else ""
        if dotted:  # `Alias = Original`: the original's kind
            head, _, rest = dotted.partition(".")
            source = self.namespace(module.name).get(head)
            found = (
                self.definition(self.resolve(".".join(filter(None, [source, rest]))))
                if source
                else None
            )
            if found is not None and found[1] is not statement:
                return self._kind(*found)
        return "object"

    def _is_exception(self, module: _Module, statement: ast.ClassDef, seen: set[str]) -> bool:
        for base in self._bases(module, statement):
            if base in seen:
                continue
            seen.add(base)
            found = self.definition(base)
            if found is not None and isinstance(found[1], ast.ClassDef):
                if self._is_exception(found[0], found[1], seen):
                    return True
            elif found is None and _external_exception(base):
                return True
        return False

    def _docstring(self, module: _Module, statement: ast.stmt, seen: set[str]) -> str:
        """The definition's docstring, or for a class without one, the nearest base class's."""
        if not isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            return ""
        own = ast.get_docstring(statement) or ""
        if own or not isinstance(statement, ast.ClassDef):
            return own
        for base in self._bases(module, statement):
            found = self.definition(base)
            if found is not None and base not in seen:
                seen.add(base)
                inherited = self._docstring(*found, seen)
                if inherited:
                    return inherited
        return ""

    def existing(self) -> frozenset[str]:
        """Every module, and every name every module binds, private ones included."""
        names = set(self.package.files)
        for name in self.package.files:
            names.update(f"{name}.{local}" for local in self.namespace(name))
        return frozenset(names)

    def foreign(self) -> dict[str, str]:
        """`module.name` -> its origin, for every public name a module of the library binds by
        importing it from outside the library (the `from blinker import Namespace` of
        flask.signals)."""
        found: dict[str, str] = {}
        for name in self.package.files:
            for local, source in self.namespace(name).items():
                if local.startswith("_"):
                    continue
                origin = self.resolve(source)
                if origin.partition(".")[0] != self.package.name:
                    found[f"{name}.{local}"] = origin
        return found


def _closest(defining: str, paths: list[str]) -> str:
    """The public path nearest to a private definition: sqlalchemy.sql._x.select -> sqlalchemy.sql.select."""
    parts = defining.split(".")

    def distance(path: str) -> tuple[int, int, str]:
        module = path.rpartition(".")[0].split(".")
        shared = next(
            (i for i, (a, b) in enumerate(zip(parts, module, strict=False)) if a != b),
            min(len(parts), len(module)),
        )
        return (-shared, len(module), path)

    return min(paths, key=distance)


def _keywords(statement: ast.stmt) -> tuple[str, ...] | None:
    """The names a function accepts as keyword arguments; None when it takes any (**kwargs)
    or is not a function (a call with another keyword then fails: rank.outdated_reason)."""
    if not isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef) or statement.args.kwarg:
        return None
    return tuple(arg.arg for arg in (*statement.args.args, *statement.args.kwonlyargs))


def _required(statement: ast.stmt) -> tuple[str, ...] | None:
    """The positional parameters a call of a function must give (those without a default)."""
    if not isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    positional = [*statement.args.posonlyargs, *statement.args.args]
    return tuple(arg.arg for arg in positional[: len(positional) - len(statement.args.defaults)])


def _dotted(node: ast.expr | None) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else ""
    return ""


def _wrapped_in_object(statement: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A function its outermost decorator turns into an object: `@LocalProxy`, `@click.command()`."""
    if not statement.decorator_list:
        return False
    name = _last_name(statement.decorator_list[0])
    return name[:1].isupper() or name in _OBJECT_DECORATORS


def _is_type_variable(statement: ast.stmt) -> bool:
    """T = TypeVar("T") and friends: typing plumbing, not API anyone calls."""
    value = getattr(statement, "value", None)
    return isinstance(value, ast.Call) and _last_name(value.func) in _TYPE_VARIABLES


def _external_exception(dotted: str) -> bool:
    """A base class from outside the library: a builtin exception, or named like one."""
    name = dotted.rpartition(".")[2]
    builtin = getattr(builtins, name, None) if "." not in dotted else None
    if isinstance(builtin, type):
        return issubclass(builtin, BaseException)
    return name.endswith(("Error", "Exception", "Warning"))


def _first_paragraph(docstring: str) -> str:
    paragraph = docstring.strip().split("\n\n", 1)[0]
    return " ".join(line.strip() for line in paragraph.splitlines())



"""Targets: the public API of the target library, discovered from its installed source.

Definitions are found statically (every module's top-level defs, classes and
assignments), so objects such as ``flask.request`` get a defining module even
though they are instances of another library's class. Re-exports are followed
statically (``from .helpers import make_response as make_response``) and then
confirmed at runtime by identity: ``flask.make_response is flask.helpers.make_response``.
"""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import importlib.util
import inspect
import logging
import pkgutil
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TypeVar

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from miner.model import MinerError, Target
from miner.resources import resource_dir

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Library:
    """The target library at one version, with everything the scan needs to resolve names."""

    name: str
    version: str
    modules: frozenset[str]  #: every public module, e.g. flask, flask.helpers, flask.json
    targets: tuple[Target, ...]
    #: every attribute of every module, private ones included (what the library still has)
    existing: frozenset[str] = frozenset()
    display_name: str = ""  #: "Flask"
    home_url: str = ""
    source_url: str = ""  #: link template with {version}, {path} and {line}

    def alias_index(self) -> dict[str, str]:
        """Every import path of every target (canonical and re-exports) -> canonical qualname."""
        index: dict[str, str] = {}
        for target in self.targets:
            index[target.qualname] = target.qualname
            for alias in target.aliases:
                index[alias] = target.qualname
        return index


class LibraryNotFound(MinerError):
    """The target library is not importable in miner's environment."""


def discover(library: str = "flask") -> Library:
    """Discover the public modules and names of an installed library."""
    try:
        package = importlib.import_module(library)
    except ImportError as error:
        raise LibraryNotFound(
            f"target library {library!r} is not installed ({error}): pip install {library}"
        ) from error
    version = _version_of(library)
    root = Path(package.__file__ or "").parent.parent
    modules = _public_modules(package)
    definitions = {}
    for name in modules:
        located = _locate_source(root, name)
        if located is not None:
            path, tree = located
            definitions[name] = _Definitions.collect(name, path, tree)
    targets = _build_targets(definitions, modules)
    log.info("%s %s: %d modules, %d public names", library, version, len(modules), len(targets))
    links = _link_settings(library)
    return Library(
        library,
        version,
        frozenset(modules),
        tuple(targets),
        existing=_existing_names(modules),
        display_name=links.get("display_name", library),
        home_url=links.get("home", ""),
        source_url=links.get("source", ""),
    )


def _existing_names(modules: list[str]) -> frozenset[str]:
    """Every attribute path of every module, so that a use of a removed name can be told apart
    from a use of a private one that still exists."""
    names = set()
    for module in modules:
        try:
            runtime = importlib.import_module(module)
        except ImportError:
            continue
        names.update(f"{module}.{name}" for name in dir(runtime))
    return frozenset(names)


def _link_settings(library: str) -> dict[str, str]:
    """The library's entry in data/libraries.toml, if it has one."""
    with (resource_dir("data") / "libraries.toml").open("rb") as file:
        return dict(tomllib.load(file).get(library, {}))


def _version_of(library: str) -> str:
    """The distribution version, falling back to the module's __version__ attribute."""
    try:
        return importlib.metadata.version(library)
    except importlib.metadata.PackageNotFoundError:
        return str(getattr(importlib.import_module(library), "__version__", "unknown"))


def _public_modules(package: ModuleType) -> list[str]:
    """The package and every submodule with no underscore-prefixed component."""
    submodules = pkgutil.walk_packages(
        package.__path__, prefix=package.__name__ + ".", onerror=lambda _name: None
    )
    public = [info.name for info in submodules if not _is_private(info.name)]
    return sorted([package.__name__, *public])


def _is_private(dotted: str) -> bool:
    return any(part.startswith("_") for part in dotted.split("."))


def _locate_source(root: Path, module: str) -> tuple[str, ast.Module] | None:
    """The module's source path relative to site-packages, and its syntax tree."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return None
    path = Path(spec.origin)
    return path.relative_to(root).as_posix(), ast.parse(path.read_bytes(), filename=str(path))


@dataclass
class _Definitions:
    """What one module defines itself, and what it imports from elsewhere."""

    module: str
    path: str
    defined: dict[str, ast.stmt]  #: public name -> defining statement
    imported: dict[str, str]  #: local public name -> absolute dotted source ("flask.helpers.x")

    @classmethod
    def collect(cls, module_name: str, path: str, tree: ast.Module) -> _Definitions:
        found = cls(module_name, path, {}, {})
        is_package = found.path.endswith("__init__.py")
        for statement in _top_level_statements(tree.body):
            if isinstance(statement, ast.ImportFrom):
                source = _absolute_module(module_name, is_package, statement)
                for alias in statement.names:
                    local = alias.asname or alias.name
                    if alias.name != "*" and not local.startswith("_"):
                        found.imported[local] = f"{source}.{alias.name}"
            else:
                for name in _bound_names(statement):
                    if not name.startswith("_"):
                        found.defined.setdefault(name, statement)
        return found


def _top_level_statements(body: list[ast.stmt]) -> list[ast.stmt]:
    """Module-level statements, looking inside if/try blocks but never into defs."""
    statements: list[ast.stmt] = []
    for statement in body:
        if isinstance(statement, ast.If | ast.Try):
            nested = statement.body + statement.orelse
            if isinstance(statement, ast.Try):
                nested += statement.finalbody
                for handler in statement.handlers:
                    nested += handler.body
            statements.extend(_top_level_statements(nested))
        else:
            statements.append(statement)
    return statements


def _bound_names(statement: ast.stmt) -> list[str]:
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [statement.name]
    if isinstance(statement, ast.Assign):
        return [t.id for t in statement.targets if isinstance(t, ast.Name)]
    if isinstance(statement, ast.AnnAssign) and statement.value is not None:
        return [statement.target.id] if isinstance(statement.target, ast.Name) else []
    return []


def _absolute_module(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """Resolve `from ..x import y` inside `module` to an absolute module name."""
    if not node.level:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _build_targets(definitions: dict[str, _Definitions], modules: list[str]) -> list[Target]:
    """One Target per defined public name, with every identity-confirmed re-export path."""
    canonical: dict[str, Target] = {}
    for module, found in definitions.items():
        runtime = importlib.import_module(module)
        for name, statement in found.defined.items():
            # Type variables (T = TypeVar("T")) are typing plumbing, not API anyone calls.
            if hasattr(runtime, name) and not isinstance(getattr(runtime, name), TypeVar):
                canonical[f"{module}.{name}"] = _target(module, name, statement, found, runtime)
    aliases: dict[str, list[str]] = {qualname: [] for qualname in canonical}
    for module, found in definitions.items():
        for local, source in found.imported.items():
            qualname = _follow(source, definitions, modules)
            if qualname in canonical and _same_object(module, local, qualname):
                aliases[qualname].append(f"{module}.{local}")
    return [
        _with_aliases(target, sorted(aliases[qualname], key=lambda a: (a.count("."), a)))
        for qualname, target in sorted(canonical.items())
    ]


def _follow(dotted: str, definitions: dict[str, _Definitions], modules: list[str]) -> str:
    """Follow a chain of imports to the module that defines the name."""
    seen: set[str] = set()
    while dotted not in seen:
        seen.add(dotted)
        module, _, name = dotted.rpartition(".")
        found = definitions.get(module)
        if found is None or name in found.defined or name not in found.imported:
            return dotted
        dotted = found.imported[name]
    return dotted


def _same_object(module: str, local: str, qualname: str) -> bool:
    """The runtime identity check that confirms a statically found re-export."""
    defining_module, _, name = qualname.rpartition(".")
    try:
        alias_obj = getattr(importlib.import_module(module), local)
        real_obj = getattr(importlib.import_module(defining_module), name)
    except (ImportError, AttributeError):
        return False
    return alias_obj is real_obj


def _target(
    module: str, name: str, statement: ast.stmt, found: _Definitions, runtime: ModuleType
) -> Target:
    obj = getattr(runtime, name)
    docstring = ""
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        docstring = ast.get_docstring(statement) or ""
    return Target(
        qualname=f"{module}.{name}",
        module=module,
        name=name,
        kind=_kind(obj),
        summary=_first_paragraph(docstring),
        source_path=found.path,
        line=statement.lineno,
    )


def _kind(obj: object) -> str:
    if inspect.isclass(obj):
        return "exception" if issubclass(obj, BaseException) else "class"
    if inspect.isfunction(obj) or inspect.isbuiltin(obj):
        return "function"
    return "object"


def _first_paragraph(docstring: str) -> str:
    paragraph = docstring.strip().split("\n\n", 1)[0]
    return " ".join(line.strip() for line in paragraph.splitlines())


def _with_aliases(target: Target, aliases: list[str]) -> Target:
    return Target(
        qualname=target.qualname,
        module=target.module,
        name=target.name,
        kind=target.kind,
        aliases=tuple(aliases),
        summary=target.summary,
        source_path=target.source_path,
        line=target.line,
    )

"""Name resolution over a LibCST tree: which loads are bound by the library's imports.

One walk collects every scope's bindings and every load (by hand, field by field: LibCST's
visitor dispatch and ScopeProvider cost more than the parse). Positions are computed once
afterwards for names and statements only, then only loads of names that a library import
binds are followed upwards through attribute chains.

Resolution follows Python's scoping rules, so shadowing (parameters, local defs,
comprehension variables, class attributes, global/nonlocal) is respected by construction.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from miner.model import Resolution, Use, UseKind
from miner.shapes import Tree, dotted, result_of, shape_of
from miner.syntax import Positions, children

if TYPE_CHECKING:
    from miner.scan import ProjectLinks, ScanContext

LOAD, STORE, DELETE = 0, 1, 2

_DEFINITIONS = (cst.FunctionDef, cst.ClassDef)
_STATEMENTS = (cst.BaseSmallStatement, cst.BaseCompoundStatement)


def _concrete(*bases: type) -> frozenset[type]:
    found: set[type] = set()
    todo = list(bases)
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        found.add(cls)
    return frozenset(found)


#: The nodes whose positions a scan needs: names, imports, statements, decorators, handlers.
POSITIONED = _concrete(
    cst.Name,
    cst.Attribute,
    cst.ImportAlias,
    cst.Decorator,
    cst.ExceptHandler,
    cst.ExceptStarHandler,
    *_STATEMENTS,
)


@dataclass(frozen=True, slots=True)
class _Binding:
    """A library path bound to a name, and how we know."""

    dotted: str
    resolution: Resolution


@dataclass(eq=False)
class _Bind:
    """One place where a scope binds a name; `binding` is set when it comes from the library."""

    node: cst.CSTNode  #: where the binding is written: its line decides what is in force
    name: str
    top: int  #: index of the top-level statement holding it
    is_import: bool
    binding: _Binding | None = None
    line: int = 0


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


_Item = tuple[cst.CSTNode, _Scope, int]
_Handler = Callable[["Resolver", cst.CSTNode, _Scope, int, list[_Item]], None]


class Resolver:
    """Collects the bindings of every scope, then follows loads of library bindings."""

    def __init__(
        self,
        module: cst.Module,
        text: str,
        context: ScanContext,
        links: ProjectLinks,
        outlined: Collection[int] = (),
        whole: Collection[int] = (),
    ) -> None:
        """`outlined` and `whole`: ids of nodes an outline wants positions of (see
        miner.outline.walk); the code generation for positions then notes them too."""
        self.context = context
        self.links = links
        self.parents: dict[cst.CSTNode, cst.CSTNode] = {}
        self.stored: dict[cst.CSTNode, int] = {}  #: Attribute/Subscript targets: STORE or DELETE
        self.loads: list[tuple[cst.Name, _Scope, int]] = []  #: with their top-level statement
        self.starred: set[str] = set()  #: names any star import binds
        self.aliasing: list[tuple[str, str]] = []  #: `x = a.b`: (x, a), a rebinding candidate
        self.binds: list[_Bind] = []
        self.imports: list[tuple[cst.ImportAlias, str, _Binding]] = []
        self.found: list[Use] = []
        self.missing: list[tuple[int, str]] = []  #: library paths the library does not have
        self.foreign: list[tuple[int, str]] = []  #: library paths bound to another library's name
        self.stores: dict[cst.Name, _Bind] = {}  #: for following `mr = make_response`
        self.rebound = 0
        self.module_scope = _Scope("module", None)
        self.top = 0
        for self.top, statement in enumerate(module.body):
            self.parents[statement] = module
            self._walk(statement, self.module_scope)
        self.candidates = self._candidates()
        wanted = {bind.top for bind in self.binds if bind.name in self.candidates}
        wanted.update(top for node, _scope, top in self.loads if node.value in self.candidates)
        self.positions = Positions(module, POSITIONED, text, wanted, outlined, whole)
        self.lines = self.positions.lines
        self.tree = Tree(self.parents, self.stored)
        for bind in self.binds:
            if bind.name in self.candidates:
                bind.line = self.positions.line(bind.node)
        for alias, dotted_path, binding in self.imports:
            self._record_import(alias, dotted_path, binding)
        self._uses: list[Use] | None = None

    def _candidates(self) -> set[str]:
        """Every name a load could resolve through: bound by a library import, by a star
        import, or assigned from such a name (`mr = make_response`). Only statements holding
        these need positions; loads of any other name are never followed.
        """
        names = {bind.name for bind in self.binds if bind.binding is not None}
        names.update(self.starred)
        while True:
            more = {target for target, root in self.aliasing if root in names} - names
            if not more:
                return names
            names |= more

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
        missing_imports, foreign_imports = list(self.missing), list(self.foreign)
        for _ in range(2):
            rebound = self.rebound
            self.found = list(imports)
            self.missing, self.foreign = list(missing_imports), list(foreign_imports)
            for node, scope, _top in self.loads:
                if node.value in self.candidates:
                    self._resolve_load(node, scope)
            if self.rebound == rebound:
                break
        return self.found

    # -- pass 1: scopes and bindings ---------------------------------------------------

    def _walk(self, root: cst.CSTNode, scope: _Scope) -> None:
        """Depth-first, in source order, without recursion: deep expressions cost no stack."""
        stack: list[_Item] = [(root, scope, LOAD)]
        parents = self.parents
        handlers = _HANDLERS
        while stack:
            node, scope, mode = stack.pop()
            handler = handlers.get(type(node))
            if handler is not None:
                handler(self, node, scope, mode, stack)
                continue
            kids = children(node)
            for kid in reversed(kids):
                parents[kid] = node
                stack.append((kid, scope, LOAD))

    def _bind(self, scope: _Scope, name: str, node: cst.CSTNode, is_import: bool = False,
              binding: _Binding | None = None) -> _Bind:  # fmt: skip
        bind = _Bind(node, name, self.top, is_import, binding)
        self.binds.append(bind)
        scope.add(name, bind)
        return bind

    def _name(self, node: cst.Name, scope: _Scope, mode: int, stack: list[_Item]) -> None:
        if mode == LOAD:
            self.loads.append((node, scope, self.top))
        else:
            self.stores[node] = self._bind(scope, node.value, node)

    def _target(self, node: cst.CSTNode, scope: _Scope, mode: int, stack: list[_Item]) -> None:
        """Tuples, lists, starred and their elements pass a store down to their names."""
        _push(self, stack, node, scope, children(node), mode)

    def _attribute(self, node: cst.Attribute, scope: _Scope, mode: int, stack: list[_Item]) -> None:
        if mode != LOAD:
            self.stored[node] = mode
        self.parents[node.value] = node
        stack.append((node.value, scope, LOAD))

    def _subscript(self, node: cst.Subscript, scope: _Scope, mode: int, stack: list[_Item]) -> None:
        if mode != LOAD:
            self.stored[node] = mode
        _push(self, stack, node, scope, [node.value, *node.slice])

    def _call(self, node: cst.Call, scope: _Scope, mode: int, stack: list[_Item]) -> None:
        _push(self, stack, node, scope, [node.func, *node.args])

    def _arg(self, node: cst.Arg, scope: _Scope, mode: int, stack: list[_Item]) -> None:
        _push(self, stack, node, scope, [node.value])

    def _assign(self, node: cst.Assign, scope: _Scope, mode: int, stack: list[_Item]) -> None:
        target, root = node.targets[0].target, node.value
        while isinstance(root, cst.Attribute):
            root = root.value
        if len(node.targets) == 1 and isinstance(target, cst.Name) and isinstance(root, cst.Name):
            self.aliasing.append((target.value, root.value))
        _push(self, stack, node, scope, [node.value])
        _push(self, stack, node, scope, node.targets, STORE)

    def _assign_target(self, node: cst.AssignTarget, scope: _Scope, mode: int,
                       stack: list[_Item]) -> None:  # fmt: skip
        _push(self, stack, node, scope, [node.target], STORE)

    def _ann_assign(self, node: cst.AnnAssign, scope: _Scope, mode: int, stack: list[_Item]) -> None:
        _push(self, stack, node, scope, [node.annotation, *([node.value] if node.value else [])])
        _push(self, stack, node, scope, [node.target], STORE)

    def _aug_assign(self, node: cst.AugAssign, scope: _Scope, mode: int, stack: list[_Item]) -> None:
        _push(self, stack, node, scope, [node.value])
        _push(self, stack, node, scope, [node.target], STORE)

    def _delete(self, node: cst.Del, scope: _Scope, mode: int, stack: list[_Item]) -> None:
        _push(self, stack, node, scope, [node.target], DELETE)

    def _for(self, node: cst.For, scope: _Scope, mode: int, stack: list[_Item]) -> None:
        _push(self, stack, node, scope, [node.iter, node.body, *_optional(node.orelse)])
        _push(self, stack, node, scope, [node.target], STORE)

    def _with_item(self, node: cst.WithItem, scope: _Scope, mode: int, stack: list[_Item]) -> None:
        if node.asname is not None:
            self.parents[node.asname] = node
            _push(self, stack, node.asname, scope, [node.asname.name], STORE)
        _push(self, stack, node, scope, [node.item])

    def _handler(self, node: cst.ExceptHandler, scope: _Scope, mode: int,
                 stack: list[_Item]) -> None:  # fmt: skip
        if node.name is not None and isinstance(node.name.name, cst.Name):
            self._bind(scope, node.name.name.value, node)
        _push(self, stack, node, scope, [*_optional(node.type), node.body])

    def _named_expr(self, node: cst.NamedExpr, scope: _Scope, mode: int, stack: list[_Item]) -> None:
        _push(self, stack, node, scope, [node.value])
        target_scope = scope
        while target_scope.kind == "comprehension" and target_scope.parent is not None:
            target_scope = target_scope.parent
        if isinstance(node.target, cst.Name):
            self.parents[node.target] = node
            self._bind(target_scope, node.target.value, node.target)

    def _global(self, node: cst.Global, scope: _Scope, mode: int, stack: list[_Item]) -> None:
        scope.declared_global.update(item.name.value for item in node.names)

    def _nonlocal(self, node: cst.Nonlocal, scope: _Scope, mode: int, stack: list[_Item]) -> None:
        scope.declared_nonlocal.update(item.name.value for item in node.names)

    def _match_name(self, node: cst.CSTNode, scope: _Scope, mode: int, stack: list[_Item]) -> None:
        """`case x`, `case [*rest]`, `case {**rest}`: the names a pattern binds."""
        name = getattr(node, "rest" if isinstance(node, cst.MatchMapping) else "name", None)
        if isinstance(name, cst.Name):
            self.parents[name] = node
            self._bind(scope, name.value, name)
        kids = [kid for kid in children(node) if kid is not name]
        _push(self, stack, node, scope, kids)

    def _match_keyword(self, node: cst.MatchKeywordElement, scope: _Scope, mode: int,
                       stack: list[_Item]) -> None:  # fmt: skip
        _push(self, stack, node, scope, [node.pattern])

    def _skip(self, node: cst.CSTNode, scope: _Scope, mode: int, stack: list[_Item]) -> None:
        """Literals and `case None`: nothing to bind or load."""

    def _type_alias(self, node: cst.TypeAlias, scope: _Scope, mode: int, stack: list[_Item]) -> None:
        inner = _Scope("function", scope)
        _push(self, stack, node, inner, [*_optional(node.type_parameters), node.value])
        _push(self, stack, node, scope, [node.name], STORE)

    def _type_param(self, node: cst.CSTNode, scope: _Scope, mode: int, stack: list[_Item]) -> None:
        name = getattr(node, "name", None)
        if isinstance(name, cst.Name):
            self.parents[name] = node
            self._bind(scope, name.value, name)
        _push(self, stack, node, scope, [kid for kid in children(node) if kid is not name])

    def _definition(self, node: cst.FunctionDef | cst.ClassDef, scope: _Scope, mode: int,
                    stack: list[_Item]) -> None:  # fmt: skip
        """Decorators, defaults, bases and annotations belong to the enclosing scope."""
        self.parents[node.name] = node
        self._bind(scope, node.name.value, node)
        if isinstance(node, cst.ClassDef):
            inner = _Scope("class", scope)
            _push(self, stack, node, inner, [*_optional(node.type_parameters), node.body])
            _push(self, stack, node, scope, [*node.decorators, *node.bases, *node.keywords])
            return
        inner = _Scope("function", scope)
        self._declare(node.body, inner)
        _push(self, stack, node, inner, [*_optional(node.type_parameters), node.body])
        self._parameters(node, node.params, scope, inner, stack)
        _push(self, stack, node, scope, [*node.decorators, *_optional(node.returns)])

    def _lambda(self, node: cst.Lambda, scope: _Scope, mode: int, stack: list[_Item]) -> None:
        inner = _Scope("function", scope)
        _push(self, stack, node, inner, [node.body])
        self._parameters(node, node.params, scope, inner, stack)

    def _parameters(self, owner: cst.CSTNode, params: cst.Parameters, scope: _Scope,
                    inner: _Scope, stack: list[_Item]) -> None:  # fmt: skip
        self.parents[params] = owner
        every = [*params.posonly_params, *params.params, *params.kwonly_params]
        every += [p for p in (params.star_arg, params.star_kwarg) if isinstance(p, cst.Param)]
        outer: list[cst.CSTNode] = []
        for param in every:
            self.parents[param] = params
            self.parents[param.name] = param
            self._bind(inner, param.name.value, param.name)
            outer += [*_optional(param.annotation), *_optional(param.default)]
        _push(self, stack, params, scope, outer)

    def _declare(self, body: cst.BaseSuite, scope: _Scope) -> None:
        """`global x` anywhere in a function body governs every binding of x in it."""
        todo: list[cst.CSTNode] = [body]
        while todo:
            node = todo.pop()
            if isinstance(node, cst.Global):
                scope.declared_global.update(item.name.value for item in node.names)
            elif isinstance(node, cst.Nonlocal):
                scope.declared_nonlocal.update(item.name.value for item in node.names)
            elif isinstance(node, cst.SimpleStatementLine | cst.SimpleStatementSuite):
                todo.extend(node.body)
            elif isinstance(node, cst.BaseCompoundStatement | cst.BaseSuite):
                todo.extend(_statement_children(node))

    def _comprehension(self, node: cst.CSTNode, scope: _Scope, mode: int,
                       stack: list[_Item]) -> None:  # fmt: skip
        """The first iterable is evaluated outside; everything else in the comprehension's scope."""
        inner = _Scope("comprehension", scope)
        results = [node.key, node.value] if isinstance(node, cst.DictComp) else [node.elt]  # type: ignore[attr-defined]
        _push(self, stack, node, inner, results)
        comp_for: cst.CompFor | None = node.for_in  # type: ignore[attr-defined]
        parent: cst.CSTNode = node
        levels = []
        while comp_for is not None:
            levels.append((comp_for, parent))
            parent, comp_for = comp_for, comp_for.inner_for_in
        for index in reversed(range(len(levels))):
            comp_for, parent = levels[index]
            self.parents[comp_for] = parent
            _push(self, stack, comp_for, inner, list(comp_for.ifs))
            _push(self, stack, comp_for, inner, [comp_for.target], STORE)
            _push(self, stack, comp_for, scope if index == 0 else inner, [comp_for.iter])

    def _import(self, node: cst.Import | cst.ImportFrom, scope: _Scope, mode: int,
                stack: list[_Item]) -> None:  # fmt: skip
        if isinstance(node, cst.Import | cst.LazyImport):
            self._bind_plain_import(node, scope)
        else:
            self._bind_from_import(node, scope)

    def _bind_from_import(self, node: cst.ImportFrom, scope: _Scope) -> None:
        module = self._absolute(node)
        level = len(node.relative)
        in_library = not level and self._in_library(module)
        exported = self.links.exports.get(module, {})
        if isinstance(node.names, cst.ImportStar):
            star = self.context.star_names(module) if in_library else exported
            scope.star_names.update(star)
            self.starred.update(star)
            return
        for alias in node.names:
            self.parents[alias] = node
            name = dotted(alias.name)
            binding = None
            if in_library:
                path = f"{module}.{name}"
                binding = _Binding(path, self._from_resolution(alias, name, path))
            elif name in exported:
                binding = _Binding(exported[name], Resolution.CROSS_FILE)
            if binding is not None:
                self.imports.append((alias, binding.dotted, binding))
            self._bind(scope, _asname(alias) or name, alias, True, binding)

    def _bind_plain_import(self, node: cst.Import, scope: _Scope) -> None:
        for alias in node.names:
            self.parents[alias] = node
            # `import a.b` binds `a`; `import a.b as c` binds c to a.b.
            asname = _asname(alias)
            full = dotted(alias.name)
            path = full if asname else full.split(".")[0]
            binding = None
            if self._in_library(path):
                resolution = Resolution.ALIAS if asname else Resolution.MODULE_ATTRIBUTE
                binding = _Binding(path, resolution)
                self.imports.append((alias, path, binding))
            self._bind(scope, asname or path, alias, True, binding)

    def _absolute(self, node: cst.ImportFrom) -> str:
        """`from ..compat import x` inside this project module, as an absolute module name."""
        name = dotted(node.module) if node.module is not None else ""
        level = len(node.relative)
        if not level:
            return name
        package = self.links.module.split(".")
        if not self.links.is_package:
            package = package[:-1]
        base = package[: len(package) - (level - 1)] if level > 1 else package
        return ".".join([*base, name] if name else base)

    def _from_resolution(self, alias: cst.ImportAlias, name: str, path: str) -> Resolution:
        asname = _asname(alias)
        if asname is not None and asname != name:
            return Resolution.ALIAS
        qualname = self.context.index.get(path)
        if qualname is None:  # a submodule, e.g. `from flask import helpers`
            return Resolution.MODULE_ATTRIBUTE
        return Resolution.DIRECT if qualname == path else Resolution.REEXPORT

    def _record_import(self, alias: cst.ImportAlias, path: str, binding: _Binding) -> None:
        qualname = self.context.index.get(path)
        if qualname is not None:
            shape = f"import {qualname.rpartition('.')[2]}"
            span = self.positions.span(alias)
            # An import's use is measured by the alias itself, whatever encloses it; it is
            # written as the library path imported (django.forms.ValidationError), which tells
            # the import paths projects use (see aliases.redirect_map).
            self._append(alias, qualname, UseKind.IMPORT, binding.resolution, path, shape,
                         "", "", span.end_line - span.line + 1)  # fmt: skip
        elif path not in self.context.modules:
            self._flag_missing(self.positions.line(alias), path)

    def _flag_missing(self, line: int, path: str) -> None:
        """A library path that is no public name: another library's name imported by the
        library's module (`flask.signals.Namespace`, blinker's), or flagged as missing unless
        the library has it privately."""
        if path in self.context.foreign:
            self.foreign.append((line, path))
        elif path not in self.context.existing:
            self.missing.append((line, path))

    def _in_library(self, path: str) -> bool:
        return path.split(".", 1)[0] == self.context.library

    # -- pass 2: loads ----------------------------------------------------------------

    def _resolve_load(self, node: cst.Name, scope: _Scope) -> None:
        owner = scope.lookup(node.value)
        if owner is None:
            self._resolve_star(node, scope)
            return
        line = self.positions.line(node)
        binds = owner.binds[node.value]
        if owner is scope and owner.kind == "class" and all(b.line > line for b in binds):
            # A class body runs top to bottom: before its own binding, a name is the global one
            # (`render = staticmethod(render)` ahead of `def render`).
            outer = scope.parent.lookup(node.value) if scope.parent is not None else None
            if outer is None:
                self._resolve_star(node, scope)
                return
            binds = outer.binds[node.value]
        if not any(bind.binding is not None for bind in binds):
            return  # nothing the library bound: whichever bind is in force, no use
        bind = _bind_in_force(binds, line, self._in_handler)
        if bind is not None and bind.binding is not None:
            self._resolve_access(node, bind.binding)

    def _in_handler(self, node: cst.CSTNode) -> bool:
        """Whether a binding sits in an `except` clause of its scope: a fallback, maybe unused."""
        ancestor = self.parents.get(node)
        while ancestor is not None and not isinstance(ancestor, (*_DEFINITIONS, cst.Lambda)):
            if isinstance(ancestor, cst.ExceptHandler | cst.ExceptStarHandler):
                return True
            ancestor = self.parents.get(ancestor)
        return False

    def _resolve_star(self, node: cst.Name, scope: _Scope) -> None:
        path = scope.star_binding(node.value)
        if path is not None:
            self._resolve_access(node, _Binding(path, Resolution.STAR))

    def _resolve_access(self, node: cst.BaseExpression, binding: _Binding) -> None:
        """Extend the access through attribute chains until it names a target."""
        path = binding.dotted
        while True:
            qualname = self.context.index.get(path)
            if qualname is not None:
                self._record_use(node, qualname, binding.resolution)
                return
            if path not in self.context.modules:
                self._flag_missing(self.positions.line(node), path)  # e.g. flask.Markup
                return
            parent = self.parents.get(node)
            if not (isinstance(parent, cst.Attribute) and parent.value is node):
                return
            node, path = parent, f"{path}.{parent.attr.value}"

    def _record_use(self, node: cst.BaseExpression, qualname: str, resolution: Resolution) -> None:
        kind = self._kind(node)
        name = qualname.rpartition(".")[2]
        enclosing, enclosing_lines = self._enclosing(node)
        self._append(
            node,
            qualname,
            kind,
            resolution,
            dotted(node),
            shape_of(node, name, kind, self.tree),
            result_of(node, self.tree),
            enclosing,
            enclosing_lines,
        )
        if kind is UseKind.VALUE:
            self._follow_rebinding(node, qualname)

    def _follow_rebinding(self, node: cst.BaseExpression, qualname: str) -> None:
        """`mr = make_response` makes every later load of `mr` a use too."""
        parent = self.parents.get(node)
        if not (isinstance(parent, cst.Assign) and parent.value is node):
            return
        if len(parent.targets) != 1 or not isinstance(parent.targets[0].target, cst.Name):
            return
        bind = self.stores.get(parent.targets[0].target)
        if bind is not None and bind.binding is None:
            bind.binding = _Binding(qualname, Resolution.ALIAS)
            self.rebound += 1

    # -- recording ----------------------------------------------------------------------

    def _append(self, node: cst.CSTNode, qualname: str, kind: UseKind, resolution: Resolution,
                written_as: str, shape: str, result: str, enclosing: str,
                enclosing_lines: int) -> None:  # fmt: skip
        span = self.positions.span(node)
        self.found.append(
            Use(
                qualname=qualname,
                kind=kind,
                resolution=resolution,
                line=span.line,
                column=span.column,
                end_line=span.end_line,
                end_column=span.end_column,
                enclosing=enclosing,
                written_as=written_as,
                line_text=self.lines[span.line - 1] if span.line <= len(self.lines) else "",
                shape=shape,
                result=result,
                enclosing_lines=enclosing_lines,
            )
        )

    def _kind(self, node: cst.BaseExpression) -> UseKind:
        """Classify a use by the syntax around the expression that names the target."""
        parent = self.parents.get(node)
        grandparent = self.parents.get(parent) if parent is not None else None
        if isinstance(parent, cst.Call) and parent.func is node:
            if isinstance(grandparent, cst.Decorator):
                return UseKind.DECORATOR
            if isinstance(grandparent, cst.Raise) and grandparent.exc is parent:
                return UseKind.RAISE
            return UseKind.CALL
        if isinstance(parent, cst.Attribute | cst.Subscript) and parent.value is node:
            return UseKind.ANNOTATION if self._in_annotation(node) else UseKind.ATTRIBUTE
        if isinstance(parent, cst.Decorator):
            return UseKind.DECORATOR
        if (
            isinstance(parent, cst.Arg)
            and isinstance(grandparent, cst.ClassDef)
            and not parent.star
            and any(base is parent for base in grandparent.bases)
        ):
            return UseKind.SUBCLASS
        if isinstance(parent, cst.Raise) or (
            isinstance(parent, cst.From) and isinstance(grandparent, cst.Raise)
        ):
            return UseKind.RAISE
        if self._in_except_clause(node):
            return UseKind.EXCEPT
        if self._in_annotation(node):
            return UseKind.ANNOTATION
        return UseKind.VALUE

    def _in_except_clause(self, node: cst.CSTNode) -> bool:
        parent = self.parents.get(node)
        if isinstance(parent, cst.Element):
            node = self.parents.get(parent)  # type: ignore[assignment]
            parent = self.parents.get(node) if isinstance(node, cst.Tuple) else None
        return isinstance(parent, cst.ExceptHandler | cst.ExceptStarHandler) and (
            parent.type is node
        )

    def _in_annotation(self, node: cst.CSTNode) -> bool:
        ancestor = self.parents.get(node)
        while ancestor is not None:
            if isinstance(ancestor, cst.Annotation | cst.TypeAlias | cst.TypeParam):
                return True  # type aliases and type parameter bounds are type expressions
            if isinstance(ancestor, _STATEMENTS):
                return False
            ancestor = self.parents.get(ancestor)
        return False

    def _enclosing(self, node: cst.CSTNode) -> tuple[str, int]:
        """The dotted enclosing definition, and the length in lines of the innermost one.

        A use at module level counts 1, as the `ast` scan stored it (it measured the module
        node, which has no span).
        """
        names: list[str] = []
        innermost: cst.CSTNode | None = None
        ancestor = self.parents.get(node)
        while ancestor is not None:
            if isinstance(ancestor, _DEFINITIONS):
                names.append(ancestor.name.value)
                innermost = innermost or ancestor
            ancestor = self.parents.get(ancestor)
        if innermost is None:
            return "", 1
        first = self._first_line(innermost)
        return ".".join(reversed(names)), self._last_line(innermost) - first + 1

    def _first_line(self, node: cst.CSTNode) -> int:
        """A statement's first line, decorators included."""
        decorators = getattr(node, "decorators", None)
        return self.positions.line(decorators[0] if decorators else node)

    def _last_line(self, node: cst.CSTNode) -> int:
        """The last line of a statement's code, as `ast` counts it (no trailing comments)."""
        while True:
            if isinstance(node, cst.BaseSmallStatement | cst.BaseExpression | cst.ImportAlias):
                return self.positions.end_line(node)
            last = _last_statement(node)
            if last is None:
                return self.positions.line(node)
            node = last


def _last_statement(node: cst.CSTNode) -> cst.CSTNode | None:
    """The statement a compound statement, suite or line ends with."""
    if isinstance(node, cst.SimpleStatementLine | cst.SimpleStatementSuite):
        return node.body[-1] if node.body else None
    if isinstance(node, cst.IndentedBlock):
        return node.body[-1] if node.body else None
    if isinstance(node, cst.Try | cst.TryStar):
        for part in (node.finalbody, node.orelse):
            if part is not None:
                return part.body
        return node.handlers[-1].body if node.handlers else node.body
    if isinstance(node, cst.Match):
        return node.cases[-1].body if node.cases else None
    orelse = getattr(node, "orelse", None)
    if orelse is not None:
        return orelse.body if isinstance(orelse, cst.Else) else orelse
    return getattr(node, "body", None)


def _statement_children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """Statements and suites directly inside a compound statement or suite."""
    if isinstance(node, cst.BaseSuite):
        return list(node.body)
    found: list[cst.CSTNode] = []
    for part in (
        getattr(node, "body", None),
        *getattr(node, "handlers", ()),
        *getattr(node, "cases", ()),
        getattr(node, "orelse", None),
        getattr(node, "finalbody", None),
    ):
        if isinstance(part, cst.BaseSuite):
            found.append(part)
        elif part is not None:
            found.extend(_statement_children(part) if not isinstance(part, cst.If) else [part])
    return found


def _push(resolver: Resolver, stack: list[_Item], parent: cst.CSTNode, scope: _Scope,
          kids: list[cst.CSTNode] | tuple[cst.CSTNode, ...], mode: int = LOAD) -> None:  # fmt: skip
    """Queue `kids` (in source order) under `parent`."""
    parents = resolver.parents
    for kid in reversed(kids):
        parents[kid] = parent
        stack.append((kid, scope, mode))


def _optional(node: cst.CSTNode | None) -> list[cst.CSTNode]:
    return [] if node is None else [node]


def _asname(alias: cst.ImportAlias) -> str | None:
    if alias.asname is None:
        return None
    name = alias.asname.name
    return name.value if isinstance(name, cst.Name) else None


def _bind_in_force(
    binds: list[_Bind], line: int, in_handler: Callable[[cst.CSTNode], bool]
) -> _Bind | None:
    """The binding in force at a load (scopes are flow-insensitive, so approximate by lines).

    Take the last binding written before the load (all of them if none precedes it, as in
    a function body that reads a name bound further down). If that is another import, or
    a fallback in an `except` clause, a library import among the earlier ones still counts:
    alternative bindings of one name (`try: from quart import x` / `except ImportError: from
    flask import x`, or `except ImportError: x = None`) are conditional, both may be in force.
    """
    before = [bind for bind in binds if bind.line <= line] or binds
    last = max(before, key=lambda bind: bind.line)
    if last.binding is None and (last.is_import or in_handler(last.node)):
        library_imports = [b for b in before if b.is_import and b.binding is not None]
        return library_imports[-1] if library_imports else last
    return last


_HANDLERS: dict[type, Callable[..., None]] = {
    cst.Name: Resolver._name,
    cst.Tuple: Resolver._target,
    cst.List: Resolver._target,
    cst.Element: Resolver._target,
    cst.StarredElement: Resolver._target,
    cst.Attribute: Resolver._attribute,
    cst.Subscript: Resolver._subscript,
    cst.Call: Resolver._call,
    cst.Arg: Resolver._arg,
    cst.Assign: Resolver._assign,
    cst.AssignTarget: Resolver._assign_target,
    cst.AnnAssign: Resolver._ann_assign,
    cst.AugAssign: Resolver._aug_assign,
    cst.Del: Resolver._delete,
    cst.For: Resolver._for,
    cst.WithItem: Resolver._with_item,
    cst.ExceptHandler: Resolver._handler,
    cst.ExceptStarHandler: Resolver._handler,
    cst.NamedExpr: Resolver._named_expr,
    cst.Global: Resolver._global,
    cst.Nonlocal: Resolver._nonlocal,
    cst.MatchAs: Resolver._match_name,
    cst.MatchStar: Resolver._match_name,
    cst.MatchMapping: Resolver._match_name,
    cst.MatchKeywordElement: Resolver._match_keyword,
    cst.MatchSingleton: Resolver._skip,
    cst.SimpleString: Resolver._skip,
    cst.Integer: Resolver._skip,
    cst.Float: Resolver._skip,
    cst.Imaginary: Resolver._skip,
    cst.TypeAlias: Resolver._type_alias,
    cst.TypeVar: Resolver._type_param,
    cst.TypeVarTuple: Resolver._type_param,
    cst.ParamSpec: Resolver._type_param,
    cst.FunctionDef: Resolver._definition,
    cst.ClassDef: Resolver._definition,
    cst.Lambda: Resolver._lambda,
    cst.ListComp: Resolver._comprehension,
    cst.SetComp: Resolver._comprehension,
    cst.GeneratorExp: Resolver._comprehension,
    cst.DictComp: Resolver._comprehension,
    cst.Import: Resolver._import,
    cst.ImportFrom: Resolver._import,
    cst.LazyImport: Resolver._import,
    cst.LazyImportFrom: Resolver._import,
}


"""A file's outline: what ranking and rendering need from its syntax, made in the scan's parse.

The scan parses each file once with LibCST (miner/syntax.py). Excerpts and scores need more
than the uses: statement spans and their blocks (to cut between statements), string literals
(to strip docstrings and tell comments from string lines), the names read, bound and passed
on each line, imports, and the element spans of long statements. `build` reads all of it from
the scan's tree in one walk plus one code generation for positions, and the result is stored
with the file's text, so nothing after the scan parses a file again.

Lines and spans are those the standard library's ``ast`` reports (``lineno``/``end_lineno``,
decorators apart), which the excerpt rules were written against: tests/test_outline.py checks
every field against ``ast`` on tricky snippets. Only `ELEMENTS_FROM`-line statements and
longer keep their element spans (only long statements are cut between elements).

An outline is plain data: frozen dataclasses, stored as zlib-compressed JSON (`dumps`/`loads`).
"""

from __future__ import annotations

import hashlib
import json
import sys
import zlib
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import libcst as cst

from miner import syntax


def _key() -> str:
    digest = hashlib.sha256(str(OUTLINE_VERSION).encode())
    for module in (sys.modules[__name__], syntax):
        with open(module.__file__ or "", "rb") as source:
            digest.update(source.read())
    return digest.hexdigest()[:16]

#: Bump when what an outline holds or how it is computed changes: stored outlines of another
#: version are not read (part of `KEY`, with this module's code).
OUTLINE_VERSION = 1

#: Statements spanning more lines than this keep the spans of their elements. The excerpt cuts
#: a statement between elements only when it is longer than its CONTEXT_LINES (20), which must
#: not be below this.
ELEMENTS_FROM = 12

#: Statement kinds (``ast`` classes they stand for): def (FunctionDef, AsyncFunctionDef),
#: class, import, from (ImportFrom), try, trystar, if, match, handler (an except clause),
#: assign (Assign), annassign, return, raise, break, continue, pass, str and bytes (a
#: statement that is only that literal), other.
KINDS = frozenset(
    "def class import from try trystar if match handler assign annassign return raise break "
    "continue pass str bytes other".split()
)


@dataclass(frozen=True, slots=True)
class Node:
    """An expression or statement a long statement may be cut inside: its lines, and the
    containers (lists, tuples, sets, dicts, calls, from-imports) within it, outermost first."""

    first: int
    last: int
    lo: int  #: FileOutline.containers[lo:hi] lie inside it, in pre-order
    hi: int


@dataclass(frozen=True, slots=True)
class Container:
    """A list, tuple, set, dict, call or ``from`` import: its lines and its elements'.

    An element is (first line, last line, the expression it is, None for an imported name);
    a dict item runs from its key to its value, a keyword argument from its name to its value
    (the expression is the value).
    """

    first: int
    last: int
    parts: tuple[tuple[int, int, Node | None], ...]


@dataclass(frozen=True, slots=True, eq=False)
class Statement:
    """One statement (or except clause) with its blocks, as ``ast`` counts its lines."""

    kind: str
    first: int  #: first line, decorators included
    line: int  #: the line its keyword (or code) starts on: ``ast``'s lineno
    last: int  #: ``ast``'s end_lineno: trailing comments of its body are not part of it
    own_line: bool  #: nothing but indentation precedes it on its line (decorated: True)
    blocks: tuple[tuple[Statement, ...], ...] = ()  #: body, handlers, orelse, finalbody, cases
    name: str = ""  #: def and class: its name; assign: the one name assigned, if so
    pattern: int = 0  #: match: the line of its first case's pattern
    alone: bool = False  #: str/bytes: only a comment shares its lines
    elements: Node | None = None  #: long simple statements: where they may be cut
    index: int = 0  #: its place in a pre-order walk of the file's statements


@dataclass(frozen=True, slots=True)
class Import:
    """One name an import statement binds."""

    bound: str  #: the name bound ("os" for ``import os.path``)
    module: str  #: the top-level module it comes from; "." for a relative import
    statement: int  #: Statement.index of the import
    line: int  #: the line of the imported name
    absolute: bool  #: ``import x`` or ``from x import y`` (not relative)


@dataclass(frozen=True, slots=True, eq=False)
class FileOutline:
    """Everything later stages read from a file's syntax (see the module docstring).

    Compared and hashed by identity: caches keyed by it hold one entry per loaded outline.
    """

    body: tuple[Statement, ...]
    #: (first, last) of every string literal spanning several lines (f-strings too)
    strings: tuple[tuple[int, int], ...] = ()
    imports: tuple[Import, ...] = ()  #: in the order ``ast.walk`` meets them
    loads: dict[int, tuple[str, ...]] = field(default_factory=dict)  #: line -> names read
    binds: dict[int, tuple[str, ...]] = field(default_factory=dict)  #: line -> names bound
    #: line -> names passed as call arguments (positional, keyword or ``**``)
    passed: dict[int, tuple[str, ...]] = field(default_factory=dict)
    #: Statement.index of a def -> the module-level def/class names bound inside it
    locals: dict[int, tuple[str, ...]] = field(default_factory=dict)
    containers: tuple[Container, ...] = ()
    statements: tuple[Statement, ...] = ()  #: every statement, by index

    @property
    def definitions(self) -> dict[str, Statement]:
        """Module-level defs and classes by name (the last one wins, as in Python)."""
        return {s.name: s for s in self.body if s.kind in ("def", "class")}


# --- building ----------------------------------------------------------------------------------

_LOAD, _STORE = 0, 1
_CONSTANT_NAMES = frozenset({"True", "False", "None"})
_STRING_TYPES = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)
_SIMPLE_KINDS: dict[type, str] = {
    cst.Assign: "assign",
    cst.AnnAssign: "annassign",
    cst.Return: "return",
    cst.Raise: "raise",
    cst.Break: "break",
    cst.Continue: "continue",
    cst.Pass: "pass",
    cst.Import: "import",
    cst.ImportFrom: "from",
}
for _lazy, _kind in (("LazyImport", "import"), ("LazyImportFrom", "from")):
    if hasattr(cst, _lazy):
        _SIMPLE_KINDS[getattr(cst, _lazy)] = _kind


class _Proto:
    """A statement before positions are known."""

    __slots__ = ("blocks", "depth", "elements", "first", "kind", "name", "node", "pattern")

    def __init__(self, kind: str, node: cst.CSTNode, depth: int, name: str = "") -> None:
        self.kind, self.node, self.depth, self.name = kind, node, depth, name
        self.first: cst.CSTNode = node
        self.blocks: list[list[_Proto]] = []
        self.pattern: cst.CSTNode | None = None
        self.elements: tuple[int, int] | None = None


class Walked:
    """One walk over a module's tree collecting statements, names and containers."""

    def __init__(self, module: cst.Module) -> None:
        self.wanted: set[int] = set()  # ids of nodes whose syntactic position is needed
        self.parens: set[int] = set()  # ids of tuple parentheses, whose whole position is
        self.names: list[tuple[cst.CSTNode, str, int]] = []  # (node, name, _LOAD or _STORE)
        self.params: list[cst.CSTNode] = []  # Param.name nodes
        self.def_names: list[tuple[_Proto, str]] = []
        self.passed: list[cst.Name] = []
        self.strings: list[cst.CSTNode] = []
        self.imports: list[tuple[_Proto, int, str, str, cst.CSTNode, bool]] = []
        self.containers: list[list] = []  # [node, first, last, [(a, b, item, lo, hi)]]
        self.tuple_parens: dict[int, tuple[cst.CSTNode, cst.CSTNode]] = {}
        #: id of a generator that is a call's only argument -> (the call's func, the call)
        self.bare_generators: dict[int, tuple[cst.CSTNode, cst.CSTNode]] = {}
        self.top_defs = {
            s.name.value for s in module.body if isinstance(s, cst.FunctionDef | cst.ClassDef)
        }
        self.open_defs: list[set[str]] = []
        self.locals: dict[_Proto, set[str]] = {}
        self.body = self._block(module.body, 1)

    # -- names --

    def _bind(self, name: str) -> None:
        if name in self.top_defs:
            for bound in self.open_defs:
                bound.add(name)

    def _want(self, node: cst.CSTNode) -> cst.CSTNode:
        self.wanted.add(id(node))
        return node

    # -- statements --

    def _block(self, statements: Sequence[cst.CSTNode], depth: int) -> list[_Proto]:
        found: list[_Proto] = []
        for statement in statements:
            if isinstance(statement, cst.SimpleStatementLine):
                found.extend(self._small(small, depth) for small in statement.body)
            else:
                found.append(self._compound(statement, depth))
        return found

    def _suite(self, suite: cst.BaseSuite, depth: int) -> list[_Proto]:
        if isinstance(suite, cst.SimpleStatementSuite):
            return [self._small(small, depth) for small in suite.body]
        return self._block(suite.body, depth)  # type: ignore[attr-defined]

    def _small(self, node: cst.CSTNode, depth: int) -> _Proto:
        kind = _SIMPLE_KINDS.get(type(node), "other")
        proto = _Proto(kind, self._want(node), depth)
        start = len(self.containers)
        self._small_parts(node, proto, depth)
        if len(self.containers) > start:
            proto.elements = (start, len(self.containers))
        return proto

    def _small_parts(self, node: cst.CSTNode, proto: _Proto, depth: int) -> None:
        kind = proto.kind
        if isinstance(node, cst.Expr):
            proto.kind = _string_kind(node.value)
            self._expr(node.value, _LOAD)
        elif isinstance(node, cst.Assign):
            targets = node.targets
            if len(targets) == 1 and isinstance(targets[0].target, cst.Name):
                proto.name = targets[0].target.value
            for target in targets:
                self._expr(target.target, _STORE)
            self._expr(node.value, _LOAD)
        elif isinstance(node, cst.AnnAssign | cst.AugAssign):
            self._expr(node.target, _STORE)
            if isinstance(node, cst.AnnAssign):
                self._expr(node.annotation.annotation, _LOAD)
            if node.value is not None:
                self._expr(node.value, _LOAD)
        elif isinstance(node, cst.Del):
            self._expr(node.target, _STORE)
        elif kind == "import":
            for alias in node.names:  # type: ignore[attr-defined]
                dotted = _dotted(alias.name)
                bound = alias.asname.name.value if alias.asname else dotted  # type: ignore[union-attr]
                self._bind(bound)
                self.imports.append((proto, depth, bound.split(".")[0], dotted.split(".")[0],
                                     self._want(alias), True))
        elif kind == "from":
            self._import_from(node, proto, depth)  # type: ignore[arg-type]
        elif isinstance(node, cst.Global | cst.Nonlocal):
            pass
        else:  # return, raise, assert, type alias and the rest: their expressions
            for child in syntax.children(node):
                if isinstance(node, cst.TypeAlias) and child is node.name:
                    self._expr(child, _STORE)
                else:
                    self._expr(child, _LOAD)

    def _import_from(self, node: cst.ImportFrom, proto: _Proto, depth: int) -> None:
        relative = bool(node.relative)
        module = "." if relative else _dotted(node.module).split(".")[0] if node.module else ""
        absolute = not relative and node.module is not None
        if isinstance(node.names, cst.ImportStar):
            self._bind("*")
            self.imports.append((proto, depth, "*", module, node, absolute))
            return
        parts = []
        for alias in node.names:
            bound = alias.asname.name.value if alias.asname else _dotted(alias.name)  # type: ignore[union-attr]
            self._bind(bound)
            self.imports.append((proto, depth, bound, module, self._want(alias), absolute))
            parts.append((alias, alias, None, 0, 0))
        self.containers.append([node, node, node, parts])

    def _compound(self, node: cst.CSTNode, depth: int) -> _Proto:
        inner = depth + 1
        if isinstance(node, cst.FunctionDef | cst.ClassDef):
            is_def = isinstance(node, cst.FunctionDef)
            proto = _Proto("def" if is_def else "class", self._want(node), depth, node.name.value)
            self._bind(node.name.value)  # in the enclosing scopes, not its own
            self.def_names.append((proto, node.name.value))
            if is_def:
                bound: set[str] = set()
                self.locals[proto] = bound
                self.open_defs.append(bound)
            if node.decorators:
                proto.first = self._want(node.decorators[0].decorator)
            for decorator in node.decorators:
                self._expr(decorator.decorator, _LOAD)
            if isinstance(node, cst.FunctionDef):
                self._parameters(node.params)
                if node.returns is not None:
                    self._expr(node.returns.annotation, _LOAD)
            else:
                for arg in (*node.bases, *node.keywords):
                    self._expr(arg.value, _LOAD)
            if node.type_parameters is not None:
                self._expr_children(node.type_parameters, _LOAD)
            proto.blocks.append(self._suite(node.body, inner))
            if is_def:
                self.open_defs.pop()
            return proto
        if isinstance(node, cst.If):
            proto = _Proto("if", self._want(node), depth)
            self._expr(node.test, _LOAD)
            proto.blocks.append(self._suite(node.body, inner))
            if isinstance(node.orelse, cst.If):
                proto.blocks.append([self._compound(node.orelse, inner)])
            elif node.orelse is not None:
                proto.blocks.append(self._suite(node.orelse.body, inner))
            return proto
        if isinstance(node, cst.Try | cst.TryStar):
            proto = _Proto("try" if isinstance(node, cst.Try) else "trystar", self._want(node), depth)
            proto.blocks.append(self._suite(node.body, inner))
            handlers = []
            for handler in node.handlers:
                clause = _Proto("handler", self._want(handler), inner)
                if handler.type is not None:
                    self._expr(handler.type, _LOAD)
                clause.blocks.append(self._suite(handler.body, inner + 1))
                handlers.append(clause)
            if handlers:
                proto.blocks.append(handlers)
            if node.orelse is not None:
                proto.blocks.append(self._suite(node.orelse.body, inner))
            if node.finalbody is not None:
                proto.blocks.append(self._suite(node.finalbody.body, inner))
            return proto
        if isinstance(node, cst.Match):
            proto = _Proto("match", self._want(node), depth)
            self._expr(node.subject, _LOAD)
            for case in node.cases:
                if proto.pattern is None:
                    proto.pattern = self._want(case.pattern)
                self._pattern(case.pattern)
                if case.guard is not None:
                    self._expr(case.guard, _LOAD)
                proto.blocks.append(self._suite(case.body, inner + 1))
            return proto
        proto = _Proto("other", self._want(node), depth)  # for, while, with
        if isinstance(node, cst.For):
            self._expr(node.target, _STORE)
            self._expr(node.iter, _LOAD)
        elif isinstance(node, cst.While):
            self._expr(node.test, _LOAD)
        elif isinstance(node, cst.With):
            for item in node.items:
                self._expr(item.item, _LOAD)
                if item.asname is not None:
                    self._expr(item.asname.name, _STORE)
        proto.blocks.append(self._suite(node.body, inner))  # type: ignore[attr-defined]
        orelse = getattr(node, "orelse", None)
        if orelse is not None:
            proto.blocks.append(self._suite(orelse.body, inner))
        return proto

    def _parameters(self, params: cst.Parameters) -> None:
        stars = (params.star_arg, params.star_kwarg)
        every = [*params.posonly_params, *params.params, *params.kwonly_params]
        every += [star for star in stars if isinstance(star, cst.Param)]
        for param in every:
            self.params.append(self._want(param.name))
            self._bind(param.name.value)
            if param.annotation is not None:
                self._expr(param.annotation.annotation, _LOAD)
            if param.default is not None:
                self._expr(param.default, _LOAD)

    def _pattern(self, node: cst.CSTNode) -> None:
        """Patterns bind strings in ``ast`` (no Name nodes); their classes and values are read."""
        if isinstance(node, cst.MatchValue):
            self._expr(node.value, _LOAD)
        elif isinstance(node, cst.MatchClass):
            self._expr(node.cls, _LOAD)
            for child in (*node.patterns, *node.kwds):
                self._pattern(child.pattern)
        elif isinstance(node, cst.MatchMapping):
            for element in node.elements:
                self._expr(element.key, _LOAD)
                self._pattern(element.pattern)
        elif isinstance(node, cst.MatchAs):
            if node.pattern is not None:
                self._pattern(node.pattern)
        elif isinstance(node, cst.MatchSequence | cst.MatchOr):
            for element in node.patterns:
                if isinstance(element, cst.MatchSequenceElement | cst.MatchOrElement):
                    self._pattern(element.value if isinstance(element, cst.MatchSequenceElement)
                                  else element.pattern)

    # -- expressions --

    def _expr_children(self, node: cst.CSTNode, ctx: int) -> None:
        for child in syntax.children(node):
            self._expr(child, ctx)

    def _expr(self, node: cst.CSTNode, ctx: int) -> None:
        kind = type(node)
        if kind is cst.Name:
            if node.value not in _CONSTANT_NAMES:  # type: ignore[attr-defined]
                self.names.append((self._want(node), node.value, ctx))  # type: ignore[attr-defined]
                if ctx == _STORE:
                    self._bind(node.value)  # type: ignore[attr-defined]
            return
        if kind is cst.Attribute:
            self._expr(node.value, _LOAD)  # type: ignore[attr-defined]
            return
        if kind is cst.List or kind is cst.Tuple or kind is cst.Set:
            self._sequence(node, ctx)  # type: ignore[arg-type]
            return
        if kind is cst.Dict:
            self._dict(node)  # type: ignore[arg-type]
            return
        if kind is cst.Call:
            self._call(node)  # type: ignore[arg-type]
            return
        if kind is cst.Subscript:
            self._subscript(node)  # type: ignore[arg-type]
            return
        if kind is cst.StarredElement:
            self._expr(node.value, ctx)  # type: ignore[attr-defined]
            return
        if kind is cst.NamedExpr:
            self._expr(node.target, _STORE)  # type: ignore[attr-defined]
            self._expr(node.value, _LOAD)  # type: ignore[attr-defined]
            return
        if kind is cst.Lambda:
            self._parameters(node.params)  # type: ignore[attr-defined]
            self._expr(node.body, _LOAD)  # type: ignore[attr-defined]
            return
        if kind is cst.CompFor:
            self._expr(node.target, _STORE)  # type: ignore[attr-defined]
            self._expr(node.iter, _LOAD)  # type: ignore[attr-defined]
            for test in node.ifs:  # type: ignore[attr-defined]
                self._expr(test.test, _LOAD)
            if node.inner_for_in is not None:  # type: ignore[attr-defined]
                self._expr(node.inner_for_in, _LOAD)  # type: ignore[attr-defined]
            return
        if kind in _STRING_TYPES:
            self.strings.append(self._want(node))
        elif kind is cst.GeneratorExp:
            self._parenthesized(node)  # type: ignore[arg-type]
        for child in syntax.children(node):
            self._expr(child, _LOAD)

    def _parenthesized(self, node: cst.Tuple | cst.GeneratorExp) -> None:
        """``ast`` counts the innermost parentheses of a tuple or generator as its own."""
        if node.lpar:
            self.tuple_parens[id(node)] = (node.lpar[-1], node.rpar[0])
            self.parens.update((id(node.lpar[-1]), id(node.rpar[0])))

    def _sequence(self, node: cst.List | cst.Tuple | cst.Set, ctx: int) -> None:
        entry: list = [node, node, node, []]
        if isinstance(node, cst.Tuple):
            self._parenthesized(node)
        self._want(node)
        self.containers.append(entry)
        for element in node.elements:
            item = element if isinstance(element, cst.StarredElement) else element.value
            self._want(item)
            lo = len(self.containers)
            self._expr(item, ctx)
            entry[3].append((item, item, item, lo, len(self.containers)))

    def _dict(self, node: cst.Dict) -> None:
        entry: list = [self._want(node), node, node, []]
        self.containers.append(entry)
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                self._want(element.key)
                self._expr(element.key, _LOAD)
                start = element.key
            else:
                start = element.value
            value = self._want(element.value)
            lo = len(self.containers)
            self._expr(value, _LOAD)
            entry[3].append((start, value, value, lo, len(self.containers)))

    def _call(self, node: cst.Call) -> None:
        entry: list = [self._want(node), node, node, []]
        self.containers.append(entry)
        self._expr(node.func, _LOAD)
        if len(node.args) == 1 and isinstance(node.args[0].value, cst.GeneratorExp):
            if not node.args[0].value.lpar:  # f(x for x in y): the call's parentheses are its
                self.bare_generators[id(node.args[0].value)] = (self._want(node.func), node)
        for arg in node.args:
            value = self._want(arg.value)
            if isinstance(value, cst.Name) and arg.star != "*" and value.value not in _CONSTANT_NAMES:
                self.passed.append(value)
            whole = arg if (arg.keyword is not None or arg.star) else value
            item = arg if arg.star == "*" else value
            self._want(whole)
            lo = len(self.containers)
            self._expr(arg.value, _LOAD)
            entry[3].append((whole, whole, item, lo, len(self.containers)))

    def _subscript(self, node: cst.Subscript) -> None:
        self._expr(node.value, _LOAD)
        elements = node.slice
        as_tuple = len(elements) > 1 or (
            len(elements) == 1 and isinstance(elements[0].comma, cst.Comma)
        )
        entry: list = [None, elements[0], elements[-1], []]
        if as_tuple:  # ``ast`` makes x[a, b] a subscript by a tuple without parentheses
            self.containers.append(entry)
        for element in elements:
            lo = len(self.containers)
            if as_tuple:
                self._want(element)
            self._expr(element.slice, _LOAD)
            if as_tuple:
                entry[3].append((element, element, element, lo, len(self.containers)))


def _string_kind(value: cst.BaseExpression) -> str:
    """str or bytes for an expression that ``ast`` makes one str/bytes Constant, else other."""
    if isinstance(value, cst.SimpleString):
        return "bytes" if "b" in value.prefix.lower() else "str"
    if isinstance(value, cst.ConcatenatedString):
        left, right = _string_kind(value.left), _string_kind(value.right)
        return left if left == right else "other"
    return "other"


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


# --- positions ---------------------------------------------------------------------------------


class _Spans:
    """Character offsets -> lines of the generated code (the file's text exactly)."""

    def __init__(self, code: str, spans: dict[int, tuple[int, int]]) -> None:
        self.code = code
        self.spans = spans
        self.starts = [0] + [m.end() for m in syntax.NEWLINE.finditer(code)]

    def line_of(self, offset: int) -> int:
        return bisect_right(self.starts, offset)

    def first(self, node: cst.CSTNode) -> int:
        return self.line_of(self.spans[id(node)][0])

    def last(self, node: cst.CSTNode) -> int:
        return self.line_of(self.spans[id(node)][1])

    def blank_before(self, node: cst.CSTNode) -> bool:
        start = self.spans[id(node)][0]
        return not self.code[self.starts[self.line_of(start) - 1] : start].strip()

    def rest_is_comment(self, node: cst.CSTNode) -> bool:
        end = self.spans[id(node)][1]
        line = self.line_of(end)
        stop = self.starts[line] if line < len(self.starts) else len(self.code)
        rest = self.code[end:stop].strip()
        return not rest or rest.startswith("#")


def build(module: cst.Module) -> FileOutline:
    """The outline of a parsed module (its code must be the file's text, as LibCST's is)."""
    walked = walk(module)
    return finish(walked, *syntax.node_offsets(module, walked.wanted, walked.parens))


def walk(module: cst.Module) -> Walked:
    """The first half of `build`: what the outline holds, before positions. Its `wanted` and
    `parens` are the ids of the nodes whose offsets `finish` needs (the scan notes them in
    the code generation it makes for its own positions: one for both)."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20_000))  # long operator chains nest deep
    try:
        return Walked(module)
    finally:
        sys.setrecursionlimit(limit)


def finish(walked: Walked, code: str, offsets: dict[int, tuple[int, int]]) -> FileOutline:
    """The second half of `build`: the outline, from the module's code and node offsets."""
    return _finish(walked, _Spans(code, offsets))


class _Finish:
    """Turns a walk and its node offsets into statements and containers with lines.

    Methods, not nested functions: a recursive closure is a reference cycle, and the scan
    freezes what a file leaves alive (see scan._collector_paused), which would keep each
    file's tree alive with it.
    """

    def __init__(self, walked: Walked, spans: _Spans) -> None:
        self.walked, self.spans = walked, spans
        self.statements: list[Statement] = []
        self.containers: list[Container] = []
        self.made: dict[_Proto, Statement] = {}

    def node_first(self, node: cst.CSTNode) -> int:
        spans, walked = self.spans, self.walked
        if id(node) in walked.bare_generators:  # from the call's "(", just after its func
            return spans.last(walked.bare_generators[id(node)][0])
        parens = walked.tuple_parens.get(id(node))
        return spans.line_of(spans.spans[id(parens[0])][0]) if parens else spans.first(node)

    def node_last(self, node: cst.CSTNode) -> int:
        spans, walked = self.spans, self.walked
        if id(node) in walked.bare_generators:
            return spans.last(walked.bare_generators[id(node)][1])
        parens = walked.tuple_parens.get(id(node))
        return spans.line_of(spans.spans[id(parens[1])][1]) if parens else spans.last(node)

    def keep(self, lo: int, hi: int) -> tuple[int, int]:
        """Store the containers [lo, hi) of a long statement; their new range."""
        shift = len(self.containers) - lo
        first, last = self.node_first, self.node_last
        for node, start, end, parts in self.walked.containers[lo:hi]:
            made_parts = tuple(
                (
                    first(a),
                    last(b),
                    None if item is None
                    else Node(first(item), last(item), low + shift, high + shift),
                )
                for a, b, item, low, high in parts
            )
            if node is None:  # a subscript's tuple: from its first element to its last
                span = (self.spans.first(start), self.spans.last(end))
            else:
                span = (first(node), last(node))
            self.containers.append(Container(*span, made_parts))
        return lo + shift, hi + shift

    def make(self, proto: _Proto) -> Statement:
        spans, statements = self.spans, self.statements
        index = len(statements)
        statements.append(None)  # type: ignore[arg-type]  # its place in pre-order
        blocks = tuple(tuple(self.make(p) for p in block) for block in proto.blocks if block)
        node = proto.node
        line = spans.first(node)
        last = blocks[-1][-1].last if blocks else spans.last(node)
        first = spans.first(proto.first) if proto.first is not node else line
        elements = None
        if not blocks and last - first + 1 > ELEMENTS_FROM and proto.elements:
            elements = Node(first, last, *self.keep(*proto.elements))
        statement = Statement(
            kind=proto.kind,
            first=first,
            line=line,
            last=last,
            own_line=proto.first is not node or spans.blank_before(node),
            blocks=blocks,
            name=proto.name,
            pattern=spans.first(proto.pattern) if proto.pattern is not None else 0,
            alone=proto.kind in ("str", "bytes")
            and spans.blank_before(node)
            and spans.rest_is_comment(node),
            elements=elements,
            index=index,
        )
        statements[index] = statement
        self.made[proto] = statement
        return statement


def _finish(walked: Walked, spans: _Spans) -> FileOutline:
    done = _Finish(walked, spans)
    body = tuple(done.make(proto) for proto in walked.body)
    made = done.made
    imports = []
    for proto, _depth, bound, module, node, absolute in sorted(
        walked.imports, key=lambda found: (found[1], made[found[0]].index)  # ast.walk's order
    ):
        where = made[proto].line if node is proto.node else spans.first(node)
        imports.append(Import(bound, module, made[proto].index, where, absolute))
    loads: dict[int, list[str]] = {}
    binds: dict[int, list[str]] = {}
    for node, name, ctx in walked.names:
        (loads if ctx == _LOAD else binds).setdefault(spans.first(node), []).append(name)
    for node in walked.params:
        binds.setdefault(spans.first(node), []).append(node.value)  # type: ignore[attr-defined]
    for proto, name in walked.def_names:
        binds.setdefault(made[proto].line, []).append(name)
    passed: dict[int, set[str]] = {}
    for node in walked.passed:
        passed.setdefault(spans.first(node), set()).add(node.value)
    strings = sorted(
        {(first, last) for node in walked.strings
         if (first := spans.first(node)) != (last := spans.last(node))}
    )
    return FileOutline(
        body=body,
        strings=tuple(strings),
        imports=tuple(imports),
        loads={line: tuple(names) for line, names in sorted(loads.items())},
        binds={line: tuple(names) for line, names in sorted(binds.items())},
        passed={line: tuple(sorted(names)) for line, names in sorted(passed.items())},
        locals={made[p].index: tuple(sorted(b)) for p, b in walked.locals.items() if b},
        containers=tuple(done.containers),
        statements=tuple(done.statements),
    )


# --- storing -----------------------------------------------------------------------------------


def dumps(outline: FileOutline) -> bytes:
    """The outline as zlib-compressed JSON."""
    data = {
        "body": [_statement_json(s) for s in outline.body],
        "strings": outline.strings,
        "imports": [[i.bound, i.module, i.statement, i.line, int(i.absolute)] for i in outline.imports],
        "loads": _lines_json(outline.loads),
        "binds": _lines_json(outline.binds),
        "passed": _lines_json(outline.passed),
        "locals": _lines_json(outline.locals),
        "containers": [
            [c.first, c.last, [[a, b, *(_node_json(n) if n else [])] for a, b, n in c.parts]]
            for c in outline.containers
        ],
    }
    return zlib.compress(json.dumps(data, separators=(",", ":")).encode(), 6)


def loads(blob: bytes) -> FileOutline:
    """The outline `dumps` stored."""
    data = json.loads(zlib.decompress(blob))
    statements: list[Statement] = []
    body = tuple(_statement_from(item, statements) for item in data["body"])
    return FileOutline(
        body=body,
        strings=tuple((a, b) for a, b in data["strings"]),
        imports=tuple(Import(b, m, s, line, bool(a)) for b, m, s, line, a in data["imports"]),
        loads=_lines_from(data["loads"]),
        binds=_lines_from(data["binds"]),
        passed=_lines_from(data["passed"]),
        locals=_lines_from(data["locals"]),
        containers=tuple(
            Container(first, last, tuple(
                (p[0], p[1], Node(*p[2:]) if len(p) > 2 else None) for p in parts
            ))
            for first, last, parts in data["containers"]
        ),
        statements=tuple(statements),
    )


def _statement_from(item: list, statements: list[Statement]) -> Statement:
    """A stored statement, numbered in pre-order into `statements` (a function, not a
    closure: see `_Finish`)."""
    kind, first, line, last, own, name, pattern, alone, elements, blocks = item
    index = len(statements)
    statements.append(None)  # type: ignore[arg-type]
    made = Statement(
        kind, first, line, last, bool(own),
        tuple(tuple(_statement_from(s, statements) for s in block) for block in blocks),
        name, pattern, bool(alone), Node(*elements) if elements else None, index,
    )
    statements[index] = made
    return made


def _statement_json(s: Statement) -> list:
    return [
        s.kind, s.first, s.line, s.last, int(s.own_line), s.name, s.pattern, int(s.alone),
        _node_json(s.elements) if s.elements else 0,
        [[_statement_json(inner) for inner in block] for block in s.blocks],
    ]


def _node_json(node: Node) -> list[int]:
    return [node.first, node.last, node.lo, node.hi]


def _lines_json(mapping: dict[int, tuple[str, ...]]) -> list:
    return [[line, list(names)] for line, names in mapping.items()]


def _lines_from(items: Iterable[list]) -> dict[int, tuple[str, ...]]:
    return {line: tuple(names) for line, names in items}


def stored(make: Callable[[], FileOutline]) -> bytes:
    """The outline `make` makes, as `dumps` stores it; b"" if it cannot be made (the file's
    excerpts then take the fsp cut: it costs them their focus, never the crawl)."""
    try:
        return dumps(make())
    except (RecursionError, MemoryError, KeyError):
        return b""


def of_text(text: str) -> FileOutline | None:
    """Parse `text` and outline it, None if LibCST cannot: for tests and for a database
    crawled before outlines were stored (the crawl never needs this)."""
    try:
        return build(syntax.parse(text))
    except (cst.ParserSyntaxError, syntax.TooComplex, RecursionError, UnicodeError, LookupError,
            MemoryError, KeyError):
        return None


#: The outline code's key: a stored outline made under another key is not read.
KEY = _key()

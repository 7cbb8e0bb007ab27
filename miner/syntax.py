"""Project code through LibCST: a guarded parse, a cheap walk, and positions from one codegen.

LibCST's native parser reads every Python grammar (PEP 695, 701, 758, t-strings) whatever
interpreter runs miner, and its tree round-trips the source exactly. Its metadata providers
are what is slow (PositionProvider alone costs twice the parse), so this module does without
them: `children` follows only the fields that can hold names (whitespace, comments and
punctuation are skipped), and `Positions` generates the code once with a state that notes
token indexes for the nodes asked for, then turns them into lines and columns with a bisect.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from bisect import bisect_right
from collections.abc import Collection
from dataclasses import dataclass, field
from itertools import accumulate

import libcst as cst
from libcst._nodes.internal import CodegenState

#: Lines end where Python's tokenizer ends them: form feeds, \x0b, \x1c-\x1e, \x85 and
#: U+2028/U+2029 are characters inside a line (str.splitlines would split on them).
NEWLINE = re.compile(r"\r\n|\r|\n")

#: The native parser recurses per nesting level and overflows its stack (a segfault, not an
#: exception) past ~1000 brackets; CPython itself refuses more than 200.
MAX_NESTING = 200
#: Operators, dots, calls and lambdas on one line beyond which the parser turns slow (a
#: 2,000-term `a + a + ...` line takes 2 s, 4,000 terms 13 s) or recurses too deep.
MAX_CHAIN = 1000

#: Placing statements searches the text twice each: beyond this (characters x statements),
#: generating the whole module is cheaper.
_MAX_SEARCH = 50_000_000

_BRACKETS = re.compile(rb"[\[\](){}]")
_OPEN = frozenset(b"([{")
_STRINGS_AND_COMMENTS = re.compile(
    rb"(?s)\"\"\".*?\"\"\"|'''.*?'''|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'|#[^\n]*"
)
_LONG_LINE = re.compile(rb"[^\n]{%d,}" % MAX_CHAIN)
_CHAIN_TOKEN = re.compile(rb"[-+*/%@&|^~.(\[]|\blambda\b|\bnot\b|\bawait\b")
_PY2_STATEMENT = re.compile(r"^\s*(print|exec)\s+[^\s(=.,)]", re.MULTILINE)

#: Fields that never hold a name: formatting, punctuation and keywords.
_SKIPPED_FIELDS = frozenset(
    {
        "lpar",
        "rpar",
        "comma",
        "semicolon",
        "leading_lines",
        "lines_after_decorators",
        "header",
        "footer",
        "trailing_whitespace",
        "newline",
        "dot",
        "relative",
        "operator",
        "colon",
        "equal",
        "asynchronous",
        "lbracket",
        "rbracket",
        "lbrace",
        "rbrace",
        "first_line",
        "empty_lines",
        "last_line",
        "comment",
        "star_tok",
        "arrow",
    }
)


class TooComplex(Exception):
    """The bytes would crash or stall the native parser; raised before it runs."""


@functools.cache
def _fields(cls: type) -> tuple[str, ...]:
    return tuple(
        f.name
        for f in dataclasses.fields(cls)
        if f.name not in _SKIPPED_FIELDS and not f.name.startswith("whitespace")
    )


def children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The child nodes that may hold code, in field order (cheaper than `node.children`)."""
    found: list[cst.CSTNode] = []
    for name in _fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            found.append(value)
        elif type(value) is tuple or type(value) is list:
            found.extend(item for item in value if isinstance(item, cst.CSTNode))
    return found


def parse(data: bytes | str) -> cst.Module:
    """Parse bytes (so encoding cookies and BOMs are honoured), refusing what would crash it.

    (Text already decoded is parsed as it is.) Raises TooComplex, cst.ParserSyntaxError,
    UnicodeDecodeError, LookupError or RecursionError; `one_line_error` makes any of them a
    one-line reason.
    """
    _precheck(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))
    return cst.parse_module(data)


def _precheck(data: bytes) -> None:
    if _depth(data) > MAX_NESTING:
        code = _STRINGS_AND_COMMENTS.sub(b'""', data)
        if _depth(code) > MAX_NESTING:
            raise TooComplex(f"too many nested parentheses (over {MAX_NESTING})")
    for match in _LONG_LINE.finditer(data):
        if len(_CHAIN_TOKEN.findall(match.group())) > MAX_CHAIN:
            line = data.count(b"\n", 0, match.start()) + 1
            raise TooComplex(
                f"expression too long to parse (over {MAX_CHAIN} operators on line {line})"
            )


def _depth(data: bytes) -> int:
    """The deepest bracket nesting, counting brackets anywhere (cheap, may overcount)."""
    brackets = _BRACKETS.findall(data)
    if len(brackets) <= MAX_NESTING:
        return 0
    depth = deepest = 0
    for bracket in brackets:
        if bracket[0] in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(depth - 1, 0)
    return deepest


def one_line_error(error: BaseException, text: str = "") -> str:
    """A parse failure as one line: what went wrong and where."""
    if isinstance(error, cst.ParserSyntaxError):
        py2 = _PY2_STATEMENT.search(text) if text else None
        if py2 is not None:
            line = text.count("\n", 0, py2.start()) + 1
            return f"SyntaxError: Python 2 {py2.group(1)} statement (line {line})"
        message = error.message
        where = re.match(r"parser error: error at (\d+):\d+: ", message)
        message = message[where.end() :] if where else message.partition(": ")[2] or message
        if len(message) > 160:
            message = message[:157] + "..."
        # The tokenizer's errors carry no position (LibCST reports 1:1): then say none.
        return f"SyntaxError: {message}" + (f" (line {error.raw_line})" if where else "")
    if isinstance(error, TooComplex):
        return f"SyntaxError: {error}"
    if isinstance(error, RecursionError):
        return "RecursionError: nesting too deep to parse"
    if isinstance(error, LookupError):  # an unknown encoding cookie
        return f"SyntaxError: unknown encoding: {error}"
    if isinstance(error, UnicodeDecodeError):
        return f"SyntaxError: {error}"
    text_lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text_lines[0] if text_lines else ''}".strip()


@dataclass(frozen=True, slots=True)
class Span:
    """Where a node is: 1-based lines, 1-based character columns, end exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int


class _Mark:
    """Notes the token indexes around one node's code (a class: cheaper than a generator)."""

    __slots__ = ("node", "start", "state")

    def __init__(self, state: _Recorder, node: cst.CSTNode) -> None:
        self.state, self.node = state, node

    def __enter__(self) -> None:
        self.start = len(self.state.tokens)

    def __exit__(self, *exc: object) -> None:
        self.state.spans[self.node] = (self.start, len(self.state.tokens))


class _Nothing:
    """The context of a node whose position nobody needs: costs two empty calls."""

    __slots__ = ()

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        pass


_NOTHING = _Nothing()


@dataclass
class _Recorder(CodegenState):
    """Code generation that notes token indexes around the syntactic part of chosen nodes."""

    kinds: frozenset[type] = frozenset()
    spans: dict[cst.CSTNode, tuple[int, int]] = field(default_factory=dict)

    def record_syntactic_position(  # type: ignore[override]
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> _Mark | _Nothing:
        return _Mark(self, node) if type(node) in self.kinds else _NOTHING


class Positions:
    """Lines and columns of the nodes of the given kinds, from code generation.

    Only the top-level statements in `wanted` are generated (the rest hold nothing a scan
    needs), each found in `text` after the previous one: the module's code is `text`
    exactly, so a statement's code is a slice of it. When a statement's code is not found
    exactly once ahead, the whole module is generated instead.
    """

    def __init__(
        self,
        module: cst.Module,
        kinds: Collection[type],
        text: str,
        wanted: Collection[int],
        also: Collection[int] = (),
        whole: Collection[int] = (),
    ) -> None:
        self.code = text
        self._spans: dict[cst.CSTNode, tuple[int, int]] = {}
        #: offsets of the nodes whose ids are in `also` (see `node_offsets`), when generated
        self.by_id: dict[int, tuple[int, int]] | None = None
        kinds = frozenset(kinds)
        if also and wanted:  # the whole module is generated anyway: once, for both
            self.code, self.by_id = node_offsets(module, also, whole, kinds, self._spans)
        elif not self._statements(module, kinds, wanted):
            self._spans.clear()
            self.code = self._generate(module, kinds, 0, self._spans)
        self._line_starts = [0] + [match.end() for match in NEWLINE.finditer(self.code)]
        self.lines = NEWLINE.split(self.code)
        if self.lines and self.lines[-1] == "" and len(self.lines) > 1:
            self.lines.pop()  # the text after the last newline: no line

    def _statements(self, module: cst.Module, kinds: frozenset[type], wanted: Collection[int]) -> bool:
        """Generate the wanted statements alone and place them in the text; False if unsure."""
        if len(self.code) * len(wanted) > _MAX_SEARCH:
            return False
        cursor = 0
        for index in sorted(wanted):
            spans: dict[cst.CSTNode, tuple[int, int]] = {}
            code = self._generate(module.body[index], kinds, 0, spans, module)
            at = self.code.find(code, cursor)
            if at < 0 or self.code.find(code, at + 1) >= 0:
                return False
            self._spans.update({node: (at + a, at + b) for node, (a, b) in spans.items()})
            cursor = at + len(code)
        return True

    @staticmethod
    def _generate(
        node: cst.CSTNode,
        kinds: frozenset[type],
        start: int,
        spans: dict[cst.CSTNode, tuple[int, int]],
        module: cst.Module | None = None,
    ) -> str:
        """Code for `node`, noting the character offsets of nodes of `kinds` into `spans`."""
        module = module or node  # type: ignore[assignment]
        state = _Recorder(
            default_indent=module.default_indent,  # type: ignore[union-attr]
            default_newline=module.default_newline,  # type: ignore[union-attr]
            kinds=kinds,
        )
        node._codegen(state)
        offsets = list(accumulate(map(len, state.tokens), initial=start))
        last = len(offsets) - 1  # a module without a final newline drops its last token
        spans.update(
            {n: (offsets[min(a, last)], offsets[min(b, last)]) for n, (a, b) in state.spans.items()}
        )
        return "".join(state.tokens)

    def __contains__(self, node: cst.CSTNode) -> bool:
        return node in self._spans

    def line(self, node: cst.CSTNode) -> int:
        return self._line_col(self._spans[node][0])[0]

    def end_line(self, node: cst.CSTNode) -> int:
        return self._line_col(self._spans[node][1])[0]

    def span(self, node: cst.CSTNode) -> Span:
        start, end = self._spans[node]
        line, column = self._line_col(start)
        end_line, end_column = self._line_col(end)
        return Span(line, column + 1, end_line, end_column + 1)

    def _line_col(self, offset: int) -> tuple[int, int]:
        index = bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index]


@dataclass
class _ByIdentity(_Recorder):
    """Code generation noting the token indexes of chosen nodes by id (their syntactic
    position, or for `whole`, such as a tuple's parentheses, all the code they generate), and
    like `_Recorder` those of the node `kinds`."""

    wanted: Collection[int] = ()
    whole: Collection[int] = ()
    ids: dict[int, tuple[int, int]] = field(default_factory=dict)
    opened: dict[int, int] = field(default_factory=dict)

    def record_syntactic_position(  # type: ignore[override]
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> _IdMark | _Mark | _Both | _Nothing:
        chosen = id(node) in self.wanted
        if type(node) in self.kinds:
            return _Both(self, node) if chosen else _Mark(self, node)
        return _IdMark(self, id(node)) if chosen else _NOTHING

    def before_codegen(self, node: cst.CSTNode) -> None:
        if id(node) in self.whole:
            self.opened[id(node)] = len(self.tokens)

    def after_codegen(self, node: cst.CSTNode) -> None:
        if id(node) in self.whole:
            self.ids[id(node)] = (self.opened.pop(id(node)), len(self.tokens))


class _IdMark:
    __slots__ = ("key", "start", "state")

    def __init__(self, state: _ByIdentity, key: int) -> None:
        self.state, self.key = state, key

    def __enter__(self) -> None:
        self.start = len(self.state.tokens)

    def __exit__(self, *exc: object) -> None:
        self.state.ids.setdefault(self.key, (self.start, len(self.state.tokens)))


class _Both:
    """A node both recorded by kind and chosen by id."""

    __slots__ = ("by_id", "by_kind")

    def __init__(self, state: _ByIdentity, node: cst.CSTNode) -> None:
        self.by_kind, self.by_id = _Mark(state, node), _IdMark(state, id(node))

    def __enter__(self) -> None:
        self.by_kind.__enter__()
        self.by_id.__enter__()

    def __exit__(self, *exc: object) -> None:
        self.by_id.__exit__()
        self.by_kind.__exit__()


def node_offsets(
    module: cst.Module,
    wanted: Collection[int],
    whole: Collection[int] = (),
    kinds: frozenset[type] = frozenset(),
    by_kind: dict[cst.CSTNode, tuple[int, int]] | None = None,
) -> tuple[str, dict[int, tuple[int, int]]]:
    """The module's code, and the character offsets (start, end) of the nodes whose ids are
    `wanted` (their syntactic position: no leading lines, parentheses or trailing comma) and
    `whole` (everything they generate), from one code generation; the offsets of nodes of
    `kinds` go to `by_kind`, keyed by node (as `Positions` keeps them)."""
    state = _ByIdentity(
        default_indent=module.default_indent,
        default_newline=module.default_newline,
        kinds=kinds,
        wanted=wanted,
        whole=whole,
    )
    module._codegen(state)
    offsets = list(accumulate(map(len, state.tokens), initial=0))
    last = len(offsets) - 1  # a module without a final newline drops its last token

    def placed(a: int, b: int) -> tuple[int, int]:
        return offsets[min(a, last)], offsets[min(b, last)]

    if by_kind is not None:
        by_kind.update({node: placed(a, b) for node, (a, b) in state.spans.items()})
    return "".join(state.tokens), {key: placed(a, b) for key, (a, b) in state.ids.items()}

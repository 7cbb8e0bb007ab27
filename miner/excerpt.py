"""Cut a source file down to the code block shown for one example (spec: pages.md, section 3).

Two styles share one layout. ``fsp`` reproduces the reference site's blocks byte for byte:
it first strips docstrings and comment-only lines, then picks ranges of the stripped file.
``focused`` (the default) cuts only at syntax boundaries and keeps comments and short
docstrings; a longer docstring is left out with a marker, like any other omission. Lines are counted as
``source.split("\\n")`` counts them (after turning CRLF and CR into LF), so a file ending in a
newline has a last, empty line: the reference site counted that way and shows it.

Pure functions: no I/O and no parsing. Statement spans, string literals and names come from
the file's outline (miner/outline.py), which the scan made from its one LibCST parse and the
crawl stored with the text. A file without an outline (LibCST could not parse it) gets the fsp
cut, with ``tokenize`` finding its comments: still excerpted, never an error.
"""

from __future__ import annotations

import functools
import io
import tokenize
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum

from miner import outline as outlines
from miner.outline import FileOutline, Node, Statement

HIGHLIGHT = "~~"
ABBREVIATED = "## ... source file abbreviated to get to {name} examples ..."
CONTINUES = "## ... source file continues with no further {name} examples..."
#: the end marker when uses of the name were left out after the last block (ours: CONTINUES
#: would be false there)
FURTHER = "## ... source file continues with further {name} examples..."
MARKERS = (ABBREVIATED, CONTINUES, FURTHER)

#: fsp: half-width of the window around a highlighted line, and the top-of-file window.
FSP_RADIUS = 25
FSP_TOP = 35

#: focused: the bounds, all counted in lines of the stripped file.
PRELUDE_LINES = 25  # longer import preludes are left out
DEFINITION_LINES = 40  # enclosing definitions up to this length are shown whole
CONTEXT_LINES = 20  # budget for the statements around a use inside a longer definition
RECEIVER_LINES = 8  # a decorator's object or a base (``bp = Blueprint(...)``) this short is shown
MERGE_GAP = 3  # segments this close are joined, the gap shown
TOTAL_LINES = 120  # a later use that would push the total past this is dropped
READABLE_LINES = 60  # ... and a use repeating a shown usage shape, past this
MARKER_LINES = 5  # what a marker before a block adds to the total: itself, 4 blank lines
IMPORT_BLOCK_LINES = 8  # an if/try import block up to this long is shown whole for one name
DOCSTRING_LINES = 4  # longer docstrings are left out of focused excerpts, with a marker

Span = tuple[int, int]  # original lines, 1-based inclusive
Block = tuple[Statement, ...]
Window = tuple[int, int]  # stripped-file indexes, 0-based half-open

assert CONTEXT_LINES >= outlines.ELEMENTS_FROM  # outlines keep element spans from there on

_SCOPES = frozenset({"def", "class"})
_IMPORTS = frozenset({"import", "from"})
_TERMINATORS = frozenset({"return", "raise", "break", "continue"})
#: what a try/if import block may hold: imports, their fallbacks, and nested such blocks
_IMPORT_PARTS = _IMPORTS | {"pass", "assign", "annassign", "raise", "try", "if", "handler"}


class _Auto(Enum):
    """No outline was given: make one from the text (tests and tools; the crawl stores one)."""

    AUTO = "auto"


AUTO = _Auto.AUTO


@dataclass(frozen=True, slots=True)
class Excerpt:
    """The body of one example's code block, and which source lines it shows."""

    text: str  #: "# {basename}\n" and the cut source, ending in "\n"; the fence is the template's
    #: per block between markers: its first and last original line, 1-based; stripped lines
    #: inside are not shown, and the last may be the empty line after a final newline (fsp)
    segments: tuple[tuple[int, int], ...]
    highlighted: tuple[int, ...]  #: original 1-based lines written with a leading ~~
    #: 1-based lines of `text` that carry the ~~ prefix: a source line may begin with ~~ itself
    marked: tuple[int, ...] = ()
    #: the first and last line of the block holding the first use shown: what a link pins
    anchor: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class _Source:
    """A file split into lines, its outline if it has one, and the lines left after stripping."""

    lines: tuple[str, ...]
    kept: tuple[int, ...]  #: 0-based indexes of the lines that survive stripping, ascending
    outline: FileOutline | None
    #: id of a statement list of the tree -> the last line of each statement, for bisecting
    ends: dict[int, list[int]] = field(default_factory=dict, compare=False)

    def stripped_index(self, line: int) -> int | None:
        """Where original 1-based `line` sits in the stripped file, None if stripped or absent."""
        at = bisect_left(self.kept, line - 1)
        return at if at < len(self.kept) and self.kept[at] == line - 1 else None

    def window(self, span: Span) -> Window:
        """The stripped lines of an original span."""
        return bisect_left(self.kept, span[0] - 1), bisect_right(self.kept, span[1] - 1)

    def size(self, span: Span) -> int:
        """How many lines of `span` are shown: stripped lines do not count."""
        start, end = self.window(span)
        return end - start

    def has_code(self, start: int, end: int) -> bool:
        """Whether stripped lines [start, end) hold anything but blank lines."""
        return any(self.lines[self.kept[k]].strip() for k in range(start, end))

    @property
    def body(self) -> tuple[Statement, ...]:
        assert self.outline is not None
        return self.outline.body


def make_excerpt(
    source: str,
    highlighted: Iterable[int],
    name: str,
    basename: str,
    style: str = "focused",
    library: str = "",
    outline: FileOutline | _Auto | None = AUTO,
    shapes: Iterable[tuple[int, str]] | None = None,
) -> Excerpt:
    """The code block for the uses of `name` on the 1-based `highlighted` lines of `source`.

    `library` (focused only): the shown code's names imported from it get their imports shown.
    `outline` is the file's stored outline, None when it has none (see `outline_of`).
    `shapes` (focused only): the (line, usage shape) of the uses, see `focused_excerpt`.
    """
    if style == "focused":
        return focused_excerpt(source, highlighted, name, basename, library, outline, shapes)
    try:
        cut = STYLES[style]
    except KeyError:
        raise ValueError(
            f"unknown excerpt style {style!r}: choose one of {', '.join(sorted(STYLES))}"
        ) from None
    return cut(source, highlighted, name, basename, outline=outline)


def outline_of(source: str, outline: FileOutline | _Auto | None) -> FileOutline | None:
    """The outline given, or for AUTO the outline of `source` made here (one LibCST parse,
    cached): the crawl stores every outline, so ranking and pages never come here."""
    return _outlined(source) if outline is AUTO else outline


@functools.lru_cache(maxsize=64)
def _outlined(source: str) -> FileOutline | None:
    return outlines.of_text(source)


# --- stripping ---------------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _prepare(source: str, outline: FileOutline | None, keep_notes: bool = False) -> _Source:
    """Split and strip `source` once per style (cached: pages share files).

    fsp strips every docstring and comment-only line; focused (`keep_notes`) keeps comments and
    string statements up to ``DOCSTRING_LINES`` long, which explain the code around them.
    """
    text = source.replace("\r\n", "\n").replace("\r", "\n")
    lines = tuple(text.split("\n"))
    if outline is None:
        dropped = _comment_lines(text)
    elif keep_notes:
        dropped = _string_statement_lines(outline, longer_than=DOCSTRING_LINES)
    else:
        dropped = _comment_lines_outside_strings(outline, lines)
        dropped |= _string_statement_lines(outline)
    return _Source(lines, tuple(i for i in range(len(lines)) if i not in dropped), outline)


@functools.lru_cache(maxsize=256)
def unreachable_lines(outline: FileOutline | None) -> frozenset[int]:
    """1-based lines of statements that follow a return, raise, break or continue in their block.

    Such code never runs, so a use there teaches nothing (a file without an outline has none).
    """
    if outline is None:
        return frozenset()
    dead: set[int] = set()
    for block in (outline.body, *(b for s in outline.statements for b in s.blocks)):
        ends = (i for i, s in enumerate(block) if s.kind in _TERMINATORS)
        first = next(ends, None)
        if first is not None:
            for statement in block[first + 1 :]:
                dead.update(range(_span(statement)[0], _span(statement)[1] + 1))
    return frozenset(dead)


def _comment_lines(text: str) -> set[int]:
    """0-based lines holding only a comment; tokens, so '#' inside strings is not a comment."""
    found: set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT and not token.line[: token.start[1]].strip():
                found.add(token.start[0] - 1)
    except (tokenize.TokenError, SyntaxError, ValueError):
        return set()
    return found


def _comment_lines_outside_strings(outline: FileOutline, lines: Sequence[str]) -> set[int]:
    """0-based comment-only lines, using the outline's string spans instead of slow tokenizing.

    A line starting with '#' is a comment unless a multi-line string literal covers it: any
    line after a literal's first line, up to its last, is inside the literal.
    """
    candidates = {i for i, line in enumerate(lines) if line.lstrip().startswith("#")}
    if not candidates:
        return set()
    inside: set[int] = set()
    for first, last in outline.strings:
        inside.update(range(first, last))
    return candidates - inside


def _string_statement_lines(outline: FileOutline, longer_than: int = 0) -> set[int]:
    """0-based lines of statements that are only a str/bytes literal (docstrings and the like),
    those longer than `longer_than` lines when it is set.

    A literal sharing a line with other code (``def f(): "doc"``, ``"a"; b()``) stays: removing
    its lines would remove that code too.
    """
    found: set[int] = set()
    for node in outline.statements:
        if node.kind in ("str", "bytes") and node.alone and node.last - node.line + 1 > longer_than:
            found.update(range(node.line - 1, node.last))
    return found


def _statements(node: Statement) -> Iterable[Statement]:
    """Every statement and except clause inside `node`."""
    stack = [node]
    while stack:
        for block in stack.pop().blocks:
            stack.extend(block)
            yield from block


# --- layout ------------------------------------------------------------------------------------


def _render(
    src: _Source,
    windows: Sequence[Window],
    marks: Iterable[int],
    name: str,
    basename: str,
    *,
    lead: bool,
    closing: str,
    anchor_mark: int | None = None,
) -> Excerpt:
    """Lay out `windows` of the stripped file with markers; `marks` are stripped indexes.

    `closing` is the marker after the last window ("" for none). The anchor is the window holding
    `anchor_mark`, else the first window.
    """
    starts = [start for start, _end in windows]  # sorted, disjoint: bisect, not a scan per mark
    marked = {k for k in marks if (at := bisect_right(starts, k) - 1) >= 0 and k < windows[at][1]}
    abbreviated = f"\n\n{ABBREVIATED.format(name=name)}\n\n\n"
    parts = [f"# {' '.join(basename.splitlines())}\n"]  # one line, whatever the name holds
    lines_so_far = 1
    marked_lines = []
    if lead:
        parts.append(abbreviated)
        lines_so_far += abbreviated.count("\n")
    for number, (start, end) in enumerate(windows):
        if number:
            parts.append(abbreviated)
            lines_so_far += abbreviated.count("\n")
        for k in range(start, end):
            prefix = HIGHLIGHT if k in marked else ""
            parts.append(f"{prefix}{src.lines[src.kept[k]]}\n")
            lines_so_far += 1
            if prefix:
                marked_lines.append(lines_so_far)
    if closing:
        parts.append(f"\n\n{closing.format(name=name)}\n\n")
    segments = tuple((src.kept[start] + 1, src.kept[end - 1] + 1) for start, end in windows)
    anchored = next(
        (seg for seg, (start, end) in zip(segments, windows, strict=True)
         if anchor_mark is not None and start <= anchor_mark < end),
        segments[0] if segments else None,
    )
    return Excerpt(
        text="".join(parts),
        segments=segments,
        highlighted=tuple(src.kept[k] + 1 for k in sorted(marked)),
        marked=tuple(marked_lines),
        anchor=anchored,
    )


def _marks(src: _Source, highlighted: Iterable[int]) -> list[int]:
    """Stripped indexes of the highlighted lines, ascending.

    Stripped, blank or absent lines hold no use: they drop out. None left is a caller's error.
    """
    found = {src.stripped_index(line) for line in highlighted}
    marks = sorted(k for k in found if k is not None and src.has_code(k, k + 1))
    if not marks:
        raise ValueError("no highlighted line is a shown line of the source: nothing to excerpt")
    return marks


# --- style fsp ---------------------------------------------------------------------------------


def fsp_excerpt(
    source: str,
    highlighted: Iterable[int],
    name: str,
    basename: str,
    outline: FileOutline | _Auto | None = AUTO,
) -> Excerpt:
    """The reference site's cut: fixed windows of the stripped file, blind to syntax."""
    src = _prepare(source, outline_of(source, outline))
    marks = _marks(src, highlighted)
    windows = _fsp_windows(marks, len(src.kept))
    return _render(src, windows, marks, name, basename, lead=False, closing=CONTINUES)


def _fsp_windows(marks: Sequence[int], length: int) -> list[Window]:
    """[h-25, h+25) per mark, clipped; overlapping or touching ones merged; the top if far."""
    windows: list[Window] = []
    for mark in marks:
        start, end = max(0, mark - FSP_RADIUS), min(length, mark + FSP_RADIUS)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], end))
        else:
            windows.append((start, end))
    if windows[0][0] >= FSP_TOP:
        windows.insert(0, (0, FSP_TOP))
    return windows


# --- style focused -----------------------------------------------------------------------------


def focused_excerpt(
    source: str,
    highlighted: Iterable[int],
    name: str,
    basename: str,
    library: str = "",
    outline: FileOutline | _Auto | None = AUTO,
    shapes: Iterable[tuple[int, str]] | None = None,
) -> Excerpt:
    """Whole definitions around the uses, cut only between statements (or between the
    elements of a statement too long to show whole).

    Shown, in this order of priority: the import prelude (:func:`_prelude`); the unit
    (:func:`_use_spans`) of one use of each usage shape, in the order the shapes first appear,
    a use whose definition is shown whole before one cut to its context (the first always
    shown, each other only while the total stays within ``TOTAL_LINES``); then the other
    uses, earliest first, while the total stays within ``READABLE_LINES``: a use repeating a
    shown shape teaches little and makes the block long. Each unit comes with the definitions
    of the functions its use passes to a call (a factory, a callback) and the imports of every
    `library` name the shown lines read. The total counts shown lines and ``MARKER_LINES``
    for each marker between blocks. A use left out loses its ``~~`` (unless another unit
    shows its line).

    `shapes` gives the usage shape of the use on each highlighted line, as (line, shape)
    pairs; a line without one (all of them when None) is a shape of its own. Blocks with at
    most ``MERGE_GAP`` lines, or only blank lines, between them are joined, those lines shown.
    A marker stands wherever non-blank lines were left out (a long docstring too), also before
    the first block (an addition to the reference layout); after the last block, ``FURTHER``
    when a use was left out there, else ``CONTINUES`` when non-blank lines follow. A file
    without an outline gets the fsp cut.
    """
    src = _prepare(source, outline_of(source, outline), keep_notes=True)
    if src.outline is None:
        return fsp_excerpt(source, highlighted, name, basename, None)
    marks = _marks(src, highlighted)
    imports = {k for k in marks if _is_import_line(src, src.kept[k] + 1)}
    uses = [k for k in marks if k not in imports] or marks
    kinds = _kinds(src, uses, shapes or ())
    units = {k: _use_spans(src, src.kept[k] + 1) for k in uses}
    windows = _merge(src, [*_windows(src, _prelude(src))])
    code = _trimmed(src, [(0, len(src.kept))])[0]  # the stripped file from its first code line
    seen: set[str | int] = set()
    shown: set[int] = set()
    for novel, bound, order in (
        (True, TOTAL_LINES, _shape_order(uses, kinds, units)),
        (False, READABLE_LINES, uses),
    ):
        for k in order:
            if k in shown or (novel and kinds[k] <= seen):
                continue
            grown = _with_use(src, library, windows, _windows(src, units[k][0]), k)
            if not shown or _length(grown, code) <= bound:
                windows = grown
                shown.add(k)
                seen |= kinds[k]
    windows = _split_at_omissions(src, windows)
    lead = _any_text(src.lines[: src.kept[windows[0][0]]])
    if any(k >= windows[-1][1] for k in uses):
        closing = FURTHER
    else:
        closing = CONTINUES if _any_text(src.lines[src.kept[windows[-1][1] - 1] + 1 :]) else ""
    return _render(
        src, windows, marks, name, basename, lead=lead, closing=closing, anchor_mark=min(shown)
    )


def _kinds(
    src: _Source, uses: Iterable[int], shapes: Iterable[tuple[int, str]]
) -> dict[int, frozenset[str | int]]:
    """The usage shapes of the uses on each of the stripped lines `uses`; a line without one
    is a shape of its own (its index)."""
    found: dict[int, set[str | int]] = {}
    for line, shape in shapes:
        k = src.stripped_index(line)
        if k is not None:
            found.setdefault(k, set()).add(shape)
    return {k: frozenset(found.get(k) or {k}) for k in uses}


def _shape_order(
    uses: Sequence[int],
    kinds: Mapping[int, frozenset[str | int]],
    units: Mapping[int, tuple[list[Span], bool]],
) -> list[int]:
    """The uses by the first appearance of their shapes, and for one shape, a use whose
    definition is shown whole before one cut to its context, then the earliest."""
    first: dict[frozenset[str | int], int] = {}
    for k in uses:
        first.setdefault(kinds[k], k)
    return sorted(uses, key=lambda k: (first[kinds[k]], not units[k][1], k))


def _with_use(
    src: _Source, library: str, windows: list[Window], unit: list[Window], use: int
) -> list[Window]:
    """`windows` with the `unit` of a use on stripped line `use` and what it needs."""
    if all(_inside(windows, window) for window in unit):
        return windows  # already shown (uses of one function): nothing to add, nothing to read
    needed = _windows(src, _needed(src, windows, unit, src.kept[use] + 1))
    grown = _merge(src, [*windows, *unit, *needed])
    return _with_imports(src, library, windows, grown)


def _with_imports(
    src: _Source, library: str, before: Sequence[Window], grown: list[Window]
) -> list[Window]:
    """`grown` with the imports of the `library` names read on the lines it shows beyond
    `before` (the use, its context, the few lines merging joined between two blocks), and on
    the lines those imports bring in, until no shown line reads a library name whose import is
    left out."""
    assert src.outline is not None
    facts = _facts(src.outline)
    seen = before
    while True:
        fresh = [
            src.kept[k] + 1
            for start, end in grown
            for k in range(start, end)
            if not _inside(seen, (k, k + 1))
        ]
        imports = _imports(src, facts, library, fresh, (grown,))
        seen, grown = grown, _merge(src, [*grown, *_windows(src, imports)])
        if grown == seen:
            return grown


def _length(windows: Sequence[Window], code: Window) -> int:
    """The lines of the block showing sorted, disjoint `windows` of a file whose code lies in
    `code`: the title, the shown lines and the markers (the end marker is one line shorter)."""
    markers = len(windows) - 1 + (windows[0][0] > code[0]) + (windows[-1][1] < code[1])
    ending = windows[-1][1] < code[1]
    return 1 + sum(end - start for start, end in windows) + MARKER_LINES * markers - ending


def _any_text(lines: Sequence[str]) -> bool:
    return any(line.strip() for line in lines)


def _is_import_line(src: _Source, line: int) -> bool:
    """Whether `line` belongs to an import statement."""
    path = _path(src, line)
    return bool(path) and path[-1][0].kind in _IMPORTS


def _split_at_omissions(src: _Source, windows: Iterable[Window]) -> list[Window]:
    """Windows split where left-out lines inside them hold text (a long docstring): a marker
    then says so, as for any other omission."""
    split: list[Window] = []
    for start, end in windows:
        begin = start
        for k in range(start + 1, end):
            if _any_text(src.lines[src.kept[k - 1] + 1 : src.kept[k]]):
                split.append((begin, k))
                begin = k
        split.append((begin, end))
    return _trimmed(src, split)


def _trimmed(src: _Source, windows: Iterable[Window]) -> list[Window]:
    """Windows without leading or trailing blank lines; empty ones dropped."""
    trimmed = []
    for start, end in windows:
        while start < end and not src.has_code(start, start + 1):
            start += 1
        while start < end and not src.has_code(end - 1, end):
            end -= 1
        if start < end:
            trimmed.append((start, end))
    return trimmed


def _needed(src: _Source, windows: Sequence[Window], unit: Sequence[Window], use: int) -> list[Span]:
    """What a use's `unit` needs to be understood besides the `windows` already shown: the
    module-level functions and classes passed to a call on the `use` line (the factory of
    ``FlaskGroup(create_app=create_app)``) unless a local name hides them, the object its
    definition's decorators hang on (:func:`_receivers`) and the first reader of what it binds
    (:func:`_first_reader`). Their imports are added with all others, by :func:`_with_imports`."""
    assert src.outline is not None
    facts = _facts(src.outline)

    def shown(line: int) -> bool:
        return _is_shown(src, line, (windows, unit))

    context = _first_reader(src, facts, use)
    context += [span for span in _receivers(src, facts, use) if not shown(span[0])]
    passed = facts.passed.get(use, set()) & facts.definitions.keys()
    for name in passed - _locals(src, use) if passed else ():
        definition = facts.definitions[name]
        if not shown(_span(definition)[0]):
            context.append(_header(src, definition))
            context += _around_body(src, definition)
    return context


def _imports(
    src: _Source,
    facts: _Facts,
    library: str,
    lines: Iterable[int],
    shown_in: Sequence[Sequence[Window]],
) -> list[Span]:
    """The import spans binding the `library` names read on original `lines` whose binding
    line is shown in none of `shown_in` (each a sorted list of disjoint windows)."""
    spans: list[Span] = []
    for line in lines:
        for name in facts.loads.get(line, ()):
            for module, statement, bound in facts.imports.get(name, ()):
                if library and module == library and not any(
                    _is_shown(src, at, shown_in) for at in bound
                ):
                    spans += _import_spans(src, statement, bound[0])
    return spans


def _is_shown(src: _Source, line: int, shown_in: Sequence[Sequence[Window]]) -> bool:
    """Whether original `line` is kept and lies in one of `shown_in` (sorted, disjoint windows)."""
    k = src.stripped_index(line)
    return k is not None and any(_inside(windows, (k, k + 1)) for windows in shown_in)


def _first_reader(src: _Source, facts: _Facts, use: int) -> list[Span]:
    """For ``bp = Blueprint(...)`` at module level: the first later top-level statement that
    reads ``bp`` (``@bp.route(...)`` and its view), when short, so the object is seen in use."""
    path = _path(src, use)
    statement = path[0][0] if len(path) == 1 else None
    if statement is None or statement.kind != "assign" or not statement.name:
        return []
    end = _span(statement)[1]
    later = (line for line in facts.readers.get(statement.name, ()) if line > end)
    line = next(later, None)
    if line is None:
        return []
    reader = _path(src, line)[0][0]
    if src.size(_span(reader)) <= DEFINITION_LINES:
        return [_span(reader)]
    return [_header(src, reader), *_opening(src, reader)] if reader.kind in _SCOPES else []


def _receivers(src: _Source, facts: _Facts, use: int) -> list[Span]:
    """For a use inside ``@bp.route(...) def view():``: the short module-level assignment that
    binds ``bp`` (``bp = Blueprint("bp", __name__)``), so a reader sees what the view hangs on;
    for a use inside ``class User(Base):``, the short assignment or class that binds ``Base``
    (``Base = declarative_base()``), so a reader sees what the model derives from."""
    assert src.outline is not None
    top = _path(src, use)[0][0]
    if top.kind not in _SCOPES:
        return []
    last = _header(src, top)[1] if top.kind == "class" else top.line - 1
    read = set().union(*(facts.loads.get(line, ()) for line in range(top.first, last + 1)))
    return [
        _span(statement)
        for statement in src.body
        if statement.kind in ("assign", "class")
        and statement.name in read
        and statement.last < top.first
        and src.size(_span(statement)) <= RECEIVER_LINES
    ]


def _inside(windows: Sequence[Window], window: Window) -> bool:
    """Whether `window` lies within one of the sorted, disjoint `windows`."""
    at = bisect_right(windows, (window[0], float("inf"))) - 1
    return at >= 0 and windows[at][0] <= window[0] and window[1] <= windows[at][1]


def _locals(src: _Source, line: int) -> set[str]:
    """Names bound inside the functions enclosing `line`: parameters, assignments, defs.

    (The outline keeps only the names of module-level definitions: all `_needed` asks about.)
    """
    assert src.outline is not None
    bound: set[str] = set()
    for node, _ in _path(src, line):
        if node.kind == "def":
            bound.update(src.outline.locals.get(node.index, ()))
    return bound


def _import_spans(src: _Source, statement: Statement, line: int) -> list[Span]:
    """An import binding a name: its whole top-level import block when short (the
    ``if``/``else`` choosing between two libraries), else the import narrowed to the name."""
    top = _path(src, line)[0][0]
    if top is not statement and _is_import_block(top) and src.size(_span(top)) <= IMPORT_BLOCK_LINES:
        return [_span(top)]
    return _narrow(src, statement, line)


def _around_body(src: _Source, node: Statement) -> list[Span]:
    """A definition whole when short, else its opening statements."""
    if src.size(_span(node)) <= DEFINITION_LINES:
        return [_span(node)]
    return _opening(src, node)


@dataclass(frozen=True, slots=True)
class _Facts:
    #: name -> every (top-level module, import statement, lines binding the name)
    imports: dict[str, list[tuple[str, Statement, tuple[int, ...]]]]
    loads: dict[int, set[str]]  #: line -> names read on it
    passed: dict[int, set[str]]  #: line -> names passed as arguments of a call
    definitions: dict[str, Statement]  #: module-level def/class by name
    readers: dict[str, list[int]]  #: name -> the lines that read it, ascending


@functools.lru_cache(maxsize=256)
def _facts(outline: FileOutline) -> _Facts:
    """The names a module imports (absolutely), reads and passes, by line (cached per file)."""
    imports: dict[str, list[tuple[str, Statement, tuple[int, ...]]]] = {}
    for found in outline.imports:
        if found.absolute:
            imports.setdefault(found.bound, []).append(
                (found.module, outline.statements[found.statement], (found.line,))
            )
    loads = {line: set(names) for line, names in outline.loads.items()}
    passed = {line: set(names) for line, names in outline.passed.items()}
    readers: dict[str, list[int]] = {}
    for line in sorted(loads):
        for name in loads[line]:
            readers.setdefault(name, []).append(line)
    return _Facts(imports, loads, passed, outline.definitions, readers)


def _narrow(src: _Source, node: Statement | Node, line: int) -> list[Span]:
    """The lines that show `line` inside a statement (or expression) too long to show whole.

    Up to ``CONTEXT_LINES`` it is shown whole. Otherwise the outermost list, tuple, set, dict,
    call or ``from`` import in it whose element holding `line` sits on lines of its own is cut
    between elements: shown are the lines before its first element, that element (narrowed
    again if long) and the lines after its last element. Without such an element the whole
    node is shown: no cut ever splits an element.
    """
    assert src.outline is not None
    first, last = _span(node) if isinstance(node, Statement) else (node.first, node.last)
    if src.size((first, last)) <= CONTEXT_LINES:
        return [(first, last)]
    inside = node.elements if isinstance(node, Statement) else node
    containers = src.outline.containers[inside.lo : inside.hi] if inside else ()
    for inner in containers:  # outermost first
        parts = inner.parts
        holder = next((i for i, (a, b, _) in enumerate(parts) if a <= line <= b), None)
        if holder is None or parts[0][0] <= first:
            continue
        start, end, child = parts[holder]
        before = parts[holder - 1][1] if holder else inner.first
        after = parts[holder + 1][0] if holder + 1 < len(parts) else inner.last
        if not before < start <= end < after:
            continue
        opening = parts[0][0] - 1
        if holder:  # comments before the first element left out go with it
            opening = _before_notes(src, first, opening)
        spans = [(first, opening)]
        if src.size((start, end)) > CONTEXT_LINES and child is not None:
            spans += _narrow(src, child, line)
        else:
            spans.append((start, end))
        if parts[-1][1] < last:
            closing = parts[-1][1] + 1
            if holder + 1 < len(parts):  # ... and those after the last element left out
                closing = _after_notes(src, closing, last)
            spans.append((closing, last))
        return spans
    return [(first, last)]


def _before_notes(src: _Source, first: int, last: int) -> int:
    """The last line of `first`..`last` before the comment and blank lines that end them."""
    while last > first and _is_note(src.lines[last - 1]):
        last -= 1
    return last


def _after_notes(src: _Source, first: int, last: int) -> int:
    """The first line of `first`..`last` after the comment and blank lines that open them."""
    while first < last and _is_note(src.lines[first - 1]):
        first += 1
    return first


def _is_note(line: str) -> bool:
    """A blank or comment-only line (between the elements of a literal: never in a string)."""
    return not line.strip() or line.lstrip().startswith("#")


def _windows(src: _Source, spans: Iterable[Span]) -> list[Window]:
    """The stripped windows of original spans, without leading or trailing blank lines."""
    return _trimmed(src, (src.window(span) for span in spans))


def _merge(src: _Source, windows: Iterable[Window]) -> list[Window]:
    """Sorted windows, joined where the lines between are few (MERGE_GAP) or all blank."""
    merged: list[Window] = []
    for start, end in sorted(windows):
        if merged and (
            start - merged[-1][1] <= MERGE_GAP or not src.has_code(merged[-1][1], start)
        ):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _prelude(src: _Source) -> list[Span]:
    """The run of import blocks that opens the file, after the module docstring when it is
    short enough to be kept: it ends at the first def or class, or where other code longer
    than ``MERGE_GAP`` lines comes between two imports (a later import of the library is shown
    when the shown code reads what it binds, by :func:`_needed`).

    Import blocks are imports, and ``try``/``if`` statements made only of imports and their
    fallbacks (pass, assignments, raise): ``try/except ImportError``, ``if TYPE_CHECKING``.
    When they add up to more than ``PRELUDE_LINES`` the prelude is left out altogether: the
    imports that bind the target name are highlighted, so they are shown as module-level uses.
    """
    spans: list[Span] = []
    after = 0  # the last line of the import run so far
    for statement in src.body:
        if statement.kind in _SCOPES:
            break
        if _is_import_block(statement):
            if after and _code_lines(src, (after + 1, statement.first - 1)) > MERGE_GAP:
                break  # an import after other code (``app = Flask(...)``) is not the prelude's
            spans.append(_span(statement))
            after = statement.last
    if not spans or sum(map(src.size, spans)) > PRELUDE_LINES:
        return []
    docstring = src.body[0]
    if docstring.kind == "str" and src.size(_span(docstring)):  # kept: short
        spans.insert(0, _span(docstring))
    return spans


def _code_lines(src: _Source, span: Span) -> int:
    """How many shown lines of `span` are not blank."""
    start, end = src.window(span)
    return sum(1 for k in range(start, end) if src.lines[src.kept[k]].strip())


def _is_import_block(statement: Statement) -> bool:
    """An import, or a try/if statement holding imports and nothing but their fallbacks."""
    if statement.kind in _IMPORTS:
        return True
    if statement.kind not in ("try", "if"):
        return False
    nested = list(_statements(statement))
    return any(node.kind in _IMPORTS for node in nested) and all(
        node.kind in _IMPORT_PARTS for node in nested
    )


def _use_spans(src: _Source, line: int) -> tuple[list[Span], bool]:
    """The spans that show the use on `line`, in the context of its enclosing definition, and
    whether they show that container whole.

    The container is the smallest enclosing function or method, widened to an outer function
    while that is at most ``DEFINITION_LINES`` long; for a use outside functions it is the
    top-level statement. It is preceded by the header lines of the classes and functions around
    it. A container up to ``DEFINITION_LINES`` long is shown whole; a longer one by its header
    (decorators and signature) and the statements around the use (:func:`_around`).
    """
    path = _path(src, line)  # never empty: a line of code belongs to a statement
    nodes = [node for node, _ in path]
    top = 0
    defs = [depth for depth, node in enumerate(nodes) if node.kind == "def"]
    if defs:
        top = defs[-1]
        scopes = [depth for depth, node in enumerate(nodes) if node.kind in _SCOPES]
        for depth in reversed([depth for depth in scopes if depth < top]):
            if src.size(_span(nodes[depth])) > DEFINITION_LINES:
                break
            top = depth
    spans = [_header(src, node) for node in nodes[:top] if node.kind in _SCOPES]
    container = nodes[top]
    if src.size(_span(container)) <= DEFINITION_LINES:
        return [*spans, _span(container)], True
    if not container.blocks:  # a long simple statement: the element holding the use
        return [*spans, *_narrow(src, container, line)], False
    return [*spans, _header(src, container), *_around(src, path[top:], line)], False


def _around(src: _Source, path: Sequence[tuple[Statement, Block]], line: int) -> list[Span]:
    """The whole statements around `line` inside path[0], within ``CONTEXT_LINES``.

    Start from the innermost statement holding the line, climb to enclosing statements while
    they fit, then add neighbouring statements of the same block, the previous one first, while
    they fit. A line in the header of a longer compound statement gets that header and the
    first statements of its body that fit; a longer simple statement is narrowed to the element
    holding the use (:func:`_narrow`).
    """
    node = path[-1][0]
    header = _header(src, node)
    if not node.blocks and src.size(_span(node)) > CONTEXT_LINES:
        return _narrow(src, node, line)
    if header[0] <= line <= header[1] and src.size(_span(node)) > CONTEXT_LINES:
        return [header, *_opening(src, node)]
    if len(path) == 1:  # a line of the container's clauses (case patterns): not cut
        return [_span(node)]
    depth = len(path) - 1
    while depth > 1 and src.size(_span(path[depth - 1][0])) <= CONTEXT_LINES:
        depth -= 1
    node, block = path[depth]
    first = last = _index(src, block, line)
    assert first is not None and block[first] is node
    grew = True
    while grew:
        grew = False
        if first and src.size((_span(block[first - 1])[0], _span(block[last])[1])) <= CONTEXT_LINES:
            first, grew = first - 1, True
        if (
            last + 1 < len(block)
            and src.size((_span(block[first])[0], _span(block[last + 1])[1])) <= CONTEXT_LINES
        ):
            last, grew = last + 1, True
    return [(_span(block[first])[0], _span(block[last])[1])]


def _opening(src: _Source, node: Statement) -> list[Span]:
    """The first statements of a compound statement's body, as many as fit CONTEXT_LINES."""
    blocks = node.blocks
    if not blocks:
        return []
    block, start, count = blocks[0], _span(blocks[0][0])[0], 0
    while count < len(block) and src.size((start, _span(block[count])[1])) <= CONTEXT_LINES:
        count += 1
    return [(start, _span(block[count - 1])[1])] if count else []


def _path(src: _Source, line: int) -> list[tuple[Statement, Block]]:
    """The statements holding `line`, outermost first, each with the block it sits in."""
    path: list[tuple[Statement, Block]] = []
    blocks: tuple[Block, ...] = (src.body,) if src.body else ()
    while True:
        found = next(
            ((block[at], block) for block in blocks if (at := _index(src, block, line)) is not None),
            None,
        )
        if found is None:
            return path
        path.append(found)
        blocks = found[0].blocks


def _index(src: _Source, block: Block, line: int) -> int | None:
    """The index of the first statement of `block` holding `line`, None if none does.

    A bisection on the statements' last lines (they never decrease along a block): finding
    the statements of every use costs log(statements) each, not a walk of the block.
    """
    ends = src.ends.get(id(block))
    if ends is None:
        ends = src.ends[id(block)] = [_span(node)[1] for node in block]
    at = bisect_left(ends, line)
    return at if at < len(block) and _span(block[at])[0] <= line else None


def _span(node: Statement) -> Span:
    """The lines of a statement, decorators included."""
    return node.first, node.last


def _header(src: _Source, node: Statement) -> Span:
    """The lines of a compound statement before its body, decorators included.

    Blank and comment lines at its end are dropped later, with all stripped lines. A simple
    statement, or one whose body starts on the colon's line, is all header: it cannot be cut.
    """
    span = _span(node)
    if node.kind == "match":
        return span[0], node.pattern - 1  # a case always starts its own line
    blocks = node.blocks
    if not blocks or not blocks[0][0].own_line:
        return span
    return span[0], _span(blocks[0][0])[0] - 1


#: The styles by name; each takes (source, highlighted, name, basename, outline=...).
STYLES: dict[str, Callable[..., Excerpt]] = {
    "focused": focused_excerpt,
    "fsp": fsp_excerpt,
}

#!/usr/bin/env python
"""Count the defects a documentation writer would fix by hand in miner's example pages.

    python bench/quality.py [--db /tmp/quality.db] [--out /tmp/quality-site] [--crawl]
                            [--projects /work/corpus/flask.toml] [--list]

With ``--crawl`` (or when the database does not exist) the projects are crawled first
(``--pypi-index ''``: nothing leaves the machine); then every page is rendered as Markdown
and each chosen example is judged against its source file with ``ast``, independently of
how miner cut it:

- highlights all imports: every ``~~`` line lies in an import statement;
- highlighted unreachable lines: a ``~~`` line in a statement after a ``return``, ``raise``,
  ``break`` or ``continue`` of its block;
- no non-import use: no shown line holds a reachable use of the page's name that is not its
  import;
- a library name without its import: the shown code reads a name bound by an import from the
  library, and the line of that import is not shown;
- a decorator's object not shown: a shown ``@bp.route(...)`` hangs on ``bp``, bound at module
  level by an assignment of at most 8 lines (``bp = Blueprint(...)``) that is not shown;
- cuts inside a statement: a place where shown lines stop and the next ones are left out,
  inside a simple statement or a compound statement's header, except between whole
  elements (items of a literal, arguments of a call, names of an import) of a long statement;
  such element-boundary cuts are counted on their own line;
- unmarked omissions: non-blank source lines (docstrings, comments) left out between two lines
  of one shown block, with no marker;
- links wider than one shown block: the pinned ``#L`` range spans lines of several blocks;
- removed names shown: a ``~~`` line holds a use of a library path the analysed version lacks;
- calls the analysed signature refuses: a ``~~`` line calls a library function with a keyword
  it does not take (``send_file(attachment_filename=...)``, gone in Flask 2.2) or without a
  parameter it requires (``send_from_directory(directory=..., filename=...)``);
- misuses highlighted: a ``~~`` line holds a call that cannot work (``misuse.misuse``, by the library's rules:
  ``render_template(url_for(...))``, ``abort("text")``, ...);
- weak promotions: an example placed before a candidate with a higher total (one placed later
  or left out because the page was full) although it is test, vendored, generated or migration
  code, its excerpt is over 60 lines, its total is under 0.5, or it is more than 0.25 below.

Variety is measured too: the distinct usage shapes (as the scan wrote them) that the real uses
in a page's examples cover, summed over pages; ``--variety`` prints them per page.

``--list`` prints every defect with its page, project and file.
"""

from __future__ import annotations

import argparse
import ast
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

import itertools  # noqa: E402

from miner import misuse, rank, render  # noqa: E402
from miner.excerpt import HIGHLIGHT, MARKERS  # noqa: E402
from miner.model import Target, UseKind  # noqa: E402
from miner.store import load_libraries, load_targets, open_db, used_qualnames  # noqa: E402

DEFECTS = (
    "highlights all imports",
    "highlighted unreachable lines",
    "no non-import use shown",
    "library name without its import",
    "decorator's object not shown",
    "cuts inside a statement",
    "unmarked omissions",
    "links wider than one shown block",
    "removed names shown",
    "calls the signature refuses",
    "misuses highlighted",
    "weak promotions",
)
WEAK_LINES, WEAK_TOTAL, WEAK_GAP = 60, 0.5, 0.25
RECEIVER_LINES = 8


@dataclass
class Tally:
    defects: Counter[str] = field(default_factory=Counter)
    where: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    element_cuts: int = 0
    shapes: dict[str, tuple[int, int]] = field(default_factory=dict)  #: page -> examples, shapes
    examples: int = 0
    pages: int = 0

    def add(self, defect: str, count: int, place: str) -> None:
        if count:
            self.defects[defect] += count
            self.where.append(f"{defect}: {place} ({count})")


@dataclass(frozen=True)
class Facts:
    """What the source file's syntax says, independent of miner's excerpt code."""

    imports: dict[int, tuple[int, int]]  #: line -> span of the import statement holding it
    unreachable: set[int]
    inner: list[tuple[int, int]]  #: spans that must not be cut: simple statements, headers
    starts: set[int]  #: lines where an element of a long statement (or its closing) starts
    ends: set[int]  #: lines where an element (or the opening) of a long statement ends
    bound: dict[str, set[int]]  #: name imported from the library -> lines binding it
    loads: dict[int, set[str]]  #: line -> names read on it
    #: decorator line of a top-level definition -> the module-level assignments (spans) of
    #: at most RECEIVER_LINES lines, before it, that bind the object it hangs on (``bp``)
    receivers: dict[int, list[tuple[int, int]]]


def facts(text: str, library: str) -> Facts | None:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    lines = text.split("\n")
    imports: dict[int, tuple[int, int]] = {}
    unreachable: set[int] = set()
    inner: list[tuple[int, int]] = []
    starts: set[int] = set()
    ends: set[int] = set()
    bound: dict[str, set[int]] = {}
    loads: dict[int, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt):
            end = node.end_lineno or node.lineno
            if isinstance(node, ast.Import | ast.ImportFrom):
                for line in range(node.lineno, end + 1):
                    imports[line] = (node.lineno, end)
                top = (node.module or "") if isinstance(node, ast.ImportFrom) else ""
                for alias in node.names:
                    module = top if isinstance(node, ast.ImportFrom) else alias.name
                    if isinstance(node, ast.ImportFrom) and node.level:
                        continue
                    if module.split(".")[0] == library:
                        name = (alias.asname or alias.name).split(".")[0]
                        bound.setdefault(name, set()).add(alias.lineno)
            body = getattr(node, "body", None)
            if isinstance(body, list) and body:
                decorators = getattr(body[0], "decorator_list", None) or [body[0]]
                end = min(d.lineno for d in decorators) - 1
                while end > node.lineno and _blank(lines[end - 1]):
                    end -= 1
                inner.append((node.lineno, end))
            elif not isinstance(node, ast.ExceptHandler):
                inner.append((node.lineno, end))
            for block in _blocks(node):
                for index, statement in enumerate(block):
                    if isinstance(statement, ast.Return | ast.Raise | ast.Break | ast.Continue):
                        for dead in block[index + 1 :]:
                            unreachable.update(range(dead.lineno, (dead.end_lineno or 0) + 1))
                        break
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            loads.setdefault(node.lineno, set()).add(node.id)
        parts = _parts(node)
        if parts:
            ends.add(getattr(node, "lineno", 0))
            starts.add(getattr(node, "end_lineno", 0) or 0)
        for first, last in parts:
            starts.add(first)
            ends.add(last)
    for block in _blocks(tree):
        for index, statement in enumerate(block):
            if isinstance(statement, ast.Return | ast.Raise):
                for dead in block[index + 1 :]:
                    unreachable.update(range(dead.lineno, (dead.end_lineno or 0) + 1))
                break
    return Facts(imports, unreachable, inner, starts, ends, bound, loads, _receivers(tree))


def _receivers(tree: ast.Module) -> dict[int, list[tuple[int, int]]]:
    assigned: dict[str, list[tuple[int, int]]] = {}
    receivers: dict[int, list[tuple[int, int]]] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            span = (node.lineno, node.end_lineno or node.lineno)
            if isinstance(target, ast.Name) and span[1] - span[0] < RECEIVER_LINES:
                assigned.setdefault(target.id, []).append(span)
        for decorator in getattr(node, "decorator_list", ()):
            root = decorator.func if isinstance(decorator, ast.Call) else decorator
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in assigned:
                receivers[decorator.lineno] = assigned[root.id]
    return receivers


def _blank(line: str) -> bool:
    return not line.strip() or line.lstrip().startswith("#")


def _parts(node: ast.AST) -> list[tuple[int, int]]:
    """The line spans of a literal's elements, a call's arguments, an import's names."""
    items: list[ast.AST] = []
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        items = list(node.elts)
    elif isinstance(node, ast.Dict):
        return [
            ((key or value).lineno, value.end_lineno or value.lineno)
            for key, value in zip(node.keys, node.values, strict=True)
        ]
    elif isinstance(node, ast.Call):
        items = sorted([*node.args, *node.keywords], key=_position)
    elif isinstance(node, ast.ImportFrom):
        items = list(node.names)
    return [(item.lineno, item.end_lineno or item.lineno) for item in items]


def _position(node: ast.AST) -> tuple[int, int]:
    return getattr(node, "lineno", 0), getattr(node, "col_offset", 0)


def _blocks(node: ast.AST) -> list[list[ast.stmt]]:
    blocks = [getattr(node, name, None) for name in ("body", "orelse", "finalbody", "handlers")]
    blocks += [case.body for case in getattr(node, "cases", ())]
    return [block for block in blocks if isinstance(block, list) and block]


def shown_blocks(text: str, excerpt_text: str, segments: Iterable[tuple[int, int]]) -> list[list[int]]:
    """The original 1-based lines of each block of the excerpt, matched line by line."""
    source = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[list[str]] = [[]]
    body = excerpt_text.split("\n")[1:]
    markers = {m.split("{name}")[0] for m in MARKERS}
    for line in body:
        if any(line.startswith(marker) for marker in markers):
            blocks.append([])
        else:
            blocks[-1].append(line.removeprefix(HIGHLIGHT))
    blocks = [block for block in blocks if any(line.strip() for line in block)]
    result = []
    for (start, end), block in zip(segments, blocks, strict=False):
        while block and not block[0].strip():
            block = block[1:]
        while block and not block[-1].strip():
            block = block[:-1]
        lines, at = [], start
        for shown in block:
            found = next((k for k in range(at, end + 1) if source[k - 1] == shown), None)
            if found is not None:
                lines.append(found)
                at = found + 1
        result.append(lines)
    return result


def judge(tally: Tally, page: str, library: str, file, excerpt, anchor: str, missing: set[int],  # type: ignore[no-untyped-def]
          targets: dict[str, Target]) -> None:
    place = f"{page} / {file.project.name} / {file.path}"
    tally.examples += 1
    tally.lines.append(excerpt.text.count("\n"))
    known = facts(file.text.replace("\r\n", "\n").replace("\r", "\n"), library)
    if known is None:
        return
    high = set(excerpt.highlighted)
    if high and all(line in known.imports for line in high):
        tally.add("highlights all imports", 1, place)
    tally.add("highlighted unreachable lines", len(high & known.unreachable), place)
    blocks = shown_blocks(file.text, excerpt.text, excerpt.segments)
    shown = {line for block in blocks for line in block}
    qualname = page
    real = {
        line
        for use in file.uses
        if use.qualname == qualname and use.kind is not UseKind.IMPORT
        for line in range(use.line, use.end_line + 1)
        if line not in known.unreachable
    }
    if not shown & real:
        tally.add("no non-import use shown", 1, place)
    unbound = sorted(
        name
        for line in shown
        for name in known.loads.get(line, ())
        if name in known.bound and not known.bound[name] & shown
    )
    tally.add("library name without its import", len(set(unbound)), f"{place} {sorted(set(unbound))}")
    hidden = [
        line
        for line in sorted(shown & known.receivers.keys())
        if not any(first <= seen <= last for first, last in known.receivers[line] for seen in shown)
    ]
    tally.add("decorator's object not shown", len(hidden), f"{place} {hidden}")
    inside = elements = 0
    for number, block in enumerate(blocks):
        if not block:
            continue
        places = []
        if number or block[0] > 1:
            places.append((block[0] - 1, block[0], block[0] in known.starts))
        if number < len(blocks) - 1:
            places.append((block[-1], block[-1] + 1, block[-1] in known.ends))
        for before, after, at_element in places:
            if any(start <= before and after <= end for start, end in known.inner):
                if at_element:
                    elements += 1
                else:
                    inside += 1
    tally.element_cuts += elements
    tally.add("cuts inside a statement", inside, place)
    source = file.text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    unmarked = sum(
        1
        for block in blocks
        for before, after in itertools.pairwise(block)
        if any(source[k - 1].strip() for k in range(before + 1, after))
    )
    tally.add("unmarked omissions", unmarked, place)
    if anchor:
        numbers = [int(part) for part in anchor.replace("#L", "").replace("L", "").split("-") if part]
        if not any(block and block[0] <= numbers[0] and numbers[-1] <= block[-1] for block in blocks):
            tally.add("links wider than one shown block", 1, f"{place} {anchor}")
    tally.add("removed names shown", len(high & missing), place)
    misused = {
        line
        for use in file.uses
        if use.qualname == page and misuse.misuse(use)
        for line in range(use.line, use.end_line + 1)
    }
    tally.add("misuses highlighted", len(high & misused), place)
    removed = {
        use.line for use in file.uses
        if use.line in high and use.qualname in targets and rank.call_mismatch(use, targets[use.qualname])
    }
    tally.add("calls the signature refuses", len(removed), place)


def judge_selection(tally: Tally, page: str, decisions) -> None:  # type: ignore[no-untyped-def]
    """Count examples put before a better candidate although they are weak."""
    chosen = [d for d in decisions if d.chosen]
    full = [d for d in decisions if not d.chosen and d.reason.startswith("page full")]
    for index, decision in enumerate(chosen):
        score = decision.candidate.score
        passed = [d.candidate.score.total for d in [*chosen[index + 1 :], *full]
                  if d.candidate.score.total > score.total]
        if not passed:
            continue
        weak = (
            score.source_label not in ("application", "example")
            or score.excerpt_lines > WEAK_LINES
            or score.total < WEAK_TOTAL
            or score.total < max(passed) - WEAK_GAP
        )
        place = f"{page} #{decision.place} {decision.candidate.project} / {decision.candidate.path}"
        tally.add("weak promotions", int(weak), f"{place} ({score.total:.3f} < {max(passed):.3f})")


def measure(db_path: Path, out: Path, listing: bool) -> Tally:
    db = open_db(db_path)
    started = time.perf_counter()
    report = render.render_pages(db, out)
    render_seconds = time.perf_counter() - started
    tally = Tally()
    used = used_qualnames(db)
    missing: dict[tuple[str, str], set[int]] = {}
    for row in db.query("SELECT project, path, line FROM missing_names"):
        missing.setdefault((row["project"], row["path"]), set()).add(row["line"])
    for library in load_libraries(db):
        targets = load_targets(db, library.name)
        by_name = {t.qualname: t for t in targets}
        for target in targets:
            if target.qualname not in used:
                continue
            tally.pages += 1
            choice = render.choose_examples(db, target, library.name)
            judge_selection(tally, target.qualname, choice.decisions)
            tally.shapes[target.qualname] = (len(choice.files), len({
                use.shape for file in choice.files for use in rank.real_uses(file, target.qualname)
            }))
            for file in choice.files:
                excerpt = rank.file_excerpt(file, target.qualname, "focused")
                web = render.web_url(file.project) or "https://github.com/x/y"
                anchor = render._line_anchor(web, excerpt)
                judge(
                    tally, target.qualname, library.name, file, excerpt, anchor,
                    missing.get((file.project.name, file.path), set()), by_name,
                )
    print(f"rendered {len(report.pages)} pages in {render_seconds:.1f} s "
          f"({len(report.failures)} failures) into {out}")
    if listing:
        print("\n".join(tally.where))
    return tally


def table(tally: Tally) -> str:
    lines = sorted(tally.lines)
    p90 = lines[min(len(lines) - 1, int(0.9 * len(lines)))] if lines else 0
    rows = [
        ("pages", tally.pages),
        ("examples", tally.examples),
        *((name, tally.defects[name]) for name in DEFECTS),
        ("cuts between elements of a long statement (allowed)", tally.element_cuts),
        ("distinct shapes in the examples, all pages", sum(s for _e, s in tally.shapes.values())),
        ("pages whose examples show one shape", sum(e > 1 and s == 1 for e, s in tally.shapes.values())),
        ("median excerpt lines", statistics.median(lines) if lines else 0),
        ("p90 excerpt lines", p90),
        ("excerpts over 60 lines", sum(count > WEAK_LINES for count in lines)),
        ("excerpts over 100 lines", sum(count > 100 for count in lines)),
    ]
    return "\n".join(["| measure | value |", "|---|---:|", *(f"| {k} | {v} |" for k, v in rows)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/quality.db"))
    parser.add_argument("--out", type=Path, default=Path("/tmp/quality-site"))
    parser.add_argument("--projects", type=Path, default=Path("/work/corpus/flask.toml"))
    parser.add_argument("--cache", type=Path, default=Path("/tmp/quality-cache"))
    parser.add_argument("--crawl", action="store_true", help="crawl even if the db exists")
    parser.add_argument("--list", action="store_true", help="print every defect's place")
    parser.add_argument("--variety", action="store_true",
                        help="print each page's examples and the distinct shapes they show")
    args = parser.parse_args()
    if args.crawl or not args.db.exists():
        subprocess.run(
            [sys.executable, "-m", "miner", "crawl", "--projects", str(args.projects),
             "--cache", str(args.cache), "--db", str(args.db), "--pypi-index", ""],
            check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
        )
    tally = measure(args.db, args.out, args.list)
    if args.variety:
        print("\n".join(f"{page}\t{examples}\t{shapes}"
                        for page, (examples, shapes) in sorted(tally.shapes.items())))
    print(table(tally))


if __name__ == "__main__":
    main()

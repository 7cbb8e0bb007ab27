"""What ``ast`` says about a file, in the shape of miner.outline: the oracle outlines are
checked against (tests only: miner itself never parses project code with ``ast``)."""

from __future__ import annotations

import ast
from collections import Counter

from miner import outline

_KINDS = {
    ast.FunctionDef: "def",
    ast.AsyncFunctionDef: "def",
    ast.ClassDef: "class",
    ast.Import: "import",
    ast.ImportFrom: "from",
    ast.Try: "try",
    ast.If: "if",
    ast.Match: "match",
    ast.ExceptHandler: "handler",
    ast.Assign: "assign",
    ast.AnnAssign: "annassign",
    ast.Return: "return",
    ast.Raise: "raise",
    ast.Break: "break",
    ast.Continue: "continue",
    ast.Pass: "pass",
}
if hasattr(ast, "TryStar"):
    _KINDS[ast.TryStar] = "trystar"


def _blocks(node: ast.AST) -> list[list[ast.AST]]:
    blocks = [getattr(node, name, None) for name in ("body", "handlers", "orelse", "finalbody")]
    blocks += [case.body for case in getattr(node, "cases", ())]
    return [block for block in blocks if isinstance(block, list) and block]


def _kind(node: ast.AST) -> str:
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        if isinstance(node.value.value, str):
            return "str"
        if isinstance(node.value.value, bytes):
            return "bytes"
    return _KINDS.get(type(node), "other")


def statements(tree: ast.Module, lines: list[str]) -> list[tuple]:
    """(kind, first, line, last, own_line, name, pattern, alone, blocks) of the module body."""

    def own(node: ast.AST) -> bool:
        if getattr(node, "decorator_list", None):
            return True
        line = lines[node.lineno - 1].encode("utf-8", "surrogatepass")
        return not line[: node.col_offset].strip()

    def alone(node: ast.AST) -> bool:
        first = lines[node.lineno - 1].encode("utf-8", "surrogatepass")[: node.col_offset]
        last = lines[node.end_lineno - 1].encode("utf-8", "surrogatepass")
        rest = last[node.end_col_offset :].strip()
        return not first.strip() and (not rest or rest.startswith(b"#"))

    def one(node: ast.AST) -> tuple:
        decorators = getattr(node, "decorator_list", None)
        kind = _kind(node)
        name = getattr(node, "name", "") if kind in ("def", "class") else ""
        if kind == "assign" and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
        return (
            kind,
            decorators[0].lineno if decorators else node.lineno,
            node.lineno,
            node.end_lineno,
            own(node),
            name,
            node.cases[0].pattern.lineno if isinstance(node, ast.Match) else 0,
            kind in ("str", "bytes") and alone(node),
            tuple(tuple(one(s) for s in block) for block in _blocks(node)),
        )

    return [one(s) for s in tree.body]


def outline_statements(found: outline.FileOutline) -> list[tuple]:
    def one(s: outline.Statement) -> tuple:
        return (s.kind, s.first, s.line, s.last, s.own_line, s.name, s.pattern, s.alone,
                tuple(tuple(one(i) for i in block) for block in s.blocks))

    return [one(s) for s in found.body]


def names(tree: ast.Module) -> tuple[Counter, Counter, dict[int, set[str]]]:
    """(loads, binds, passed) as rank.py and excerpt.py read them: Counters of (line, name)."""
    loads: Counter = Counter()
    binds: Counter = Counter()
    passed: dict[int, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loads if isinstance(node.ctx, ast.Load) else binds)[(node.lineno, node.id)] += 1
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            binds[(node.lineno, node.name)] += 1
        elif isinstance(node, ast.arg):
            binds[(node.lineno, node.arg)] += 1
        if isinstance(node, ast.Call):
            for value in [*node.args, *(k.value for k in node.keywords)]:
                if isinstance(value, ast.Name):
                    passed.setdefault(value.lineno, set()).add(value.id)
    return loads, binds, passed


def outline_names(found: outline.FileOutline) -> tuple[Counter, Counter, dict[int, set[str]]]:
    loads = Counter((line, n) for line, ns in found.loads.items() for n in ns)
    binds = Counter((line, n) for line, ns in found.binds.items() for n in ns)
    return loads, binds, {line: set(ns) for line, ns in found.passed.items()}


def imports(tree: ast.Module) -> list[tuple[str, str, int, bool]]:
    """(bound, module, line, absolute) in ast.walk order."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [((alias.asname or alias.name).split(".")[0], alias.name.split(".")[0],
                       alias.lineno, True) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = "." if node.level else (node.module or "").split(".")[0]
            found += [(alias.asname or alias.name, module, alias.lineno,
                       not node.level and bool(node.module)) for alias in node.names]
    return found


def outline_imports(found: outline.FileOutline) -> list[tuple[str, str, int, bool]]:
    return [(i.bound, i.module, i.line, i.absolute) for i in found.imports]


def strings(tree: ast.Module) -> set[int]:
    """0-based lines inside multi-line string literals (after their first line)."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant | ast.JoinedStr) and node.end_lineno != node.lineno:
            inside.update(range(node.lineno, node.end_lineno or node.lineno))
    return inside


def outline_strings(found: outline.FileOutline) -> set[int]:
    return {line for first, last in found.strings for line in range(first, last)}


def local_names(tree: ast.Module) -> dict[int, set[str]]:
    """def line -> module-level def/class names bound inside it (as excerpt._locals read it)."""
    top = {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)}
    found: dict[int, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            bound = set()
            for inner in ast.walk(node):
                if isinstance(inner, ast.arg):
                    bound.add(inner.arg)
                elif isinstance(inner, ast.Name) and not isinstance(inner.ctx, ast.Load):
                    bound.add(inner.id)
                elif isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.alias)) and inner is not node:
                    bound.add(getattr(inner, "asname", None) or getattr(inner, "name", ""))
            if bound & top:
                found[node.lineno] = bound & top
    return found


def outline_locals(found: outline.FileOutline) -> dict[int, set[str]]:
    return {found.statements[i].line: set(ns) for i, ns in found.locals.items()}


def _elements(node: ast.AST) -> list[tuple]:
    """(first, last, (child first, last) or None) of each element, as excerpt cuts them."""
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        items = list(node.elts)
    elif isinstance(node, ast.Dict):
        return [((key or value).lineno, value.end_lineno, (value.lineno, value.end_lineno))
                for key, value in zip(node.keys, node.values, strict=True)]
    elif isinstance(node, ast.Call):
        items = sorted([*node.args, *node.keywords], key=lambda n: (n.lineno, n.col_offset))
    else:
        return [(alias.lineno, alias.end_lineno, None) for alias in node.names]
    found = []
    for item in items:
        child = item.value if isinstance(item, ast.keyword) else item
        found.append((item.lineno, item.end_lineno, (child.lineno, child.end_lineno)))
    return found


_CONTAINERS = (ast.List, ast.Tuple, ast.Set, ast.Dict, ast.Call, ast.ImportFrom)


def containers(tree: ast.Module) -> dict[int, list[tuple]]:
    """Simple statements over ELEMENTS_FROM lines: line -> their containers, sorted."""
    found = {}
    for statement in ast.walk(tree):
        if not isinstance(statement, ast.stmt) or _blocks(statement):
            continue
        if statement.end_lineno - statement.lineno + 1 <= outline.ELEMENTS_FROM:
            continue
        found[statement.lineno] = sorted(
            (node.lineno, node.end_lineno, tuple(_elements(node)))
            for node in ast.walk(statement)
            if isinstance(node, _CONTAINERS)
        )
    return {line: items for line, items in found.items() if items}


def outline_containers(found: outline.FileOutline) -> dict[int, list[tuple]]:
    result = {}
    for statement in found.statements:
        node = statement.elements
        if node is not None:
            result[statement.line] = sorted(
                (c.first, c.last, tuple((a, b, (n.first, n.last) if n else None)
                                        for a, b, n in c.parts))
                for c in found.containers[node.lo : node.hi]
            )
    return result


def compare(text: str) -> list[str]:
    """What differs between the outline of `text` and ast's view of it (empty: nothing)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    tree = ast.parse(text)
    found = outline.of_text(text)
    assert found is not None
    found = outline.loads(outline.dumps(found))
    lines = text.split("\n")
    problems = []
    checks = [
        ("statements", statements(tree, lines), outline_statements(found)),
        ("names", names(tree), outline_names(found)),
        ("imports", imports(tree), outline_imports(found)),
        ("strings", strings(tree), outline_strings(found)),
        ("locals", local_names(tree), outline_locals(found)),
        ("containers", containers(tree), outline_containers(found)),
    ]
    for label, want, got in checks:
        if want != got:
            problems.append(f"{label}: ast {want!r} != outline {got!r}")
    return problems

"""Usage shapes: a normalised signature of each use, so that uses can be counted and compared.

`make_response(jsonify(...), 404)` and `make_response(jsonify(data), 201)` are both
`make_response(jsonify(...), int)`: literals become their type (but ``True``, ``False`` and
``None`` stay as written: ``_external=True`` is the point of a call), calls become `name(...)`,
anything else becomes `value`. The *result* says what the code does with what a call
returns: `returned`, `passed to redirect`, or, for a result kept in a variable, the first
things done to it (`.headers[...] =, .set_cookie(...)`).

Works on the LibCST tree the scan walked, through the parent links it recorded.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass

import libcst as cst

from miner.model import UseKind
from miner.syntax import children

_CONTAINERS = {cst.Dict: "dict", cst.List: "list", cst.Tuple: "tuple", cst.Set: "set"}
_NUMBERS = {cst.Integer: "int", cst.Float: "float", cst.Imaginary: "complex"}
_NAMED_CONSTANTS = {"True", "False", "None"}  #: kept as written: _external=True is the point
_MAX_FOLLOW_UPS = 3

#: Nodes LibCST has and `ast` does not (lines, suites, argument and element wrappers): a
#: breadth-first walk looks through them, so follow-ups come in the order `ast.walk` gave.
_WRAPPERS = (
    cst.SimpleStatementLine,
    cst.SimpleStatementSuite,
    cst.IndentedBlock,
    cst.Else,
    cst.Finally,
    cst.Element,
    cst.SubscriptElement,
    cst.Index,
    cst.AssignTarget,
    cst.Annotation,
    cst.Decorator,
    cst.ComparisonTarget,
    cst.CompIf,
    cst.From,
)


@dataclass(frozen=True, slots=True)
class Tree:
    """What the scan's walk learnt about the tree: parent links and assignment targets."""

    parents: Mapping[cst.CSTNode, cst.CSTNode]
    stored: Mapping[cst.CSTNode, int]  #: Attribute and Subscript targets (1 store, 2 del)


def shape_of(node: cst.BaseExpression, name: str, kind: UseKind, tree: Tree) -> str:
    """The normalised form of one use of `name`, the target's short name."""
    parent = tree.parents.get(node)
    if kind in (UseKind.CALL, UseKind.DECORATOR, UseKind.RAISE) and isinstance(parent, cst.Call):
        call = f"{name}({_arguments(parent)})"
        return {UseKind.DECORATOR: f"@{call}", UseKind.RAISE: f"raise {call}"}.get(kind, call)
    if kind is UseKind.ATTRIBUTE:
        return _attribute_shape(node, name, tree)
    return {
        UseKind.DECORATOR: f"@{name}",
        UseKind.RAISE: f"raise {name}",
        UseKind.EXCEPT: f"except {name}",
        UseKind.SUBCLASS: f"class _({name})",
        UseKind.ANNOTATION: f": {name}",
        UseKind.IMPORT: f"import {name}",
    }.get(kind) or _value_shape(node, name, tree)


def result_of(node: cst.BaseExpression, tree: Tree) -> str:
    """What happens to the value a call returns; "" for uses that are not calls."""
    parents = tree.parents
    call = parents.get(node)
    if not (isinstance(call, cst.Call) and call.func is node):
        return ""
    holder = parents.get(call)
    if isinstance(holder, cst.From):
        holder = parents.get(holder) if isinstance(parents.get(holder), cst.Raise) else holder
    if isinstance(holder, cst.Return):
        return "returned"
    if isinstance(holder, cst.Expr):
        return "discarded"
    if isinstance(holder, cst.Raise):
        return "raised"
    if isinstance(holder, cst.Arg) and not holder.star and holder.keyword is None:
        caller = parents.get(holder)  # a positional argument (keyword ones: in an expression)
        if isinstance(caller, cst.Call):
            return f"passed to {_callee(caller.func)}"
    if isinstance(holder, cst.Assign | cst.AnnAssign) and holder.value is call:
        targets = (
            [t.target for t in holder.targets] if isinstance(holder, cst.Assign) else [holder.target]
        )
        if len(targets) == 1 and isinstance(targets[0], cst.Name):
            follow_ups = _follow_ups(holder, targets[0].value, parents)
            return ", ".join(follow_ups) if follow_ups else "assigned"
        return "assigned"
    return "in an expression"


def dotted(node: cst.CSTNode) -> str:
    """`flask.helpers.make_response` for a Name/Attribute chain; "" for anything else."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr.value}" if base else ""
    return ""


def _arguments(call: cst.Call, passed: cst.CSTNode | None = None, name: str = "") -> str:
    """Positional arguments first, then keywords, as `ast` separates them.

    With `passed`, the use passed as a positional argument keeps its place, written `name`.
    """
    positional = [arg for arg in call.args if arg.keyword is None and arg.star != "**"]
    keywords = [arg for arg in call.args if arg.keyword is not None or arg.star == "**"]
    if passed is not None:
        parts = [
            name if a.value is passed else "value" if a.star else _argument(a.value)
            for a in positional
        ]
    else:
        parts = [f"*{_argument(a.value)}" if a.star else _argument(a.value) for a in positional]
    parts += [
        f"{arg.keyword.value}={_argument(arg.value)}" if arg.keyword else "**kwargs"
        for arg in keywords
    ]
    return ", ".join(parts)


def _argument(node: cst.BaseExpression) -> str:
    constant = _constant(node)
    if constant:
        return constant
    if isinstance(node, cst.FormattedString) or (
        isinstance(node, cst.ConcatenatedString)
        and not any(isinstance(part, cst.TemplatedString) for part in _string_parts(node))
    ):
        return "str"
    if isinstance(node, cst.UnaryOperation):
        return _constant(node.expression) or "value"
    if isinstance(node, cst.Call):
        return f"{_callee(node.func)}(...)"
    if isinstance(node, cst.Lambda):
        return "lambda"
    return _CONTAINERS.get(type(node), "value")


def _constant(node: cst.BaseExpression) -> str:
    """The type of a literal (what `ast.Constant` would hold); "" for anything else."""
    if isinstance(node, cst.SimpleString):
        return "bytes" if "b" in node.prefix.lower() else "str"
    if isinstance(node, cst.ConcatenatedString):
        parts = _string_parts(node)
        if any(not isinstance(part, cst.SimpleString) for part in parts):
            return ""  # holds an f-string or a t-string: not a constant
        return _constant(parts[0])
    if isinstance(node, cst.Name):
        return node.value if node.value in _NAMED_CONSTANTS else ""
    if isinstance(node, cst.Ellipsis):
        return "..."
    return _NUMBERS.get(type(node), "")


def _string_parts(node: cst.ConcatenatedString) -> list[cst.CSTNode]:
    parts: list[cst.CSTNode] = []
    todo: list[cst.CSTNode] = [node]
    while todo:
        current = todo.pop()
        if isinstance(current, cst.ConcatenatedString):
            todo += [current.right, current.left]
        else:
            parts.append(current)
    return parts


def _callee(func: cst.BaseExpression) -> str:
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return "call"


def _subscript_slice(subscript: cst.Subscript) -> str:
    """The slice as `ast` shapes it: one index is its value, several are a tuple."""
    elements = subscript.slice
    if len(elements) != 1 or isinstance(elements[0].comma, cst.Comma):
        return "tuple"
    index = elements[0].slice
    if not isinstance(index, cst.Index):
        return "value"
    return "tuple" if index.star else _argument(index.value)


def _attribute_shape(node: cst.BaseExpression, name: str, tree: Tree) -> str:
    parents = tree.parents
    parent = parents.get(node)
    if isinstance(parent, cst.Subscript):
        shape = f"{name}[{_subscript_slice(parent)}]"
        return f"{shape} =" if tree.stored.get(parent) == 1 else shape
    assert isinstance(parent, cst.Attribute)
    shape = f"{name}.{parent.attr.value}"
    holder = parents.get(parent)
    if isinstance(holder, cst.Call) and holder.func is parent:
        return f"{shape}({_arguments(holder)})"
    if isinstance(holder, cst.Attribute) and holder.value is parent:
        method = parents.get(holder)
        called = isinstance(method, cst.Call) and method.func is holder
        return f"{shape}.{holder.attr.value}{'(...)' if called else ''}"
    return f"{shape} =" if tree.stored.get(parent) == 1 else shape


def _value_shape(node: cst.BaseExpression, name: str, tree: Tree) -> str:
    parents = tree.parents
    parent = parents.get(node)
    if isinstance(parent, cst.Arg):
        owner = parents.get(parent)
        if parent.keyword is not None or parent.star == "**":
            keyword = parent.keyword.value if parent.keyword is not None else None
            return f"{keyword}={name}"
        if not parent.star and isinstance(owner, cst.Call):
            return f"{_callee(owner.func)}({_arguments(owner, node, name)})"  # getattr(g, str, None)
        return name
    if isinstance(parent, cst.Element):
        container = parents.get(parent)
        holder = parents.get(container) if isinstance(container, cst.Tuple | cst.List) else None
        call = parents.get(holder) if isinstance(holder, cst.Arg) else None
        if isinstance(holder, cst.Arg) and not holder.star and holder.keyword is None:
            if isinstance(call, cst.Call):
                return f"{_callee(call.func)}(..., ({name}, ...))"
        return name
    if isinstance(parent, cst.Assign):
        return f"_ = {name}"
    return name


def _follow_ups(assign: cst.CSTNode, variable: str, parents: Mapping) -> list[str]:
    """The first things later statements of the same block do to `variable`."""
    block = _block_of(assign, parents)
    found: list[str] = []
    for statement in block[_index(block, assign) + 1 :]:
        for node in _breadth_first(statement):
            step = _step_on(node, variable)
            if step and step not in found:
                found.append(step)
        if len(found) >= _MAX_FOLLOW_UPS:
            break
    return found[:_MAX_FOLLOW_UPS]


def _index(block: list[cst.CSTNode], statement: cst.CSTNode) -> int:
    return next(i for i, item in enumerate(block) if item is statement)


def _block_of(statement: cst.CSTNode, parents: Mapping) -> list[cst.CSTNode]:
    """The statements around a small statement, one per `ast` statement."""
    line = parents.get(statement)
    if isinstance(line, cst.SimpleStatementSuite):
        return list(line.body)
    owner = parents.get(line) if isinstance(line, cst.SimpleStatementLine) else None
    if not isinstance(owner, cst.IndentedBlock | cst.Module):
        return [statement]
    block: list[cst.CSTNode] = []
    for item in owner.body:
        block.extend(item.body if isinstance(item, cst.SimpleStatementLine) else [item])
    return block


def _breadth_first(statement: cst.CSTNode) -> list[cst.CSTNode]:
    """Every node under `statement`, level by level as `ast.walk` goes, wrappers skipped."""
    order: list[cst.CSTNode] = []
    queue = deque([statement])
    while queue:
        node = queue.popleft()
        order.append(node)
        pending = children(node)
        while pending:
            kid = pending.pop(0)
            if isinstance(kid, _WRAPPERS) or (isinstance(kid, cst.Arg) and kid.keyword is None):
                pending[:0] = children(kid)
            else:
                queue.append(kid)
    return order


def _step_on(node: cst.CSTNode, variable: str) -> str:
    """`.headers[...] =`, `.set_cookie(...)`, `.status_code =`, `returned` on the variable."""
    if isinstance(node, cst.Return):
        value = node.value
        return "returned" if isinstance(value, cst.Name) and value.value == variable else ""
    if isinstance(node, cst.Assign | cst.AugAssign):
        targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
        for target in targets:
            if isinstance(target, cst.Subscript) and _is_attribute_on(target.value, variable):
                return f".{target.value.attr.value}[...] ="  # type: ignore[attr-defined]
            if _is_attribute_on(target, variable):
                return f".{target.attr.value} ="  # type: ignore[attr-defined]
    if isinstance(node, cst.Call) and _is_attribute_on(node.func, variable):
        return f".{node.func.attr.value}(...)"  # type: ignore[attr-defined]
    return ""


def _is_attribute_on(node: cst.CSTNode, variable: str) -> bool:
    return (
        isinstance(node, cst.Attribute)
        and isinstance(node.value, cst.Name)
        and node.value.value == variable
    )


# -- reading a stored shape back ------------------------------------------------------------------

#: What shapes write for literals (see `_argument`): a form keeps them; misuse rules name them.
LITERAL_KINDS = frozenset({
    "str", "bytes", "int", "float", "complex", "True", "False", "None", "...",
    "dict", "list", "tuple", "set", "lambda",
})


def call_arguments(shape: str) -> list[str]:
    """The top-level arguments of the first call in a shape: `url_for(str, x=f(...))` ->
    ["str", "x=f(...)"]."""
    start = shape.find("(")
    return first_call(shape, start)[0] if start >= 0 else []


def first_call(shape: str, start: int) -> tuple[list[str], int]:
    """The top-level arguments of the call whose parenthesis opens at `start`, and where it
    closes (the shape's last index when it does not): one pass for both."""
    parts, depth, current = [], 0, ""
    for index in range(start + 1, len(shape)):
        char = shape[index]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                return _with_last(parts, current), index
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    return _with_last(parts, current), len(shape) - 1


def _with_last(parts: list[str], current: str) -> list[str]:
    return [*parts, current.strip()] if current.strip() else parts


def is_keyword(argument: str) -> bool:
    """A shape's argument is a keyword one: `page=int` (not `**kwargs`)."""
    key, equals, _value = argument.partition("=")
    return bool(equals) and key.isidentifier()

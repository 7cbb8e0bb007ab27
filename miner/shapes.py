"""Usage shapes: a normalised signature of each use, so that uses can be counted and compared.

`make_response(jsonify(...), 404)` and `make_response(jsonify(data), 201)` are both
`make_response(jsonify(...), int)`: literals become their type (but ``True``, ``False`` and
``None`` stay as written: ``_external=True`` is the point of a call), calls become `name(...)`,
anything else becomes `value`. The *result* says what the code does with what a call
returns: `returned`, `passed to redirect`, or, for a result kept in a variable, the first
things done to it (`.headers[...] =, .set_cookie(...)`).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from miner.model import UseKind

_LITERAL_TYPES = {
    str: "str",
    bytes: "bytes",
    bool: "bool",
    int: "int",
    float: "float",
    complex: "complex",
    type(None): "None",
    type(...): "...",
}
_CONTAINERS = {ast.Dict: "dict", ast.List: "list", ast.Tuple: "tuple", ast.Set: "set"}
_MAX_FOLLOW_UPS = 3

Parents = Mapping[ast.AST, ast.AST]


def shape_of(node: ast.expr, name: str, kind: UseKind, parents: Parents) -> str:
    """The normalised form of one use of `name`, the target's short name."""
    parent = parents.get(node)
    if kind in (UseKind.CALL, UseKind.DECORATOR, UseKind.RAISE) and isinstance(parent, ast.Call):
        call = f"{name}({_arguments(parent)})"
        return {UseKind.DECORATOR: f"@{call}", UseKind.RAISE: f"raise {call}"}.get(kind, call)
    if kind is UseKind.ATTRIBUTE:
        return _attribute_shape(node, name, parents)
    return {
        UseKind.DECORATOR: f"@{name}",
        UseKind.RAISE: f"raise {name}",
        UseKind.EXCEPT: f"except {name}",
        UseKind.SUBCLASS: f"class _({name})",
        UseKind.ANNOTATION: f": {name}",
        UseKind.IMPORT: f"import {name}",
    }.get(kind) or _value_shape(node, name, parents)


def result_of(node: ast.expr, parents: Parents) -> str:
    """What happens to the value a call returns; "" for uses that are not calls."""
    call = parents.get(node)
    if not (isinstance(call, ast.Call) and call.func is node):
        return ""
    holder = parents.get(call)
    if isinstance(holder, ast.Return):
        return "returned"
    if isinstance(holder, ast.Expr):
        return "discarded"
    if isinstance(holder, ast.Raise):
        return "raised"
    if isinstance(holder, ast.Call) and call in holder.args + [k.value for k in holder.keywords]:
        return f"passed to {_callee(holder.func)}"
    if isinstance(holder, ast.Assign | ast.AnnAssign) and holder.value is call:
        targets = holder.targets if isinstance(holder, ast.Assign) else [holder.target]
        if len(targets) == 1 and isinstance(targets[0], ast.Name):
            follow_ups = _follow_ups(holder, targets[0].id, parents)
            return ", ".join(follow_ups) if follow_ups else "assigned"
        return "assigned"
    return "in an expression"


def _arguments(call: ast.Call) -> str:
    parts = [
        f"*{_argument(arg.value)}" if isinstance(arg, ast.Starred) else _argument(arg)
        for arg in call.args
    ]
    parts += [
        f"{keyword.arg}={_argument(keyword.value)}" if keyword.arg else "**kwargs"
        for keyword in call.keywords
    ]
    return ", ".join(parts)


def _argument(node: ast.expr) -> str:
    if isinstance(node, ast.Constant):
        if node.value is None or isinstance(node.value, bool):
            return repr(node.value)  # _external=True: the flag is the point of the call
        return _LITERAL_TYPES.get(type(node.value), "value")
    if isinstance(node, ast.JoinedStr):
        return "str"
    if isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant):
        return _argument(node.operand)
    if isinstance(node, ast.Call):
        return f"{_callee(node.func)}(...)"
    if isinstance(node, ast.Lambda):
        return "lambda"
    for container, label in _CONTAINERS.items():
        if isinstance(node, container):
            return label
    return "value"


def _callee(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return "call"


def _attribute_shape(node: ast.expr, name: str, parents: Parents) -> str:
    parent = parents.get(node)
    if isinstance(parent, ast.Subscript):
        shape = f"{name}[{_argument(parent.slice)}]"
        holder = parents.get(parent)
        stored = isinstance(parent.ctx, ast.Store) or isinstance(holder, ast.AugAssign)
        return f"{shape} =" if stored else shape
    assert isinstance(parent, ast.Attribute)
    shape = f"{name}.{parent.attr}"
    holder = parents.get(parent)
    if isinstance(holder, ast.Call) and holder.func is parent:
        return f"{shape}({_arguments(holder)})"
    if isinstance(holder, ast.Attribute) and holder.value is parent:
        method = parents.get(holder)
        called = isinstance(method, ast.Call) and method.func is holder
        return f"{shape}.{holder.attr}{'(...)' if called else ''}"
    return f"{shape} =" if isinstance(parent.ctx, ast.Store) else shape


def _value_shape(node: ast.expr, name: str, parents: Parents) -> str:
    parent = parents.get(node)
    if isinstance(parent, ast.Call) and node in parent.args:
        arguments = [name if arg is node else _argument(arg) for arg in parent.args]
        arguments += [f"{k.arg}={_argument(k.value)}" if k.arg else "**kwargs" for k in parent.keywords]
        return f"{_callee(parent.func)}({', '.join(arguments)})"  # getattr(g, str, None)
    if isinstance(parent, ast.Tuple | ast.List) and isinstance(parents.get(parent), ast.Call):
        return f"{_callee(parents[parent].func)}(..., ({name}, ...))"  # type: ignore[attr-defined]
    if isinstance(parent, ast.Assign):
        return f"_ = {name}"
    if isinstance(parent, ast.keyword):
        return f"{parent.arg}={name}"
    return name


def _follow_ups(assign: ast.stmt, variable: str, parents: Parents) -> list[str]:
    """The first things later statements of the same block do to `variable`."""
    block = _block_of(assign, parents)
    found: list[str] = []
    for statement in block[block.index(assign) + 1 :]:
        for node in ast.walk(statement):
            step = _step_on(node, variable)
            if step and step not in found:
                found.append(step)
        if len(found) >= _MAX_FOLLOW_UPS:
            break
    return found[:_MAX_FOLLOW_UPS]


def _block_of(statement: ast.stmt, parents: Parents) -> list[ast.stmt]:
    owner = parents.get(statement)
    for field in ("body", "orelse", "finalbody", "handlers"):
        block = getattr(owner, field, None)
        if isinstance(block, list) and statement in block:
            return block
    return [statement]


def _step_on(node: ast.AST, variable: str) -> str:
    """`.headers[...] =`, `.set_cookie(...)`, `.status_code =`, `returned` on the variable."""
    if isinstance(node, ast.Return) and isinstance(node.value, ast.Name):
        return "returned" if node.value.id == variable else ""
    if isinstance(node, ast.Assign | ast.AugAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if isinstance(target, ast.Subscript) and _is_attribute_on(target.value, variable):
                return f".{target.value.attr}[...] ="  # type: ignore[attr-defined]
            if _is_attribute_on(target, variable):
                return f".{target.attr} ="  # type: ignore[attr-defined]
    if isinstance(node, ast.Call) and _is_attribute_on(node.func, variable):
        return f".{node.func.attr}(...)"  # type: ignore[attr-defined]
    return ""


def _is_attribute_on(node: ast.AST, variable: str) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == variable
    )

"""Misuse: calls that cannot work, so that they never count as uses of a name.

A page teaches how a name is used, and ``render_template(url_for(...))`` or ``abort("Not
found")`` teaches a bug. What makes a call wrong is a fact about one library's signatures, not
about miner, so the rules are data: a library's profile in data/libraries.toml names a rules
file (``misuse = "misuse/flask.toml"``), keyed by the qualified names uses carry, and a Django
``redirect`` is judged by Django's rules only. docs/ranking.md describes the format.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from miner.model import MinerError, Use
from miner.resources import resource_dir
from miner.shapes import LITERAL_KINDS, call_arguments, is_keyword
from miner.targets import profile


class RulesError(MinerError):
    """A misuse rules file that cannot be read."""


@dataclass(frozen=True, slots=True)
class CallRules:
    """What is known about calls of one name."""

    returns: str = ""  #: the kind of value a call gives back ("URL"), "" when not tracked
    takes: frozenset[str] | None = None  #: kinds it takes as a positional argument; None: any
    literals: Mapping[str, str] = field(default_factory=dict)  #: first argument's literal -> why
    unless_keywords: frozenset[str] = frozenset()  #: keywords that make those literals valid
    mixed_arguments: str = ""  #: why positional and keyword arguments together fail


@dataclass(frozen=True, slots=True)
class Rules:
    """One library's rules: kinds in words, and call rules by qualified name."""

    kinds: Mapping[str, str] = field(default_factory=dict)
    calls: Mapping[str, CallRules] = field(default_factory=dict)
    #: what a call receiving a value takes, by the name written before its parenthesis
    receivers: Mapping[str, frozenset[str]] = field(default_factory=dict)


_CALL_FIELDS = frozenset({"returns", "takes", "literals", "unless_keywords", "mixed_arguments"})


def misuse(use: Use) -> str:
    """Why a use is a call that cannot work, or "" when it is not one.

    Three rules, from the use's own library: a call's result passed where its kind cannot go
    (`render_template(url_for(...))`: a URL is no template name; `redirect(render_template(
    ...))`: a page is no URL); a literal first argument the name cannot take (`abort("Not
    found")`, flask-base's `redirect(404)`); positional and keyword arguments given together
    where they cannot be (Flask's `jsonify`). The receiving call is known only by the name
    written before its parenthesis (`passed to redirect`), looked up among the same library's
    rules.
    """
    return misuse_of(use.qualname, use.shape, use.result)


def misuse_of(qualname: str, shape: str, result: str) -> str:
    """`misuse` from a use's stored columns (`uses.qualname`, `shape`, `result`)."""
    rules = rules_of(qualname.partition(".")[0])
    call = rules.calls.get(qualname)
    if call is None:
        return ""
    name = qualname.rpartition(".")[2]
    receiver = result.removeprefix("passed to ")
    takes = rules.receivers.get(receiver)
    if receiver != result and call.returns and takes is not None and call.returns not in takes:
        return f"{name}(...) gives {rules.kinds[call.returns]}, which {receiver} cannot take"
    arguments = call_arguments(shape) if shape.startswith(f"{name}(") else []
    keywords = [a for a in arguments if is_keyword(a) or a.startswith("**")]
    if arguments and arguments[0] in call.literals and not (
        call.unless_keywords
        and any(a.startswith("**") or a.partition("=")[0] in call.unless_keywords for a in keywords)
    ):
        return call.literals[arguments[0]]
    if call.mixed_arguments and keywords and len(keywords) < len(arguments):
        return call.mixed_arguments
    return ""


@functools.cache
def rules_of(library: str) -> Rules:
    """The rules the library's profile names (none when it names no file); read once."""
    listed = profile(library).get("misuse")
    if listed is None:
        return Rules()
    data = resource_dir("data")
    if not isinstance(listed, str):
        raise RulesError(f"{data / 'libraries.toml'}: [{library}] misuse must be a file name (fix it)")
    return load_rules(data / listed, library)


def load_rules(path: Path, library: str) -> Rules:
    """Read and check one rules file; anything wrong is one line naming the file."""
    try:
        with path.open("rb") as file:
            document = tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise RulesError(f"{path}: {_one_line(error)} ({_ADVICE})") from error
    try:
        return _rules(document, library)
    except ValueError as error:
        raise RulesError(f"{path}: {error} ({_ADVICE})") from error


_ADVICE = "fix the misuse rules: docs/ranking.md describes their format"


def _one_line(error: Exception) -> str:
    return " ".join(str(getattr(error, "strerror", None) or error).split())


def _rules(document: dict[str, Any], library: str) -> Rules:
    unknown = set(document) - {"kinds", "calls"}
    if unknown:
        raise ValueError(f"unknown table [{sorted(unknown)[0]}] (only [kinds] and [calls.NAME])")
    kinds = _strings(document.get("kinds", {}), "[kinds]")
    calls: dict[str, CallRules] = {}
    receivers: dict[str, frozenset[str]] = {}
    for qualname, table in _table(document.get("calls", {}), "[calls]").items():
        where = f'[calls."{qualname}"]'
        if not qualname.startswith(f"{library}."):
            raise ValueError(f"{where}: not a name of {library} (write its qualified name)")
        calls[qualname] = rules = _call_rules(_table(table, where), where, kinds)
        short = qualname.rpartition(".")[2]
        if rules.takes is not None:
            if short in receivers:
                raise ValueError(f"{where}: a second takes for calls written {short}(...)")
            receivers[short] = rules.takes
    return Rules(kinds, calls, receivers)


def _call_rules(table: dict[str, Any], where: str, kinds: Mapping[str, str]) -> CallRules:
    unknown = set(table) - _CALL_FIELDS
    if unknown:
        raise ValueError(f"{where}: unknown field {sorted(unknown)[0]} (fields: {', '.join(sorted(_CALL_FIELDS))})")
    returns = table.get("returns", "")
    takes = table.get("takes")
    for kind in ([returns] if returns else []) + list(takes or []):
        if kind not in kinds:
            raise ValueError(f"{where}: {kind!r} is no kind listed in [kinds]")
    if takes is not None and not _is_strings(takes):
        raise ValueError(f"{where}: takes must be a list of kinds")
    literals = _strings(table.get("literals", {}), f"{where} literals")
    odd = sorted(set(literals) - LITERAL_KINDS)
    if odd:
        raise ValueError(f"{where}: {odd[0]!r} is no literal kind ({', '.join(sorted(LITERAL_KINDS))})")
    unless = table.get("unless_keywords", [])
    if not _is_strings(unless) or not all(key.isidentifier() for key in unless):
        raise ValueError(f"{where}: unless_keywords must be a list of keyword names")
    mixed = table.get("mixed_arguments", "")
    if not isinstance(mixed, str) or not isinstance(returns, str):
        raise ValueError(f"{where}: returns and mixed_arguments must be strings")
    return CallRules(
        returns, None if takes is None else frozenset(takes), literals, frozenset(unless), mixed
    )


def _table(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{where} must be a table")
    return value


def _strings(value: object, where: str) -> dict[str, str]:
    table = _table(value, where)
    if not all(isinstance(text, str) for text in table.values()):
        raise ValueError(f"{where}: every value must be a string")
    return table


def _is_strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)

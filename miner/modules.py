"""Module pages' examples: files that use a module's names through the module itself.

`from django.db import models` then `models.CharField(...)`, `import flask` then
`flask.Flask(...)`, `import sqlalchemy as sa` then `sa.Column(...)` or `sa.orm.relationship(...)`
(through sqlalchemy.orm), `from django.contrib import admin as dj_admin`: a use goes through module M
when it is written `{prefix}.{name}`, the name is importable from M, and the file binds `prefix`
to M by an import (checked in its text: one `import` or `from` statement, parenthesised ones
included). Those files are ranked and excerpted with the name pages' machinery (rank.score_file,
rank.select, rank.file_excerpt), the module standing in for the name: its uses are the uses
through it, plus the import that binds it, highlighted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from miner.model import Resolution, Target, Use, UseKind
from miner.rank import SOURCE_KINDS, classify_path
from miner.store import FileCandidate

#: Files of one project whose text is read for one module page, at most: application code
#: before examples before tests (rank.SOURCE_KINDS, by path), then the most uses through the
#: module (scoring reads each file's text and outline; the page shows one example per project
#: anyway).
FILES_PER_PROJECT = 3


@dataclass(frozen=True, slots=True)
class ModuleUse:
    """A use written through a module or object prefix: `models.CharField` in models.py."""

    project: str
    path: str
    qualname: str
    written_as: str
    resolution: str
    shape: str

    @property
    def prefix(self) -> str:
        return self.written_as.rpartition(".")[0]


def through(use: ModuleUse, module: str) -> bool:
    """Whether the use may go through `module`: its prefix is the module's path or tail as an
    import binds it (`models` for django.db.models), or an `import M as prefix` name."""
    prefix = use.prefix
    if module == prefix or module.endswith("." + prefix):
        return True
    rest = prefix.partition(".")[2]  # sa.orm.relationship after import sqlalchemy as sa
    return use.resolution == Resolution.ALIAS.value and (not rest or module.endswith("." + rest))


def module_uses(
    uses: Iterable[ModuleUse], members: Mapping[str, Sequence[Target]]
) -> dict[str, dict[tuple[str, str], list[ModuleUse]]]:
    """Module -> (project, path) -> the file's uses that may go through the module."""
    modules_of: dict[str, list[str]] = {}
    for module, targets in members.items():
        for target in targets:
            modules_of.setdefault(target.qualname, []).append(module)
    found: dict[str, dict[tuple[str, str], list[ModuleUse]]] = {}
    for use in uses:
        for module in modules_of.get(use.qualname, ()):
            if through(use, module):
                found.setdefault(module, {}).setdefault((use.project, use.path), []).append(use)
    return found


def busiest_files(
    files: Mapping[tuple[str, str], Sequence[ModuleUse]], per_project: int = FILES_PER_PROJECT
) -> list[tuple[str, str]]:
    """Each project's files that are read: its best kind of code (by path), then the most
    uses through the module, then path."""
    by_project: dict[str, list[tuple[str, str]]] = {}

    def order(key: tuple[str, str]) -> tuple[str, float, int, str]:
        return key[0], -SOURCE_KINDS[classify_path(key[1])], -len(files[key]), key[1]

    for key in sorted(files, key=order):
        by_project.setdefault(key[0], []).append(key)
    return [key for keys in by_project.values() for key in keys[:per_project]]


def import_lines(text: str, module: str, prefix: str) -> list[int]:
    """The 1-based lines where an import binds `prefix` to `module` ([] when none does)."""
    pattern = _import_pattern(module, prefix)
    if pattern is None:
        return []
    return [text.count("\n", 0, match.start("bound")) + 1 for match in pattern.finditer(text)]


def _import_pattern(module: str, prefix: str) -> re.Pattern[str] | None:
    parts, bound = module.split("."), prefix.split(".")
    head = parts[: len(parts) - len(bound)]
    name = re.escape(bound[0])
    if module == prefix or module.endswith("." + prefix):
        if head:  # from django.db import models / from django.db import (\n models, ...)
            names = r"(?:\([^)]*?|[^#\n(]*?)"
            return re.compile(
                rf"^[ \t]*from[ \t]+{re.escape('.'.join(head))}[ \t]+import[ \t]+{names}"
                rf"(?<![\w.])(?P<bound>{name})(?![\w.])(?![ \t]+as\b)",
                re.M,
            )
        # import flask / import flask.json (binds flask) / import django.db.models
        return re.compile(
            rf"^[ \t]*import[ \t]+[^#\n]*?(?<![\w.])(?P<bound>{name})(?![\w])(?![.\w]*[ \t]+as\b)",
            re.M,
        )
    # import sqlalchemy as sa: sa.Column goes through sqlalchemy, sa.orm.relationship through
    # sqlalchemy.orm
    aliased = ".".join(parts[: len(parts) - len(bound) + 1])
    if not aliased or ".".join([aliased, *bound[1:]]) != module:
        return None
    parent, _, last = aliased.rpartition(".")
    from_form = (  # from django.contrib import admin as dj_admin
        rf"from[ \t]+{re.escape(parent)}[ \t]+import[ \t]+(?:\([^)]*?|[^#\n(]*?)"
        rf"(?<![\w.]){re.escape(last)}[ \t]+as[ \t]+"
        if parent
        else "(?!)"
    )
    return re.compile(
        rf"^[ \t]*(?:import[ \t]+(?:[^#\n]*,[ \t]*)?{re.escape(aliased)}[ \t]+as[ \t]+|{from_form})"
        rf"(?P<bound>{name})(?![\w.])",
        re.M,
    )


def module_file(
    file: FileCandidate, module: str, uses: Sequence[ModuleUse]
) -> FileCandidate | None:
    """The file as a candidate of the module's page: the uses through the module, renamed to
    the module, and the import binding it; None when no import binds a prefix to the module."""
    imports: dict[str, list[int]] = {}
    for prefix in dict.fromkeys(use.prefix for use in uses):
        lines = import_lines(file.text, module, prefix)
        if lines:
            imports[prefix] = lines
    if not imports:
        return None
    wanted = {(use.qualname, use.written_as) for use in uses if use.prefix in imports}
    through_module = [
        replace(use, qualname=module)
        for use in file.uses
        if use.kind is not UseKind.IMPORT and (use.qualname, use.written_as) in wanted
    ]
    lines = file.text.splitlines()
    import_uses = [
        Use(module, UseKind.IMPORT, Resolution.DIRECT, line, 1, line, 1, "", prefix,
            lines[line - 1] if line <= len(lines) else "", f"import {module.rpartition('.')[2]}")
        for prefix, found in imports.items()
        for line in found
    ]  # fmt: skip
    return replace(file, uses=tuple(sorted([*import_uses, *through_module], key=_order)))


def _order(use: Use) -> tuple[int, int]:
    return use.line, use.column


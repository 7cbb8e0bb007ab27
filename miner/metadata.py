"""Project metadata read statically: license, description, links and declared library versions.

Every function here is pure. It takes the project's files as a mapping of repository-relative
POSIX path to bytes (the caller reads them from git objects; `wants_file` says which ones are
worth reading) and never imports, executes or opens anything: setup.py is read with `ast`,
TOML with tomllib, setup.cfg with configparser. Garbage input (invalid TOML, cfg or Python,
binary blobs) gives None, never an exception.
"""

from __future__ import annotations

import ast
import configparser
import contextlib
import email.parser
import functools
import html
import posixpath
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from packaging.licenses import InvalidLicenseExpression, canonicalize_license_expression
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, Specifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from miner.model import ProjectMetadata

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = [
    "LicenseInfo",
    "declared_versions",
    "detect_description",
    "detect_license",
    "detect_links",
    "wants_file",
]

Files = Mapping[str, bytes]
_T = TypeVar("_T")

#: Largest file read at all; metadata and license files are far smaller.
_MAX_BYTES = 1_000_000


@dataclass(frozen=True, slots=True)
class LicenseInfo:
    """The detected license of a project.

    `spdx` is an SPDX identifier (or expression, when the metadata declares one), or None when
    nothing matched confidently or the sources disagree. `path` is the license file it was read
    from, when there is one (also when its text was not recognised, so that a page can link it).
    `source` says how the answer was reached, for people: "LICENSE", "LICENSE + pyproject.toml",
    "setup.py classifiers", "not recognised: LICENSE.txt", "disagree: LICENSE says MIT, setup.py
    says Apache-2.0", "not found".
    """

    spdx: str | None
    path: str | None
    source: str


# -- which files matter --------------------------------------------------------------------------

_LICENSE_NAME = re.compile(r"^(un)?licen[cs]e|^copying|^copyright", re.I)
_README_NAME = re.compile(r"^readme(\.(md|markdown|rst|txt|text))?$", re.I)
_REQUIREMENTS_NAME = re.compile(r"^requirements[\w.-]*\.(txt|in)$", re.I)
_PACKAGE_FILES = frozenset({"setup.py", "setup.cfg", "pyproject.toml", "pipfile"})


#: At most this many metadata files are read from one project (the shallowest first).
MAX_FILES = 200


def wants_file(path: str) -> bool:
    """Whether the functions of this module read `path`, so that the caller fetches its blob.

    Top-level license, README and package metadata files, and requirements files anywhere in the
    top two levels (requirements.txt, requirements/base.txt, docker/requirements-prod.txt).
    """
    parts = path.split("/")
    name = parts[-1]
    if len(parts) == 1 and (
        _LICENSE_NAME.match(name) or _README_NAME.match(name) or name.lower() in _PACKAGE_FILES
    ):
        return True
    if len(parts) <= 2 and _REQUIREMENTS_NAME.match(name):
        return True
    return (
        len(parts) == 2
        and parts[0].lower() == "requirements"
        and name.endswith((".txt", ".in", ".pip"))
    )


# -- small shared helpers ------------------------------------------------------------------------


def _never_raise(default: Any) -> Callable[[Callable[..., _T]], Callable[..., _T]]:
    """The last guard of a public function: garbage in gives `default`, never a traceback."""

    def decorate(function: Callable[..., _T]) -> Callable[..., _T]:
        @functools.wraps(function)
        def guarded(*args: Any, **kwargs: Any) -> _T:
            try:
                return function(*args, **kwargs)
            except Exception:  # includes RecursionError and MemoryError from hostile input
                return default() if callable(default) else default

        return guarded

    return decorate


def _decode(data: bytes | str | None) -> str | None:
    """Text of a file, or None for binary or oversized content."""
    if data is None:
        return None
    if isinstance(data, str):
        return data
    if not isinstance(data, bytes | bytearray) or len(data) > _MAX_BYTES:
        return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16, as some Windows editors save
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeError:
            return None
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _top_level(files: Files, name: str) -> tuple[str, str] | None:
    """The (path, text) of a top-level file, matched case-insensitively; exact case wins."""
    if name in files:
        text = _decode(files[name])
        return (name, text) if text is not None else None
    lowered = name.lower()
    for path in sorted(files):
        if path.lower() == lowered:
            text = _decode(files[path])
            if text is not None:
                return path, text
    return None


def _text_of(files: Files, name: str) -> str | None:
    found = _top_level(files, name)
    return found[1] if found else None


def _clean_string(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


# -- package metadata, read statically -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Package:
    """What one metadata file declares; every field may be missing."""

    source: str
    name: str | None = None
    description: str | None = None
    license: Any = None
    license_expression: str | None = None
    classifiers: tuple[str, ...] = ()
    urls: tuple[tuple[str, str], ...] = ()
    requirements: tuple[str, ...] = ()


def _packages(files: Files) -> list[_Package]:
    """The metadata of each package file present, most authoritative first."""
    found = [
        _pyproject_project(files),
        _poetry(files),
        _setup_cfg(files),
        _setup_py(files),
    ]
    return [package for package in found if package is not None]


def _toml(files: Files, name: str) -> dict[str, Any] | None:
    text = _text_of(files, name)
    if text is None:
        return None
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _table(data: Any, *keys: str) -> dict[str, Any]:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def _strings(value: Any, *, lines: bool = False) -> tuple[str, ...]:
    """The strings of a list; a single string counts only where setuptools splits it in lines."""
    if isinstance(value, str):
        return tuple(line.strip() for line in value.splitlines() if line.strip()) if lines else ()
    if isinstance(value, list | tuple):
        return tuple(item for item in value if isinstance(item, str))
    return ()


def _url_pairs(value: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        return ()
    return tuple(
        (str(label), url.strip())
        for label, url in value.items()
        if isinstance(url, str) and url.strip()
    )


def _pyproject_project(files: Files) -> _Package | None:
    data = _toml(files, "pyproject.toml")
    project = _table(data, "project")
    if not project:
        return None
    expression = project.get("license-expression")
    return _Package(
        source="pyproject.toml",
        name=_clean_string(project.get("name")),
        description=_clean_string(project.get("description")),
        license=project.get("license"),
        license_expression=expression if isinstance(expression, str) else None,
        classifiers=_strings(project.get("classifiers")),
        urls=_url_pairs(project.get("urls")),
        requirements=_strings(project.get("dependencies")),
    )


def _poetry(files: Files) -> _Package | None:
    data = _toml(files, "pyproject.toml")
    poetry = _table(data, "tool", "poetry")
    if not poetry:
        return None
    urls = list(_url_pairs(poetry.get("urls")))
    for key in ("documentation", "homepage", "repository"):
        value = poetry.get(key)
        if isinstance(value, str) and value.strip():
            urls.append((key, value.strip()))
    requirements = []
    for name, constraint in _table(poetry, "dependencies").items():
        if canonicalize_name(str(name)) == "python":
            continue
        requirement = _poetry_requirement(str(name), constraint)
        if requirement is not None:
            requirements.append(requirement)
    return _Package(
        source="pyproject.toml [tool.poetry]",
        name=_clean_string(poetry.get("name")),
        description=_clean_string(poetry.get("description")),
        license=poetry.get("license"),
        classifiers=_strings(poetry.get("classifiers")),
        urls=tuple(urls),
        requirements=tuple(requirements),
    )


def _setup_cfg(files: Files) -> _Package | None:
    text = _text_of(files, "setup.cfg")
    if text is None:
        return None
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except (configparser.Error, ValueError):
        return None
    if not parser.has_section("metadata") and not parser.has_section("options"):
        return None

    def get(section: str, key: str) -> str | None:
        try:
            return parser.get(section, key, fallback=None)
        except (configparser.Error, ValueError):
            return None

    description = get("metadata", "description") or get("metadata", "summary")
    if description and description.strip().startswith(("file:", "attr:")):
        description = None
    urls = []
    for line in _cfg_list(get("metadata", "project_urls")):
        label, _, url = line.partition("=")
        if url.strip():
            urls.append((label.strip(), url.strip()))
    for key in ("url", "home_page", "home-page"):
        value = get("metadata", key)
        if value and value.strip():
            urls.append(("url", value.strip()))
    return _Package(
        source="setup.cfg",
        name=_clean_string(get("metadata", "name")),
        description=_clean_string(description),
        license=get("metadata", "license"),
        classifiers=_cfg_list(get("metadata", "classifiers")),
        urls=tuple(urls),
        requirements=_cfg_list(get("options", "install_requires"), separator=";"),
    )


def _cfg_list(value: str | None, separator: str = ",") -> tuple[str, ...]:
    """A setup.cfg multi-line list, or a one-line list joined by `separator`, comments dropped.

    setuptools joins most one-line lists with commas, but requirements with semicolons, since
    a specifier such as `flask>=2.2,<4` holds commas of its own.
    """
    if not value or value.strip().startswith(("file:", "attr:")):
        return ()
    lines = value.splitlines() if "\n" in value.strip() else value.split(separator)
    items = (line.split(" #", 1)[0].strip() for line in lines)
    return tuple(item for item in items if item and not item.startswith("#"))


def _setup_py(files: Files) -> _Package | None:
    text = _text_of(files, "setup.py")
    if text is None:
        return None
    keywords = _setup_keywords(text)
    if keywords is None:
        return None
    return _Package(
        source="setup.py",
        name=_clean_string(keywords.get("name")),
        description=_clean_string(keywords.get("description")),
        license=keywords.get("license"),
        classifiers=_strings(keywords.get("classifiers")),
        urls=_url_pairs(keywords.get("project_urls"))
        + ((("url", keywords["url"].strip()),) if isinstance(keywords.get("url"), str) else ()),
        requirements=_strings(keywords.get("install_requires"), lines=True)
        + _strings(keywords.get("requires")),
    )


_UNKNOWN = object()


def _setup_keywords(text: str) -> dict[str, Any] | None:
    """The keyword arguments of the setup() call that can be known without running anything.

    Literals are read as they are; a name is resolved when the module assigns it a literal once at
    the top level (`requirements = [...]`, then `setup(install_requires=requirements)`), and a
    `**dict(...)` or `**{...}` literal is unpacked. Anything computed is left out.
    """
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    assigned: dict[str, ast.expr] = {}
    reassigned: set[str] = set()
    for node in tree.body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Name):
                if target.id in assigned:
                    reassigned.add(target.id)
                assigned[target.id] = node.value  # type: ignore[union-attr]
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            reassigned.add(node.target.id)  # requirements += [...]: no longer the literal
    names = {name: value for name, value in assigned.items() if name not in reassigned}

    def evaluate(node: ast.expr, depth: int = 0) -> Any:
        if depth > 20:
            return _UNKNOWN
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            value = names.get(node.id)
            return evaluate(value, depth + 1) if value is not None else _UNKNOWN
        if isinstance(node, ast.List | ast.Tuple):
            items = [evaluate(item, depth + 1) for item in node.elts]
            return _UNKNOWN if any(item is _UNKNOWN for item in items) else items
        if isinstance(node, ast.Dict):
            result = {}
            for key, value in zip(node.keys, node.values, strict=True):
                if key is None:
                    return _UNKNOWN
                key_value, value_value = evaluate(key, depth + 1), evaluate(value, depth + 1)
                if key_value is _UNKNOWN or value_value is _UNKNOWN:
                    return _UNKNOWN
                result[key_value] = value_value
            return result
        if isinstance(node, ast.Call) and _call_name(node.func) == "dict" and not node.args:
            return _keywords(node, depth + 1)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = evaluate(node.left, depth + 1), evaluate(node.right, depth + 1)
            if isinstance(left, list) and isinstance(right, list):
                return left + right
            if isinstance(left, str) and isinstance(right, str):
                return left + right
        return _UNKNOWN

    def _keywords(call: ast.Call, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for keyword in call.keywords:
            value = evaluate(keyword.value, depth)
            if keyword.arg is None:
                if isinstance(value, dict):
                    result.update({str(k): v for k, v in value.items()})
            elif value is not _UNKNOWN:
                result[keyword.arg] = value
        return result

    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _call_name(node.func) == "setup" and node.keywords:
            return _keywords(node, 0)
    return None


def _call_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


# -- license -------------------------------------------------------------------------------------

#: The license files looked at, best first. When none of these exists, every top-level
#: LICENSE*/COPYING* file is read together (LICENSE-MIT and LICENSE-APACHE of a dual license).
_LICENSE_FILES = (
    "LICENSE",
    "LICENSE.txt",
    "LICENSE.md",
    "LICENSE.rst",
    "LICENCE",
    "LICENCE.txt",
    "LICENCE.md",
    "LICENCE.rst",
    "COPYING",
    "COPYING.txt",
    "COPYING.md",
    "UNLICENSE",
    "UNLICENSE.txt",
    "COPYRIGHT",
    "COPYRIGHT.txt",
    "COPYRIGHT.md",
)
#: An LGPL project ships the GPL in COPYING and the LGPL beside it.
_LESSER_FILES = ("COPYING.LESSER", "COPYING.LESSER.txt", "LICENSE.LESSER", "LICENSE.LGPL")

#: GNU ids whose text alone cannot tell "only" from "or later".
_GPL_FAMILY = ("GPL-2.0", "GPL-3.0", "LGPL-2.0", "LGPL-2.1", "LGPL-3.0", "AGPL-3.0")


def _words(text: str) -> str:
    """Lower-case words separated by single spaces: markup, punctuation and layout are gone."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


_BSD_CONDITIONS = (
    r"redistribution and use in source and binary forms( of the software as well as"
    r" documentation)? with or without modification are permitted provided that the following"
    r" conditions are met",
    r"redistributions of source code must retain the above copyright notice",
    r"redistributions in binary form must reproduce the above copyright notice",
)

#: The distinctive sentences of each license, as they read after `_words`; all must be there.
_LICENSE_TEXTS: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...] = tuple(
    (spdx, tuple(re.compile(pattern) for pattern in patterns))
    for spdx, patterns in (
        (
            "MIT",
            (
                r"permission is hereby granted free of charge to any person obtaining a copy",
                r"the above copyright notice and this permission notice( including the next"
                r" paragraph)? shall be included in all copies or substantial portions of the"
                r" software",
            ),
        ),
        (
            "ISC",
            (
                r"permission to use copy modify and( or)? distribute this software for any"
                r" purpose with or without fee is hereby granted provided that the above"
                r" copyright notice and this permission notice appear in all copies",
            ),
        ),
        (
            "BSD-3-Clause",
            (
                *_BSD_CONDITIONS,
                r"(neither the names? of .{0,300}? may be used|the names? of .{0,300}? may not"
                r" be used) to endorse or promote products derived from this software",
            ),
        ),
        ("BSD-2-Clause", _BSD_CONDITIONS),
        (
            "Apache-2.0",
            (
                r"apache license version 2 0 january 2004"
                r"|licensed under the apache license version 2 0 the license you may not use"
                r" this file except in compliance with the license",
            ),
        ),
        ("AGPL-3.0", (r"gnu affero general public license version 3 19 november 2007",)),
        ("LGPL-3.0", (r"gnu lesser general public license version 3 29 june 2007",)),
        ("LGPL-2.1", (r"gnu lesser general public license version 2 1 february 1999",)),
        ("GPL-3.0", (r"gnu general public license version 3 29 june 2007",)),
        ("GPL-2.0", (r"gnu general public license version 2 june 1991",)),
        (
            "MPL-2.0",
            (
                r"mozilla public license version 2 0"
                r"|subject to the terms of the mozilla public license v 2 0",
            ),
        ),
        (
            "Unlicense",
            (r"this is free and unencumbered software released into the public domain",),
        ),
    )
)

#: The notice form of the GNU licenses, as in a notice-only COPYING or a file header.
_GNU_NOTICE = re.compile(
    r"under the terms of the gnu (?P<kind>lesser |library |affero )?general public license"
    r"( as published by the free software foundation)?( either)? version (?P<version>2 1|2|3)"
    r"( of the license)?(?P<later> or at your option any later version)?"
)

#: Clauses that turn a familiar license into another one (MIT + Commons Clause, the JSON
#: license, the 4-clause BSD): the text is then not the license its other sentences match.
_NOT_STANDARD = re.compile(
    r"commons clause|shall be used for good not evil|all advertising materials mentioning"
)

#: A more specific license whose text contains the sentences of a less specific one.
_SUBSUMES = {
    "BSD-3-Clause": {"BSD-2-Clause"},
    "LGPL-3.0": {"GPL-3.0"},
    "LGPL-2.1": {"GPL-2.0"},
    "AGPL-3.0": {"GPL-3.0"},
}


def _text_candidates(text: str) -> frozenset[str] | None:
    """The SPDX ids a license text allows, or None when it is not recognised.

    A full GNU license text says nothing of "only" or "or later", so it allows both; the notice
    form ("either version 3 of the License, or (at your option) any later version") says which.
    A text that bundles several licenses allows each of them: which one is the project's own is
    for the package metadata to say, or nobody.
    """
    words = _words(text)
    if not words or _NOT_STANDARD.search(words):
        return None
    found = {
        spdx
        for spdx, patterns in _LICENSE_TEXTS
        if all(pattern.search(words) for pattern in patterns)
    }
    for spdx in list(found):
        found -= _SUBSUMES.get(spdx, set())
    if found:
        return frozenset(
            candidate
            for spdx in found
            for candidate in (_open_gpl(spdx) if spdx in _GPL_FAMILY else {spdx})
        )
    notice = _GNU_NOTICE.search(words)
    if notice is None:
        return None
    kind = {"lesser ": "LGPL", "library ": "LGPL", "affero ": "AGPL"}.get(
        notice["kind"] or "", "GPL"
    )
    version = {"2 1": "2.1", "2": "2.0", "3": "3.0"}[notice["version"]]
    base = f"{kind}-{version}"
    if base not in _GPL_FAMILY:
        return None
    return frozenset({f"{base}-or-later" if notice["later"] else f"{base}-only"})


def _open_gpl(base: str) -> set[str]:
    return {base, f"{base}-only", f"{base}-or-later"}


#: License names written in metadata ("MIT License", "new BSD"), after `_name_key`.
_LICENSE_NAMES: tuple[tuple[re.Pattern[str], frozenset[str]], ...] = tuple(
    (re.compile(pattern), frozenset(ids))
    for pattern, ids in (
        (r"^(the )?(mit|expat)( license)?$", {"MIT"}),
        (r"^(the )?mit no attribution( license)?$", {"MIT-0"}),
        (r"^isc( license)?$", {"ISC"}),
        (r"^(the )?unlicense$", {"Unlicense"}),
        (
            r"^(apache|asl)( software)?( license)?( ?v| version)? ?2(\.0)?( license)?$",
            {"Apache-2.0"},
        ),
        (r"^apache( software)?( license)?$", {"Apache-2.0", "Apache-1.1"}),
        (
            r"^((new|modified|revised) bsd|bsd ?3|bsd 3 clause|3 clause bsd)( license)?$",
            {"BSD-3-Clause"},
        ),
        (
            r"^((simplified|freebsd) bsd|bsd ?2|bsd 2 clause|2 clause bsd)( license)?$",
            {"BSD-2-Clause"},
        ),
        (r"^bsd( license)?$", {"BSD-2-Clause", "BSD-3-Clause"}),
        (r"^(mpl|mozilla public license)( ?v| version)? ?2(\.0)?$", {"MPL-2.0"}),
    )
)

_GNU_NAME = re.compile(
    r"^(gnu )?(?P<kind>a|l|affero |lesser |library or lesser |library )?"
    r"(gpl|general public license)( license)?( ?v| version)? ?(?P<version>2\.1|2\.0|2|3\.0|3)?"
    r"(\+| or later( version)?| or any later version)?( only)?$"
)


def _name_key(value: str) -> str:
    return re.sub(r"[\s_,()/-]+", " ", value.lower().replace("licence", "license")).strip()


def _name_candidates(value: str) -> frozenset[str] | None:
    """The SPDX ids a license named in metadata allows, or None when it is not recognised."""
    value = value.strip()
    if not value:
        return None
    if "\n" in value or len(value) > 200:
        return _text_candidates(value)  # the license text pasted into setup(license=...)
    try:
        return _expression_candidates(canonicalize_license_expression(value))
    except InvalidLicenseExpression:
        pass
    key = _name_key(value)
    for pattern, ids in _LICENSE_NAMES:
        if pattern.match(key):
            return ids
    return _gnu_candidates(key)


def _expression_candidates(expression: str) -> frozenset[str]:
    # Deprecated ids: "GPL-3.0+" means or-later; a plain "GPL-3.0" is used loosely for both.
    plus = re.fullmatch(r"((?:A|L)?GPL-\d\.\d)\+", expression)
    if plus:
        return frozenset({f"{plus[1]}-or-later"})
    if expression in _GPL_FAMILY:
        return frozenset(_open_gpl(expression))
    return frozenset({expression})


def _gnu_candidates(key: str) -> frozenset[str] | None:
    match = _GNU_NAME.match(key)
    if match is None:
        return None
    kind = (match["kind"] or "").strip()
    prefix = "A" if kind in ("a", "affero") else "L" if kind else ""
    families = [base for base in _GPL_FAMILY if base.startswith(f"{prefix}GPL-")]
    if match["version"]:
        version = {"2": "2.0", "3": "3.0"}.get(match["version"], match["version"])
        families = [base for base in families if base.endswith(f"-{version}")]
    if not families:
        return None
    if "later" in key or key.endswith("+"):
        return frozenset(f"{base}-or-later" for base in families)
    if key.endswith(" only"):
        return frozenset(f"{base}-only" for base in families)
    return frozenset(spdx for base in families for spdx in _open_gpl(base))


def _classifier_candidates(classifier: str) -> frozenset[str] | None:
    """`License :: OSI Approved :: MIT License` and its kind; None for a vague or other one."""
    if not classifier.startswith("License ::"):
        return None
    name = classifier.rsplit("::", 1)[-1].strip()
    short = re.search(r"\(([^)]*)\)\s*$", name)
    if short:
        name = name[: short.start()].strip()
        if short[1].endswith("+") and "later" not in name.lower():
            name += " or later"
    return _name_candidates(name)


def _resolve(sets: list[frozenset[str]]) -> str | None:
    """The one SPDX id every candidate set allows, or None.

    A GNU license still open to "only" and "or later" is reported by its base id (GPL-3.0). An
    OR expression declared in metadata stands when a license file allows one of its operands.
    """
    common = _common(sets)
    if len(common) == 1:
        return next(iter(common))
    bases = [spdx for spdx in common if spdx in _GPL_FAMILY]
    if len(bases) == 1 and common <= _open_gpl(bases[0]):
        return bases[0]
    return None


def _common(sets: list[frozenset[str]]) -> set[str]:
    """What every candidate set allows; empty when they disagree."""
    common = set(sets[0])
    for candidates in sets[1:]:
        common = (common & candidates) or _expression_overlap(common, candidates)
    return common


def _expression_overlap(left: set[str], right: frozenset[str]) -> set[str]:
    for expressions, others in ((left, right), (right, left)):
        for expression in expressions:
            operands = set(re.split(r"\s+OR\s+", expression.strip("()")))
            if len(operands) > 1 and operands & set(others):
                return {expression}
    return set()


def _license_files(files: Files, declared: str | None) -> list[tuple[str, str]]:
    """The license file(s) of the project: the first known name, else every LICENSE-* file."""
    for name in ((declared,) if declared else ()) + _LICENSE_FILES:
        found = _top_level(files, name)
        if found is not None:
            return [found]
    lesser = {name.lower() for name in _LESSER_FILES}
    found_all = []
    for path in sorted(files):
        if "/" not in path and _LICENSE_NAME.match(path) and path.lower() not in lesser:
            text = _decode(files[path])
            if text is not None:
                found_all.append((path, text))
    return found_all


def _metadata_license_hints(files: Files) -> tuple[list[tuple[str, frozenset[str]]], str | None]:
    """(label, candidates) for each recognised declaration; the license file pyproject names."""
    hints: list[tuple[str, frozenset[str]]] = []
    declared_file = None
    for package in _packages(files):
        declared: list[str] = []
        if package.license_expression:
            declared.append(package.license_expression)
        value = package.license
        if isinstance(value, str):
            declared.append(value)
        elif isinstance(value, dict):
            if isinstance(value.get("text"), str):
                declared.append(value["text"])
            if isinstance(value.get("file"), str) and declared_file is None:
                declared_file = posixpath.normpath(value["file"])
        for text in declared:
            candidates = _name_candidates(text)
            if candidates:
                hints.append((package.source, candidates))
        for classifier in package.classifiers:
            candidates = _classifier_candidates(classifier)
            if candidates:
                hints.append((f"{package.source} classifiers", candidates))
    return hints, declared_file


@_never_raise(lambda: LicenseInfo(None, None, "unreadable"))
def detect_license(files: Files) -> LicenseInfo:
    """The project's license as an SPDX id, from its license file and its package metadata.

    The license file's text is matched by the distinctive sentences of the common licenses;
    pyproject.toml (`license`, `license-expression`), setup.cfg, setup.py (read with ast) and
    `License ::` classifiers are declarations. Every source found must agree, though a vaguer
    one ("BSD", a GPL text silent on "or later") may be narrowed by a more precise one. A license
    file that is not recognised, sources that disagree, or a declaration too vague on its own
    ("BSD") give spdx=None: never a guess. Unrecognised declarations ("Proprietary") are ignored.
    """
    hints, declared_file = _metadata_license_hints(files)
    found = _license_files(files, declared_file)
    lesser = next((hit for name in _LESSER_FILES if (hit := _top_level(files, name))), None)
    if lesser is not None:
        lesser_candidates = _text_candidates(lesser[1])
        if lesser_candidates and all(spdx.startswith("LGPL") for spdx in lesser_candidates):
            found = [lesser]
    path = found[0][0] if found else None
    sets: list[frozenset[str]] = []
    sources: list[tuple[str, frozenset[str]]] = []
    for file_path, text in found:
        candidates = _text_candidates(text)
        if candidates is None:
            said = "; ".join(f"{label} says {_describe(ids)}" for label, ids in hints)
            return LicenseInfo(
                None, path, f"not recognised: {file_path}" + (f" ({said})" if said else "")
            )
        sources.append((file_path, candidates))
    if sources:
        sets.append(frozenset().union(*(candidates for _, candidates in sources)))
    sources += hints
    sets += [candidates for _, candidates in hints]
    if not sets:
        return LicenseInfo(None, None, "not found")
    spdx = _resolve(sets)
    if spdx is None:
        said = [f"{label} says {_describe(candidates)}" for label, candidates in sources]
        verdict = "ambiguous" if _common(sets) else "disagree"
        return LicenseInfo(None, path, f"{verdict}: " + ", ".join(said))
    labels = list(dict.fromkeys(label for label, _ in sources))
    return LicenseInfo(spdx, path, " + ".join(labels))


def _describe(candidates: frozenset[str]) -> str:
    bases = [spdx for spdx in candidates if spdx in _GPL_FAMILY]
    if len(bases) == 1 and candidates <= _open_gpl(bases[0]):
        return bases[0]
    return " or ".join(sorted(candidates))


# -- description ---------------------------------------------------------------------------------

_PLACEHOLDER_DESCRIPTIONS = frozenset(
    {
        "unknown",
        "todo",
        "tbd",
        "none",
        "description",
        "add your description here",
        "add a short description here!",
        "a short description of the project.",
        "a short description of the project",
        "my package description",
    }
)
_MAX_DESCRIPTION = 300
#: Only the top of a README is searched, and a paragraph is cut long before it is cleaned: the
#: description is two sentences, and a hostile file must not cost more than a normal one.
_MAX_README = 100_000
_MAX_PARAGRAPH = 4_000


@_never_raise(None)
def detect_description(files: Files) -> str | None:
    """One or two sentences about the project.

    From package metadata first (`description` in pyproject [project] or [tool.poetry], setup.cfg
    [metadata], setup.py read with ast), else the README's first real paragraph: titles, badges,
    images, HTML and link-only lines are skipped and Markdown or reST markup is removed.
    """
    for package in _packages(files):
        description = package.description
        if description and description.lower() not in _PLACEHOLDER_DESCRIPTIONS:
            if package.name and description.lower() == package.name.lower():
                continue
            cleaned = _sentences(_inline_markdown(description))
            if cleaned:
                return cleaned
    for name in (
        "README.md",
        "README.markdown",
        "README.rst",
        "README.txt",
        "README.text",
        "README",
    ):
        found = _top_level(files, name)
        if found is None:
            continue
        path, text = found[0], found[1][:_MAX_README]
        paragraphs = _rst_paragraphs(text) if _is_rst(path, text) else _markdown_paragraphs(text)
        for paragraph in paragraphs:
            cleaned = _sentences(paragraph)
            if cleaned and len(cleaned.split()) >= 4 and not _is_notice(cleaned):
                return cleaned
    return None


_NOTICE = re.compile(
    r"\b(no longer (maintained|supported|developed)|unmaintained|deprecated|archived|"
    r"looking for (a )?(new )?maintainers?|work in progress)\b",
    re.I,
)


def _is_notice(paragraph: str) -> bool:
    """A short maintenance notice ("This project is no longer maintained.") describes nothing."""
    return len(paragraph.split()) < 25 and bool(_NOTICE.search(paragraph))


def _is_rst(path: str, text: str) -> bool:
    lowered = path.lower()
    if lowered.endswith(".rst"):
        return True
    if lowered.endswith((".md", ".markdown")):
        return False
    return bool(re.search(r"^(={3,}|-{3,}|~{3,})\s*$", text, re.M)) and not re.search(
        r"^#{1,6}\s", text, re.M
    )


_ABBREVIATIONS = frozenset(
    {"e.g", "i.e", "etc", "vs", "mr", "mrs", "ms", "dr", "st", "no", "inc", "ltd", "jr", "sr", "cf"}
)


def _sentences(text: str, limit: int = 2) -> str | None:
    """The first `limit` sentences of a paragraph, capped at a readable length."""
    text = " ".join(text.split())
    if not text or not re.search(r"[A-Za-z]", text):
        return None
    ends = []
    for match in re.finditer(r"[.!?](?=\s+[\"'(\[]?[A-Z0-9])", text):
        word = text[: match.start()].rsplit(" ", 1)[-1].lower().lstrip("(\"'")
        if word in _ABBREVIATIONS or len(word) == 1:
            continue
        ends.append(match.end())
        if len(ends) == limit:
            break
    if len(ends) == limit:
        text = text[: ends[-1]]
    if len(text) > _MAX_DESCRIPTION:
        cut = text[: _MAX_DESCRIPTION - 1].rsplit(" ", 1)[0].rstrip(",;:")
        text = cut + "…"
    return text


# Markdown


# Every repetition below is bounded: a hostile README must not make a regex quadratic.
_MD_IMAGE = re.compile(
    r"!\[[^\]\n]{0,500}\]\([^)\n]{0,1000}\)|!\[[^\]\n]{0,500}\]\[[^\]\n]{0,200}\]"
)
_MD_LINK = re.compile(
    r"\[([^\]\n]{0,500})\]\([^)\n]{0,1000}\)|\[([^\]\n]{0,500})\]\[[^\]\n]{0,200}\]"
)
_URL = re.compile(r"<?https?://\S+>?")
_HTML_TAG = re.compile(r"</?[A-Za-z][^>\n]{0,1000}>")
_EMOJI = re.compile(r":[a-z0-9_+-]+:")


def _markdown_paragraphs(text: str) -> Iterator[str]:
    text = re.sub(r"<!--.{0,5000}?-->", "", text, flags=re.S)
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)  # front matter
    text = re.sub(r"^(```|~~~).{0,50000}?^\1[^\n]*$", "", text, flags=re.S | re.M)  # code
    text = re.sub(
        r"<(h[1-6]|picture|table|pre|details|summary)\b.{0,5000}?</\1\s*>",
        "",
        text,
        flags=re.S | re.I,
    )
    lines = text.splitlines()
    block: list[str] = []
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if re.match(r"^\s*(=+|-+)\s*$", following) and line.strip():
            if block:
                yield from _markdown_block(block)
            block = []
            continue  # setext title; its underline is dropped below
        if not line.strip() or re.match(r"^\s*(=+|-{3,}|\*{3,}|_{3,})\s*$", line):
            if block:
                yield from _markdown_block(block)
            block = []
            continue
        block.append(line)
    if block:
        yield from _markdown_block(block)


def _markdown_block(lines: list[str]) -> Iterator[str]:
    kept: list[str] = []
    for line in lines:
        if sum(map(len, kept)) > _MAX_PARAGRAPH:
            break
        line = line[:_MAX_PARAGRAPH]
        stripped = line.strip()
        if (
            stripped.startswith("#")
            or line.startswith(("    ", "\t"))
            or re.match(r"^([-*+]|\d+[.)])\s", stripped)
            or stripped.startswith("|")
            or re.match(r"^\[[^\]]+\]:\s*\S", stripped)  # link reference definition
        ):
            if kept:
                break
            continue
        stripped = re.sub(r"^(>\s*)+", "", stripped)
        cleaned = _inline_markdown(stripped)
        if not _has_words_outside_links(stripped) or not cleaned:
            if kept:
                break
            continue
        kept.append(cleaned)
    if kept:
        yield " ".join(kept)


def _has_words_outside_links(line: str) -> bool:
    """False for badge rows, image lines, bare URLs and lines that are nothing but links."""
    rest = _MD_IMAGE.sub(" ", line)
    rest = re.sub(r"\[\s*\]\([^)\n]{0,1000}\)", " ", rest)  # what a linked image leaves
    rest = _MD_LINK.sub(" ", rest)
    rest = _URL.sub(" ", rest)
    rest = _HTML_TAG.sub(" ", rest)
    rest = _EMOJI.sub(" ", rest)
    return bool(re.search(r"[A-Za-z]{2,}", rest))


def _inline_markdown(text: str) -> str:
    text = _MD_IMAGE.sub("", text)
    text = re.sub(r"\[\s*\]\([^)\n]{0,1000}\)", "", text)
    text = _MD_LINK.sub(lambda match: match[1] if match[1] is not None else match[2], text)
    text = re.sub(r"<(https?://[^>\s]+)>", r"\1", text)
    text = _HTML_TAG.sub("", text)
    text = re.sub(r"(`{1,3})\s?(.{1,300}?)\s?\1", r"\2", text)
    text = re.sub(r"(\*\*|__)(?=\S)(.{1,300}?)(?<=\S)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?=\S)(.{1,300}?)(?<=\S)\*(?![\w*])", r"\1", text)
    text = re.sub(r"(?<![\w_])_(?=\S)(.{1,300}?)(?<=\S)_(?![\w_])", r"\1", text)
    text = re.sub(r"~~(.{1,300}?)~~", r"\1", text)
    text = _EMOJI.sub("", text)
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!<>|])", r"\1", text)
    text = html.unescape(text)
    return " ".join(text.split())


# reST

_RST_ADORNMENT = re.compile(r"^([=\-`:'\"~^_*+#<>.])\1{2,}\s*$")


def _rst_paragraphs(text: str) -> Iterator[str]:
    lines = text.splitlines()
    blocks: list[list[str]] = []
    block: list[str] = []
    skipping_indented = False
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if not line.strip():
            if block:
                blocks.append(block)
            block = []
            continue
        indented = line[:1] in (" ", "\t")
        if skipping_indented and indented:
            continue
        skipping_indented = False
        if line.startswith(".."):  # directive, comment, target, substitution definition
            skipping_indented = True
            if block:
                blocks.append(block)
            block = []
            continue
        if _RST_ADORNMENT.match(line.strip()) and not indented:
            if block and len(block) == 1 and len(line.strip()) >= len(block[0].strip()):
                block = []  # the block was a title
            continue
        if _RST_ADORNMENT.match(following.strip()) and len(following.strip()) >= len(line.strip()):
            if block:
                blocks.append(block)
            block = []
            continue  # title line; its underline follows
        if indented and not block:
            continue  # block quote or literal block
        block.append(line)
        if line.rstrip().endswith("::"):
            blocks.append(block)
            block = []
            skipping_indented = True
    if block:
        blocks.append(block)
    for lines_of_block in blocks:
        paragraph = _rst_block(lines_of_block)
        if paragraph:
            yield paragraph


def _rst_block(lines: list[str]) -> str | None:
    first = lines[0].strip()
    if re.match(r"^([-*+•]|\d+[.)]|#\.)\s", first) or re.match(r"^:[\w -]+:", first):
        return None  # list or field list
    if first.startswith(("|", "+-", "+=", ">>>")) and (
        first.startswith(("+-", "+=", ">>>")) or re.fullmatch(r"(\|[^|]+\|[\s_]*)+", first)
    ):
        return None  # substitution-only (badge) line, table, doctest
    text = " ".join(line.strip() for line in lines)[:_MAX_PARAGRAPH]
    if text.endswith("::"):
        text = text[:-1]
    text = _inline_rst(text)
    if not re.search(r"[A-Za-z]{2,}", text):
        return None
    return text


def _role_text(match: re.Match[str]) -> str:
    """`:func:`~pkg.render`` reads "render" in the docs, `!` silences the link."""
    text = match[1].lstrip("!")
    return text[1:].rsplit(".", 1)[-1] if text.startswith("~") else text


def _inline_rst(text: str) -> str:
    text = re.sub(r"\|[^|\s][^|]{0,100}\|_{0,2}", "", text)  # substitutions (badges)
    text = re.sub(r":[\w:+.-]{1,50}:`([^`<]{0,300}?)\s*<[^>]{0,1000}>`", r"\1", text)  # :r:`t <x>`
    text = re.sub(r":[\w:+.-]{1,50}:`([^`]{0,300})`", _role_text, text)  # :role:`text`
    text = re.sub(r"`([^`<]{1,300}?)\s*<[^>]{0,1000}>`_{1,2}", r"\1", text)  # `text <url>`_
    text = re.sub(r"``(.{1,300}?)``", r"\1", text)
    text = re.sub(r"`([^`]{1,300})`_{0,2}", r"\1", text)
    text = re.sub(r"\*\*(\S.{0,300}?\S|\S)\*\*", r"\1", text)
    text = re.sub(r"(?<![\w*])\*(\S.{0,300}?\S|\S)\*(?![\w*])", r"\1", text)
    text = re.sub(r"\b(\w+)_{1,2}(?=[\s.,;:!?)]|$)", r"\1", text)  # reference_
    text = re.sub(r"\\(.)", r"\1", text)
    return " ".join(text.split())


# -- links ---------------------------------------------------------------------------------------

_DOCS_LABEL = re.compile(r"^(documentation|docs?|read ?the ?docs|manual|user guide)$", re.I)
_DOCS_HOST = re.compile(r"^https?://[^/]*(readthedocs\.(io|org)|rtfd\.io)(/|$)", re.I)


@_never_raise(lambda: {"docs": None, "pypi": None})
def detect_links(files: Files) -> dict[str, str | None]:
    """`docs`: the documentation URL the package metadata names; `pypi`: its package name.

    Documentation comes from project.urls / project_urls / poetry `documentation` (a label such
    as Documentation or Docs), else a home page on Read the Docs. The PyPI name is the declared
    package name, as written.
    """
    docs: str | None = None
    fallback: str | None = None
    name: str | None = None
    for package in _packages(files):
        name = name or package.name
        for label, url in package.urls:
            if not re.match(r"^https?://\S+$", url):
                continue
            if docs is None and _DOCS_LABEL.match(label.strip().replace("_", " ")):
                docs = url
            elif fallback is None and _DOCS_HOST.match(url):
                fallback = url
    if name is not None and not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?", name):
        name = None
    return {"docs": docs or fallback, "pypi": name}


# -- declared versions ---------------------------------------------------------------------------


@_never_raise(None)
def declared_versions(files: Files, library: str = "flask") -> str | None:
    """The version range of `library` the project declares, as a normalised specifier.

    Sources, in this order: package metadata (pyproject [project] dependencies,
    [tool.poetry.dependencies] with caret and tilde constraints translated, setup.cfg and
    setup.py install_requires, read with ast), Pipfile [packages], then requirements files
    (requirements.txt, requirements/base.txt, ..., following `-r` includes). The first source
    that bounds the version speaks, so an unpinned `flask` in pyproject defers to a pin in
    requirements.txt; development, test and docs requirements are read only when nothing else
    names the library. Several mentions within one source are intersected.

    Returns a specifier with lower bounds first (">=2.0,<3"), "" when the library is declared
    without a version, None when it is not declared. Environment markers are ignored and a
    requirement that only applies to an extra does not count.
    """
    wanted = canonicalize_name(library)
    sources = list(_requirement_sources(files, wanted))
    for development in (False, True):
        declared = False
        for lines, is_development in sources:
            if is_development != development:
                continue
            found = _declared_in(lines, wanted)
            if found:
                return found
            declared = declared or found is not None
        if declared:
            return ""
    return None


def _declared_in(lines: Iterable[str], wanted: str) -> str | None:
    declared = False
    combined = SpecifierSet()
    for line in dict.fromkeys(lines):
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue
        if canonicalize_name(requirement.name) != wanted:
            continue
        if requirement.marker is not None and "extra" in str(requirement.marker):
            continue
        declared = True
        if requirement.url is None:
            combined &= requirement.specifier
    return _format_specifiers(combined) if declared else None


def _requirement_sources(files: Files, wanted: str) -> Iterator[tuple[tuple[str, ...], bool]]:
    """(requirement lines, whether they are for development only) of each source, in order.

    Of requirements files, only the lines that name `wanted` (a canonical name) are kept.
    """
    for package in _packages(files):
        yield package.requirements, False
    yield tuple(_pipfile_requirements(files)), False
    roots = sorted((path for path in files if _is_requirements_path(path)), key=_requirements_rank)
    closure = _requirements_closure(files, roots, wanted)
    for root in roots:
        yield closure[root], _requirements_rank(root)[0] >= 10


_MAIN_REQUIREMENTS = re.compile(
    r"^(base|common|core|default|install|main|prod|production|requirements|runtime)$", re.I
)
_DEV_REQUIREMENTS = re.compile(
    r"bench|build|ci|dev|doc|example|lint|mypy|optional|style|test|tox|typing", re.I
)


def _requirements_rank(path: str) -> tuple[int, int, str]:
    """Main requirement files before development ones (rank 10 and up); .txt before .in."""
    directory, name = posixpath.split(path)
    stem, extension = posixpath.splitext(name)
    if not directory:
        rank = 0 if stem.lower() == "requirements" else 1
    elif directory.lower() == "requirements":
        rank = 2 if _MAIN_REQUIREMENTS.match(stem) else 3
    else:
        rank = 5
    if _DEV_REQUIREMENTS.search(stem if rank != 5 else path):
        rank += 10
    return rank, 0 if extension == ".txt" else 1, path


def _format_specifiers(specifiers: SpecifierSet) -> str:
    def key(specifier: Specifier) -> tuple[int, Any, str]:
        try:
            version: Any = Version(specifier.version.rstrip(".*"))
        except InvalidVersion:
            version = Version("0")
        return _OPERATOR_ORDER.get(specifier.operator, 9), version, specifier.version

    unique = {str(specifier): specifier for specifier in specifiers}
    return ",".join(str(specifier) for specifier in sorted(unique.values(), key=key))


_OPERATOR_ORDER = {"===": 0, "==": 1, "~=": 2, ">=": 3, ">": 4, "<=": 5, "<": 6, "!=": 7}


def _is_requirements_path(path: str) -> bool:
    name = posixpath.basename(path)
    return bool(_REQUIREMENTS_NAME.match(name)) or (
        posixpath.dirname(path).lower() == "requirements" and name.endswith((".txt", ".in", ".pip"))
    )


def _requirements_closure(
    files: Files, roots: Iterable[str], wanted: str
) -> dict[str, tuple[str, ...]]:
    """For each file, the lines naming `wanted` in it and in every file it includes (`-r`),
    directly or not.

    Every file is read and every include followed once, whatever the chains: Tarjan's
    algorithm (iterative: chains may be deeper than Python's stack) finds include cycles,
    whose files all see the same lines, and each file's result is built from the results of
    the files it includes.
    """
    own: dict[str, list[str]] = {}
    edges: dict[str, list[str]] = {}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: dict[str, tuple[str, ...]] = {}
    for root in roots:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, next_edge = work.pop()
            if next_edge == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
                own[node], edges[node] = _requirements_file(files, node, wanted)
            for position in range(next_edge, len(edges[node])):
                child = edges[node][position]
                if child not in index:
                    work += [(node, position + 1), (child, 0)]
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                if low[node] == index[node]:  # node closes a group of mutually including files
                    members: set[str] = set()
                    member = ""
                    while member != node:
                        member = stack.pop()
                        on_stack.discard(member)
                        members.add(member)
                    lines = [line for member in members for line in own[member]]
                    lines += [
                        line
                        for member in members
                        for child in edges[member]
                        if child not in members
                        for line in result[child]
                    ]
                    found = tuple(dict.fromkeys(lines))
                    result.update((member, found) for member in members)
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
    return result


def _names(line: str, wanted: str) -> bool:
    """Whether a requirement line is about the distribution `wanted` (canonical name)."""
    try:
        return canonicalize_name(Requirement(line).name) == wanted
    except InvalidRequirement:
        return False


def _requirements_file(files: Files, path: str, wanted: str) -> tuple[list[str], list[str]]:
    """The lines of one requirements file that name `wanted`, and the files it includes."""
    lines: list[str] = []
    includes: list[str] = []
    text = _decode(files[path])
    if text is None:
        return lines, includes
    text = re.sub(r"\\\r?\n", " ", text)  # line continuations
    for raw in text.splitlines():
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if not line:
            continue
        include = re.match(r"^(-r|--requirement)(\s*=?\s*)(\S+)", line)
        if include:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(path), include[3]))
            if target in files:
                includes.append(target)
            continue
        if line.startswith("-"):
            continue  # -e, -c, -i, --hash and other options
        line = re.sub(r"\s--hash[=\s]\S+", "", line)
        if _names(line, wanted):
            lines.append(line)
    return lines, includes


def _pipfile_requirements(files: Files) -> Iterator[str]:
    data = _toml(files, "Pipfile")
    for name, constraint in _table(data, "packages").items():
        if isinstance(constraint, str):
            version = constraint.strip()
        elif isinstance(constraint, dict):
            version = constraint.get("version", "*")
            if not isinstance(version, str):
                continue
        else:
            continue
        yield str(name) if version in ("", "*") else f"{name}{version}"


def _poetry_requirement(name: str, constraint: Any) -> str | None:
    if isinstance(constraint, dict):
        constraint = constraint.get("version", "*")
    elif isinstance(constraint, list):
        versions = {item.get("version", "*") for item in constraint if isinstance(item, dict)}
        constraint = versions.pop() if len(versions) == 1 else "*"
    if not isinstance(constraint, str):
        return None
    specifier = _poetry_specifier(constraint)
    return name if specifier is None else f"{name}{specifier}"


def _poetry_specifier(constraint: str) -> str | None:
    """Poetry's "^2.0", "~2.1", "2.0.1" and "*" as PEP 440; None when it has no bound or no
    PEP 440 form (an "||" union)."""
    constraint = constraint.strip()
    if constraint in ("", "*") or "||" in constraint:
        return None
    parts = []
    for part in re.split(r"\s*,\s*|\s+(?=[<>=!~^])", constraint):
        part = part.strip()
        if not part:
            continue
        if part[0] == "^" or (part[0] == "~" and not part.startswith("~=")):
            bounds = _poetry_range(part[0], part[1:].strip())
            if bounds is None:
                return None
            parts.extend(bounds)
        elif part[0].isdigit():
            parts.append(f"=={part}")
        else:
            parts.append(part)
    try:
        return str(SpecifierSet(",".join(parts))) or None
    except InvalidSpecifier:
        return None


def _poetry_range(kind: str, version: str) -> list[str] | None:
    numbers = version.split(".")
    if not numbers or not all(number.isdigit() for number in numbers):
        return None
    values = [int(number) for number in numbers]
    if kind == "^":
        index = next((i for i, value in enumerate(values) if value != 0), len(values) - 1)
    else:
        index = 0 if len(values) == 1 else 1
    upper = [*values[:index], values[index] + 1]
    return [f">={version}", "<" + ".".join(str(value) for value in upper)]


def describe(files: Files, library: str = "flask") -> ProjectMetadata:
    """Everything this module detects about one project, as the crawl stores it."""
    license_info = detect_license(files)
    links = detect_links(files)
    return ProjectMetadata(
        description=reader_blurb(detect_description(files)),
        license=license_info.spdx,
        license_path=license_info.path,
        license_source=license_info.source,
        docs=links.get("docs"),
        pypi=links.get("pypi"),
        declared_versions=declared_versions(files, library),
    )


def release_metadata(text: str) -> tuple[str | None, str | None]:
    """(summary, SPDX license) of a release's own PKG-INFO or wheel METADATA.

    License-Expression (PEP 639) first, then `License ::` classifiers, then the License field.
    """
    message = email.parser.HeaderParser().parsestr(text)
    summary = " ".join((message.get("Summary") or "").split()) or None
    expression = (message.get("License-Expression") or "").strip()
    if expression:
        with contextlib.suppress(InvalidLicenseExpression):
            return summary, str(canonicalize_license_expression(expression))
    sets = [
        found
        for classifier in message.get_all("Classifier") or []
        if (found := _classifier_candidates(classifier))
    ]
    license_field = (message.get("License") or "").strip()
    named = _name_candidates(license_field.splitlines()[0]) if license_field else None
    sets = sets or ([named] if named else [])
    return summary, _resolve(sets) if sets else None


def release_urls(text: str) -> list[str]:
    """Every url a release's PKG-INFO or METADATA gives for its project: Home-page,
    Download-URL and each Project-URL ("Source, https://...")."""
    message = email.parser.HeaderParser().parsestr(text)
    urls = [message.get("Home-page") or "", message.get("Download-URL") or ""]
    urls += [value.partition(",")[2] for value in message.get_all("Project-URL") or []]
    return [url.strip() for url in urls if "://" in url]


#: Words that make a description the README's own voice, not a blurb for a reader.
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I've|I'd|I'll|me|my|mine|we|we're|we've|our|ours|us)\b", re.I)
_PROFANITY = re.compile(
    r"\b(?:fuck\w*|shit\w*|damn\w*|crap\w*|bitch\w*|asshole\w*|bastard\w*|wtf|piss\w*)\b", re.I
)
_PLACEHOLDER = re.compile(
    r"^(?:todo|tbd|n/?a|none|description|short description|add (?:a )?(?:short )?description.*|"
    r"lorem ipsum.*|a project whose code uses .*|my (?:first |new )?(?:flask )?(?:app|project).*)$",
    re.I,
)


def reader_blurb(text: str | None) -> str | None:
    """`text` when it reads as a blurb for a stranger, else None: never the README's first
    person, never profanity, never a placeholder, never a sentence cut short."""
    if not text:
        return None
    text = " ".join(text.split())
    if (
        _FIRST_PERSON.search(text)
        or _PROFANITY.search(text)
        or _PLACEHOLDER.match(text.rstrip(".!"))
        or len(text.split()) < 3
        or text.endswith(("...", "\u2026", ",", ":", ";", "-"))
    ):
        return None
    return text

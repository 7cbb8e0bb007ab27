"""Render stage: one Markdown example page per used target, written through one Jinja environment.

All wording lives in the templates (``templates/``, overridable one file at a time with
``--templates DIR``); this module only decides what goes on a page. The environment uses
``StrictUndefined``, ``trim_blocks`` and ``lstrip_blocks`` (a line holding only a block tag
vanishes) and ``keep_trailing_newline``; Markdown is never autoescaped.

Templates and their context (every template sees the whole context of the page):

- ``page.markdown.j2``: ``page`` (`Page`). Its blocks ``front_matter``, ``intro``, ``siblings``
  and ``examples`` include the partials below; an override can
  ``{% extends "miner/page.markdown.j2" %}`` and replace a block.
- ``front_matter.markdown.j2``, ``intro.markdown.j2``, ``siblings.markdown.j2``: ``page``.
  ``intro`` is skipped when ``page.custom_intro`` is set.
- ``example.markdown.j2`` and ``blurb.markdown.j2`` (included by ``example``): ``page`` and
  ``example`` (`Example`), inside the loop over ``page.examples``.
- ``macros.markdown.j2``: ``link(text, url)`` (a Markdown link, or bare text without a URL) and
  ``article(word)`` ("a" or "an").
- Filter ``markdown_inline``: turns a docstring's reST literals and roles into Markdown code.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateError,
    select_autoescape,
)

from miner.excerpt import STYLES, Excerpt, make_excerpt
from miner.model import MinerError, Project, Target, UseKind
from miner.resources import resource_dir
from miner.store import (
    Database,
    FileCandidate,
    LibraryInfo,
    load_candidates,
    load_libraries,
    load_targets,
    used_qualnames,
)

PAGE_TEMPLATE = "page.markdown.j2"
SORTORDER_DIGITS = 9

_FORGE_URL = re.compile(r"https://(?:www\.)?(?:github\.com|gitlab\.com)/[^/]+/[^/]+/?")
_RST_LITERAL = re.compile(r"``(.+?)``", re.DOTALL)
_RST_ROLE = re.compile(r":[\w.+-]+(?::[\w.+-]+)*:`([^`]+)`")
_RST_ROLE_TITLE = re.compile(r"(.+?)\s*<[^<>]+>", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Sibling:
    """Another page of the same module."""

    name: str
    slug: str


@dataclass(frozen=True, slots=True)
class Example:
    """One project's example on a page."""

    number: int  #: 1-based, in page order
    project: Project
    path: str  #: repository-relative, without ./ segments
    commit: str
    web_url: str | None  #: browsable project home, None when the project has none
    pypi_url: str | None
    license_url: str | None  #: license file pinned to the commit
    file_label: str  #: "Project / dir / file.py"
    file_url: str | None  #: the file pinned to the commit
    excerpt: Excerpt
    fence: str  #: backticks longer than any run inside the excerpt


@dataclass(frozen=True, slots=True)
class Page:
    """Everything one page shows."""

    library: LibraryInfo
    target: Target
    slug: str  #: flask-helpers-make-response-examples
    sortorder: str  #: nine digits
    source_url: str | None  #: the definition at the analysed version
    import_from: tuple[str, ...]  #: shorter modules that re-export the name
    custom_intro: str | None  #: hand-written intro that replaces the generated one
    siblings: tuple[Sibling, ...]
    examples: tuple[Example, ...]


@dataclass(frozen=True, slots=True)
class RenderReport:
    """What a render produced: a broken page is reported here instead of stopping the others."""

    pages: tuple[Path, ...]
    failures: tuple[tuple[str, str], ...]  #: (qualname, error)


def render_pages(
    db: Database,
    out_dir: Path,
    *,
    templates: Path | None = None,
    style: str = "focused",
    names: Collection[str] | None = None,
    sortorder_prefix: str = "500",
    intros: Path | None = None,
) -> RenderReport:
    """Write a page for every target with uses (or only `names`) under out_dir/{library}/.

    `names` may be canonical qualnames or aliases. `intros` holds hand-written intros named
    {slug without -examples}.markdown; it defaults to the bundled data/intros.
    """
    if style not in STYLES:
        raise MinerError(f"unknown excerpt style {style!r}: choose one of {', '.join(STYLES)}")
    env = make_environment(templates)
    intros = resource_dir("data") / "intros" if intros is None else intros
    used = used_qualnames(db)
    libraries = [(library, load_targets(db, library.name)) for library in load_libraries(db)]
    wanted = (
        None
        if names is None
        else _resolve_names(names, [t for _, ts in libraries for t in ts], used)
    )
    try:
        template = env.get_template(PAGE_TEMPLATE)
    except TemplateError as error:
        raise MinerError(f"template {PAGE_TEMPLATE} cannot be loaded: {error}") from error
    written: dict[Path, str] = {}
    failures: list[tuple[str, str]] = []
    for library, targets in libraries:
        for target, sortorder, module_targets in _plan(targets, used, sortorder_prefix):
            if wanted is not None and target.qualname not in wanted:
                continue
            path = out_dir / library.name / f"{_slug_base(target)}.markdown"
            try:
                if path in written:
                    raise MinerError(f"{path} was already written for {written[path]}")
                page = _build_page(db, library, target, sortorder, module_targets, style, intros)
                text = template.render(page=page)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(text.encode("utf-8"))
                written[path] = target.qualname
            # One broken page (bad data, a template error) must not cost the others.
            except Exception as error:
                failures.append((target.qualname, f"{type(error).__name__}: {error}"))
    return RenderReport(tuple(written), tuple(failures))


def make_environment(templates: Path | None = None) -> Environment:
    """The Jinja environment: user templates first, then the bundled ones (also as miner/...)."""
    bundled = FileSystemLoader(resource_dir("templates"))
    loaders: list[FileSystemLoader | PrefixLoader] = [bundled, PrefixLoader({"miner": bundled})]
    if templates is not None:
        if not templates.is_dir():
            raise MinerError(
                f"template directory {templates} does not exist: "
                "pass a directory holding the templates you override"
            )
        loaders.insert(0, FileSystemLoader(templates))
    env = Environment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=select_autoescape(["html", "html.j2"]),
    )
    env.filters["markdown_inline"] = markdown_inline
    return env


def page_slug(target: Target) -> str:
    """The page's slug: flask-helpers-make-response-examples."""
    return f"{_slug_base(target)}-examples"


def best_file(files: Sequence[FileCandidate], target: Target) -> tuple[FileCandidate, Excerpt]:
    """A project's file that shows `target` best, with its focused excerpt.

    For now: files that do more than import the name first, then the shortest focused excerpt,
    then path order. The ranking stage is meant to replace this one function.
    """
    scored = [(file, _excerpt(file, target, "focused")) for file in files]
    return min(
        scored,
        key=lambda pair: (
            all(use.kind is UseKind.IMPORT for use in pair[0].uses),
            pair[1].text.count("\n"),
        ),
    )


def markdown_inline(text: str) -> str:
    """Docstrings are reST: show ``literals`` and :role:`targets` as Markdown code spans."""
    text = _RST_LITERAL.sub(r"`\1`", text)
    return _RST_ROLE.sub(lambda match: f"`{_role_title(match.group(1))}`", text)


def web_url(project: Project) -> str | None:
    """Where people browse the project: its `web`, else its https GitHub/GitLab URL."""
    if project.web:
        return project.web.rstrip("/")
    if _FORGE_URL.fullmatch(project.url):
        return project.url.rstrip("/").removesuffix(".git")
    return None


def _plan(
    targets: Iterable[Target], used: Collection[str], sortorder_prefix: str
) -> list[tuple[Target, str, tuple[Target, ...]]]:
    """A library's pages in (module, name) order: target, sortorder, its module's used targets."""
    with_uses = sorted((t for t in targets if t.qualname in used), key=lambda t: (t.module, t.name))
    by_module = {
        module: tuple(group) for module, group in itertools.groupby(with_uses, lambda t: t.module)
    }
    sortorders = _sortorders(sortorder_prefix, len(with_uses))
    return [
        (target, sortorder, by_module[target.module])
        for target, sortorder in zip(with_uses, sortorders, strict=True)
    ]


def _build_page(
    db: Database,
    library: LibraryInfo,
    target: Target,
    sortorder: str,
    module_targets: Sequence[Target],
    style: str,
    intros: Path,
) -> Page:
    """Gather one page: its intro, its siblings and one example per project."""
    candidates = load_candidates(db, target.qualname)
    if not candidates:
        raise MinerError(
            f"{target.qualname} has uses but no stored source text: run `miner crawl` again"
        )
    examples = []
    projects = itertools.groupby(candidates, key=lambda c: c.project.name)
    for number, (_, files) in enumerate(projects, start=1):
        chosen, focused = best_file(list(files), target)
        excerpt = focused if style == "focused" else _excerpt(chosen, target, style)
        examples.append(_example(number, chosen, excerpt))
    intro = intros / f"{_slug_base(target)}.markdown"
    return Page(
        library=library,
        target=target,
        slug=page_slug(target),
        sortorder=sortorder,
        source_url=library.source_link(target),
        import_from=_import_from(target),
        custom_intro=intro.read_text(encoding="utf-8").strip() if intro.is_file() else None,
        siblings=tuple(
            Sibling(t.name, page_slug(t)) for t in module_targets if t.qualname != target.qualname
        ),
        examples=tuple(examples),
    )


def _example(number: int, file: FileCandidate, excerpt: Excerpt) -> Example:
    """One example: links pinned to the analysed commit, and the code block's fence."""
    web = web_url(file.project)
    parts = [part for part in file.path.split("/") if part not in ("", ".")]
    path = "/".join(parts)
    longest_run = max((len(run) for run in re.findall(r"`+", excerpt.text)), default=0)
    return Example(
        number=number,
        project=file.project,
        path=path,
        commit=file.commit,
        web_url=web,
        pypi_url=f"https://pypi.org/project/{file.project.pypi}/" if file.project.pypi else None,
        license_url=(
            f"{web}/blob/{file.commit}/{file.license_path}" if web and file.license_path else None
        ),
        file_label=" / ".join([file.project.name, *parts]),
        file_url=f"{web}/blob/{file.commit}/{path}" if web else None,
        excerpt=excerpt,
        fence="`" * max(3, longest_run + 1),
    )


def _excerpt(file: FileCandidate, target: Target, style: str) -> Excerpt:
    """The excerpt of `file` highlighting every line that holds a use of `target`."""
    lines = sorted({use.line for use in file.uses})
    return make_excerpt(file.text, lines, target.name, file.path.rpartition("/")[2], style)


def _import_from(target: Target) -> tuple[str, ...]:
    """The modules shorter than the defining one that re-export the name under the same name."""
    depth = target.module.count(".")
    modules = {
        module
        for module, _, name in (alias.rpartition(".") for alias in target.aliases)
        if name == target.name and module.count(".") < depth
    }
    return tuple(sorted(modules, key=lambda module: (module.count("."), module)))


def _resolve_names(names: Collection[str], targets: Sequence[Target], used: set[str]) -> set[str]:
    """Canonical qualnames for names given as qualnames or aliases; unknown ones are an error."""
    index = {t.qualname: t.qualname for t in targets}
    index.update((alias, t.qualname) for t in targets for alias in t.aliases)
    wanted = set()
    for name in names:
        qualname = index.get(name)
        if qualname is None:
            raise MinerError(
                f"no page for {name}: it is not a public name of a library in the database "
                "(see `miner targets`)"
            )
        if qualname not in used:
            raise MinerError(
                f"no page for {name}: it has no uses in the database (see `miner targets`)"
            )
        wanted.add(qualname)
    return wanted


def _sortorders(prefix: str, count: int) -> list[str]:
    """Nine-digit sortorders: the prefix, then the 1-based position, zero-padded."""
    width = SORTORDER_DIGITS - len(prefix)
    if not re.fullmatch(r"[0-9]*", prefix) or width < 1 or count >= 10**width:
        raise MinerError(
            f"sortorder prefix {prefix!r} leaves no room for {count} pages in "
            f"{SORTORDER_DIGITS} digits: use a shorter prefix of digits"
        )
    return [f"{prefix}{position:0{width}d}" for position in range(1, count + 1)]


def _slug_base(target: Target) -> str:
    """The slug without -examples, which also names the page's file."""
    return f"{target.module.replace('.', '-')}-{target.name.lower().replace('_', '-')}"


def _role_title(content: str) -> str:
    """What a reST role shows: "title <target>" -> title, "~a.b.c" -> c, "!x" -> x."""
    if titled := _RST_ROLE_TITLE.fullmatch(content):
        return titled.group(1)
    content = content.lstrip("!")
    return content[1:].rpartition(".")[2] if content.startswith("~") else content

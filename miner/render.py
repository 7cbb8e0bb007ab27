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
- Filters ``markdown_text``, ``markdown_code`` and ``markdown_url`` (miner.escape): text, code
  spans and URLs that come from projects (a name, a description, a file name, a version range,
  a documentation link), made inert for Pelican's Markdown (Python-Markdown with ``extra``).

The HTML preview (``formats`` holding ``"html"``) renders the same `Page` objects through
``*.html.j2`` templates, which are autoescaped, into ``{library}/{slug}.html`` beside
``index.html`` (every page, grouped by module, with use counts), one ``{module}.html`` per module
and ``miner.css``. Links between them are relative, so the site reads from ``file://``:

- ``page.html.j2`` (extends ``base.html.j2``): ``page`` and ``library``. Blocks ``intro``,
  ``how_it_is_called`` (empty for now), ``siblings``, ``contents`` and ``examples``; they
  include ``intro.html.j2``, ``siblings.html.j2`` and ``example.html.j2`` (which includes
  ``blurb.html.j2``). ``macros.html.j2`` has ``link(text, url)``, ``article(word)``,
  ``plural(count, word)`` and ``entries(module)``.
- ``index.html.j2``: ``library`` and ``modules`` (`ModuleIndex`); ``module.html.j2``: ``library``,
  ``modules`` and ``module``; ``miner.css.j2``: ``pygments_css``.
- Filters ``highlight`` (an excerpt as Pygments HTML, see miner.highlight), ``html_inline``
  (a docstring's reST as HTML), ``first_sentence``, ``markdown_html`` (a hand-written intro
  as HTML) and ``web_link`` (an http(s) URL, else None: project data never becomes a
  ``javascript:`` link); global ``module_file(module)``.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import shutil
import tempfile
import traceback
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import markdown
from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateSyntaxError,
    select_autoescape,
)
from markupsafe import Markup, escape

from miner import aliases, rank
from miner import modules as module_examples
from miner.escape import (
    clean_text,
    code_fence,
    markdown_code,
    markdown_text,
    markdown_url,
    web_link,
)
from miner.excerpt import HIGHLIGHT, STYLES, Excerpt
from miner.highlight import highlight_excerpt, pygments_css
from miner.model import MinerError, Project, Target
from miner.progress import plural
from miner.resources import resource_dir
from miner.store import (
    Database,
    FileCandidate,
    LibraryInfo,
    count_uses,
    dotted_uses,
    foreign_name_counts,
    import_paths,
    load_candidate_rows,
    load_candidates,
    load_drift,
    load_file,
    load_libraries,
    load_missing,
    load_targets,
    missing_name_counts,
    save_shown,
    shape_rows,
    used_qualnames,
)

PAGE_TEMPLATE = "page.markdown.j2"
#: output format -> the template of one page
PAGE_TEMPLATES = {"markdown": PAGE_TEMPLATE, "html": "page.html.j2"}
#: the HTML preview's index and style sheet, beside its pages in each library's directory
HTML_INDEX = "index.html"
#: Folder of the output holding {library}/{module slug}.markdown, apart from the name pages.
MODULE_PAGES = "modules"
HTML_CSS = "miner.css"
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
    #: the Markdown code block's text: the excerpt, or without its ~~ when a source line
    #: itself begins with ~~ (then `hl_lines` names the highlighted lines instead)
    code: str = ""
    hl_lines: str = ""  #: "3 7": set only when ~~ prefixes would be ambiguous
    declared_versions: str | None = None  #: the library's version range the project declares
    release: str | None = None  #: the PyPI release shown when git could not be reached
    release_date: str | None = None  #: the day that release was uploaded (YYYY-MM-DD)


@dataclass(frozen=True, slots=True)
class ShapeCount:
    """How often one usage shape of the page's name occurs across the corpus."""

    shape: str  #: make_response(jsonify(...), int)
    uses: int
    projects: int


@dataclass(frozen=True, slots=True)
class Choice:
    """A page's selection: the chosen files in page order, and a decision on every candidate."""

    files: tuple[FileCandidate, ...]
    decisions: tuple[rank.Decision, ...]


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
    how_called: tuple[ShapeCount, ...] = ()  #: the commonest usage shapes across the corpus
    #: the keyword arguments passed most (`_external=True`, `page=`), counted the same way
    keywords: tuple[ShapeCount, ...] = ()


@dataclass(frozen=True, slots=True)
class RenderReport:
    """What a render produced: a broken page is reported here instead of stopping the others."""

    pages: tuple[Path, ...]
    failures: tuple[tuple[str, str], ...]  #: (qualname, or the file of the HTML preview, error)
    #: the HTML preview's other files: index.html, one page per module, miner.css
    files: tuple[Path, ...] = ()
    #: redirects/{library}.txt: alias slugs of the pages (see miner.aliases)
    redirects: tuple[Path, ...] = ()
    #: Markdown module pages: modules/{library}/{module slug}.markdown listing its pages
    modules: tuple[Path, ...] = ()


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One page as the HTML index lists it."""

    target: Target
    slug: str
    uses: int  #: uses that are not imports
    projects: int  #: projects with any use: the page's examples


@dataclass(frozen=True, slots=True)
class ModuleIndex:
    """A module's pages, for the HTML index and the module's own page."""

    name: str  #: flask.helpers
    file: str  #: flask.helpers.html
    entries: tuple[IndexEntry, ...]

    @property
    def uses(self) -> int:
        return sum(entry.uses for entry in self.entries)


def render_pages(
    db: Database,
    out_dir: Path,
    *,
    templates: Path | None = None,
    style: str = "focused",
    names: Collection[str] | None = None,
    sortorder_prefix: str = "500",
    intros: Path | None = None,
    formats: Sequence[str] = ("markdown",),
    progress: Callable[[int, int], None] | None = None,
    max_examples: int = 10,
    order: str = "score",
    record: Database | bool = True,
) -> RenderReport:
    """Write a page for every target with uses (or only `names`) under out_dir/{library}/.

    What each page shows is recorded (for drift detection) in `record`: a database, True for
    `db`, False for nowhere (`db` may then be read-only).

    `names` may be canonical qualnames or aliases. `intros` holds hand-written intros named
    {slug without -examples}.markdown; it defaults to the bundled data/intros. `formats` are
    "markdown" ({slug}.markdown) and "html" ({slug}.html, plus the index,
    module pages and CSS of the HTML preview, which list every page present in the folder).
    `progress(done, total)` is called after each page, written or failed. Examples are chosen
    by `choose_examples`: at most `max_examples`, ordered by score or by the project list.
    """
    if style not in STYLES:
        raise MinerError(f"unknown excerpt style {style!r}: choose one of {', '.join(STYLES)}")
    for name in formats:
        if name not in PAGE_TEMPLATES:
            raise MinerError(
                f"unknown output format {name!r}: choose from {', '.join(PAGE_TEMPLATES)}"
            )
    env = make_environment(templates)
    intros = resource_dir("data") / "intros" if intros is None else intros
    used = used_qualnames(db)
    libraries = [(library, load_targets(db, library.name)) for library in load_libraries(db)]
    wanted = (
        None
        if names is None
        else _resolve_names(db, names, [t for _, ts in libraries for t in ts], used)
    )
    page_templates = {name: _template(env, PAGE_TEMPLATES[name]) for name in dict.fromkeys(formats)}
    counts = count_uses(db)
    written: dict[Path, str] = {}
    failures: list[tuple[str, str]] = []
    files: list[Path] = []
    maps: list[Path] = []
    module_pages: list[Path] = []
    total = sum(
        t.qualname in used and (wanted is None or t.qualname in wanted)
        for _, ts in libraries
        for t in ts
    )
    done = 0
    for library, targets in libraries:
        plan = _plan(targets, used, sortorder_prefix)
        slugs = aliases.page_slugs((target for target, _, _ in plan), counts)
        for target, sortorder, module_targets in plan:
            if wanted is not None and target.qualname not in wanted:
                continue
            paths = {
                name: out_dir / library.name / _page_file(name, target, slugs)
                for name in page_templates
            }
            try:
                for path in paths.values():
                    _refuse_rewrite(path, written)
                choice = choose_examples(db, target, library.name, max_examples, order)
                page = _build_page(
                    db, library, target, sortorder, module_targets, style, intros, choice, slugs
                )
                texts = {
                    paths[name]: template.render(page=page, library=library)
                    for name, template in page_templates.items()
                }
                for path, text in texts.items():
                    _write(path, text, target.qualname, written)
                if record is not False:
                    _record_shown(db if record is True else record, page, choice, style)
            # One broken page (bad data, a template error) must not cost the others.
            except Exception as error:
                failures.append((target.qualname, describe_error(error)))
            done += 1
            if progress is not None:
                progress(done, total)
        modules_written: dict[str, list[Target]] = {}  # modules with a (Markdown) page
        if wanted is None and "markdown" in page_templates:
            before = set(written)
            failures.extend(
                _write_module_pages(
                    env,
                    out_dir / MODULE_PAGES / library.name,
                    library,
                    plan,
                    sortorder_prefix,
                    slugs,
                    written,
                    (db, style, max_examples, order),
                )
            )
            module_pages.extend(path for path in written if path not in before)
            modules_written = aliases.module_members(target for target, _, _ in plan)
        if wanted is None:
            path = out_dir / aliases.REDIRECTS / f"{library.name}.txt"
            redirects = aliases.redirect_map(
                (target for target, _, _ in plan),
                slugs,
                import_paths(db),
                modules_written,
            )
            _write(path, aliases.redirects_text(redirects), path.name, written)
            maps.append(path)
        if "html" in page_templates:
            # Only pages on disk: `--name X` into a fresh folder links nothing it did not write.
            shown = [
                target
                for target, _, _ in plan
                if (out_dir / library.name / _page_file("html", target, slugs)).is_file()
            ]
            modules = module_index(shown, counts, slugs)
            site = _html_site_files(out_dir / library.name, library, modules)
            for path, (template_name, context) in site.items():
                try:
                    _write(path, _template(env, template_name).render(context), path.name, written)
                    files.append(path)
                # Nor must a broken index or module page.
                except Exception as error:  # noqa: PERF203
                    failures.append((str(path), describe_error(error)))
    site_files = {*files, *maps, *module_pages}
    pages = tuple(path for path in written if path not in site_files)
    return RenderReport(pages, tuple(failures), tuple(files), tuple(maps), tuple(module_pages))


def _write_module_pages(
    env: Environment,
    directory: Path,
    library: LibraryInfo,
    plan: Sequence[tuple[Target, str, tuple[Target, ...]]],
    sortorder_prefix: str,
    slugs: Mapping[str, str],
    written: dict[Path, str],
    selection: tuple[Database, str, int, str],
) -> list[tuple[str, str]]:
    """A Markdown page per module with pages, after the name pages in sortorder, with
    examples of the module in use (`selection`: database, style, max examples, order);
    failures."""
    db, style, max_examples, order = selection
    template = _template(env, "module.markdown.j2")
    members = aliases.module_members(target for target, _, _ in plan)
    orders = _sortorders(sortorder_prefix, len(plan) + len(members))[len(plan) :]
    through = module_examples.module_uses(
        (module_examples.ModuleUse(*row) for row in dotted_uses(db)), members
    )
    failures = []
    for sortorder, (module, targets) in zip(orders, members.items(), strict=True):
        slug = f"{module.replace('.', '-')}-examples"
        try:
            choice = choose_module_examples(
                db, module, through.get(module, {}), library.name, max_examples, order
            )
            name = module.rpartition(".")[2]
            context = {
                "module": module,
                "slug": slug,
                "sortorder": sortorder,
                "library": library,
                "page": {"library": library},  # what the example partials read
                "members": [{"target": t, "slug": page_slug(t, slugs)} for t in targets],
                "examples": [
                    _example(number, file, rank.file_excerpt(file, module, style))
                    for number, file in enumerate(choice.files, start=1)
                ],
                "name": name,
            }
            _write(directory / f"{slug}.markdown", template.render(context), module, written)
        # One module page that cannot be written (its slug is a name page's) costs only itself.
        except Exception as error:
            failures.append((module, describe_error(error)))
    return failures


def _refuse_rewrite(path: Path, written: Mapping[Path, str]) -> None:
    """One render never writes a path twice: two names whose slugs collide are an error."""
    if path in written:
        raise MinerError(f"{path} was already written for {written[path]}")


def _write(path: Path, text: str, owner: str, written: dict[Path, str]) -> None:
    """Write `text` to `path` for `owner` (a qualname, or the file's own name)."""
    _refuse_rewrite(path, written)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, text.encode("utf-8"))
    written[path] = owner


def write_atomically(path: Path, data: bytes) -> None:
    """Write a temporary file beside `path`, then rename it over `path`.

    A full disk or a kill leaves the old page whole (never a truncated one) and no temporary
    file; a symlink sitting at `path` is replaced by the page, never followed.
    """
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; pages are for publishing
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def module_index(
    targets: Iterable[Target],
    counts: Mapping[str, tuple[int, int]],
    slugs: Mapping[str, str] | None = None,
) -> tuple[ModuleIndex, ...]:
    """The pages of `targets` grouped by module, both in (module, name) order, with counts."""
    ordered = sorted(targets, key=lambda t: (t.module, t.name))
    return tuple(
        ModuleIndex(
            module,
            module_file(module),
            tuple(
                IndexEntry(target, page_slug(target, slugs), *counts.get(target.qualname, (0, 0)))
                for target in group
            ),
        )
        for module, group in itertools.groupby(ordered, key=lambda t: t.module)
    )


def module_file(module: str) -> str:
    """The HTML preview's page of a module: flask.helpers.html (page slugs never hold a dot)."""
    return f"{module}.html"


def _html_site_files(
    directory: Path, library: LibraryInfo, modules: Sequence[ModuleIndex]
) -> dict[Path, tuple[str, dict[str, Any]]]:
    """The HTML preview's files besides the pages: file -> (template, context)."""
    site = {"library": library, "modules": modules}
    files: dict[Path, tuple[str, dict[str, Any]]] = {
        directory / HTML_INDEX: ("index.html.j2", site),
        directory / HTML_CSS: ("miner.css.j2", {"pygments_css": pygments_css()}),
    }
    for module in modules:
        files[directory / module.file] = ("module.html.j2", {**site, "module": module})
    return files


def _template(env: Environment, name: str) -> Template:
    """A template by name; one that cannot be loaded stops the render with a one-line error."""
    try:
        return env.get_template(name)
    except TemplateError as error:
        raise MinerError(f"template {name} cannot be loaded: {describe_error(error)}") from error


def describe_error(error: BaseException) -> str:
    """An error as one line; one raised in a template names the template's file and line."""
    if isinstance(error, TemplateSyntaxError):
        return f"{error.filename or error.name}:{error.lineno}: {error.message}"
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if frame.filename.endswith(".j2")
    ]
    where = f"{frames[-1].filename}:{frames[-1].lineno}: " if frames else ""
    return f"{where}{type(error).__name__}: {error}"


def _page_file(format_name: str, target: Target, slugs: Mapping[str, str] | None = None) -> str:
    """A page's file, named by its slug: {slug}.markdown, or {slug}.html as the links name it."""
    extension = "markdown" if format_name == "markdown" else "html"
    return f"{page_slug(target, slugs)}.{extension}"


def copy_templates(directory: Path) -> tuple[list[Path], list[Path]]:
    """Copy every bundled template into `directory`; returns (copied, kept as they were)."""
    directory.mkdir(parents=True, exist_ok=True)
    copied, kept = [], []
    for source in sorted(resource_dir("templates").glob("*.j2")):
        target = directory / source.name
        if target.exists():
            kept.append(target)
            continue
        shutil.copyfile(source, target)
        copied.append(target)
    return copied, kept


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
    env.filters["html_inline"] = html_inline
    env.filters["first_sentence"] = first_sentence
    env.filters["full_stop"] = full_stop
    env.filters["markdown_html"] = markdown_html
    env.filters["highlight"] = highlight_excerpt
    env.filters["web_link"] = web_link
    env.filters["markdown_text"] = markdown_text
    env.filters["markdown_code"] = markdown_code
    env.filters["markdown_url"] = markdown_url
    env.globals["module_file"] = module_file
    return env


def page_slug(target: Target, slugs: Mapping[str, str] | None = None) -> str:
    """The page's slug: flask-helpers-make-response-examples; `slugs` (see
    `aliases.page_slugs`) tells names apart whose slugs collide (Integer and INTEGER)."""
    return f"{(slugs or {}).get(target.qualname) or _slug_base(target)}-examples"


def find_page(db: Database, name: str) -> tuple[LibraryInfo, Target, str]:
    """The page a slug (with or without -examples), qualname or alias names, and the page's
    own slug (`sqlalchemy-sql-sqltypes-integer-2-examples` for the second of two names whose
    plain slugs collide)."""
    used = used_qualnames(db)
    counts = count_uses(db)
    for library in load_libraries(db):
        targets = load_targets(db, library.name)
        slugs = aliases.page_slugs((t for t in targets if t.qualname in used), counts)
        for target in targets:
            also = aliases.alias_slugs(target)
            slug = page_slug(target, slugs)
            keys = {target.qualname, *target.aliases, slug, slug.removesuffix("-examples"), *also}
            keys.update(f"{slug}-examples" for slug in also)
            if name in keys:
                if target.qualname not in used:
                    raise MinerError(
                        f"no page for {name}: it has no uses in the database (see `miner targets`)"
                    )
                return library, target, slug
    raise unknown_name(db, name)


def unknown_name(db: Database, name: str) -> MinerError:
    """Why `name` names no page, and what to type instead: a public name that ends the same
    way (did you mean), or, for a name the library no longer has or imports from another
    library, where its uses are listed."""
    uses, projects, origin = foreign_name_counts(db, name)
    if uses:
        return MinerError(
            f"no page for {name}: it is {origin}, which {name.rpartition('.')[0]} imports from "
            f"another library; its {plural(uses, 'use')} in {plural(projects, 'project')} "
            "are in the foreign_names table (queries/foreign_names.sql)"
        )
    paths = [
        path
        for library in load_libraries(db)
        for target in load_targets(db, library.name)
        for path in (target.qualname, *target.aliases)
    ]
    bare = name.rpartition(".")[2].replace("-", "_").lower()
    near = [path for path in paths if path.rpartition(".")[2].lower() == bare]
    if near:
        best = min(near, key=lambda path: (path.count("."), path))
        return MinerError(f"no page for {name!r}: did you mean {best}?")
    uses, projects = missing_name_counts(db, name)
    if uses:
        versions = ", ".join(f"{lib.name} {lib.version}" for lib in load_libraries(db))
        return MinerError(
            f"no page for {name}: {versions} does not have it (removed or private); its "
            f"{plural(uses, 'use')} in {plural(projects, 'project')} are in the missing_names "
            "table (queries/missing_names.sql)"
        )
    return MinerError(
        f"no page for {name!r}: give a page slug such as flask-helpers-make-response-examples "
        "or a public name such as flask.make_response (see `miner targets`)"
    )


def choose_examples(
    db: Database, target: Target, library: str, max_examples: int = 10, order: str = "score"
) -> Choice:
    """Select a page's examples from the scores the crawl stored (see miner/rank.py).

    A file the crawl did not score (a database written before ranking existed) is scored here
    with the same function, so a page never depends on when its database was made.
    """
    files = load_candidates(db, target.qualname)
    stored = {
        (row["project"], row["path"]): row for row in load_candidate_rows(db, target.qualname)
    }
    return _choose(db, files, target.qualname, library, stored, max_examples, order)


def _choose(
    db: Database,
    files: Sequence[FileCandidate],
    qualname: str,
    library: str,
    stored: Mapping[tuple[str, str], Mapping[str, Any]],
    max_examples: int,
    order: str,
) -> Choice:
    """Score the files not `stored`, mark the outdated ones, and select (rank.select): name
    pages and module pages alike."""
    usage = rank.usage_of(files, qualname)
    missing = load_missing(db)
    targets = load_targets(db, library)
    modules = {t.module for t in targets}
    by_name = {t.qualname: t for t in targets}
    candidates = []
    for file in files:
        key = (file.project.name, file.path)
        row = stored.get(key)
        if row is None:
            score = rank.score_file(file, qualname, usage, library)
        else:
            score = _score_from_row(row)
        outdated = rank.outdated_reason(
            file.text, library, modules, missing.get(key, ()), file.uses, by_name
        )
        candidates.append(
            rank.Candidate(file.project.name, file.project.position, file.path, score, outdated)
        )
    decisions = rank.select(candidates, max_examples=max_examples, order=order)
    by_key = {(file.project.name, file.path): file for file in files}
    chosen = tuple(by_key[(d.candidate.project, d.candidate.path)] for d in decisions if d.chosen)
    return Choice(chosen, tuple(decisions))


def choose_module_examples(
    db: Database,
    module: str,
    files: Mapping[tuple[str, str], Sequence[module_examples.ModuleUse]],
    library: str,
    max_examples: int = 10,
    order: str = "score",
) -> Choice:
    """A module page's examples: the busiest files using names through the module (see
    miner/modules.py), chosen like a name page's with the module standing in for the name."""
    found = []
    for project, path in module_examples.busiest_files(files):
        file = load_file(db, project, path)
        candidate = module_examples.module_file(file, module, files[(project, path)]) if file else None
        if candidate is not None:
            found.append(candidate)
    found.sort(key=lambda f: (f.project.position, f.project.name, f.path))
    return _choose(db, found, module, library, {}, max_examples, order)


def _score_from_row(row: Mapping[str, Any]) -> rank.Score:
    values = {field: row[field] for field in rank.Score.__dataclass_fields__}
    values["shapes"] = tuple(json.loads(row["shapes"] or "[]"))
    return rank.Score(**values)


def markdown_inline(text: str) -> str:
    """Docstrings are reST: show ``literals`` and :role:`targets` as Markdown code spans."""
    text = _RST_LITERAL.sub(r"`\1`", text)
    return _RST_ROLE.sub(lambda match: f"`{_role_title(match.group(1))}`", text)


def html_inline(text: str) -> Markup:
    """A docstring's reST as HTML: literals and roles become <code>, everything is escaped."""
    pieces = markdown_inline(text).split("`")
    if len(pieces) % 2 == 0:  # an unmatched backtick stays as text
        pieces[-2:] = ["`".join(pieces[-2:])]
    return Markup("").join(
        Markup("<code>%s</code>") % piece if odd else escape(piece)
        for odd, piece in zip(itertools.cycle((False, True)), pieces)
    )


def first_sentence(text: str) -> str:
    """The first sentence of a docstring summary, on one line: for one-line listings."""
    text = " ".join(text.split())
    found = re.match(r"(.+?[.!?])(?:\s|$)", text)
    return found.group(1) if found else text


def full_stop(text: str) -> str:
    """A blurb ends its sentence before the next one starts: "CTFs as you need them" read
    "CTFs as you need them It declares Flask ..." on the page."""
    text = text.rstrip()
    return text if not text or text.endswith((".", "!", "?", "\u2026")) else f"{text}."


def markdown_html(text: str) -> Markup:
    """A hand-written Markdown intro (from data/intros, trusted) as HTML."""
    return Markup(markdown.markdown(text, output_format="html"))


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
    choice: Choice,
    slugs: Mapping[str, str] | None = None,
) -> Page:
    """Gather one page: its intro, how the name is called, its siblings and its examples."""
    if not choice.decisions:
        raise MinerError(
            f"{target.qualname} has uses but no stored source text: run `miner crawl` again"
        )
    examples = [
        _example(number, file, rank.file_excerpt(file, target.qualname, style))
        for number, file in enumerate(choice.files, start=1)
    ]
    shapes = shape_rows(db, target.qualname)
    intro = intros / f"{_slug_base(target)}.markdown"
    return Page(
        library=library,
        target=target,
        slug=page_slug(target, slugs),
        sortorder=sortorder,
        source_url=library.source_link(target),
        import_from=_import_from(target),
        custom_intro=intro.read_text(encoding="utf-8").strip() if intro.is_file() else None,
        siblings=tuple(
            Sibling(t.name, page_slug(t, slugs))
            for t in module_targets
            if t.qualname != target.qualname
        ),
        examples=tuple(examples),
        how_called=tuple(ShapeCount(*row) for row in rank.shape_summary(shapes)),
        keywords=tuple(ShapeCount(*row) for row in rank.keyword_summary(shapes)),
    )


def _example(number: int, file: FileCandidate, excerpt: Excerpt) -> Example:
    """One example: links pinned to the analysed commit, and the code block's fence."""
    web = web_url(file.project)
    parts = [part for part in file.path.split("/") if part not in ("", ".")]
    path = "/".join(parts)
    code, hl_lines = _code_block(excerpt)
    return Example(
        number=number,
        project=file.project,
        path=path,
        commit=file.commit,
        web_url=web,
        pypi_url=f"https://pypi.org/project/{file.project.pypi}/" if file.project.pypi else None,
        license_url=(
            f"{web}/blob/{file.link_ref}/{quote(file.license_path)}"
            if web and file.license_path and file.link_ref
            else None
        ),
        file_label=clean_text(" / ".join([file.project.name, *parts])),
        # The analysed commit; for a PyPI release, its tag when git had one, else no link.
        file_url=(
            f"{web}/blob/{file.link_ref}/{quote(path)}{_line_anchor(web, excerpt)}"  # spaces, quotes
            if web and file.link_ref and ".." not in parts  # a link never climbs out of the project
            else None
        ),
        excerpt=excerpt,
        fence=code_fence(code),
        code=code,
        hl_lines=hl_lines,
        declared_versions=file.declared_versions,
        release=file.release,
        release_date=(file.release_uploaded_at or "")[:10] or None,
    )


def _code_block(excerpt: Excerpt) -> tuple[str, str]:
    """The code block's text, and its hl_lines when a shown source line begins with ~~.

    A ~~ at the start of a line means "highlighted" to every reader of the page (the Pelican
    plugin, a person); when the source itself has such a line, the block is written as the
    source reads, and the highlighted lines go in the fence's ``hl_lines`` attribute
    (fenced_code and codehilite understand it).
    """
    lines = excerpt.text.split("\n")
    marked = set(excerpt.marked)
    if not any(
        line.startswith(HIGHLIGHT) and number not in marked
        for number, line in enumerate(lines, start=1)
    ):
        return excerpt.text, ""
    shown = [
        line[len(HIGHLIGHT) :] if number in marked else line
        for number, line in enumerate(lines, start=1)
    ]
    return "\n".join(shown), " ".join(str(number) for number in sorted(marked))


def _record_shown(db: Database, page: Page, choice: Choice, style: str) -> None:
    """Remember what the page shows now, so that the next crawl can tell what drifted."""
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    save_shown(
        db,
        page.target.qualname,
        (
            {
                "qualname": page.target.qualname,
                "project": file.project.name,
                "path": file.path,
                "blob_sha": file.blob_sha,
                "content_hash": rank.normalised_hash(file.text),
                "excerpt_hash": rank.digest(example.excerpt.text),
                "style": style,
                "rendered_at": now,
            }
            for file, example in zip(choice.files, page.examples, strict=True)
        ),
    )


def drift_report(db: Database, qualnames: Collection[str] | None = None) -> list[str]:
    """One line per shown example that changed, moved or disappeared since the last render."""
    lines = []
    for row in load_drift(db):
        if qualnames is not None and row["qualname"] not in qualnames:
            continue
        what = {
            "changed": "its code changed",
            "moved": f"moved to {row['now_path']}",
            "disappeared": "is gone; the page selects again",
        }[row["status"]]
        lines.append(f"{row['qualname']}: the example from {row['project']} ({row['path']}) {what}")
    return lines


def _line_anchor(web: str, excerpt: Excerpt) -> str:
    """`#L{start}-L{end}` over the block of the first shown use, for hosts that support it."""
    if excerpt.anchor is None:
        return ""
    start, end = excerpt.anchor
    host = urlsplit(web).hostname or ""
    if host.endswith("github.com"):
        return f"#L{start}-L{end}"
    if host.endswith("gitlab.com"):
        return f"#L{start}-{end}"
    return ""


def _import_from(target: Target) -> tuple[str, ...]:
    """The modules shorter than the defining one that re-export the name under the same name."""
    depth = target.module.count(".")
    modules = {
        module
        for module, _, name in (alias.rpartition(".") for alias in target.aliases)
        if name == target.name and module.count(".") < depth
    }
    return tuple(sorted(modules, key=lambda module: (module.count("."), module)))


def _resolve_names(
    db: Database, names: Collection[str], targets: Sequence[Target], used: set[str]
) -> set[str]:
    """Canonical qualnames for names given as qualnames or aliases; unknown ones are an error."""
    index = {t.qualname: t.qualname for t in targets}
    index.update((alias, t.qualname) for t in targets for alias in t.aliases)
    wanted = set()
    for name in names:
        qualname = index.get(name)
        if qualname is None:
            raise unknown_name(db, name)
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
    """The slug without -examples, which also names a hand-written intro's file."""
    return aliases.slug_base(target.module, target.name)


def _role_title(content: str) -> str:
    """What a reST role shows: "title <target>" -> title, "~a.b.c" -> c, "!x" -> x."""
    if titled := _RST_ROLE_TITLE.fullmatch(content):
        return titled.group(1)
    content = content.lstrip("!")
    return content[1:].rpartition(".")[2] if content.startswith("~") else content

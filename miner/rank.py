"""Rank: score every (project, file) candidate of a page and choose the examples, with reasons.

What makes an example good (after the example-mining literature: MUSE, CLAMS, eXoaDocs) is
scored in visible parts, each in [0, 1], so that `miner explain` can show them:

- conciseness: a short focused excerpt;
- definition: a short enclosing function (a 200-line function loses to a 10-line one);
- self_contained: the excerpt's names come from the library, the standard library or the
  excerpt itself rather than from project helpers the reader cannot see;
- typicality: the file uses the name the way many projects do (see `Usage`): how many
  projects write its commonest form, against the name's commonest form, and, where projects
  share a pattern (two forms in one function, such as ``request.method`` with
  ``request.form``), how many share the file's best pattern;
- source_kind: application or library code first, then scripts (`bin/`, `migrate_db_1.3.py`),
  then examples and docs, then tests; vendored, generated and migration files last; build
  output and installed copies (`build/lib/`, `site-packages/`) are never examples;
- project_signals: the project is alive: a recent analysed commit, and commits and distinct
  authors in the last year (from the bounded history the crawl fetches).

Only real uses count: an import, a use after a ``return`` (dead code) or a call that cannot
work (miner/misuse.py: ``render_template(url_for(...))``, ``abort("text")``, by the library's
rules in data/) is no use, and a file with no other use is never an example.
Selection then collapses copies of one file (the original project is credited), keeps each
project's best file, and fills the page best total first, with diminishing returns for
repetition: each time the page already shows every usage shape of a file, its total counts
``REPEAT_COST`` less, so a sound file (application or example code, a readable excerpt) showing
something new can pass it, never by more than ``VARIETY_REACH`` nor from a total under
``VARIETY_FLOOR``; a mention (``app: Flask``, ``isinstance(x, Flask)``: `is_mention`) is
nothing new and wins no place over a use.
Readability is judged the same way: an excerpt over ``2 * COMFORTABLE_EXCERPT`` lines takes a
place only when no sound candidate is within ``VARIETY_REACH`` of it. Build output is never an
example.

What a score needs of a file's syntax (its excerpt, dead lines, the names its lines read and
bind) comes from the outline the scan stored with its text (miner/outline.py): ranking never
parses a file.
"""

from __future__ import annotations

import builtins
import functools
import hashlib
import itertools
import re
import sys
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import PurePosixPath

from miner import outline as outlines
from miner.excerpt import AUTO, Excerpt, make_excerpt, outline_of, unreachable_lines
from miner.misuse import misuse
from miner.model import Target, Use, UseKind
from miner.outline import FileOutline
from miner.shapes import LITERAL_KINDS, call_arguments, first_call, is_keyword
from miner.store import FileCandidate

#: How much each part weighs in the total; they add up to 1.
WEIGHTS: Mapping[str, float] = {
    "conciseness": 0.15,
    "definition": 0.15,
    "self_contained": 0.15,
    "typicality": 0.30,
    "source_kind": 0.20,
    "project_signals": 0.05,
}

#: What a file's total counts less for each time the page already shows all its usage shapes.
REPEAT_COST = 0.05
#: A file passes one with a higher total for variety only within this much, and only when sound
#: (application or example code with an excerpt of at most ``2 * COMFORTABLE_EXCERPT`` lines).
VARIETY_REACH = 0.25
#: ... and only when its own total is at least this: a weak file (a long definition, an odd
#: use) is shown after the better ones, whatever it shows that is new.
VARIETY_FLOOR = 0.5
#: Two forms written together in one function by this many projects make a usage pattern.
PATTERN_PROJECTS = 3
#: How a use written at module level is told apart from the same shape inside a definition.
MODULE_LEVEL = " at module level"

#: Score of each kind of source file. A script (`bin/migrate_db_1.3.py`, Indico's
#: `bin/utils/apiProxy.py`) is real code run against the library, as an application is, but
#: written around its one task (reading argv, one-off setup), so it teaches the typical
#: structure less often: halfway between application code and examples written to teach.
#: Build output is a copy a build or an install made: never an example (see `select`).
SOURCE_KINDS: Mapping[str, float] = {
    "application": 1.0,
    "script": 0.85,
    "example": 0.7,
    "test": 0.3,
    "vendored": 0.0,
    "generated": 0.0,
    "migration": 0.0,
    "build": 0.0,
}

#: An excerpt or definition up to this many lines scores 1; longer ones score less.
COMFORTABLE_EXCERPT = 30
COMFORTABLE_DEFINITION = 25
ACTIVITY_HORIZON_YEARS = 5.0

_VENDORED = {"vendor", "_vendor", "vendored", "third_party", "thirdparty", "externals", "extern"}
#: Folders a build or an install writes (`site-packages/flask_login/`, `.tox/py311/`); build/
#: alone is no such folder (Sphinx sources live in `docs/build/`), only its lib*/bdist* parts.
_BUILT = {"site-packages", "dist-packages", ".tox", "node_modules", ".eggs", "__pypackages__"}
_BUILD_PARTS = re.compile(r"lib(\..*)?|bdist\..*")
#: Top-level folders of scripts a project runs rather than imports (unless it is a package).
_SCRIPT_DIRS = {"bin", "scripts", "script", "tools", "devtools"}
#: example, examples, example_app, sample_app2, demo-app, docs, tutorials, drf_demo,
#: demoproject, demosite, sampleapp, sample_taggit, sandbox (a demo site), ...
_EXAMPLE_DIR = re.compile(
    r"(\w+[_-])?(examples?|samples?|demos?|docs?|tutorials?|sandbox)"
    r"([_-]\w+|(apps?|projects?|site)\w*)?"
)
#: tests, testing, test_utils, test_project, test_proj, testapp, testproject, testdata,
#: auditlog_tests, migration_test_app, fixtures, benchmarks: scaffolding, not teaching code
_TEST_DIR = re.compile(
    r"(\w+[_-])?tests?([_-]\w+|(apps?|projects?|proj|data|site|ing)\w*)?|fixtures|benchmarks?"
)
_TEST_FILES = {"conftest.py", "tests.py", "test.py"}  # Django apps keep their tests in tests.py
#: a comment line near the top that says a tool wrote the file (never a docstring's words)
_GENERATED = re.compile(rb"^[ \t]*#.*(generated by|do not edit|@generated)", re.IGNORECASE | re.M)
_HEADER_LINES = 15
_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ()))
_BUILTINS = frozenset(dir(builtins))


@dataclass(frozen=True, slots=True)
class Score:
    """The visible parts of a candidate's score; `total` is their weighted sum."""

    conciseness: float
    definition: float
    self_contained: float
    typicality: float
    source_kind: float
    project_signals: float
    total: float
    excerpt_lines: int
    definition_lines: int
    source_label: str  #: application, script, example, test, vendored, generated, migration, build
    shapes: tuple[str, ...]  #: the file's usage shapes of the name, most typical first
    content_hash: str  #: of the normalised text: equal for copies of one file


@dataclass(frozen=True, slots=True)
class Candidate:
    """One file of one project that uses the page's name, as ranking sees it."""

    project: str
    position: int  #: the project's place in the project list
    path: str
    score: Score
    outdated: str = ""  #: why the file is written for an old library version; never shown


@dataclass(frozen=True, slots=True)
class Decision:
    """What selection did with one candidate, and why."""

    candidate: Candidate
    chosen: bool
    place: int | None  #: 1-based position on the page when chosen
    new_shape: bool  #: shows a usage shape the page did not show yet (the diversity part)
    reason: str


def classify_path(path: str, head: bytes = b"", package: bool = False) -> str:
    """Where a file sits: application, script, example, test, vendored, generated, migration
    or build. `package`: the file's top-level folder holds an ``__init__.py`` (the project
    imports it: Flaskex's `scripts/helpers.py` is application code)."""
    return _classify(path, _is_generated(head), package)


def _is_generated(head: bytes) -> bool:
    """A comment among the first lines says a tool wrote the file (a docstring's word does not)."""
    return _GENERATED.search(b"\n".join(head.splitlines()[:_HEADER_LINES])) is not None


def _classify(path: str, generated: bool, package: bool = False) -> str:
    parts = [part.lower() for part in PurePosixPath(path).parts]
    name = parts[-1] if parts else ""
    directories = set(parts[:-1])
    if _is_build_output(parts[:-1]):
        return "build"
    if directories & _VENDORED:
        return "vendored"
    if name.endswith(("_pb2.py", "_pb2_grpc.py")) or generated:
        return "generated"
    if "migrations" in directories or ("alembic" in directories and "versions" in directories):
        return "migration"
    if (
        any(_TEST_DIR.fullmatch(part) for part in directories)
        or name.startswith("test_")
        or name.endswith("_test.py")
        or name in _TEST_FILES
    ):
        return "test"
    if any(_EXAMPLE_DIR.fullmatch(part) for part in directories):
        return "example"
    if not PurePosixPath(name).stem.isidentifier():  # no import can name migrate_db_1.3.py
        return "script"
    if len(parts) > 1 and parts[0] in _SCRIPT_DIRS and not package:
        return "script"
    return "application"


def _is_build_output(directories: Sequence[str]) -> bool:
    """The folders are ones a build or an install wrote: `build/lib/`, `build/bdist.linux-i686/`,
    `dist/` at the top, an `.egg` or `.egg-info` folder, `site-packages/`, `.tox/`, ..."""
    return bool(
        set(directories) & _BUILT
        or directories[:1] == ["dist"]
        or any(part.endswith((".egg", ".egg-info")) for part in directories)
        or any(
            part == "build" and _BUILD_PARTS.fullmatch(after)
            for part, after in itertools.pairwise(directories)
        )
    )


def digest(text: str) -> str:
    """A short fingerprint of a text, to notice when a shown excerpt changes."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


@functools.lru_cache(maxsize=64)  # a file is hashed once, not once per name it uses
def normalised_hash(text: str) -> str:
    """A hash that ignores comments, blank lines and indentation-preserving whitespace noise."""
    kept = [
        line.rstrip()
        for line in text.replace("\r\n", "\n").split("\n")
        if line.strip() and not line.lstrip().startswith("#")
    ]
    return hashlib.sha1("\n".join(kept).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class TextFacts:
    """The parts of a score that only the file's text and its highlighted lines decide.

    They are the costly parts (an excerpt, the names it reads, a hash of the whole text): the
    crawl stores them per (blob, name, lines) and computes them once, never again per crawl.
    """

    conciseness: float
    self_contained: float
    excerpt_lines: int
    content_hash: str  #: of the normalised text: equal for copies of one file
    generated: bool  #: the file's head says it was generated
    dead: tuple[int, ...] = ()  #: the highlighted lines no run reaches (after a return)


def text_facts(
    text: str,
    lines: Iterable[int],
    qualname: str,
    library: str,
    outline: bytes | None = None,
    shapes: Iterable[tuple[int, str]] = (),
) -> TextFacts:
    """The text-only parts of the score of the uses of `qualname` on `lines` of `text`.

    `outline` is the file's stored outline (see `stored_outline`), `shapes` the (line,
    `shape_key`) of the uses. The excerpt is the one pages show, without the dead lines (see
    `file_excerpt`).
    """
    syntax = stored_outline(text, outline)
    name = qualname.rpartition(".")[2]
    wanted = sorted(set(lines))
    dead = unreachable_lines(syntax).intersection(wanted)
    shown = [line for line in wanted if line not in dead] or wanted
    excerpt = make_excerpt(text, shown, name, "", "focused", library, syntax, shapes)
    return TextFacts(
        conciseness=min(1.0, COMFORTABLE_EXCERPT / max(excerpt.text.count("\n"), 1)),
        self_contained=self_containedness(syntax, excerpt.segments, library),
        excerpt_lines=excerpt.text.count("\n"),
        content_hash=normalised_hash(text),
        generated=_is_generated(text[:4000].encode("utf-8", "replace")),
        dead=tuple(sorted(dead)),
    )


@dataclass(frozen=True, slots=True)
class Usage:
    """How many projects write each form of a name, and each pair of forms in one function.

    A form is a use's shape without keyword arguments (``Flask(value, static_folder=str)`` is
    the common call ``Flask(value)``: its keywords are variety, not an odd corner), marked when
    written at module level (``request.form`` read in a module-level table of lambdas is not
    how views read it).
    """

    forms: Mapping[str, int]
    pairs: Mapping[frozenset[str], int]
    #: keyword -> projects passing it (to the first call of a shape); see `variety_shape`
    keywords: Mapping[str, int] = field(default_factory=dict)

    @property
    def commonest_form(self) -> int:
        """The projects of the commonest form; of the commonest use when the name is chiefly
        used (`chiefly_used`), for then a mention is no measure of how it is used."""
        used = [count for form, count in self.forms.items() if not is_mention(form)]
        return max(used if self.chiefly_used else self.forms.values(), default=0) or 1

    @property
    def chiefly_used(self) -> bool:
        """No mention (see `is_mention`) is written by more projects than the commonest use:
        ``Flask(value)`` (28 projects) over ``: Flask`` (5). A name chiefly annotated
        (SQLAlchemy's ``Connection``: annotated in 3 projects, subclassed in 1) or only ever
        annotated (``flask.typing.ResponseValue``) is taught by its annotations."""
        used = [count for form, count in self.forms.items() if not is_mention(form)]
        mentioned = [count for form, count in self.forms.items() if is_mention(form)]
        return bool(used) and max(used) >= max(mentioned, default=0)

    @property
    def commonest_pair(self) -> int:
        return max(self.pairs.values(), default=0)


def usage_of(files: Iterable[FileCandidate], qualname: str) -> Usage:
    """Count, over every file using `qualname`, the projects writing each form and pair."""
    forms: dict[str, set[str]] = {}
    pairs: dict[frozenset[str], set[str]] = {}
    keywords: dict[str, set[str]] = {}
    for file in files:
        uses = [use for use in file.uses if use.qualname == qualname and use.kind is not UseKind.IMPORT]
        for use in uses:
            forms.setdefault(form_of(use), set()).add(file.project.name)
            for keyword in keyword_names(call_arguments(use.shape)):
                keywords.setdefault(keyword, set()).add(file.project.name)
        for pair in {pair for found in _forms_by_function(uses).values() for pair in _pairs(found)}:
            pairs.setdefault(pair, set()).add(file.project.name)
    return Usage(
        {form: len(p) for form, p in forms.items()},
        {pair: len(p) for pair, p in pairs.items()},
        {keyword: len(p) for keyword, p in keywords.items()},
    )


def keyword_names(arguments: Iterable[str]) -> list[str]:
    """The keywords among a call's `arguments` (``_external`` of ``_external=True``)."""
    return [a.partition("=")[0] for a in arguments if is_keyword(a)]


#: A keyword fewer projects pass makes no usage shape of its own (see `variety_shape`).
SHARED_KEYWORD = 2


def variety_shape(use: Use, usage: Usage) -> str:
    """`shape_key` with every keyword that fewer than `SHARED_KEYWORD` projects pass written
    ``key=``: ``url_for(str, team_id=value)`` (CTFd's route parameter) and
    ``url_for(str, transaction_id=value)`` (braintree's) are one way to call ``url_for``,
    while ``url_for(str, _external=True)`` (29 uses in 7 projects) is another."""
    shape = shape_key(use)
    start = shape.find("(")
    if start < 0:
        return shape

    def rare(argument: str) -> bool:
        return is_keyword(argument) and usage.keywords.get(argument.partition("=")[0], 0) < SHARED_KEYWORD

    arguments, end = first_call(shape, start)
    if not any(map(rare, arguments)):
        return shape
    rewritten = [f"key={a.partition('=')[2]}" if rare(a) else a for a in arguments]
    return f"{shape[:start]}({', '.join(rewritten)}){shape[end + 1:]}"


#: What a mention's typicality counts for, against a use of the same spread (see `is_mention`).
MENTION_WEIGHT = 0.5


def is_mention(shape: str) -> bool:
    """The shape names the name without using it: an annotation (``: Flask``) says a value is
    one, an ``isinstance``/``issubclass`` check tests for one; neither shows how it is made,
    called or subclassed. A mention counts for less (`MENTION_WEIGHT`) where the name is
    chiefly used (`Usage.chiefly_used`), makes no pattern and wins no place for variety over a
    file that uses the name (see `select`)."""
    return shape.startswith((": ", "isinstance(", "issubclass("))


def form_of(use: Use) -> str:
    """The use's shape without keyword arguments, marked when written at module level."""
    return _where(skeleton(use.shape), use)


def shape_key(use: Use) -> str:
    """The use's whole shape, marked when written at module level: what variety compares."""
    return _where(use.shape, use)


def use_shapes(uses: Iterable[Use]) -> tuple[tuple[int, str], ...]:
    """The (line, `shape_key`) of each use: what an excerpt needs to show each shape once."""
    return tuple((use.line, shape_key(use)) for use in uses)


def _where(shape: str, use: Use) -> str:
    return shape if use.enclosing else shape + MODULE_LEVEL


def skeleton(shape: str) -> str:
    """A shape without the keyword arguments of its first call, its positional arguments
    reduced to their kind (a literal's type, or `value`): `Flask(value, static_folder=str)` ->
    `Flask(value)`, `Response(dumps(...), status=int)` -> `Response(value)`."""
    start = shape.find("(")
    if start < 0:
        return shape
    arguments, end = first_call(shape, start)
    kept = [
        a if a in LITERAL_KINDS or a.startswith("*") else "value"
        for a in arguments
        if not (a.startswith("**") or is_keyword(a))
    ]
    return f"{shape[:start]}({', '.join(kept)}){shape[end + 1:]}"


def _forms_by_function(uses: Iterable[Use]) -> dict[str, set[str]]:
    """The forms written in each enclosing definition (module-level uses make no pattern)."""
    found: dict[str, set[str]] = {}
    for use in uses:
        if use.enclosing and not is_mention(use.shape):
            found.setdefault(use.enclosing, set()).add(form_of(use))
    return found


def _pairs(forms: Collection[str]) -> set[frozenset[str]]:
    ordered = sorted(forms)
    return {frozenset((a, b)) for i, a in enumerate(ordered) for b in ordered[i + 1 :]}


def typicality(uses: Sequence[Use], usage: Usage) -> float:
    """How typical the file's most typical use is: its form's projects against the commonest
    form's, blended with its best pattern's projects against the commonest pattern's.

    A pattern weighs as much as patterns are common for the name (the commonest pattern's
    projects against the commonest form's, at most half), and only one shared by
    `PATTERN_PROJECTS` projects counts: request's form view (``request.method`` with
    ``request.form``, 9 projects of 18) matters. A mention (``: Flask``) makes no pattern and
    counts for less than a use (`_share`).
    """
    if not uses:
        return 0.0
    single = max(_share(form_of(use), usage) for use in uses)
    if usage.commonest_pair < PATTERN_PROJECTS:
        return single
    weight = min(0.5, usage.commonest_pair / usage.commonest_form)
    pattern = max(
        (usage.pairs.get(pair, 0) for found in _forms_by_function(uses).values()
         for pair in _pairs(found)),
        default=0,
    )
    return (1 - weight) * single + weight * pattern / usage.commonest_pair


def _share(form: str, usage: Usage) -> float:
    """The projects writing `form` against the commonest form's; a mention counts for
    `MENTION_WEIGHT` of that where the name is chiefly used (``: Flask`` beside
    ``Flask(value)``), fully where it is chiefly mentioned (see `Usage.chiefly_used`)."""
    share = min(1.0, usage.forms.get(form, 0) / usage.commonest_form)
    return share * MENTION_WEIGHT if usage.chiefly_used and is_mention(form) else share


def score_file(
    file: FileCandidate,
    qualname: str,
    usage: Usage,
    library: str,
    now: datetime | None = None,
    facts: TextFacts | None = None,
) -> Score:
    """Score one file's uses of one name against how many projects write each form (`usage`).

    `facts` are the text-only parts when already known (then `file.text` is not read).
    """
    uses = [use for use in file.uses if use.qualname == qualname]
    if facts is None:
        facts = text_facts(
            file.text, [use.line for use in uses], qualname, library, file.outline, use_shapes(uses)
        )
    real = _real(uses, facts.dead, qualname)
    longest_definition = max((use.enclosing_lines for use in real or uses), default=1)
    typical = {variety_shape(use, usage): usage.forms.get(form_of(use), 0) for use in real}
    ranked_shapes = sorted(typical, key=lambda s: (is_mention(s), -typical[s], s))
    source_label = _classify(file.path, facts.generated, file.in_package)
    parts = {
        "conciseness": facts.conciseness,
        "definition": min(1.0, COMFORTABLE_DEFINITION / max(longest_definition, 1)),
        "self_contained": facts.self_contained,
        "typicality": typicality(real, usage),
        "source_kind": SOURCE_KINDS[source_label],
        "project_signals": _project_signals(file, now),
    }
    return Score(
        **{key: round(value, 4) for key, value in parts.items()},
        total=round(sum(WEIGHTS[key] * value for key, value in parts.items()), 4),
        excerpt_lines=facts.excerpt_lines,
        definition_lines=longest_definition,
        source_label=source_label,
        shapes=tuple(ranked_shapes),
        content_hash=facts.content_hash,
    )


def stored_outline(text: str, outline: bytes | None) -> FileOutline | None:
    """The file's outline from its stored form (decoded once per file). A file stored without
    one (a database older than outlines) is outlined here, from its text."""
    return _loaded(outline) if outline else outline_of(text, AUTO)


@functools.lru_cache(maxsize=256)
def _loaded(outline: bytes) -> FileOutline:
    return outlines.loads(outline)


def real_uses(file: FileCandidate, qualname: str) -> list[Use]:
    """The uses of `qualname` a reader can learn from: not imports, not dead code, not misuses."""
    return _real(file.uses, unreachable_lines(stored_outline(file.text, file.outline)), qualname)


def _real(uses: Iterable[Use], dead: Collection[int], qualname: str) -> list[Use]:
    return [
        use
        for use in uses
        if use.qualname == qualname
        and use.kind is not UseKind.IMPORT
        and use.line not in dead
        and not misuse(use)
    ]


def outdated_reason(
    text: str,
    library: str,
    modules: Collection[str],
    missing: Iterable[str],
    uses: Iterable[Use] = (),
    targets: Mapping[str, Target] | None = None,
) -> str:
    """Why a file is written for an old or misspelled library API, or "" when it is not.

    `missing` are the library paths it uses that the analysed version lacks (the scan's
    missing_names); an import of a module of the library that does not exist
    (``flask.ext.admin``, removed in Flask 1.0) says the same, and so does a call of one of
    `uses` that the analysed function's signature refuses (`targets`: name -> Target; see
    `call_mismatch`). Such a file is never an example. A line scan, not a parse: this runs for
    every candidate of every page.
    """
    gone = list(missing)
    if not gone and f"{library}." in text:
        known = {".".join(module.split(".")[:2]) for module in modules}
        pattern = rf"^[ \t]*(?:from|import)[ \t]+({re.escape(library)}\.\w+)"
        gone = [m for m in re.findall(pattern, text, re.MULTILINE) if m not in known]
    if gone:
        return f"written for another {library}: it uses {gone[0]}, which the analysed {library} lacks"
    for use in uses:
        target = (targets or {}).get(use.qualname)
        mismatch = call_mismatch(use, target) if target else ""
        if mismatch:
            return f"written for another {library}: {mismatch}"
    return ""


def call_mismatch(use: Use, target: Target) -> str:
    """How a call of `target` does not fit its analysed signature (TypeError), or "".

    A keyword it does not take: CTFd's ``send_file(..., attachment_filename=...)``, renamed
    ``download_name`` and removed in Flask 2.2. A parameter it requires left out: trape's
    ``send_from_directory(directory=..., filename=...)``, whose ``filename`` became ``path``.
    Calls that spread ``*args`` or ``**kwargs`` are not judged.
    """
    name = target.name
    if use.kind is not UseKind.CALL or not use.shape.startswith(f"{name}("):
        return ""
    arguments = call_arguments(use.shape)
    if any(argument.startswith("*") for argument in arguments):
        return ""
    keywords = keyword_names(arguments)
    unknown = [key for key in keywords if target.keywords is not None and key not in target.keywords]
    if unknown:
        return f"it passes {unknown[0]}= to {name}, which the analysed {name} does not take"
    given = len(arguments) - len(keywords)
    left_out = [p for p in (target.required or ())[given:] if p not in keywords]
    if left_out:
        return f"it calls {name} without {left_out[0]}, which the analysed {name} requires"
    return ""


def file_excerpt(file: FileCandidate, qualname: str, style: str) -> Excerpt:
    """The excerpt of a file that highlights its imports of `qualname` and its real uses.

    The focused style shows the first real use before any import (see make_excerpt); a file
    without real uses highlights what it has, for the styles and pages that still ask for it.
    """
    real = real_uses(file, qualname)
    imports = {use.line for use in file.uses if use.qualname == qualname and use.kind is UseKind.IMPORT}
    lines = sorted(imports | {use.line for use in real}) or sorted(
        {use.line for use in file.uses if use.qualname == qualname}
    )
    name = qualname.rpartition(".")[2]
    basename = PurePosixPath(file.path).name
    return make_excerpt(
        file.text, lines, name, basename, style, qualname.split(".")[0],
        stored_outline(file.text, file.outline), use_shapes(real),
    )


def self_containedness(
    outline: FileOutline | None, segments: Iterable[tuple[int, int]], library: str
) -> float:
    """Share of the names read in the shown lines that a reader can place without the project.

    A name counts as placeable when it is a builtin, is imported from the target library or
    the standard library, or is bound within the shown lines; a name bound elsewhere in the
    file or imported from the project or a third-party package does not.
    """
    if outline is None:
        return 0.0
    names = _names_of(outline)
    shown: set[int] = set()
    for start, end in segments:
        shown.update(range(start, end + 1))
    events = [event for line in sorted(shown) for event in names.by_line.get(line, ())]
    bound_in_excerpt = {name for name, is_load in events if not is_load}
    loads = [name for name, is_load in events if is_load]
    if not loads:
        return 1.0
    known_sources = {library, *_STDLIB}
    placeable = sum(
        name in _BUILTINS or name in bound_in_excerpt or names.imported.get(name) in known_sources
        for name in loads
    )
    return placeable / len(loads)


@dataclass(frozen=True, slots=True)
class _Names:
    imported: dict[str, str]  #: bound name -> top-level module it is imported from ("." = project)
    by_line: dict[int, list[tuple[str, bool]]]  #: line -> (name, is a load) of every name on it


@functools.lru_cache(maxsize=256)
def _names_of(outline: FileOutline) -> _Names:
    """Every name read or bound in a file, by line: computed once per file, not per page."""
    imported = {found.bound: found.module for found in outline.imports}  # the last one wins
    by_line: dict[int, list[tuple[str, bool]]] = {}
    for line, names in outline.loads.items():
        by_line.setdefault(line, []).extend((name, True) for name in names)
    for line, names in outline.binds.items():
        by_line.setdefault(line, []).extend((name, False) for name in names)
    return _Names(imported, by_line)


#: Commits and distinct authors in a year at which a project counts as fully active.
ACTIVE_COMMITS = 50
ACTIVE_AUTHORS = 5


def _project_signals(file: FileCandidate, now: datetime | None) -> float:
    """Half recency of the analysed commit, a quarter commits, a quarter authors of the year."""
    history = file.history
    return (
        0.5 * _recency(file.committed_at, now)
        + 0.25 * min(1.0, history.commits_last_year / ACTIVE_COMMITS)
        + 0.25 * min(1.0, history.authors_last_year / ACTIVE_AUTHORS)
    )


def _recency(committed_at: str | None, now: datetime | None) -> float:
    if not committed_at:
        return 0.0
    try:
        when = datetime.fromisoformat(committed_at)
    except ValueError:
        return 0.0
    now = now or datetime.now(timezone.utc)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    years = max(0.0, (now - when).days / 365.25)
    return max(0.0, 1.0 - years / ACTIVITY_HORIZON_YEARS)


def select(
    candidates: Sequence[Candidate], *, max_examples: int = 10, order: str = "score"
) -> list[Decision]:
    """Choose a page's examples: originals over copies, one file per project, new shapes first.

    Returns a decision for every candidate; the chosen ones first, in page order.
    """
    if order not in ("score", "listed"):
        raise ValueError(f"unknown order {order!r}: choose score or listed")
    decisions: list[Decision] = []
    usable = []
    for candidate in candidates:
        if candidate.outdated:
            decisions.append(Decision(candidate, False, None, False, candidate.outdated))
        elif candidate.score.source_label == "build":
            decisions.append(Decision(candidate, False, None, False, _BUILD))
        else:
            usable.append(candidate)
    originals = _collapse_copies(usable, decisions)
    remaining = _best_per_project(originals, decisions)
    shown: Counter[str] = Counter()
    chosen: list[tuple[Candidate, str]] = []
    while remaining and len(chosen) < max_examples:
        top = max(remaining, key=_strength)
        pick = max(
            (c for c in remaining if c.score.total == top.score.total or _may_pass(c, top)),
            key=lambda c: (round(c.score.total - _handicap(c, shown), 6), *_strength(c)),
        )
        passed = pick
        if pick.score.excerpt_lines > 2 * COMFORTABLE_EXCERPT:  # readable first, within reach
            readable = [c for c in remaining if _may_pass(c, pick)]
            pick = max(readable, key=lambda c: (round(c.score.total - _handicap(c, shown), 6),
                                                *_strength(c))) if readable else pick
        remaining.remove(pick)
        chosen.append((pick, _why_chosen(pick, shown, top) if pick is passed
                       else _why_readable(pick, shown, passed)))
        shown.update(pick.score.shapes)
    decisions.extend(
        Decision(candidate, False, None, bool(_new_shapes(candidate, shown)),
                 f"page full: the {max_examples} examples above were chosen first")
        for candidate in remaining
    )
    if order == "listed":
        chosen.sort(key=lambda pair: (pair[0].position, pair[0].project))
    page = [
        Decision(candidate, True, place, reason.startswith(_NEW), reason)
        for place, (candidate, reason) in enumerate(chosen, start=1)
    ]
    return page + sorted(decisions, key=lambda d: (-d.candidate.score.total, d.candidate.path))


def _handicap(candidate: Candidate, shown: Counter[str]) -> float:
    """Diminishing returns: `REPEAT_COST` for each time the page shows all the file's shapes."""
    return REPEAT_COST * _repeats(candidate, shown)


def _repeats(candidate: Candidate, shown: Counter[str]) -> int:
    return min((shown[shape] for shape in _counted(candidate.score.shapes)), default=0)


def _counted(shapes: Sequence[str]) -> list[str]:
    """The shapes variety counts: the file's uses, or its mentions when it has nothing else
    (a new ``: Flask`` beside an ``app = Flask(__name__)`` already shown shows nothing new)."""
    return [shape for shape in shapes if not is_mention(shape)] or list(shapes)


def _may_pass(candidate: Candidate, top: Candidate) -> bool:
    """Variety may put a file before a better one only when it is sound, not far below and
    not weak itself, and never a file that only mentions the name before one that uses it."""
    score = candidate.score
    return (
        score.source_label in ("application", "example")
        and score.excerpt_lines <= 2 * COMFORTABLE_EXCERPT
        and score.total >= max(top.score.total - VARIETY_REACH, VARIETY_FLOOR)
        and not (_only_mentions(score.shapes) and not _only_mentions(top.score.shapes))
    )


def _only_mentions(shapes: Sequence[str]) -> bool:
    return all(is_mention(shape) for shape in shapes)


def shape_summary(shapes: Iterable[tuple[str, str]], limit: int = 5) -> list[tuple[str, int, int]]:
    """The most common usage shapes of a name: (shape, uses, projects), from (project, shape).

    Ordered by the number of projects, then of uses: shapes many projects share describe the
    name better than one project's habit. A bare mention (``g`` passed along) is no form.
    """
    return _commonest((project, shape) for project, shape in shapes if not shape.isidentifier())[
        :limit
    ]


def keyword_summary(
    shapes: Iterable[tuple[str, str]], limit: int = 5
) -> list[tuple[str, int, int]]:
    """The keyword arguments passed in a name's calls: (``_external=True`` or ``page=``, uses,
    projects), ordered like `shape_summary`. Flags and None keep their value (it is the point
    of passing them); other values are left out."""
    found = []
    for project, shape in shapes:
        for argument in call_arguments(shape):
            key, equals, value = argument.partition("=")
            if equals and key.isidentifier():
                found.append((project, argument if value in ("True", "False", "None") else f"{key}="))
    return _commonest(found)[:limit]


def _commonest(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, int, int]]:
    uses: Counter[str] = Counter()
    projects: dict[str, set[str]] = {}
    for project, item in pairs:
        uses[item] += 1
        projects.setdefault(item, set()).add(project)
    ordered = sorted(uses, key=lambda s: (-len(projects[s]), -uses[s], s))
    return [(item, uses[item], len(projects[item])) for item in ordered]


def _collapse_copies(candidates: Sequence[Candidate], decisions: list[Decision]) -> list[Candidate]:
    """One candidate per normalised content: the original wins (the best kind of source file,
    so never a vendored copy while another copy exists, then the project listed first)."""
    groups: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        groups.setdefault(candidate.score.content_hash, []).append(candidate)
    originals = []
    for group in groups.values():
        original = min(
            group, key=lambda c: (-SOURCE_KINDS[c.score.source_label], c.position, c.path)
        )
        originals.append(original)
        decisions.extend(
            Decision(copy, False, None, False,
                     f"copy of {original.project} / {original.path}, which is credited instead")
            for copy in group
            if copy is not original
        )
    return originals


def _strength(candidate: Candidate) -> tuple[float, int]:
    return candidate.score.total, -candidate.position


def _best_per_project(candidates: Sequence[Candidate], decisions: list[Decision]) -> list[Candidate]:
    """Each project's best file with a real use; a file with none is never an example."""
    by_project: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        if not candidate.score.shapes:
            decisions.append(Decision(candidate, False, None, False, _NO_USE))
            continue
        by_project.setdefault(candidate.project, []).append(candidate)
    best = []
    for files in by_project.values():
        files.sort(key=lambda c: (-c.score.total, *_tie_break(c)))
        best.append(files[0])
        decisions.extend(
            Decision(other, False, None, False, _why_not_best(other, files[0]))
            for other in files[1:]
        )
    return best


def _tie_break(candidate: Candidate) -> tuple[int, int, str]:
    """Between equal totals: the shorter excerpt, then the shorter definition, then the path."""
    return (candidate.score.excerpt_lines, candidate.score.definition_lines, candidate.path)


def _why_not_best(other: Candidate, best: Candidate) -> str:
    if other.score.total == best.score.total:
        return (
            f"{other.project} shows {best.path}, with the same total ({best.score.total:.3f}) "
            f"and a shorter excerpt or definition"
        )
    return (
        f"{other.project} shows a better file: {best.path} "
        f"({best.score.total:.3f} > {other.score.total:.3f})"
    )


def _new_shapes(candidate: Candidate, shown: Counter[str]) -> list[str]:
    """The shapes variety counts (`_counted`) that the page does not show yet."""
    return [shape for shape in _counted(candidate.score.shapes) if not shown[shape]]


_NEW = "shows a usage shape not shown yet"
_BUILD = (
    "build output or an installed copy (build/lib, an .egg, site-packages, ...): "
    "a copy a build made, never an example"
)
_NO_USE = (
    "no real use: only imports, code after a return, or calls that cannot work (by the "
    "library's misuse rules, data/misuse/)"
)


def _why_chosen(candidate: Candidate, shown: Counter[str], top: Candidate) -> str:
    """Why `candidate` took the next place, naming the shape that was new, if any."""
    score = candidate.score
    new = _new_shapes(candidate, shown)
    if candidate.score.total < top.score.total:
        repeats = _repeats(top, shown)
        what = (
            f"{_NEW}, {new[0]}" if new
            else f"shows {_least_shown(candidate, shown)}, shown {_times(_repeats(candidate, shown))}"
        )
        return (
            f"{what}, at total {score.total:.3f}: variety comes before the best remaining "
            f"({top.project}, {top.score.total:.3f}), each of whose shapes the page already shows "
            f"{_times(repeats)} ({REPEAT_COST} off a total per showing, at most "
            f"{VARIETY_REACH} for application or example code with a short excerpt)"
        )
    strongest = max(WEIGHTS, key=lambda part: WEIGHTS[part] * getattr(score, part))
    lead = f"{_NEW}: {new[0]}" if new else f"shapes already shown, such as {score.shapes[0]}"
    return (
        f"{lead}; best remaining total ({score.total:.3f}, strongest part: {strongest}) "
        f"of {candidate.project}"
    )


def _why_readable(candidate: Candidate, shown: Counter[str], passed: Candidate) -> str:
    """Why a readable excerpt took the place of a long one."""
    new = _new_shapes(candidate, shown)
    lead = f"{_NEW}, {new[0]}; " if new else ""
    return (
        f"{lead}a readable excerpt ({candidate.score.excerpt_lines} lines, total "
        f"{candidate.score.total:.3f}) comes before {passed.project} ({passed.score.total:.3f}), "
        f"whose excerpt runs to {passed.score.excerpt_lines} lines (over "
        f"{2 * COMFORTABLE_EXCERPT}; at most {VARIETY_REACH} of a total is given up for it)"
    )


def _least_shown(candidate: Candidate, shown: Counter[str]) -> str:
    return min(_counted(candidate.score.shapes), key=lambda shape: (shown[shape], shape))


def _times(number: int) -> str:
    return {1: "once", 2: "twice"}.get(number, f"{number} times")


def explain(
    title: str,
    decisions: Sequence[Decision],
    summary: Sequence[tuple[str, int, int]],
    *,
    max_examples: int,
    order: str,
) -> str:
    """Why each example of a page was chosen, and why every other candidate lost."""
    chosen = [d for d in decisions if d.chosen]
    lost = [d for d in decisions if not d.chosen]
    projects = len({d.candidate.project for d in decisions})
    weights = ", ".join(f"{part} {weight:.2f}" for part, weight in WEIGHTS.items())
    lines = [
        title,
        f"{len(decisions)} candidate files in {projects} projects; "
        f"order: {order}, at most {max_examples} examples",
        f"weights: {weights}",
        "",
        "How it is called (the forms most projects write first, then by uses):",
        *(f"  {shape}: {_count(uses, 'use')} in {_count(count, 'project')}"
          for shape, uses, count in summary),
        "",
        f"Chosen ({len(chosen)}):",
    ]
    for decision in chosen:
        lines += [f"  {decision.place}. " + _candidate_line(decision), f"     why: {decision.reason}"]
    lines += ["", f"Not chosen ({len(lost)}):"]
    lines += [f"  - {_candidate_line(d)}\n     why: {d.reason}" for d in lost]
    return "\n".join(lines) + "\n"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _candidate_line(decision: Decision) -> str:
    c, s = decision.candidate, decision.candidate.score
    return (
        f"{c.project} / {c.path}: total {s.total:.3f} = "
        f"conciseness {s.conciseness:.2f} ({s.excerpt_lines} lines), "
        f"definition {s.definition:.2f} ({s.definition_lines} lines), "
        f"self_contained {s.self_contained:.2f}, typicality {s.typicality:.2f}, "
        f"source_kind {s.source_kind:.2f} ({s.source_label}), "
        f"project_signals {s.project_signals:.2f}"
    )

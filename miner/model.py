"""The plain dataclasses that travel between miner's stages.

Data flows one way: sources -> scan -> store -> (rank, excerpt) -> render. Every
object here is frozen and picklable so it can cross process boundaries; paths
inside a project are repository-relative POSIX strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path


class MinerError(Exception):
    """A failure with a one-line message that names the input and says what to do."""


#: What to do, at the end of a MinerError's message: "... (check the url in the project list)".
ADVICE = re.compile(r" \([^()]*\)$")


class UseKind(str, Enum):
    """How a use touches the target name."""

    CALL = "call"  # make_response(...)
    ATTRIBUTE = "attribute"  # request.args, session["x"]
    SUBCLASS = "subclass"  # class MyApp(Flask)
    DECORATOR = "decorator"  # @with_appcontext
    RAISE = "raise"  # raise BadRequest(...)
    EXCEPT = "except"  # except BadRequest
    ANNOTATION = "annotation"  # def f() -> Response
    VALUE = "value"  # passed or assigned as a value
    IMPORT = "import"  # the import statement that binds the name


class Resolution(str, Enum):
    """How the name was resolved to the target, from most to least direct."""

    DIRECT = "direct"  # from flask import make_response
    ALIAS = "alias"  # from flask import make_response as mr; mr = make_response
    MODULE_ATTRIBUTE = "module-attribute"  # import flask; flask.make_response
    REEXPORT = "re-export"  # written through a shorter path than the defining module
    STAR = "star"  # from flask import *
    CROSS_FILE = "cross-file"  # from .compat import make_response
    HEURISTIC = "heuristic"  # app.route after app = Flask(...)


class FileStatus(str, Enum):
    """What happened to one file of a checkout."""

    SCANNED = "scanned"  # parsed and searched for uses
    NO_MENTION = "no-mention"  # never mentions the library: not parsed at all
    UNPARSABLE = "unparsable"  # syntax error, Python 2, undecodable bytes
    TOO_LARGE = "too-large"  # over the size cap


@dataclass(frozen=True, slots=True)
class Project:
    """One entry of the project list."""

    name: str  #: display name, used in headings
    url: str  #: git URL, local path or file:// URL
    docs: str | None = None
    pypi: str | None = None
    blurb: str | None = None  #: overrides the detected description
    license: str | None = None  #: SPDX id, overrides detection
    web: str | None = None  #: browsable home for links, when url is a local clone
    subdir: str | None = None  #: only this directory of the repository is the project
    position: int = 0  #: place in the project list, for --order listed


@dataclass(frozen=True, slots=True)
class Release:
    """A PyPI release analysed because git could not be reached: what it is, never git data."""

    name: str  #: the PyPI name: indico
    version: str  #: 3.3.14
    filename: str  #: the file analysed: an sdist, or a pure-Python wheel when it has none
    sha256: str  #: that file's digest
    uploaded_at: str | None = None  #: ISO 8601 upload time, when the index says it
    newest: str | None = None  #: the newest final release, when it is not this one
    summary: str | None = None  #: the release's own one-line description
    license: str | None = None  #: the release's own license, an SPDX id

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}"


@dataclass(frozen=True, slots=True)
class Checkout:
    """A project fetched at one commit; files are read from git objects, never a work tree."""

    project: Project
    git_dir: Path
    commit: str
    branch: str
    committed_at: str  #: ISO 8601 commit date of the analysed commit
    license_path: str | None = None  #: LICENSE/COPYING file at the top of the tree
    #: set when git could not be reached and a PyPI release was analysed instead
    release: str | None = None  #: "Flask-HTTPAuth 4.8.0"
    note: str = ""  #: the one line that says so
    tags: tuple[str, ...] = ()  #: the remote's tag names, to link a PyPI release to its tag
    published: Release | None = None  #: the PyPI release analysed, when `release` is set


@dataclass(frozen=True, slots=True)
class ProjectMetadata:
    """What a project says about itself in its files; the project list's values win over it."""

    description: str | None = None  #: one or two sentences, from package metadata or README
    license: str | None = None  #: SPDX id, or None when it cannot be determined
    license_path: str | None = None  #: the license file the id was read from
    license_source: str = ""  #: how the license was found, or why it was not
    docs: str | None = None
    pypi: str | None = None
    declared_versions: str | None = None  #: the target library's range, "" if unpinned


@dataclass(frozen=True, slots=True)
class History:
    """Recent activity on the default branch, from at most `sampled` of its latest commits."""

    sampled: int = 0  #: commits read (the fetch is bounded)
    commits_last_year: int = 0
    authors_last_year: int = 0  #: distinct author e-mail addresses
    note: str = ""  #: why these signals are missing or partial (git refused the history)


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One .py blob of a checkout."""

    path: str
    blob_sha: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Target:
    """A public name of the target library, keyed by where it is defined."""

    qualname: str  #: canonical: flask.helpers.make_response
    module: str  #: defining module: flask.helpers
    name: str  #: make_response
    kind: str  #: function, class, exception or object
    aliases: tuple[str, ...] = ()  #: other import paths, e.g. flask.make_response
    summary: str = ""  #: first paragraph of the docstring
    source_path: str = ""  #: file inside the library, e.g. flask/helpers.py
    line: int = 0  #: line of the definition in that file
    #: the keyword arguments a function takes; None when it takes any (**kwargs) or is no function
    keywords: tuple[str, ...] | None = None
    #: the parameters a function call must give (no default), in order; None: no function
    required: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Use:
    """One resolved use of a target in a file. Lines and columns are 1-based."""

    qualname: str
    kind: UseKind
    resolution: Resolution
    line: int
    column: int
    end_line: int
    end_column: int
    enclosing: str  #: dotted enclosing definition ("Class.method"), "" at module level
    written_as: str  #: the expression as written: "flask.make_response", "mr"
    line_text: str  #: the source line holding the use
    shape: str = ""  #: normalised form: "make_response(jsonify(...), int)"
    result: str = ""  #: what a call's value is used for: "returned", ".headers[...] ="
    enclosing_lines: int = 0  #: length of the enclosing definition (or top-level statement)


@dataclass(frozen=True, slots=True)
class FileScan:
    """The outcome of scanning one file; a broken file never stops a crawl."""

    path: str
    blob_sha: str
    status: FileStatus
    lines: int = 0
    error: str | None = None
    uses: tuple[Use, ...] = field(default_factory=tuple)
    #: top-level names bound to library paths, for the project's other modules to import
    exports: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    #: (line, dotted path) of library names the file uses that the analysed library lacks
    missing: tuple[tuple[int, str], ...] = field(default_factory=tuple)
    #: (line, dotted path, origin) of another library's names used through the library's
    #: modules: (3, "flask.signals.Namespace", "blinker.Namespace")
    foreign: tuple[tuple[int, str, str], ...] = field(default_factory=tuple)
    #: a scanned file with uses: its outline (miner.outline.dumps), made from the same parse;
    #: empty when the result came from the scan cache (the outline is stored with the text)
    outline: bytes = b""

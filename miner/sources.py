"""Sources stage: read the project list, fetch each project into a cache, yield its .py blobs.

This is the only module of miner that imports `git`. The cache holds one bare, shallow repository
per project and files are read from git objects, never from a work tree: no symlink is followed,
no checkout filter or hook runs and no submodule is fetched.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import hashlib
import io
import json
import logging
import os
import re
import shutil
import signal
import socket
import sys
import tarfile
import tempfile
import threading
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import git
from packaging.version import InvalidVersion, Version

from miner.metadata import release_metadata, release_urls
from miner.model import ADVICE, Checkout, History, MinerError, Project, Release, SourceFile

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks
    fcntl = None  # type: ignore[assignment]

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

logger = logging.getLogger(__name__)

# Keys a [[project]] table may hold, in the order an error message lists them.
_PROJECT_KEYS = ("name", "url", "docs", "pypi", "blurb", "license", "web", "subdir")

# Every git call runs with this environment: fail fast instead of waiting for a human.
_GIT_ENV = {
    "GIT_TERMINAL_PROMPT": "0",  # no username/password prompt on the terminal
    "GIT_ASKPASS": "true",  # any credential prompt gets an empty answer
    "SSH_ASKPASS": "true",  # ssh passphrase and host-key questions get an empty answer ...
    "SSH_ASKPASS_REQUIRE": "force",  # ... even when a terminal is attached (OpenSSH >= 8.4)
    "GIT_HTTP_LOW_SPEED_LIMIT": "1000",  # give up on a transfer slower than 1000 bytes/s ...
    "GIT_HTTP_LOW_SPEED_TIME": "60",  # ... for a whole minute
}
_SAFE_CONFIG = [
    "protocol.ext.allow=never",  # ext:: runs a command; GitPython refuses it too, git also will
    "core.hooksPath=/dev/null",  # no hook runs, not even one copied in from a user's template
    "gc.autoDetach=false",  # no git process outlives miner's call (see _cache_lock) ...
    "maintenance.autoDetach=false",  # ... not even an automatic gc or maintenance run
]
_REGULAR_MODES = ("100644", "100755")  # not symlinks (120000) nor submodules (160000)
_FORGES = ("github.com", "gitlab.com", "bitbucket.org")
_SCP_URL = re.compile(r"(?:[^@/:]+@)?(?P<host>[^/:]+):(?P<path>.+)")
_CREDENTIALS = re.compile(r"(https?://)[^/@\s]+@")
_LICENSE_NAME = re.compile(r"(?P<stem>licen[cs]e|copying|copyright)(?:\..+)?", re.IGNORECASE)
_LICENSE_RANK = {"license": 0, "licence": 0, "copying": 1, "copyright": 2}
_TOML_TYPES = {bool: "boolean", int: "integer", float: "float", list: "array", dict: "table"}
_GIT_REASONS = (  # (pattern in git's stderr, what to tell the user), first match wins
    (
        re.compile(r"no space left on device|disk quota exceeded|file too large", re.I),
        "the disk is full (free space where --cache points, then crawl again)",
    ),
    (
        re.compile(r"does not appear to be a git repository|repository .* not found", re.I),
        "repository not found (check the url in the project list)",
    ),
    (
        re.compile(
            r"authentication failed|could not read (username|password)|permission denied \(", re.I
        ),
        "access denied: private or missing repository (check the url in the project list)",
    ),
    (  # git's words for foo://...: no git-remote-foo helper
        re.compile(r"'remote-\S+' is not a git command|unable to find remote helper", re.I),
        "unsupported URL scheme (use https://, ssh://, git://, file:// or a local path)",
    ),
)


class ProjectListError(MinerError):
    """The project list cannot be used as written."""


class FetchError(MinerError):
    """A project could not be fetched into, or read back from, the cache.

    The message is the whole story the crawls table keeps (the url, git's own words); `brief`
    is what the crawl prints after the project's name: what happened and what to do, no url.
    """

    def __init__(self, message: str, brief: str = "") -> None:
        super().__init__(message)
        self.brief = brief or message

    def __reduce__(self) -> tuple[type[FetchError], tuple[str, str]]:  # across processes
        return type(self), (str(self), self.brief)


# -- the project list ------------------------------------------------------------------------


def load_projects(path: Path) -> list[Project]:
    """Read the [[project]] tables of a TOML file, refusing anything it would silently misread."""
    tables = _project_tables(path, _read_toml(path))
    projects = [_project(path, index, table) for index, table in enumerate(tables)]
    _check_unique_names(path, projects)
    return projects


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise ProjectListError(
            f"{path}: cannot read the project list: {error.strerror or error} (check the path)"
        ) from None
    except UnicodeDecodeError:
        raise ProjectListError(f"{path}: not UTF-8 text (save it as UTF-8)") from None
    except tomllib.TOMLDecodeError as error:
        raise ProjectListError(f"{path}: invalid TOML: {error} (fix the syntax there)") from None


def _project_tables(path: Path, data: dict[str, Any]) -> list[dict[str, Any]]:
    for key in data:
        if key != "project":
            raise ProjectListError(
                f'{path}: unknown top-level key "{key}"; {_hint(key, ("project",))}'
            )
    tables = data.get("project", [])
    if not isinstance(tables, list) or not all(isinstance(table, dict) for table in tables):
        raise ProjectListError(f'{path}: "project" must be [[project]] tables, one per project')
    if not tables:
        raise ProjectListError(
            f"{path}: no [[project]] tables (add one per project, with name and url)"
        )
    return tables


def _project(path: Path, index: int, table: dict[str, Any]) -> Project:
    label = _label(index, table)
    for key, value in table.items():
        if key not in _PROJECT_KEYS:
            raise ProjectListError(
                f'{path}: {label} has unknown key "{key}"; {_hint(key, _PROJECT_KEYS)}'
            )
        if not isinstance(value, str):
            kind = _TOML_TYPES.get(type(value), "date/time")
            raise ProjectListError(
                f'{path}: {label} key "{key}" must be a string, not {kind} (quote it)'
            )
    for key in ("name", "url"):
        if not table.get(key, "").strip():
            raise ProjectListError(f'{path}: {label} has no "{key}" (add {key} = "...")')
    url = table["url"]
    if _is_local_path(url):
        url = str((path.parent / Path(url).expanduser()).resolve())
    subdir = _subdir(path, label, table.get("subdir"))
    return Project(**{**table, "url": url, "subdir": subdir}, position=index)


def _subdir(path: Path, label: str, subdir: str | None) -> str | None:
    """A repository-relative directory, refused if it could name anything outside the tree."""
    if subdir is None:
        return None
    parts = [part for part in subdir.strip().strip("/").split("/") if part not in ("", ".")]
    if not parts or subdir.strip().startswith("/") or ".." in parts or "\\" in subdir:
        raise ProjectListError(
            f'{path}: {label} key "subdir" must be a relative directory inside the repository '
            f'such as "python/flask", not {subdir!r}'
        )
    return "/".join(parts)


def _label(index: int, table: dict[str, Any]) -> str:
    """Name a table as people count them: 'project 3 ("newspie")' is the third [[project]]."""
    name = table.get("name")
    if isinstance(name, str) and name.strip():
        return f'project {index + 1} ("{name}")'
    return f"project {index + 1}"


def _hint(key: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.5)  # catches "lisence"
    return f'did you mean "{close[0]}"?' if close else f"known keys: {', '.join(known)}"


def _check_unique_names(path: Path, projects: list[Project]) -> None:
    """A name heads pages and names a cache directory, so names must differ beyond case and
    Unicode normalisation ("café" written with one code point or two, "ﬁ" and "fi")."""
    first: dict[str, Project] = {}
    for project in projects:
        key = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", project.name).casefold())
        earlier = first.setdefault(key, project)
        if earlier is not project:
            raise ProjectListError(
                f"{path}: {_label(project.position, {'name': project.name})} has the same name as "
                f"project {earlier.position + 1}; give each project its own name"
            )


def _is_local_path(url: str) -> bool:
    """Git's own rule: a URL has '://' or is scp-like ('host:path', a colon before any slash)."""
    if "://" in url:
        return False
    colon, slash = url.find(":"), url.find("/")
    return colon == -1 or -1 < slash < colon


# -- links -------------------------------------------------------------------------------------


def web_url(project: Project) -> str | None:
    """The browsable repository page for links, or None when there is none to link to."""
    if project.web:
        return project.web
    parts = urlsplit(project.url)
    if parts.scheme in ("http", "https", "ssh"):
        scheme = "https" if parts.scheme == "ssh" else parts.scheme
        host, path = parts.hostname, parts.path
    elif (scp := _SCP_URL.fullmatch(project.url)) and "://" not in project.url:
        scheme, host, path = "https", scp["host"].lower(), "/" + scp["path"]
    else:
        return None
    path = path.rstrip("/").removesuffix(".git").rstrip("/")
    if host not in _FORGES or path.count("/") < 2:  # a forge page of a repository: /owner/name
        return None
    return f"{scheme}://{host}{path}"


# -- fetching ----------------------------------------------------------------------------------


def remote_host(url: str) -> str | None:
    """The network host of a git URL (https, ssh, git or scp-like), None for a local one."""
    if _is_local_path(url) or url.startswith("file:"):
        return None
    if "://" in url:
        return urlsplit(url).hostname
    match = _SCP_URL.fullmatch(url)
    return match["host"] if match else None


def unresolvable_hosts(projects: list[Project]) -> dict[str, int]:
    """Hosts of the projects' remotes that DNS cannot resolve, with how many projects each has:
    said once before the crawl, instead of once per project."""
    hosts = Counter(host for project in projects if (host := remote_host(project.url)))
    failed = {}
    for host, count in hosts.items():
        try:
            socket.getaddrinfo(host, None)
        except (OSError, UnicodeError):  # noqa: PERF203 (one lookup per host)
            failed[host] = count
    return failed


def fetch_project(project: Project, cache_dir: Path, timeout: float = 300) -> Checkout:
    """Bring the head of the project's default branch into its bare, shallow cache repository.

    `timeout` bounds each network command (ls-remote, fetch) in seconds. A cache that already
    holds the remote head is not fetched again; a moved, force-pushed or renamed default branch
    is fetched and replaces whatever the cache held.
    """
    url = _safe_url(project)
    git_dir = _cache_path(project, url, cache_dir)
    with _cache_lock(project, git_dir, timeout):
        new = not git_dir.exists()
        runner = _open_cache(project, git_dir)
        try:
            branch, head, tags = _remote_refs(project, runner, url, timeout)
            commit = _update_branch(runner, url, branch, head, timeout)
            committed_at = runner.show("-s", "--format=%cI", commit)
            license_path = _license_path(_regular_files(runner, commit, recursive=False))
        except git.CommandError as error:
            _remove_partial(git_dir, whole=new)
            raise _fetch_error(project, _reason(error, timeout)) from None
        except (FetchError, KeyboardInterrupt):  # an empty repository, a HEAD that is no
            _remove_partial(git_dir, whole=new)  # branch; git stopped by Ctrl-C (see _Git)
            raise
        except ValueError as error:  # a blob missing from a cache that was already up to date
            raise _fetch_error(
                project, f"{error} in {git_dir} (delete it and fetch again)"
            ) from None
    logger.debug("%s: %s at %s (%s)", project.name, branch, commit[:12], committed_at)
    return Checkout(project, git_dir, commit, branch, committed_at, license_path, tags=tags)


def _remove_partial(git_dir: Path, *, whole: bool) -> None:
    """After a failed fetch: remove what it left, the whole entry if this fetch made it.

    A fetch that git gives up on cleans after itself, but one that is killed (the timeout) or
    that hits a full disk leaves temporary packs and objects behind, which nothing uses.
    """
    if whole:
        shutil.rmtree(git_dir, ignore_errors=True)
        return
    objects = git_dir / "objects"
    for partial in [*objects.glob("pack/tmp_*"), *objects.glob("*/tmp_obj_*"),
                    *objects.glob("incoming-*")]:  # fmt: skip
        if partial.is_dir():
            shutil.rmtree(partial, ignore_errors=True)
        else:
            partial.unlink(missing_ok=True)


#: How many recent commits are fetched (commits only, where the server allows) for history.
HISTORY_DEPTH = 200

#: A local repository is served by an upload-pack that miner runs itself, which refuses
#: filters unless told otherwise (forges allow them): without this, the history of a local
#: clone came with every tree and blob of 200 commits (Indico: 3.4 s instead of 0.1 s).
_LOCAL_FILTERS = ("--upload-pack=git -c uploadpack.allowFilter=true upload-pack",)


def history(checkout: Checkout, timeout: float = 300, now: float | None = None) -> History:
    """Commits and authors of the last year on the default branch, for ranking.

    Deepens the shallow cache to at most HISTORY_DEPTH commits, asking the server to leave out
    trees and blobs (`--filter=tree:0`), so the cost stays small even for large projects. If
    the server refuses, the commits the cache already holds are counted (at least the head).
    """
    runner = _git(checkout.git_dir)
    ref = f"refs/heads/{checkout.branch}"
    url = _fetch_url(checkout.project.url)
    try:
        with _cache_lock(checkout.project, checkout.git_dir, timeout):
            runner.fetch(
                f"--depth={HISTORY_DEPTH}", "--filter=tree:0", "--no-tags",
                *_LOCAL_FILTERS if url.startswith("file://") else (),
                "--", url, f"+{ref}:{ref}", kill_after_timeout=timeout,
            )
        missing = ""
    except git.CommandError as error:  # history only informs ranking: never fail a project on it
        missing = f"recent history not fetched (git said: {_git_detail(error)})"
    try:
        log = runner.log(f"-n{HISTORY_DEPTH}", "--format=%at%x09%ae", checkout.commit)
    except git.CommandError as error:  # a corrupt commit among them: ranking does without
        return History(note=f"history not read (git said: {_git_detail(error)})")
    year_ago = (time.time() if now is None else now) - 365.25 * 86400
    entries = [line.split("\t", 1) for line in log.splitlines() if "\t" in line]
    # A malformed author date (git prints 0 or nothing) counts as a commit of unknown date.
    recent = [author.lower() for stamp, author in entries if _timestamp(stamp) >= year_ago]
    return History(len(entries), len(recent), len(set(recent)), missing)


def _timestamp(text: str) -> float:
    """A git %at field as seconds, 0 (the epoch: long ago) when it is not a number."""
    try:
        return float(int(text.strip()))
    except ValueError:
        return 0.0


#: Longer URLs are refused: Linux refuses a single argument over 128 kB (E2BIG), and no real
#: git URL comes near this.
MAX_URL_LENGTH = 8192


def _safe_url(project: Project) -> str:
    """The URL git is given: local paths as file:// URLs, and never a command-running helper."""
    if len(project.url) > MAX_URL_LENGTH:
        reason = (
            f"the url is {len(project.url)} characters long, over the {MAX_URL_LENGTH} limit "
            "(check the url in the project list)"
        )
        raise FetchError(
            f"{project.name}: cannot fetch {_redact(project.url[:60])}...: {reason}", reason
        )
    url = _fetch_url(project.url)
    try:
        git.Git.check_unsafe_protocols(url)
    except git.UnsafeProtocolError:
        raise _fetch_error(
            project, "remote-helper URLs such as ext:: can run commands (use https, ssh or file)"
        ) from None
    return url


def cancel_timeouts() -> None:
    """Stop the timers of git calls that an interruption (Ctrl-C) cut short.

    GitPython bounds a call (`kill_after_timeout`) with a timer thread that only an ending call
    cancels; after Ctrl-C, Python would wait for it, up to the timeout, before exiting.
    """
    for thread in threading.enumerate():
        if isinstance(thread, threading.Timer) and thread.function.__module__ == git.cmd.__name__:
            thread.cancel()


def remote_head(project: Project, timeout: float = 300) -> tuple[str, str]:
    """(branch, commit) the remote's HEAD points at, asking the remote alone (git ls-remote).

    Nothing is fetched and the cache is not touched: a crawl uses it to skip a project whose
    head is the commit it already holds.
    """
    url = _safe_url(project)
    runner = _Git()
    runner.update_environment(**_GIT_ENV)
    runner.set_persistent_git_options(c=_SAFE_CONFIG)
    try:
        branch, head, _tags = _remote_refs(project, runner, url, timeout)
        return branch, head
    except git.CommandError as error:
        raise _fetch_error(project, _reason(error, timeout)) from None


def _fetch_url(url: str) -> str:
    """Local paths become absolute file:// URLs, the transport that honours --depth everywhere.

    (`git clone` ignores --depth for plain paths; one form also gives a path one cache entry.)
    """
    return Path(url).expanduser().resolve().as_uri() if _is_local_path(url) else url


def _cache_path(project: Project, url: str, cache_dir: Path) -> Path:
    """A directory named after the project plus a hash of the URL: similar names never collide."""
    slug = re.sub(r"[^a-z0-9._-]+", "-", project.name.lower()).strip(".-")[:60] or "project"
    digest = hashlib.sha256(url.encode()).hexdigest()[:10]
    root = cache_dir.resolve()
    path = root / f"{slug}-{digest}"
    if not path.resolve().is_relative_to(root):
        raise _fetch_error(project, f"cache entry {path} points outside {root} (remove it)")
    return path


@contextlib.contextmanager
def _cache_lock(project: Project, git_dir: Path, timeout: float) -> Iterator[None]:
    """Let one process at a time write a cache entry (two crawls sharing one cache take turns).

    The lock is a file beside the entry, waited for up to `timeout` seconds. While miner holds
    it no other git process writes the entry, so git's own lock files found there (shallow.lock,
    refs/heads/main.lock) were left by a git that was killed, and are removed.
    """
    lock_path = git_dir.with_name(f"{git_dir.name}.lock")
    if fcntl is None:  # pragma: no cover - Windows: don't run two crawls on one cache
        yield
        return
    try:
        # Other crawls and this crawl's own project threads create it at the same time; a file in
        # its place is reported by the open below ("Not a directory").
        with contextlib.suppress(FileExistsError):
            lock_path.parent.mkdir(parents=True, exist_ok=True)
        handle = _open_lock(lock_path)
    except OSError as error:
        reason = f"cannot create the cache {git_dir}: {error.strerror or error}"
        raise _fetch_error(project, reason) from None
    with contextlib.closing(handle):  # closing the file releases the lock
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise _fetch_error(
                        project,
                        f"its cache {git_dir} was in use by another crawl for over {timeout:g} s "
                        "(let that crawl finish, then run again)",
                    ) from None
                time.sleep(0.05)
        for stale in [*git_dir.glob("*.lock"), *git_dir.glob("refs/**/*.lock")]:
            stale.unlink(missing_ok=True)
        yield


#: Descriptors of the cache lock files this process has open, and a lock held while one is
#: opened or closed and while the process forks.
_lock_files: set[int] = set()
_lock_files_guard = threading.Lock()


class _LockFile(io.FileIO):
    """A cache lock file that a forked child (a scan worker started while a project thread
    holds the lock) does not keep: a child holding a copy of the descriptor would hold the
    lock until it exits, and that project's next git step would wait for it in vain."""

    def close(self) -> None:
        with _lock_files_guard:
            if not self.closed:
                _lock_files.discard(self.fileno())
            super().close()


def _open_lock(path: Path) -> _LockFile:
    with _lock_files_guard:
        handle = _LockFile(path, "a")
        _lock_files.add(handle.fileno())
    return handle


def _let_go_of_lock_files() -> None:
    """In a forked child: point every inherited lock descriptor at /dev/null (closing it could
    free its number for a file that a leftover object of the parent's threads then closes)."""
    null = os.open(os.devnull, os.O_RDONLY)
    for descriptor in _lock_files:
        os.dup2(null, descriptor, inheritable=False)
    os.close(null)
    _lock_files.clear()
    _lock_files_guard.release()


if hasattr(os, "register_at_fork"):  # pragma: no branch - not on Windows
    os.register_at_fork(
        before=_lock_files_guard.acquire,
        after_in_parent=_lock_files_guard.release,
        after_in_child=_let_go_of_lock_files,
    )


def _open_cache(project: Project, git_dir: Path) -> git.Git:
    """Create the bare cache repository if needed (git init is idempotent)."""
    try:
        git.Repo.init(git_dir, mkdir=True, bare=True, expand_vars=False).close()
    except (OSError, git.CommandError) as error:
        detail = getattr(error, "strerror", None) or _reason(error, None)
        raise _fetch_error(project, f"cannot create the cache {git_dir}: {detail}") from None
    return _git(git_dir)


#: How git ends when Ctrl-C or SIGTERM reaches it: killed by the signal, or (through a shell or
#: a wrapper script) exit status 128 + the signal's number.
_INTERRUPTED = frozenset({-signal.SIGINT, -signal.SIGTERM, 128 + signal.SIGINT, 128 + signal.SIGTERM})


class _Git(git.Git):
    """git.Git whose commands raise KeyboardInterrupt when git was stopped by Ctrl-C or SIGTERM.

    The signal went to miner's whole process group: the crawl is being interrupted, and the
    project is no failure of its own (it keeps its stored rows and gets no failed crawl). The
    exception travels to the main thread with the project's work, whether or not the main
    thread has seen the signal yet.
    """

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().execute(*args, **kwargs)
        except git.GitCommandError as error:
            if error.status in _INTERRUPTED:
                raise KeyboardInterrupt from None
            raise


def _git(git_dir: Path) -> git.Git:
    """A git runner bound to one cache repository, with the never-hang, never-ext settings."""
    runner = _Git()  # --git-dir names the repository; a vanished cache is then a git error
    runner.update_environment(**_GIT_ENV)
    runner.set_persistent_git_options(c=_SAFE_CONFIG, git_dir=str(git_dir))
    return runner


def _remote_refs(
    project: Project, runner: git.Git, url: str, timeout: float
) -> tuple[str, str, tuple[str, ...]]:
    """(branch, commit) where the remote's HEAD points (its default branch, never a guessed
    name), and the remote's tag names, all from one ls-remote.

    The tags let a page that shows a PyPI release link to the release's tag later on.
    """
    listing = runner.ls_remote(
        "--symref", "--", url, "HEAD", "refs/tags/*", kill_after_timeout=timeout
    )
    symref = head = ""
    tags = []
    for line in listing.splitlines():
        value, _, name = line.partition("\t")
        if name == "HEAD" and value.startswith("ref: "):
            symref = value.removeprefix("ref: ")
        elif name == "HEAD":
            head = value
        elif name.startswith("refs/tags/") and not name.endswith("^{}"):
            tags.append(name.removeprefix("refs/tags/"))
    if not head:
        raise _fetch_error(project, "repository is empty (check the url in the project list)")
    if not symref.startswith("refs/heads/"):
        raise _fetch_error(project, "its HEAD is not a branch (point HEAD at the default branch)")
    return symref.removeprefix("refs/heads/"), head, tuple(sorted(tags))


def _update_branch(runner: git.Git, url: str, branch: str, head: str, timeout: float) -> str:
    """Fetch the branch shallowly unless the cache has its head; drop other branches.

    Returns the commit the cache's branch now points at.
    """
    ref = f"refs/heads/{branch}"
    heads = _local_heads(runner)
    if heads.get(ref) == head:
        logger.debug("%s: cache is up to date at %s", _redact(url), head[:12])
    else:
        logger.debug("fetching %s of %s", branch, _redact(url))
        runner.fetch(
            "--depth=1", "--no-tags", "--", url, f"+{ref}:{ref}", kill_after_timeout=timeout
        )
    for stale in heads.keys() - {ref}:  # the default branch was renamed since the last crawl
        runner.update_ref("-d", stale)
    runner.symbolic_ref("HEAD", ref)
    return _local_heads(runner)[ref]


def _local_heads(runner: git.Git) -> dict[str, str]:
    listing = runner.for_each_ref("--format=%(refname) %(objectname)", "refs/heads/")
    return dict(line.split(" ", 1) for line in listing.splitlines())


def _license_path(top_level: list[tuple[str, str, int]]) -> str | None:
    """LICENSE (or LICENCE) before COPYING before COPYRIGHT, the shortest name first."""
    ranked = [
        (_LICENSE_RANK[match["stem"].lower()], len(path), path)
        for path, _sha, _size in top_level
        if (match := _LICENSE_NAME.fullmatch(path))
    ]
    return min(ranked)[2] if ranked else None


def _reason(error: git.GitError, timeout: float | None) -> str:
    """Boil git's stderr down to one line a user can act on."""
    if isinstance(error, git.GitCommandNotFound):
        return "git is not installed or not on PATH (install git)"
    stderr = _raw_stderr(error)
    if stderr.startswith("Timeout:") and timeout:  # GitPython's words after kill_after_timeout
        return f"timed out after {timeout:g} s (raise --timeout or try again later)"
    for pattern, reason in _GIT_REASONS:
        if pattern.search(stderr):
            return reason
    if host := _UNRESOLVED_HOST.search(stderr):
        return f"cannot resolve host {host[1] or host[2]} (check the url and your network)"
    if refused := _UNREACHED_HOST.search(stderr):
        host, port, why = (group for group in refused.groups() if group)
        return f"cannot connect to {host} port {port}: {why} (check the url and your network)"
    return f"git: {_git_detail(error)} (check the url and your network)"


#: git's (curl's, ssh's) words for a host it cannot look up, and for one it cannot reach.
_UNRESOLVED_HOST = re.compile(
    r"Could not resolve host: ([^\s']+)|ssh: Could not resolve hostname ([^\s:]+)"
)
_UNREACHED_HOST = re.compile(
    r"Failed to connect to (\S+) port (\d+)[^:'\n]*: ([^'\n]+)"
    r"|connect to host (\S+) port (\d+): ([^'\n]+)"
)
#: A url git quotes inside its message ("unable to access 'https://...': ..."): said once.
_QUOTED_URL = re.compile(r"'[a-z][a-z0-9+.-]*://[^']*'", re.I)


def _git_detail(error: git.GitError) -> str:
    """git's first fatal: line (the cause; later ones are generic advice), credentials removed."""
    lines = [line.strip() for line in _raw_stderr(error).splitlines() if line.strip()]
    fatal = [line.removeprefix("fatal: ") for line in lines if line.startswith("fatal: ")]
    status = getattr(error, "status", None)
    return _redact((fatal or lines or [f"git exited with status {status}"])[0])


def _raw_stderr(error: git.GitError) -> str:
    """GitPython frames stderr as "\\n  stderr: '...'"; undo exactly that framing."""
    framed = str(getattr(error, "stderr", ""))
    return framed.removeprefix("\n  stderr: '").removesuffix("'")


def _redact(text: str) -> str:
    """Drop user:token@ from http(s) URLs so credentials never reach messages or logs."""
    return _CREDENTIALS.sub(r"\1", text)


def _fetch_error(project: Project, reason: str) -> FetchError:
    """The stored message names the url; the printed brief, the reason alone (no url twice)."""
    return FetchError(
        f"{project.name}: cannot fetch {_redact(project.url)}: {reason}",
        _QUOTED_URL.sub("the url", reason),
    )


# -- reading files -----------------------------------------------------------------------------


def list_python_blobs(checkout: Checkout) -> list[tuple[str, str, int]]:
    """(path, blob sha, size) of every regular .py file of the commit, sorted by path.

    Callers holding a blob-sha cache use this to skip reading blobs they have already seen.
    """
    return [entry for entry in _project_files(checkout) if entry[0].endswith(".py")]


def read_files(
    checkout: Checkout, wanted: Callable[[str], bool], limit: int | None = None
) -> dict[str, bytes]:
    """Any regular files of the project (not only .py), by path relative to its subdir.

    For package metadata: `wanted` gets the relative path. A project in a subdir without a
    license file of its own sees the repository's top-level license files too. With `limit`,
    at most that many files are read, the shallowest first; a blob listed under several paths
    is read once.
    """
    prefix = f"{checkout.project.subdir}/" if checkout.project.subdir else ""
    entries = {
        path[len(prefix) :]: sha
        for path, sha, _size in _project_files(checkout)
        if wanted(path[len(prefix) :])
    }
    if limit is not None and len(entries) > limit:
        kept = sorted(entries, key=lambda path: (path.count("/"), path))[:limit]
        entries = {path: entries[path] for path in sorted(kept)}
    if prefix and not any(_LICENSE_NAME.fullmatch(name) for name in entries):
        entries.update(
            (path, sha)
            for path, sha, _size in _all_files(checkout)
            if "/" not in path and _LICENSE_NAME.fullmatch(path)
        )
    runner = _git(checkout.git_dir)
    blobs: dict[str, bytes] = {}
    try:
        for path, sha in entries.items():
            if sha not in blobs:
                blobs[sha] = _read_blob(runner, checkout, path, sha)
        return {path: blobs[sha] for path, sha in entries.items()}
    finally:
        runner.clear_cache()


def _project_files(checkout: Checkout) -> list[tuple[str, str, int]]:
    """(path, blob sha, size) of the regular files under the project's subdir, by path."""
    prefix = f"{checkout.project.subdir}/" if checkout.project.subdir else ""
    return sorted(entry for entry in _all_files(checkout) if entry[0].startswith(prefix))


def _all_files(checkout: Checkout) -> list[tuple[str, str, int]]:
    try:
        return _regular_files(_git(checkout.git_dir), checkout.commit, recursive=True)
    except git.GitCommandError as error:
        raise _cache_error(checkout, _git_detail(error)) from None
    except ValueError as error:
        raise _cache_error(checkout, str(error)) from None


def iter_source_files(
    checkout: Checkout, wanted: Callable[[str, str], bool] | None = None
) -> Iterator[SourceFile]:
    """Yield the .py files of the commit in path order, all read through one cat-file process.

    `wanted(path, blob_sha)` returning False skips reading that blob.
    """
    runner = _git(checkout.git_dir)
    try:
        for path, sha, _size in list_python_blobs(checkout):
            if wanted is None or wanted(path, sha):
                yield SourceFile(path, sha, _read_blob(runner, checkout, path, sha))
    finally:
        runner.clear_cache()  # stops the persistent cat-file --batch process


def _read_blob(runner: git.Git, checkout: Checkout, path: str, sha: str) -> bytes:
    try:
        return runner.get_object_data(sha)[3]
    except ValueError:  # GitPython's answer to a "<sha> missing" header
        raise _cache_error(checkout, f"blob {sha} of {path} is missing") from None


def _regular_files(runner: git.Git, commit: str, *, recursive: bool) -> list[tuple[str, str, int]]:
    """(path, blob sha, size) of the regular files of a tree, read with -z so any name survives.

    Names that are not UTF-8 keep their odd bytes as \\xNN escapes; one that then reads like
    another file's name (b'\\xff.py' beside a file literally named '\\xff.py') gets a ~N
    before its suffix, so both stay. A path with a '..' or '.' segment (git never writes
    one, a crafted tree can) is no file of the project and is left out.
    """
    options = ["-z", "--long", "--full-tree", *(["-r"] if recursive else [])]
    listing = runner.ls_tree(*options, commit, stdout_as_string=False)
    records = []
    for record in filter(None, listing.split(b"\0")):
        meta, _, name = record.partition(b"\t")
        mode, _kind, sha, size = meta.decode().split()
        if mode in _REGULAR_MODES and not set(name.split(b"/")) & {b"", b".", b".."}:
            records.append((name, sha, size))
    decoded = {name: _utf8(name) for name, _sha, _size in records}
    taken = {text for text in decoded.values() if text is not None}
    for name, text in decoded.items():
        if text is None:
            decoded[name] = _distinct(name.decode("utf-8", "backslashreplace"), taken)
    entries = []
    for name, sha, size in records:
        path = decoded[name]
        if size == "BAD":  # what ls-tree --long says of a blob missing from the object store
            raise ValueError(f"blob {sha} of {path} is missing")
        entries.append((path, sha, int(size)))
    return entries


def _utf8(name: bytes) -> str | None:
    try:
        return name.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _distinct(path: str, taken: set[str]) -> str:
    """`path`, or path with ~1, ~2... before its suffix: the first that no other file has."""
    stem, dot, suffix = path.rpartition(".") if "." in path.rpartition("/")[2] else (path, "", "")
    candidate, number = path, 0
    while candidate in taken:
        number += 1
        candidate = f"{stem}~{number}{dot}{suffix}"
    taken.add(candidate)
    return candidate


def _cache_error(checkout: Checkout, reason: str) -> FetchError:
    """The stored message names the whole path; the printed one, the entry of --cache to delete."""
    return FetchError(
        f"{checkout.project.name}: cannot read commit {checkout.commit[:12]} from the cache "
        f"{checkout.git_dir}: {reason} (delete that directory and fetch again)",
        f"its cache entry is damaged: {reason} (delete {checkout.git_dir.name} in --cache, "
        "then crawl again)",
    )


# -- the PyPI fallback -------------------------------------------------------------------------

#: Where `fetch_release` looks for source distributions (a PEP 503 simple index).
PYPI_SIMPLE = "https://pypi.org/simple/"
_MAX_SDIST_BYTES = 200_000_000
_SDIST_SUFFIXES = (".tar.gz", ".zip")
_MAX_MEMBER_BYTES = 20_000_000
#: Archives with more entries are refused before they are listed: the largest real sdists
#: (Django, botocore) hold well under 10,000, while 300,000 empty members cost a minute.
_MAX_MEMBERS = 20_000
_CHUNK = 65536


#: A release uploaded longer ago than this is analysed with a warning that it may be outdated.
STALE_RELEASE_DAYS = 730
#: A wheel holds its .py sources when it is pure Python: `{python tag}-none-any`.
_PURE_WHEEL = re.compile(r"-(?P<python>py[0-9]+(?:\.py[0-9]+)*)-none-any\.whl$")


@dataclass(frozen=True, slots=True)
class IndexFile:
    """One file an index lists for a project."""

    version: Version
    filename: str
    url: str
    kind: str  #: "sdist" or "wheel" (pure Python)
    uploaded_at: str | None = None  #: ISO 8601, when the index says it (or a folder's mtime)
    yanked: bool = False


def fetch_release(
    project: Project, cache_dir: Path, index: str, timeout: float, git_error: FetchError
) -> Checkout:
    """Analyse the newest final release of `project.pypi` when its git remote failed.

    The release's sdist, or its pure-Python wheel when it ships no sdist (see
    `choose_release`), is downloaded with the standard HTTP client (or read from a local
    index directory), unpacked without ever running its code, keeping only regular files, and
    written into a git object store of its own in the cache, so that the rest of the crawl
    reads it as it reads a clone. Nothing of that store is git data about the project: the
    Checkout carries the release, its upload time and the file's digest. A release whose own
    metadata does not name the project's repository is refused (see `names_repository`): a
    wrong or reused `pypi` name must not put someone else's code on the project's pages.
    `git_error` is why git failed, for the note and for the failure when PyPI fails too.
    """
    assert project.pypi, "fetch_release needs a project with a pypi name"
    try:
        chosen, newest = choose_release(project.pypi, index_files(project.pypi, index, timeout))
        archive = _download(chosen.url, cache_dir / "sdists", timeout)
        digest = hashlib.sha256(archive.read_bytes()).hexdigest()
        files = _unpack(archive, top_folder=chosen.kind == "sdist")
    except (OSError, ValueError, tarfile.TarError, zipfile.BadZipFile) as error:
        raise _fallback_error(git_error, _pypi_reason(error, project.pypi, index)) from None
    text = _metadata_text(files, chosen.kind)
    summary, license_id = release_metadata(text) if text else (None, None)
    label = f"{project.pypi} {chosen.version}"
    if refusal := _not_this_project(project, label, release_urls(text or "")):
        raise _fallback_error(git_error, refusal)
    release = Release(
        project.pypi, str(chosen.version), chosen.filename, digest, chosen.uploaded_at,
        None if newest == chosen.version else str(newest), summary, license_id,
    )  # fmt: skip
    git_dir = _cache_path(project, f"pypi:{project.pypi}", cache_dir)
    commit = _commit_files(git_dir, files, release.label)
    note = f"git unreachable ({ADVICE.sub('', git_error.brief)}); analysed {release_line(release)}"
    logger.debug("%s: %s", project.name, note)
    license_path = _license_path(_regular_files(_git(git_dir), commit, recursive=False))
    # The commit only addresses the files in the cache; the store keeps the release instead.
    return Checkout(
        project, git_dir, commit, "", "", license_path, release.label, note, published=release
    )


def _fallback_error(git_error: FetchError, pypi_reason: str) -> FetchError:
    """Git failed and so did its PyPI fallback: both reasons, each said once."""
    git_what = ADVICE.sub("", git_error.brief)
    return FetchError(
        f"{git_error}; the PyPI fallback failed too: {pypi_reason}",
        f"{git_what}; PyPI: {pypi_reason}",
    )



def _pypi_reason(error: BaseException, name: str, index: str) -> str:
    """Why the release could not be had, in a user's words, with what to do."""
    if isinstance(error, urllib.error.HTTPError) and error.code == 404:
        return f"{name} is not on {index} (check the pypi name)"
    if isinstance(error, urllib.error.URLError) and not isinstance(error, urllib.error.HTTPError):
        return f"cannot reach {index}: {error.reason} (check --pypi-index and your network)"
    text = str(error)
    return text if ADVICE.search(text) else f"{text} (check --pypi-index)"


def _not_this_project(project: Project, label: str, urls: list[str]) -> str:
    """Why the release `label` may not be the project's own code, or "" when it names the
    project's repository: the same owner/name as the list's `url` or `web` (any host: projects
    move between forges, and Flask-SocketIO's release names its own Forgejo)."""
    ours = {path for url in (project.url, project.web) if url and (path := repository_path(url))}
    if not ours:
        return (
            f"cannot check that {label} is this project: the list names no repository "
            "(add web = its repository page)"
        )
    named = {path for url in urls if (path := repository_path(url))}
    if ours & named:
        return ""
    if not named:
        return f"{label} names no repository, so it may be another project (check the pypi name)"
    other = min(named)
    return f"{label} names the repository {other}, not this project's (check the pypi name)"


def repository_path(url: str) -> str | None:
    """`owner/name` (lower case) of a repository url: https, ssh, git or scp-like, or a page
    inside it (`.../owner/name/issues`); None for a local path or a url with a shorter path."""
    if "://" in url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https", "ssh", "git", "git+ssh"):
            return None
        path = parts.path
    elif (scp := _SCP_URL.fullmatch(url)) and not _is_local_path(url):
        path = scp["path"]
    else:
        return None
    parts = [part for part in path.split("/") if part]
    if len(parts) < 2:
        return None
    return f"{parts[0]}/{parts[1].removesuffix('.git')}".lower()


def release_line(release: Release, now: datetime | None = None) -> str:
    """`the PyPI release indico 3.3.14 (2025-05-06)`, with a warning when it may be outdated."""
    day = release.uploaded_at[:10] if release.uploaded_at else "upload date unknown"
    text = f"the PyPI release {release.label} ({day})"
    if release.newest:
        text += f", older than the newest release {release.newest}"
    elif release.uploaded_at:
        when = datetime.fromisoformat(release.uploaded_at.replace("Z", "+00:00"))
        age = ((now or datetime.now(timezone.utc)) - when).days
        if age > STALE_RELEASE_DAYS:
            text += f", {age // 365} years old"
    return text


def choose_release(name: str, files: list[IndexFile]) -> tuple[IndexFile, Version]:
    """(file to analyse, newest final version): what a user would pick.

    The newest final (not pre-release, not yanked) release; its sdist, or when it has none its
    pure-Python wheel (a wheel holds the .py sources). A newest release with neither (binary
    wheels only) gives way to the newest that has one, and the newest version is returned so
    the caller can say the analysed one is older. A project whose every release is yanked has
    none: installers skip yanked releases unless pinned to one (PEP 592), and so does miner.
    """
    if not files:
        raise ValueError(f"the index lists no sdist or pure-Python wheel of {name} "
                         "(check the pypi name)")  # fmt: skip
    usable = [f for f in files if not f.yanked]
    if not usable:  # PEP 592: an installer takes a yanked release only when pinned to it
        raise ValueError(f"every release of {name} is yanked (point url at a clone)")
    finals = sorted({f.version for f in usable if not f.version.is_prerelease}, reverse=True)
    if not finals:
        raise ValueError(f"{name} has pre-releases only (point url at a clone)")
    for version in finals:
        candidates = [f for f in usable if f.version == version]
        for kind in ("sdist", "wheel"):
            chosen = next((f for f in candidates if f.kind == kind), None)
            if chosen is not None:
                return chosen, finals[0]
    raise ValueError(
        f"no final release of {name} has an sdist or a pure-Python wheel "
        "(point url at a clone)"
    )


def index_files(name: str, index: str, timeout: float) -> list[IndexFile]:
    """Every sdist and pure-Python wheel of `name` an index lists (PEP 691 JSON with upload
    times when the index serves it, else PEP 503 HTML; a local folder gives file times)."""
    normalized = re.sub(r"[-_.]+", "-", name).lower()
    found = []
    for filename, url, uploaded_at, yanked in _index_entries(index, normalized, timeout):
        parsed = _release_file_version(filename, normalized)
        if parsed is not None:
            version, kind = parsed
            found.append(IndexFile(version, filename, url, kind, uploaded_at, yanked))
    return found


def _release_file_version(filename: str, normalized: str) -> tuple[Version, str] | None:
    """(version, kind) of an sdist or pure-Python wheel of the project, else None."""
    if filename.endswith(".whl"):
        if not _PURE_WHEEL.search(filename) or filename.count("-") < 4:
            return None
        project_part, version_text = filename.split("-")[:2]
        kind = "wheel"
    else:
        stem = next((filename[: -len(s)] for s in _SDIST_SUFFIXES if filename.endswith(s)), None)
        if stem is None or "-" not in stem:
            return None
        project_part, _, version_text = stem.rpartition("-")
        kind = "sdist"
    if re.sub(r"[-_.]+", "-", project_part).lower() != normalized:
        return None
    try:
        return Version(version_text), kind
    except InvalidVersion:
        return None


def _index_entries(
    index: str, normalized: str, timeout: float
) -> list[tuple[str, str, str | None, bool]]:
    """(filename, url, upload time, yanked) of every file an index lists for a project."""
    local = Path(urlsplit(index).path) if index.startswith("file://") else Path(index)
    if not re.match(r"^[a-z][a-z0-9+.-]*://", index) or index.startswith("file://"):
        return [
            (path.name, path.as_uri(), _mtime(path), False)
            for folder in (local / normalized, local)
            if folder.is_dir()
            for path in sorted(folder.iterdir())
            if path.is_file()
        ]
    page = f"{index.rstrip('/')}/{normalized}/"
    accept = "application/vnd.pypi.simple.v1+json, text/html;q=0.1"
    request = urllib.request.Request(page, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        kind = response.headers.get("Content-Type", "")
        body = _read_within(response, 20_000_000, timeout, page).decode("utf-8", "replace")
    if "json" in kind:
        return [
            (
                entry["filename"],
                urllib.parse.urljoin(page, entry["url"])
                + (f"#sha256={entry['hashes']['sha256']}" if "sha256" in entry.get("hashes", {})
                   and "#" not in entry["url"] else ""),
                entry.get("upload-time"),
                bool(entry.get("yanked")),
            )
            for entry in json.loads(body).get("files", [])
        ]
    parser = _Anchors()
    parser.feed(body)
    return [
        (urlsplit(href).path.rsplit("/", 1)[-1], urllib.parse.urljoin(page, href), None, yanked)
        for href, yanked in parser.hrefs
    ]


def _mtime(path: Path) -> str:
    stamp = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
    return stamp.isoformat(timespec="seconds").replace("+00:00", "Z")


def _metadata_text(files: dict[str, bytes], kind: str) -> str | None:
    """The release's own metadata: its sdist's PKG-INFO or its wheel's METADATA."""
    if kind == "sdist":
        name = "PKG-INFO" if "PKG-INFO" in files else None
    else:
        name = next((p for p in sorted(files) if re.fullmatch(r"[^/]+\.dist-info/METADATA", p)), None)
    return files[name].decode("utf-8", "replace") if name else None


def release_files(name: str, version: str, index: str, folder: Path, timeout: float = 60) -> dict[str, bytes]:
    """The files of release `version` of `name`'s sdist (see `_unpack`), downloaded into `folder`."""
    found = _sdists(name, index, timeout)
    url = found.get(Version(version))
    if url is None:
        listed = ", ".join(str(v) for v in sorted(found)[-5:]) or "none"
        raise ValueError(f"no source distribution of {name} {version} in {index} (newest: {listed})")
    return _unpack(_download(url, folder, timeout))


def _sdists(name: str, index: str, timeout: float) -> dict[Version, str]:
    """Every sdist of `name` a simple index lists, by version."""
    return {f.version: f.url for f in index_files(name, index, timeout) if f.kind == "sdist"}


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[tuple[str, bool]] = []  #: (href, yanked: PEP 592's data-yanked)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "a" and (href := named.get("href")):
            self.hrefs.append((href, "data-yanked" in named))


def _download(url: str, folder: Path, timeout: float) -> Path:
    """The archive at `url`, checked against its #sha256= fragment when the index gives one."""
    folder.mkdir(parents=True, exist_ok=True)
    parts = urlsplit(url)
    target = folder / Path(parts.path).name
    if parts.scheme not in ("http", "https", "file"):
        raise ValueError(f"refusing to download {url}")
    with urllib.request.urlopen(url, timeout=timeout) as response:
        data = _read_within(response, _MAX_SDIST_BYTES + 1, timeout, target.name)
    if len(data) > _MAX_SDIST_BYTES:
        raise ValueError(f"{target.name} is larger than {_MAX_SDIST_BYTES} bytes")
    expected = dict(urllib.parse.parse_qsl(parts.fragment)).get("sha256")
    if expected and hashlib.sha256(data).hexdigest() != expected:
        raise ValueError(f"{target.name} does not match the sha256 the index gives")
    target.write_bytes(data)
    return target


def _read_within(response: Any, limit: int, timeout: float, what: str) -> bytes:
    """At most `limit` bytes of `response`, all within `timeout` seconds.

    The socket timeout only bounds each read: a server that sends a byte a second never
    trips it. Reading what arrives (read1) and checking the clock between reads does.
    """
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"{what} not downloaded within {timeout:g} s (raise --timeout or try again later)"
            )
        chunk = response.read1(min(_CHUNK, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _unpack(archive: Path, *, top_folder: bool = True) -> dict[str, bytes]:
    """Regular files of an sdist by path inside its top folder (a wheel has none: `top_folder`
    False keeps its paths); links and escapes are dropped.

    Files over _MAX_MEMBER_BYTES are skipped (the scan would not parse them anyway), and an
    archive that unpacks to more than _MAX_SDIST_BYTES is refused: no archive bomb fills memory.
    """
    members: dict[str, bytes] = {}
    total = 0

    def keep(name: str, size: int, read: Callable[[], bytes]) -> None:
        nonlocal total
        if size > _MAX_MEMBER_BYTES:
            return
        total += size
        if total > _MAX_SDIST_BYTES:
            raise ValueError(f"{archive.name} unpacks to more than {_MAX_SDIST_BYTES} bytes")
        members[name] = read()[:size]

    too_many = ValueError(f"{archive.name} holds more than {_MAX_MEMBERS} files and folders")
    if archive.name.endswith((".zip", ".whl")):
        if _zip_entries(archive) > _MAX_MEMBERS:  # before ZipFile reads every entry
            raise too_many
        with zipfile.ZipFile(archive) as bundle:
            for info in bundle.infolist():
                if not info.is_dir() and (info.external_attr >> 28) != 0o12:  # not a symlink
                    keep(info.filename, info.file_size, functools.partial(bundle.read, info))
    else:
        with tarfile.open(archive) as bundle:
            for count, info in enumerate(bundle, start=1):  # one header at a time
                if count > _MAX_MEMBERS:
                    raise too_many
                extracted = bundle.extractfile(info) if info.isfile() else None
                if extracted is not None:
                    keep(info.name, info.size, extracted.read)
    files = {}
    for name, data in members.items():
        parts = [part for part in name.replace("\\", "/").split("/") if part not in ("", ".")]
        if name.startswith("/") or ".." in parts or len(parts) < 1 + top_folder:
            continue
        files["/".join(parts[top_folder:])] = data  # drop an sdist's name-version/ top folder
    return files


def _zip_entries(archive: Path) -> int:
    """How many entries a zip's central directory declares, read from its end record alone."""
    with archive.open("rb") as handle:
        end = zipfile._EndRecData(handle)  # type: ignore[attr-defined]  # stable since 2.x
    if end is None:
        raise zipfile.BadZipFile(f"{archive.name} is not a zip file")
    return int(end[zipfile._ECD_ENTRIES_TOTAL])  # type: ignore[attr-defined]


def _commit_files(git_dir: Path, files: dict[str, bytes], release: str) -> str:
    """Commit `files` as the only content of a fresh repository; returns the commit sha.

    Written straight into the object store (hash-object, mktree), so no work tree, filter or
    hook is involved; the fixed author and date make the same release give the same commit.
    """
    if git_dir.exists():
        shutil.rmtree(git_dir)
    git_dir.mkdir(parents=True)
    git.Repo.init(git_dir, bare=True)
    runner = _git(git_dir)
    index_env = {"GIT_INDEX_FILE": str(git_dir / "miner-index")}
    paths = sorted(files)
    with tempfile.TemporaryDirectory() as scratch:
        blobs = []
        for number, path in enumerate(paths):  # numbered names: no path from the archive is used
            blob = Path(scratch) / str(number)
            blob.write_bytes(files[path])
            blobs.append(str(blob))
        listing = Path(scratch) / "paths"
        listing.write_text("\n".join(blobs) + "\n", encoding="utf-8")
        with listing.open("rb") as stream:
            shas = runner.hash_object("-w", "--no-filters", "--stdin-paths", istream=stream).split()
        entries = Path(scratch) / "entries"
        entries.write_bytes(
            b"".join(f"100644 {sha}\t{path}\0".encode() for sha, path in zip(shas, paths, strict=True))
        )
        with entries.open("rb") as stream:
            runner.update_index("-z", "--index-info", istream=stream, env=index_env)
    tree = runner.write_tree(env=index_env).strip()
    stamp = {"GIT_AUTHOR_DATE": "2000-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2000-01-01T00:00:00Z",
             "GIT_AUTHOR_NAME": "miner", "GIT_AUTHOR_EMAIL": "miner@localhost",
             "GIT_COMMITTER_NAME": "miner", "GIT_COMMITTER_EMAIL": "miner@localhost"}
    commit = runner.commit_tree(tree, "-m", f"PyPI release {release}", env=stamp).strip()
    runner.update_ref("refs/heads/release", commit)
    runner.symbolic_ref("HEAD", "refs/heads/release")
    return commit

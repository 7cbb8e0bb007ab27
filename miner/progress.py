"""Progress on the command line: rich bars on a terminal, plain lines otherwise, quiet on -q.

Library code (crawl.py, render.py) only calls back; this module alone draws, and only cli.py
uses it. Everything goes to stderr, so stdout stays clean for output meant for pipes.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Literal

import click
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from miner.crawl import CrawlListener, ProjectResult
from miner.escape import TerminalFilter, terminal_text
from miner.model import ADVICE, Project

Mode = Literal["bars", "lines", "quiet"]


def mode_for(quiet: bool) -> Mode:
    """Bars when stderr is a terminal, plain lines when it is not, nothing but errors on -q."""
    if quiet:
        return "quiet"
    return "bars" if sys.stderr.isatty() else "lines"


def plural(count: int, word: str) -> str:
    """`1 use`, `2 uses`."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


#: How long a line the crawl prints about a project may be: a failure's own words are cut to
#: fit, and the whole reason stays in the crawls table (`miner stats` prints it).
LINE_WIDTH = 120


def result_line(result: ProjectResult) -> str:
    """One project's line, with nothing in it that a terminal would act on."""
    return terminal_text(_result_line(result))


def _result_line(result: ProjectResult) -> str:
    """One line per project, short enough to read: what happened, and how much was found."""
    if not result.ok:
        return fit(f"{result.project}: FAILED: ", brief(result))
    found = f"{plural(result.files, 'file')}, {plural(result.uses, 'use')}"
    if result.unchanged:
        return f"{result.project}: unchanged at {result.commit[:12]}, {found}"
    reused = result.files - result.parsed if not result.release else 0
    about = [f"{reused} reused"] if reused else []
    about += [f"{result.unparsable} unparsable"] if result.unparsable else []
    found = plural(result.files, "file") + (f" ({', '.join(about)})" if about else "")
    found += f", {plural(result.uses, 'use')}"
    if result.missing:
        found += f", {result.missing} of removed names"
    if result.release:
        return f"{result.project}: {result.release.removeprefix('the ')}: {found}"
    return f"{result.project}: crawled {result.commit[:12]}: {found}"


def summary_lines(results: list[ProjectResult], db: str) -> list[str]:
    """Counts per outcome, and for failures the one thing to do."""
    failed = [r for r in results if not r.ok]
    counts = {
        "from git": sum(r.ok and not r.unchanged and not r.release for r in results),
        "unchanged": sum(r.ok and r.unchanged for r in results),
        "from PyPI releases": sum(r.ok and bool(r.release) for r in results),
        "failed": len(failed),
    }
    parts = ", ".join(f"{count} {label}" for label, count in counts.items() if count)
    lines = [f"crawled {len(results) - len(failed)} of {len(results)} projects into {db}: {parts}"]
    if failed:
        lines.append(
            "to fix a failure: add a `pypi` name to its entry in the project list, point its "
            "`url` at a clone"
        )
        lines.append(f"the full reasons: miner stats --db {db}")
    if any(r.missing for r in results):
        lines.append("uses of removed names: see the missing_names table (queries/missing_names.sql)")
    return lines


def brief(result: ProjectResult) -> str:
    """A failure's reason as printed: no project name, no url (crawls.error keeps both)."""
    return result.brief or result.error.removeprefix(f"{result.project}: ")


def warning_line(result: ProjectResult) -> str:
    """What an ok crawl did without, when it did without something (its recent history)."""
    return terminal_text(fit(f"{result.project}: warning: ", result.warning))


def fit(head: str, reason: str, width: int = LINE_WIDTH) -> str:
    """`head + reason` in `width` characters: the reason's detail is cut, its advice kept."""
    if len(head) + len(reason) <= width:
        return head + reason
    advice = ADVICE.search(reason)
    what, todo = (reason[: advice.start()], advice[0]) if advice else (reason, "")
    room = max(width - len(head) - len(todo) - 1, 20)
    return f"{head}{what[:room].rstrip()}…{todo}"


class _Failures:
    """Failure lines where the same error is said once: later projects point at the first."""

    def __init__(self) -> None:
        self.first: dict[str, str] = {}

    def line(self, result: ProjectResult) -> str:
        if result.ok:
            return result_line(result)
        key = re.sub(r"'[^']*'|\S+://\S+", "URL", brief(result))  # any url git names again
        if key in self.first:
            return terminal_text(f"{result.project}: FAILED: the same error as {self.first[key]}")
        self.first[key] = result.project
        return result_line(result)


class _Lines(CrawlListener):
    """One line per finished project (failures only when quiet), and the ranking's lines."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.failures = _Failures()
        self.started = 0.0

    def project_finished(self, result: ProjectResult) -> None:
        if result.ok and self.quiet:  # -q: errors only
            return
        click.echo(self.failures.line(result), err=True)
        if result.warning:
            click.echo(warning_line(result), err=True)

    def ranking_started(self) -> None:
        self.started = time.monotonic()
        if not self.quiet:
            click.echo("ranking: scoring the examples of the pages whose inputs changed", err=True)

    def ranking_finished(self, pages: int) -> None:
        if not self.quiet:
            click.echo(ranking_line(pages, time.monotonic() - self.started), err=True)


def ranking_line(pages: int, seconds: float) -> str:
    if not pages:
        return "ranking: no page changed"
    return f"ranking: scored {plural(pages, 'page')} in {seconds:.1f} s"


class _Bars(CrawlListener):
    """A bar of projects and a bar of the current project's files, result lines above them."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.projects: TaskID | None = None
        self.files: TaskID | None = None
        self.ranking: TaskID | None = None
        self.failures = _Failures()
        self.started = 0.0

    def crawl_started(self, projects: int) -> None:
        self.projects = self.progress.add_task("projects", total=projects)

    def project_started(self, project: Project) -> None:
        if self.files is None:
            self.files = self.progress.add_task(project.name, total=None)
        else:  # the project's own count, and its own clock
            self.progress.reset(self.files, total=None, description=project.name)

    def files_scanned(self, project: Project, done: int, total: int) -> None:
        if self.files is not None:
            self.progress.update(
                self.files, completed=done, total=total, description=project.name
            )

    def project_finished(self, result: ProjectResult) -> None:
        line = self.failures.line(result)
        self.progress.console.print(line, markup=False, highlight=False)
        if result.warning:
            self.progress.console.print(warning_line(result), markup=False, highlight=False)
        if self.projects is not None:
            self.progress.advance(self.projects)

    def ranking_started(self) -> None:
        self.started = time.monotonic()
        if self.files is not None:
            self.progress.remove_task(self.files)
            self.files = None
        self.ranking = self.progress.add_task("ranking", total=None)

    def ranking_finished(self, pages: int) -> None:
        line = ranking_line(pages, time.monotonic() - self.started)
        self.progress.console.print(line, markup=False, highlight=False)
        if self.ranking is not None:  # its result line says it all: no bar left at 0/?
            self.progress.remove_task(self.ranking)
            self.ranking = None


@contextmanager
def crawl_listener(mode: Mode) -> Iterator[CrawlListener]:
    """The listener for one crawl, drawing bars for as long as the block runs."""
    if mode != "bars":
        yield _Lines(quiet=mode == "quiet")
        return
    with _bars() as progress:
        yield _Bars(progress)


@contextmanager
def render_progress(mode: Mode) -> Iterator[Callable[[int, int], None] | None]:
    """A `progress(done, total)` callback drawing a bar of pages, or None when not on a terminal."""
    if mode != "bars":
        yield None
        return
    with _bars() as progress:
        task = progress.add_task("pages", total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


@contextmanager
def _bars() -> Iterator[Progress]:
    """A rich Progress on stderr; log records are printed above the bars while it runs."""
    progress = Progress(
        TextColumn("{task.description:<24}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    )
    root = logging.getLogger()
    handler = RichHandler(
        console=progress.console, show_time=False, show_path=False, show_level=False
    )
    handler.setLevel(root.level)
    handler.addFilter(TerminalFilter())
    saved = root.handlers[:]
    root.handlers = [handler]
    try:
        with progress:
            yield progress
    finally:
        root.handlers = saved

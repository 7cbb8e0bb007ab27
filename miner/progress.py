"""Progress on the command line: rich bars on a terminal, plain lines otherwise, quiet on -q.

Library code (crawl.py, render.py) only calls back; this module alone draws, and only cli.py
uses it. Everything goes to stderr, so stdout stays clean for output meant for pipes.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Literal

import click
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
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
from miner.model import Project

Mode = Literal["bars", "lines", "quiet"]


def mode_for(quiet: bool) -> Mode:
    """Bars when stderr is a terminal, plain lines when it is not, nothing but errors on -q."""
    if quiet:
        return "quiet"
    return "bars" if sys.stderr.isatty() else "lines"


def result_line(result: ProjectResult) -> str:
    """One project's line, with nothing in it that a terminal would act on."""
    return terminal_text(_result_line(result))


def _result_line(result: ProjectResult) -> str:
    """One line per project: what was crawled and how much of it had to be scanned."""
    if not result.ok:
        return f"{result.project}: FAILED: {result.error}"
    if result.unchanged:
        return (
            f"{result.project}: {result.commit[:12]} unchanged, {result.files} files, "
            f"{result.uses} uses (nothing fetched or scanned)"
        )
    missing = (
        f"; {result.missing} uses of names the library no longer has (see missing_names)"
        if result.missing
        else ""
    )
    if result.note:
        missing += f"; {result.note}"
    return (
        f"{result.project}: {result.commit[:12]}, {result.files} files, "
        f"{result.scanned} scanned, {result.unparsable} unparsable, {result.uses} uses "
        f"({result.parsed} files scanned now, {result.files - result.parsed} reused: "
        f"cached or identical){missing}"
    )


class _Lines(CrawlListener):
    """One line per finished project (failures only when quiet)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet

    def project_finished(self, result: ProjectResult) -> None:
        if result.ok and self.quiet:
            return
        click.echo(result_line(result), err=True)


class _Bars(CrawlListener):
    """A bar of projects and a bar of the current project's files, result lines above them."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.projects: TaskID | None = None
        self.files: TaskID | None = None

    def crawl_started(self, projects: int) -> None:
        self.projects = self.progress.add_task("projects", total=projects)

    def project_started(self, project: Project) -> None:
        if self.files is None:
            self.files = self.progress.add_task("files", total=None)
        name = escape(terminal_text(project.name))  # a name is no rich markup either
        self.progress.update(self.files, description=name, completed=0, total=None)

    def files_scanned(self, project: Project, done: int, total: int) -> None:
        if self.files is not None:
            self.progress.update(self.files, completed=done, total=total)

    def project_finished(self, result: ProjectResult) -> None:
        self.progress.console.print(result_line(result), markup=False, highlight=False)
        if self.projects is not None:
            self.progress.advance(self.projects)


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

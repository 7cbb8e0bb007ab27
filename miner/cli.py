"""The `miner` command line: thin click commands that compose the stages in plain view."""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
import platformdirs

from miner import crawl as crawling
from miner import render as rendering
from miner import sources, store, targets
from miner.model import MinerError
from miner.resources import resource_dir

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}
F = TypeVar("F", bound=Callable[..., Any])


def default_projects() -> Path:
    return resource_dir("data") / "projects.toml"


def default_cache() -> Path:
    return Path(platformdirs.user_cache_dir("miner")) / "repos"


def db_option(function: F) -> F:
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default="miner.db",
        show_default=True,
        help="SQLite database file.",
    )(function)


def library_option(function: F) -> F:
    return click.option(
        "--library",
        default="flask",
        show_default=True,
        help="Target library whose public names are mined (must be importable).",
    )(function)


def reports_errors(function: F) -> F:
    """Turn miner's one-line errors into click's `Error: ...` and exit status 1."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except MinerError as error:
            raise click.ClickException(str(error)) from error

    return wrapper  # type: ignore[return-value]


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="miner")
@click.option("-q", "--quiet", is_flag=True, help="Only print errors.")
def cli(quiet: bool) -> None:
    """Mine real-world usage examples of a library's public names and publish example pages."""
    logging.basicConfig(
        level=logging.WARNING if quiet else logging.INFO,
        format="%(message)s",
        stream=sys.stderr,
    )


@cli.command()
@click.option(
    "--projects",
    "projects_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Project list (TOML). Default: the bundled data/projects.toml.",
)
@click.option(
    "--cache",
    "cache_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where clones are kept between crawls. Default: the user's cache directory.",
)
@click.option("--only", "only", multiple=True, help="Crawl only the project with this name.")
@click.option(
    "-j", "--jobs", type=click.IntRange(min=0), default=0, help="Worker processes; 0 = all cores."
)
@click.option(
    "--timeout", type=float, default=300, show_default=True, help="Seconds allowed per fetch."
)
@db_option
@library_option
@reports_errors
def crawl(
    projects_file: Path | None,
    cache_dir: Path | None,
    only: tuple[str, ...],
    jobs: int,
    timeout: float,
    db_path: Path,
    library: str,
) -> None:
    """Fetch every project, find every use of the library's public names, store them.

    \b
    Example:
        miner crawl --projects my-projects.toml --db miner.db
    """
    projects = sources.load_projects(projects_file or default_projects())
    if only:
        projects = _select(projects, only)
    lib = targets.discover(library)
    db = store.open_db(db_path)
    report = crawling.crawl(
        db,
        projects,
        lib,
        cache_dir or default_cache(),
        jobs=jobs,
        timeout=timeout,
        on_result=_echo_result,
    )
    ok = len(report.results) - len(report.failed)
    click.echo(f"crawled {ok} of {len(report.results)} projects into {db_path}", err=True)
    if report.failed:
        sys.exit(1)


def _select(projects: list, names: tuple[str, ...]) -> list:
    known = {project.name for project in projects}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise MinerError(
            f"--only {unknown[0]!r}: no such project in the list (names: {', '.join(sorted(known))})"
        )
    return [project for project in projects if project.name in names]


def _echo_result(result: crawling.ProjectResult) -> None:
    if result.ok:
        click.echo(
            f"{result.project}: {result.commit[:12]}, {result.files} files, "
            f"{result.scanned} scanned, {result.unparsable} unparsable, {result.uses} uses",
            err=True,
        )
    else:
        click.echo(f"{result.project}: FAILED: {result.error}", err=True)


@cli.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default="site",
    show_default=True,
    help="Directory the pages are written to.",
)
@click.option(
    "--templates",
    "templates_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory of templates that override the bundled ones, file by file.",
)
@click.option(
    "--style",
    type=click.Choice(["focused", "fsp"]),
    default="focused",
    show_default=True,
    help="Excerpt style: focused cuts at syntax boundaries; fsp reproduces the reference site.",
)
@click.option(
    "--name",
    "names",
    multiple=True,
    help="Render only this name (e.g. flask.helpers.make_response or flask.make_response).",
)
@db_option
@reports_errors
def render(
    out_dir: Path, templates_dir: Path | None, style: str, names: tuple[str, ...], db_path: Path
) -> None:
    """Write example pages for every public name that has uses in the database.

    \b
    Example:
        miner render --out site --name flask.helpers.make_response
    """
    if not db_path.is_file():
        raise MinerError(f"{db_path}: no such database: run `miner crawl` first, or pass --db")
    db = store.open_db(db_path)
    report = rendering.render_pages(
        db, out_dir, templates=templates_dir, style=style, names=names or None
    )
    for qualname, error in report.failures:
        click.echo(f"{qualname}: page not written: {error}", err=True)
    click.echo(f"wrote {len(report.pages)} pages to {out_dir}", err=True)
    if report.failures:
        sys.exit(1)


@cli.command(name="targets")
@library_option
def list_targets(library: str) -> None:
    """List the library's public names: canonical name, kind and other import paths.

    \b
    Example:
        miner targets --library flask
    """
    try:
        lib = targets.discover(library)
    except MinerError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"# {lib.name} {lib.version}: {len(lib.targets)} public names")
    for target in lib.targets:
        also = f"  (also {', '.join(target.aliases)})" if target.aliases else ""
        click.echo(f"{target.qualname}\t{target.kind}{also}")

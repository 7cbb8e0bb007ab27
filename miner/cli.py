"""The `miner` command line: thin click commands that compose the stages in plain view."""

from __future__ import annotations

import functools
import logging
import math
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
import platformdirs

from miner import DISTRIBUTION, interrupts, rank, sources, store, targets
from miner import crawl as crawling
from miner import progress as progressing
from miner import render as rendering
from miner import serve as serving
from miner.escape import TerminalFilter, terminal_lines, terminal_text
from miner.model import MinerError, Project
from miner.resources import resource_dir
from miner.stats import stats_lines

#: Every option can come from the environment: MINER_<COMMAND>_<OPTION> (MINER_RENDER_OUT),
#: and the options shared by commands from MINER_DB, MINER_CACHE, MINER_PROJECTS, MINER_LIBRARY.
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "auto_envvar_prefix": "MINER"}
F = TypeVar("F", bound=Callable[..., Any])


def default_projects(library: str = "flask") -> Path:
    """The bundled project list of a library (data/libraries.toml names it)."""
    listed = targets.profile(library.partition("==")[0]).get("projects")
    if not listed:
        raise MinerError(f"no bundled project list for {library!r}: pass --projects FILE")
    return resource_dir("data") / listed


def default_cache() -> Path:
    return Path(platformdirs.user_cache_dir("miner")) / "repos"


def db_option(function: F) -> F:
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default="miner.db",
        show_default=True,
        envvar="MINER_DB",
        show_envvar=True,
        help="SQLite database file.",
    )(function)


def library_option(function: F) -> F:
    return click.option(
        "--library",
        default="flask",
        show_default=True,
        envvar="MINER_LIBRARY",
        show_envvar=True,
        help="Target library whose public names are mined: an installed one (django), or a "
        "release whose sdist is fetched from --pypi-index (django==5.1). Its code never runs.",
    )(function)


def selection_options(function: F) -> F:
    """How examples are chosen: shared by render and explain so they can never disagree."""
    function = click.option(
        "--order",
        type=click.Choice(["score", "listed"]),
        default="score",
        show_default=True,
        help="Order examples by score, or by the project list (a hand-kept order).",
    )(function)
    return click.option(
        "--max-examples",
        type=click.IntRange(min=1),
        default=10,
        show_default=True,
        help="At most this many examples per page.",
    )(function)


def reports_errors(function: F) -> F:
    """Turn miner's one-line errors into click's `Error: ...` and exit status 1."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except MinerError as error:
            raise click.ClickException(terminal_text(str(error))) from error
        except sqlite3.Error as error:  # a corrupt, full or read-only database: one line too
            path = kwargs.get("db_path") or Path("the database")
            raise click.ClickException(terminal_text(store.database_error(path, error))) from error

    return wrapper  # type: ignore[return-value]


def _set_quiet(ctx: click.Context, _param: click.Parameter, quiet: bool) -> None:
    """-q before the command or after it: only errors are printed (failures and `Error:`
    lines; no progress, no summary, no warnings)."""
    if quiet or "miner.quiet" not in ctx.meta:
        ctx.meta["miner.quiet"] = quiet
        logging.getLogger().setLevel(logging.ERROR if quiet else logging.INFO)


def quiet_option(function: F) -> F:
    return click.option(
        "-q",
        "--quiet",
        is_flag=True,
        expose_value=False,
        callback=_set_quiet,
        help="Only print errors.",
    )(function)


def _set_verbose(_ctx: click.Context, _param: click.Parameter, verbose: bool) -> None:
    if verbose:
        logging.getLogger("miner").setLevel(logging.DEBUG)


def verbose_option(function: F) -> F:
    return click.option(
        "-v",
        "--verbose",
        is_flag=True,
        expose_value=False,
        callback=_set_verbose,
        help="Also print each step: fetches, commits, PyPI releases.",
    )(function)


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name=DISTRIBUTION)
@quiet_option
@verbose_option
def cli() -> None:
    """Mine real-world usage examples of a library's public names and publish example pages."""
    logging.basicConfig(format="%(message)s", stream=sys.stderr)
    for handler in logging.getLogger().handlers:  # log lines name projects, urls and files
        if not any(isinstance(f, TerminalFilter) for f in handler.filters):
            handler.addFilter(TerminalFilter())


@cli.command()
@quiet_option
@verbose_option
@click.option(
    "--projects",
    "projects_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    envvar="MINER_PROJECTS",
    show_envvar=True,
    help="Project list (TOML). Default: the library's bundled list (data/projects/LIBRARY.toml).",
)
@click.option(
    "--cache",
    "cache_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    envvar="MINER_CACHE",
    show_envvar=True,
    help="Where clones are kept between crawls. Default: the user's cache directory.",
)
@click.option(
    "--only", "only", multiple=True, help="Crawl only this project (its name, any case; repeatable)."
)
@click.option(
    "-j", "--jobs", type=click.IntRange(min=0), default=0, help="Worker processes; 0 = all cores."
)
@click.option(
    "--timeout",
    type=float,
    default=300,
    show_default=True,
    callback=lambda _ctx, _param, value: _seconds(value),
    help="Seconds allowed per fetch (git or PyPI), start to finish.",
)
@click.option(
    "--dask",
    "dask_address",
    metavar="ADDRESS",
    default=None,
    help="Fetch and scan on this Dask scheduler (tcp://host:8786); results are stored here. "
    "--cache is then the workers' clone cache (default: each worker's user cache directory).",
)
@click.option(
    "--pypi-index",
    default=sources.PYPI_SIMPLE,
    show_default=True,
    metavar="URL",
    help="Simple index (or local folder of sdists) for projects whose git remote fails and "
    "that name a pypi package; '' turns the fallback off.",
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
    dask_address: str | None,
    pypi_index: str,
    db_path: Path,
    library: str,
) -> None:
    """Fetch every project, find every use of the library's public names, store them.

    \b
    Example:
        miner crawl --projects my-projects.toml --db miner.db
    """
    projects = sources.load_projects(projects_file or default_projects(library))
    if only:
        projects = _select(projects, only)
    lib = targets.discover(
        library, index=pypi_index or sources.PYPI_SIMPLE, cache_dir=cache_dir or default_cache()
    )
    jobs = _capped_jobs(jobs)
    db = store.open_db(db_path)
    mode = _progress_mode()
    if mode != "quiet":
        for host in sources.unresolvable_hosts(projects):
            click.echo(terminal_text(_host_note(host, projects, bool(pypi_index))), err=True)
    try:
        with interrupts.catching(), progressing.crawl_listener(mode) as listener:
            report = crawling.crawl(
                db,
                projects,
                lib,
                cache_dir if dask_address else cache_dir or default_cache(),
                jobs=jobs,
                timeout=timeout,
                dask=dask_address,
                listener=listener,
                pypi_index=pypi_index or None,
            )
    except KeyboardInterrupt:
        sources.cancel_timeouts()  # else Python waits for them before it exits
        click.echo(
            f"Error: crawl interrupted: every project finished so far is stored in {db_path}; "
            "run the same command again to crawl the others",
            err=True,
        )
        sys.exit(130)
    if mode != "quiet":
        for line in progressing.summary_lines(report.results, str(db_path)):
            click.echo(terminal_text(line), err=True)
    if report.failed:
        sys.exit(1)


def _host_note(host: str, projects: list[Project], fallback: bool) -> str:
    """Said once before the crawl: which of the host's projects fall back to PyPI, which fail."""
    on_host = [p for p in projects if sources.remote_host(p.url) == host]
    listed = sum(bool(p.pypi) for p in on_host) if fallback else 0
    some = f"{len(on_host)} project" + ("s" if len(on_host) > 1 else "")
    if listed == len(on_host):
        outcome = f"its {some} {'fall' if listed > 1 else 'falls'} back to PyPI releases"
    elif listed:
        others = len(on_host) - listed
        rest = "the other fails" if others == 1 else f"the other {others} fail"
        outcome = f"{listed} of its {some} {'fall' if listed > 1 else 'falls'} back to PyPI, {rest}"
    else:
        outcome = f"its {some} will fail"
    return f"note: cannot resolve {host} (no network?): {outcome}"


#: The longest --timeout: a day. Timers past what the platform's clock holds (1e308) overflow.
MAX_TIMEOUT = 86400


def _seconds(value: float) -> float:
    """A timeout: a finite number of seconds above zero (inf would let a stalled fetch hang)."""
    if not (math.isfinite(value) and 0 < value <= MAX_TIMEOUT):
        raise click.BadParameter(
            f"{value} is not a number of seconds above 0 and at most {MAX_TIMEOUT} (try 300)"
        )
    return value


def _capped_jobs(jobs: int) -> int:
    """At most one worker per core: the scan is CPU-bound, and each worker costs memory."""
    cores = os.cpu_count() or 1
    if jobs > cores:
        click.echo(f"note: --jobs {jobs} is more than this machine's {cores} cores: using {cores}", err=True)
        return cores
    return jobs


def _require_db(db_path: Path) -> None:
    if not db_path.is_file():
        raise MinerError(f"{db_path}: no such database: run `miner crawl` first, or pass --db")


def _existing_db(db_path: Path) -> store.Database:
    """The database, read-only: render and explain never change its schema or journal mode."""
    _require_db(db_path)
    return store.open_existing(db_path)


def _shown_recorder(db_path: Path) -> store.Database | None:
    """A connection that records what render showed (rows only), or None with a note when the
    database cannot be written: the pages are still written, drift is then not followed."""
    try:
        recorder = store.open_existing(db_path, writable=True)
        recorder.execute("BEGIN IMMEDIATE")  # can we write at all? (a read-only file says no)
        recorder.execute("ROLLBACK")
    except (MinerError, sqlite3.Error) as error:
        click.echo(
            f"note: {db_path} cannot be written ({error}): pages are written, but the next crawl "
            "cannot tell which of their examples drifted",
            err=True,
        )
        return None
    return recorder


def _select(projects: list[Project], names: tuple[str, ...]) -> list[Project]:
    """The projects --only names, compared as the project list compares names: ignoring case."""
    known = {project.name.casefold() for project in projects}
    unknown = [name for name in names if name.casefold() not in known]
    if unknown:
        listed = ", ".join(sorted(project.name for project in projects))
        raise MinerError(f"--only {unknown[0]!r}: no such project in the list (names: {listed})")
    wanted = {name.casefold() for name in names}
    return [project for project in projects if project.name.casefold() in wanted]


def _progress_mode() -> progressing.Mode:
    """Progress bars, plain lines or quiet, from the group's --quiet and where stderr goes."""
    return progressing.mode_for(bool(click.get_current_context().meta.get("miner.quiet")))


@cli.command()
@quiet_option
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
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["markdown", "html", "both"]),
    default="markdown",
    show_default=True,
    help="Markdown pages, an HTML preview site (open DIR/{library}/index.html), or both.",
)
@db_option
@reports_errors
@selection_options
def render(
    out_dir: Path,
    templates_dir: Path | None,
    style: str,
    names: tuple[str, ...],
    output_format: str,
    db_path: Path,
    max_examples: int,
    order: str,
) -> None:
    """Write example pages for every public name that has uses in the database.

    \b
    Example:
        miner render --out site --name flask.helpers.make_response
        miner render --format both --out site
    """
    db = _existing_db(db_path)
    for line in rendering.drift_report(db):
        click.echo(terminal_text(f"drift: {line}"), err=True)
    formats = ("markdown", "html") if output_format == "both" else (output_format,)
    recorder = _shown_recorder(db_path)
    mode = _progress_mode()
    with progressing.render_progress(mode) as progress:
        report = rendering.render_pages(
            db,
            out_dir,
            templates=templates_dir,
            style=style,
            names=names or None,
            formats=formats,
            progress=progress,
            max_examples=max_examples,
            order=order,
            record=False if recorder is None else recorder,
        )
    for qualname, error in report.failures:
        click.echo(terminal_text(f"{qualname}: page not written: {error}"), err=True)
    if mode != "quiet":
        pages = len({path.stem.removesuffix("-examples") for path in report.pages})
        noun = "page" if pages == 1 else "pages"
        click.echo(f"wrote {pages} {noun} ({' and '.join(formats)}) to {out_dir}", err=True)
    for index in (path for path in report.files if path.name == rendering.HTML_INDEX):
        click.echo(f"HTML preview: {index}", err=True)
    if report.failures:
        sys.exit(1)


@cli.command()
@quiet_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to listen on; 0.0.0.0 exposes the database to the network.",
)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8001, show_default=True, help="Port to listen on."
)
@db_option
@reports_errors
def serve(host: str, port: int, db_path: Path) -> None:
    """Explore the database in Datasette, with column descriptions and the canned queries.

    Every file of queries/ is a canned query, titled by its first `-- ` line.

    \b
    Example:
        miner serve --db miner.db --port 8001
    """
    _require_db(db_path)
    serving.serve(db_path, resource_dir("queries"), host, port)


@cli.command()
@quiet_option
@click.argument("page")
@selection_options
@db_option
@reports_errors
def explain(page: str, max_examples: int, order: str, db_path: Path) -> None:
    """Show why each example of a page was chosen, and why the other candidates lost.

    PAGE is a page slug or a public name.

    \b
    Example:
        miner explain flask-helpers-make-response-examples
    """
    db = _existing_db(db_path)
    library, target, slug = rendering.find_page(db, page)
    choice = rendering.choose_examples(db, target, library.name, max_examples, order)
    summary = rank.shape_summary(store.shape_rows(db, target.qualname))
    title = f"{slug}: {target.qualname}"
    report = rank.explain(title, choice.decisions, summary, max_examples=max_examples, order=order)
    click.echo(terminal_lines(report), nl=False)  # it names projects and files


@cli.command()
@quiet_option
@db_option
@reports_errors
def stats(db_path: Path) -> None:
    """Show each project's last crawl: what the pages show, and every failure in full.

    \b
    Example:
        miner stats --db miner.db
    """
    db = _existing_db(db_path)
    for line in stats_lines(db.conn, db_path):
        click.echo(terminal_text(line))


@cli.command(name="targets")
@quiet_option

@library_option
def list_targets(library: str) -> None:
    """List the library's public names: canonical name, kind and other import paths.

    \b
    Example:
        miner targets --library flask
    """
    found_log = logging.getLogger(targets.__name__)
    level = found_log.level
    found_log.setLevel(logging.WARNING)  # its "N modules, N public names" is the header below
    try:
        lib = targets.discover(library, cache_dir=default_cache())
    except MinerError as error:
        raise click.ClickException(str(error)) from error
    finally:
        found_log.setLevel(level)
    click.echo(
        f"# {lib.name} {lib.version}: {len(lib.modules)} modules, {len(lib.targets)} public names"
    )
    for target in lib.targets:
        also = f"  (also {', '.join(target.aliases)})" if target.aliases else ""
        click.echo(f"{target.qualname}\t{target.kind}{also}")


@cli.command(name="templates")
@quiet_option
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@reports_errors
def copy_templates(directory: Path) -> None:
    """Copy the bundled templates into DIRECTORY, to start an override from.

    Edit the ones you change, delete the others, and pass the directory to
    `miner render --templates`. Files already in DIRECTORY are left as they are.

    \b
    Example:
        miner templates my-templates && miner render --templates my-templates
    """
    copied, kept = rendering.copy_templates(directory)
    if kept:
        click.echo(f"kept {len(kept)} existing: {', '.join(path.name for path in kept)}", err=True)
    noun = "template" if len(copied) == 1 else "templates"
    click.echo(
        f"copied {len(copied)} {noun} to {directory}: edit the ones you change, delete the "
        f"others, then: miner render --templates {directory}",
        err=True,
    )

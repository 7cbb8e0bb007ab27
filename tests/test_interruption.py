"""A crawl killed at any point (Ctrl-C or SIGKILL) loses nothing: the database stays whole.

Each test runs `python -m miner crawl` as a real process group on a small corpus of local
repositories with many files, waits for a chosen point by polling the crawl's own output and
its database (never by sleeping blindly), kills it there, checks the database, and crawls
again to completion.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from miner import crawl as crawling
from miner import store
from miner.cli import cli

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and process groups")

PROJECTS = 4
FILES = 60
VIEWS = 10
# Hang detectors, not speed goals: generous, so that a loaded 2-core machine cannot trip them.
DEADLINE = 120.0  # seconds a crawl may take before the test calls it hung
STOP = 60.0  # seconds a killed crawl may take to stop, far below its --timeout
TIMEOUT = 600  # the crawl's --timeout: a git timer left running would outlast STOP


def module(project: int, index: int, generation: int) -> str:
    views = "".join(
        f"@app.route('/r{k}')\ndef view{k}():\n"
        f"    data = request.args.get('x')\n"
        f"    return make_response(jsonify(data), {200 + k})\n\n"
        for k in range(VIEWS)
    )
    return (
        "from flask import Flask, jsonify, make_response, request\n\n"
        f"app = Flask(__name__)\nPROJECT, GENERATION = {project}, {generation}\n\n{views}"
    )


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Fixture", "-c", "user.email=f@example.org", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def corpus(tmp_path: Path) -> Callable[[int], Path]:
    """PROJECTS repositories of FILES modules; calling it again commits a new generation.

    Returns the project list. Each generation changes every file, so every crawl has real
    fetching, scanning and storing to do.
    """
    listing = tmp_path / "projects.toml"

    def build(generation: int) -> Path:
        entries = []
        for project in range(PROJECTS):
            repo = tmp_path / "remotes" / f"r{project}"
            if generation == 0:
                (repo / "pkg").mkdir(parents=True)
                git(repo, "init", "-q", "-b", "main")
            for index in range(FILES):
                path = repo / "pkg" / f"m{index:03d}.py"
                path.write_text(module(project, index, generation), encoding="utf-8")
            git(repo, "add", "-A")
            git(repo, "commit", "-q", "-m", f"generation {generation}")
            entries.append(f'[[project]]\nname = "p{project}"\nurl = "{repo}"\n')
        listing.write_text("\n".join(entries), encoding="utf-8")
        return listing

    return build


class Crawl:
    """`python -m miner crawl` in its own process group, with its stderr in a file."""

    def __init__(self, tmp_path: Path, projects: Path, db: Path, name: str, jobs: int = 2):
        self.log = tmp_path / f"{name}.log"
        self.db = db
        self.before = stored_crawls(db)  # crawls rows of earlier crawls
        command = [
            sys.executable, "-m", "miner", "crawl", "-v", "--projects", str(projects),
            "--cache", str(tmp_path / "cache"), "--db", str(db), "--jobs", str(jobs),
            "--timeout", str(TIMEOUT),
        ]  # fmt: skip
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: a signal reaches it, its workers and git
                cwd=Path(__file__).resolve().parents[1],
            )

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, condition: Callable[[], bool]) -> bool:
        """Poll until `condition` holds; False if the crawl ended first.

        Each look is taken with the crawl's whole process group stopped (SIGSTOP), and when
        the condition holds it stays stopped until `kill`: the kill lands exactly where the
        condition was seen, however slowly a loaded machine runs this test.
        """
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            self._signal(signal.SIGSTOP)
            if condition():
                return True
            self._signal(signal.SIGCONT)
            if self.process.poll() is not None:
                return condition()
            time.sleep(0.005)
        pytest.fail(f"the crawl neither reached the kill point nor ended:\n{self.output()}")

    def fetching(self) -> int:
        """Projects whose fetch this crawl has begun."""
        return self.output().count("fetching main of")

    def stored(self) -> int:
        """Projects this crawl has stored so far (ok or failed)."""
        return stored_crawls(self.db) - self.before

    def kill(self, sig: signal.Signals, *, group: bool = True) -> None:
        """Send `sig` to the crawl's process group (or to its main process alone)."""
        if group:
            self._signal(sig)
        else:
            os.kill(self.process.pid, sig)
        self._signal(signal.SIGCONT)  # stopped by wait_for: the signal is acted on now

    def _signal(self, sig: signal.Signals) -> None:
        try:
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:  # already gone
            pass

    def finish(self, deadline: float = DEADLINE) -> int:
        """Wait for the crawl to end; a crawl that does not end in time has hung."""
        try:
            return self.process.wait(timeout=deadline)
        except subprocess.TimeoutExpired:
            self.kill(signal.SIGKILL)
            self.process.wait()
            pytest.fail(f"the crawl hung:\n{self.output()}")


def stored_crawls(db: Path) -> int:
    """Crawls rows committed so far (0 while the database does not exist yet)."""
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1) as conn:
            return conn.execute("SELECT COUNT(*) FROM crawls").fetchone()[0]
    except sqlite3.Error:  # the schema is still being created
        return 0


def check_whole(db: Path) -> dict[str, tuple[str, int, int]]:
    """integrity_check passes and no project is partial; returns {project: (commit, files, uses)}.

    Every project with a stored commit has exactly the files and uses its last ok crawl
    counted, the text of every file with uses, and uses only in its own files.
    """
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        state: dict[str, tuple[str, int, int]] = {}
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'projects'").fetchone():
            return state  # killed before it made the schema: an empty database is whole too
        for name, commit in conn.execute("SELECT name, commit_sha FROM projects").fetchall():
            files = conn.execute("SELECT COUNT(*) FROM files WHERE project = ?", [name])
            uses = conn.execute("SELECT COUNT(*) FROM uses WHERE project = ?", [name])
            counts = (files.fetchone()[0], uses.fetchone()[0])
            if commit is None:
                assert counts == (0, 0), name
                continue
            last_ok = conn.execute(
                'SELECT commit_sha, files, uses FROM crawls WHERE project = ? AND status = \'ok\' '
                "ORDER BY id DESC LIMIT 1",
                [name],
            ).fetchone()
            assert last_ok == (commit, *counts), name
            stray = conn.execute(
                "SELECT COUNT(*) FROM uses WHERE project = ? AND path NOT IN "
                "(SELECT path FROM files WHERE project = ?)",
                [name, name],
            ).fetchone()[0]
            textless = conn.execute(
                "SELECT COUNT(*) FROM files WHERE project = ? AND blob_sha IN "
                "(SELECT blob_sha FROM files f JOIN uses u ON u.project = f.project "
                "AND u.path = f.path) AND blob_sha NOT IN (SELECT blob_sha FROM sources)",
                [name],
            ).fetchone()[0]
            assert (stray, textless) == (0, 0), name
            state[name] = (commit, *counts)
        return state
    finally:
        conn.close()


def head(tmp_path: Path, project: int) -> str:
    return subprocess.run(
        ["git", "rev-parse", "HEAD"],
        cwd=tmp_path / "remotes" / f"r{project}",
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def complete(tmp_path: Path, projects: Path, db: Path) -> dict[str, tuple[str, int, int]]:
    """Crawl to the end: exit 0, every project at its remote head with all its rows."""
    crawl = Crawl(tmp_path, projects, db, "complete")
    assert crawl.finish() == 0, crawl.output()
    state = check_whole(db)
    expected_uses = FILES * (5 + 3 * VIEWS)  # 4 imports, Flask(...); route, request, make_response
    assert state == {
        f"p{i}": (head(tmp_path, i), FILES, expected_uses) for i in range(PROJECTS)
    }, crawl.output()
    return state


INTERRUPTED = "Error: crawl interrupted: every project finished so far is stored in {db}; "
INTERRUPTED += "run the same command again to crawl the others"

# (where, signal, when, held): kill points chosen by what the crawl has visibly done, its log
# lines and its committed rows. SIGINT is Ctrl-C (to the whole process group, as a terminal
# sends it); SIGKILL is a power cut or the OOM killer, for the crawl, its workers and git alike.
# `held` is a project whose cache entry the test keeps locked (as another crawl sharing the
# cache would) until the kill: it cannot get past its fetch, so the crawl is surely still at
# work on it when the kill lands, however the projects in flight happen to interleave.
KILL_POINTS: list[tuple[str, signal.Signals, Callable[[Crawl], bool], int | None]] = [
    ("fetching or scanning the first project", signal.SIGINT, lambda c: c.fetching() >= 1, 3),
    ("just after the first project was stored", signal.SIGKILL, lambda c: c.stored() >= 1, 3),
    ("in the middle of the third project", signal.SIGINT, lambda c: c.stored() >= 2 and c.fetching() >= 3, 2),
    ("in the middle of the second project", signal.SIGKILL, lambda c: c.stored() >= 1 and c.fetching() >= 2, 1),
    ("after the last project, while ranking", signal.SIGINT, lambda c: c.stored() >= PROJECTS, None),
    ("after the last project, while ranking", signal.SIGKILL, lambda c: c.stored() >= PROJECTS, None),
]  # fmt: skip


@contextlib.contextmanager
def cache_held(tmp_path: Path, project: int | None) -> Iterator[None]:
    """Hold the cache lock of project `project` (if any) for as long as the block runs."""
    import fcntl  # POSIX only, as this module

    if project is None:
        yield
        return
    (lock,) = (tmp_path / "cache").glob(f"p{project}-*.lock")
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def test_a_crawl_killed_at_several_points_loses_nothing(corpus, tmp_path: Path) -> None:
    """Each round changes every repository, crawls, and kills the crawl at the next point.

    After each kill the database passes integrity_check, no project is partial, every
    project holds either its previous rows or all of the new ones, and every project the
    crawl reported as stored before it died is stored. A final crawl completes.
    """
    db = tmp_path / "miner.db"
    before = complete(tmp_path, corpus(0), db)
    killed = 0
    for number, (where, sig, reached, held) in enumerate(KILL_POINTS, start=1):
        projects = corpus(number)
        with cache_held(tmp_path, held):
            crawl = Crawl(tmp_path, projects, db, f"round{number}")
            if crawl.wait_for(lambda crawl=crawl, reached=reached: reached(crawl)):
                crawl.kill(sig)
        code = crawl.finish(STOP)
        output = crawl.output()
        if code != 0:  # the kill landed before the crawl ended
            killed += 1
            if sig is signal.SIGINT:  # one clear line, exit 130, no traceback from any process
                assert code == 130, (where, output)
                assert output.splitlines()[-1] == INTERRUPTED.format(db=db), (where, output)
                assert "Traceback" not in output, (where, output)
            else:
                assert code == -signal.SIGKILL, (where, output)
        after = check_whole(db)
        assert after.keys() == before.keys(), where
        for index in range(PROJECTS):
            name = f"p{index}"
            commit, files, uses = after[name]
            assert (files, uses) == before[name][1:], (where, name, output)
            if f"\n{name}: {head(tmp_path, index)[:12]}, " in output:  # reported as stored
                assert commit == head(tmp_path, index), (where, name, output)
            else:
                assert commit in (before[name][0], head(tmp_path, index)), (where, name, output)
        before = after
    assert killed >= len(KILL_POINTS) - 1, "the kills came too late to test anything"
    complete(tmp_path, projects, db)


def test_a_crawl_killed_while_it_creates_the_database(corpus, tmp_path: Path) -> None:
    db = tmp_path / "miner.db"
    projects = corpus(0)
    crawl = Crawl(tmp_path, projects, db, "creating")
    if crawl.wait_for(db.exists):
        crawl.kill(signal.SIGKILL)
    crawl.finish(STOP)
    check_whole(db)
    complete(tmp_path, projects, db)


def test_two_crawls_at_once_on_one_database_both_finish(corpus, tmp_path: Path) -> None:
    db = tmp_path / "miner.db"
    projects = corpus(0)
    first = Crawl(tmp_path, projects, db, "first")
    second = Crawl(tmp_path, projects, db, "second")
    codes = (first.finish(), second.finish())
    assert codes == (0, 0), first.output() + second.output()
    check_whole(db)
    complete(tmp_path, projects, db)


def test_lock_files_left_by_a_killed_git_do_not_block_the_next_crawl(corpus, tmp_path: Path):
    """SIGKILL reaching git mid-fetch leaves its lock files; the next crawl fetches anyway."""
    db = tmp_path / "miner.db"
    complete(tmp_path, corpus(0), db)
    projects = corpus(1)
    entries = [path for path in (tmp_path / "cache").iterdir() if path.is_dir()]
    assert len(entries) == PROJECTS
    for entry in entries:
        for name in ("shallow.lock", "HEAD.lock", "config.lock", "packed-refs.lock",
                     "refs/heads/main.lock"):  # fmt: skip
            (entry / name).write_text("", encoding="utf-8")

    complete(tmp_path, projects, db)


def test_a_crawl_that_waits_too_long_for_the_database_says_so(
    corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process holding the write lock past the busy timeout: one line, rows kept."""
    db = tmp_path / "miner.db"
    projects = corpus(0)
    before = complete(tmp_path, projects, db)
    corpus(1)
    monkeypatch.setattr(store, "BUSY_TIMEOUT_SECONDS", 1)
    arguments = ["crawl", "--projects", str(projects), "--cache", str(tmp_path / "cache"),
                 "--db", str(db), "--jobs", "1"]  # fmt: skip
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer, in the middle of its transaction
    try:
        started = time.monotonic()
        result = CliRunner().invoke(cli, arguments, catch_exceptions=False)
        waited = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        f"Error: {db}: another process has been writing to this database for over 1 s "
        "(another miner crawl?): let it finish, then run again"
    )
    assert 1 <= waited < STOP
    assert check_whole(db) == before
    complete(tmp_path, projects, db)


def children(pid: int) -> set[int]:
    """The live processes whose parent is `pid` (read from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie no init reaped has ended too


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "parent-death"])
def test_the_worker_pool_ends_with_the_crawl(corpus, tmp_path: Path, sig: signal.Signals) -> None:
    """`kill` on the crawl's process alone (not its group): every worker it started ends too."""
    db = tmp_path / "miner.db"
    crawl = Crawl(tmp_path, corpus(0), db, f"pool-{sig.name}")
    workers: set[int] = set()

    def scanning() -> bool:
        workers.update(children(crawl.process.pid))
        return len(workers) >= 2 and crawl.stored() >= 1 and crawl.fetching() >= 2

    assert crawl.wait_for(scanning), crawl.output()
    crawl.kill(sig, group=False)
    code = crawl.finish(STOP)

    deadline = time.monotonic() + STOP
    while time.monotonic() < deadline and any(alive(pid) for pid in workers):
        time.sleep(0.05)
    left = [pid for pid in workers if alive(pid)]
    for pid in left:  # a failing run leaves no orphans behind
        os.kill(pid, signal.SIGKILL)
    assert not left, crawl.output()
    if sig is signal.SIGTERM:
        assert code == 130, crawl.output()
        assert crawl.output().splitlines()[-1] == INTERRUPTED.format(db=db)
        assert "Traceback" not in crawl.output()
    check_whole(db)


# -- Ctrl-C is never lost, never a project's failure ------------------------------------------


def crawl_twice(
    make_repo, tmp_path: Path, jobs: int
) -> tuple[Path, list[str], dict[str, tuple[str, int, int]]]:
    """Two projects crawled once; both then gain a commit. Returns (db, arguments, state)."""
    remotes = [make_repo({"app.py": APP}, name=f"c{i}") for i in range(2)]
    projects = tmp_path / "projects.toml"
    projects.write_text(
        "".join(f'[[project]]\nname = "C{i}"\nurl = "{r.url}"\n\n' for i, r in enumerate(remotes)),
        encoding="utf-8",
    )
    db = tmp_path / "miner.db"
    arguments = ["crawl", "--projects", str(projects), "--cache", str(tmp_path / "cache"),
                 "--db", str(db), "--jobs", str(jobs), "--pypi-index", ""]  # fmt: skip
    first = CliRunner().invoke(cli, arguments)
    assert first.exit_code == 0, first.output
    for remote in remotes:
        remote.commit({"more.py": APP})
    return db, arguments, check_whole(db)


def failed_crawls(db: Path) -> int:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT COUNT(*) FROM crawls WHERE status = 'failed'").fetchone()[0]


@pytest.mark.parametrize(
    ("ending", "jobs"),
    [("os.kill(os.getpid(), signal.SIGINT)", 1), ("os.kill(os.getpid(), signal.SIGTERM)", 2),
     ("sys.exit(130)", 2)],
    ids=["sigint", "sigterm", "status-130"],
)  # fmt: skip
def test_git_stopped_by_ctrl_c_interrupts_the_crawl_and_fails_no_project(
    make_repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ending: str, jobs: int
) -> None:
    """Ctrl-C reaches git first (the main thread has not seen it, or never will): git's
    death by the signal (or a wrapper's 128 + signal) is the interruption, not a failure."""
    import git as gitpython

    db, arguments, before = crawl_twice(make_repo, tmp_path, jobs)
    stopped = tmp_path / "git-stopped-by-ctrl-c"
    stopped.write_text(
        f"#!{sys.executable}\nimport os, signal, sys\n"
        "if 'fetch' in sys.argv:\n"
        "    signal.signal(signal.SIGINT, signal.SIG_DFL)  # even if pytest runs with it ignored\n"
        f"    {ending}\n"
        f"os.execv({shutil.which('git')!r}, ['git', *sys.argv[1:]])\n",
        encoding="utf-8",
    )
    stopped.chmod(0o755)
    monkeypatch.setattr(gitpython.Git, "GIT_PYTHON_GIT_EXECUTABLE", str(stopped))
    pools_before = pool_threads()

    result = CliRunner().invoke(cli, arguments)

    assert result.exit_code == 130, result.output
    assert result.output.splitlines()[-1] == INTERRUPTED.format(db=db)
    assert "FAILED" not in result.output
    assert failed_crawls(db) == 0
    assert check_whole(db) == before
    # The worker pool was waited for: a process pool's manager thread still running when
    # Python exits makes Python 3.11 print "OSError: Bad file descriptor" after the line.
    assert pool_threads() <= pools_before


def pool_threads() -> set[threading.Thread]:
    """The manager threads of the process pools alive in this process."""
    return {t for t in threading.enumerate() if type(t).__name__ == "_ExecutorManagerThread"}


class SignalsInItsFinaliser:
    """Sends SIGINT to this process from `__del__`: Python raises KeyboardInterrupt inside the
    finaliser and drops it, as it did inside GitPython's Repo.__del__, run by the garbage
    collector in the crawl's main thread, when the crawl lost a Ctrl-C."""

    def __init__(self, raised: list[type[BaseException]]) -> None:
        self.raised = raised  #: what raise_signal raised inside the finaliser

    def __del__(self) -> None:
        try:
            signal.raise_signal(signal.SIGINT)
        except BaseException as error:
            self.raised.append(type(error))
            raise  # a finaliser cannot raise: Python drops it


def test_a_ctrl_c_whose_exception_a_finaliser_dropped_still_interrupts(
    make_repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, arguments, before = crawl_twice(make_repo, tmp_path, jobs=1)
    raised: list[type[BaseException]] = []
    store_work = crawling.store_work

    def ctrl_c_while_storing(*args: object) -> crawling.ProjectResult:
        SignalsInItsFinaliser(raised)  # dropped at once: Ctrl-C lands in its finaliser, here
        return store_work(*args)

    monkeypatch.setattr(crawling, "store_work", ctrl_c_while_storing)
    monkeypatch.setattr(sys, "unraisablehook", sys.__unraisablehook__)  # prints, as outside pytest

    result = CliRunner().invoke(cli, arguments)

    assert raised == [KeyboardInterrupt]  # inside the finaliser, which dropped it
    assert result.exit_code == 130, result.output
    assert result.output.splitlines()[-1] == INTERRUPTED.format(db=db)
    assert "Traceback" not in result.output and "Exception ignored" not in result.output
    state = check_whole(db)  # the project stored before the Ctrl-C was noticed stays stored
    assert state["C0"][1:] == (2, 2 * before["C0"][2]) and state["C1"] == before["C1"]
    assert failed_crawls(db) == 0


def test_a_ctrl_c_while_a_project_thread_starts_leaves_no_thread_running(
    make_repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C lands in ThreadPoolExecutor.submit just after it started a project thread, before
    the pool knew of it: that thread is joined like the others, not left crawling unseen."""
    remote = make_repo({"app.py": APP}, name="t0")
    projects = tmp_path / "projects.toml"
    projects.write_text(f'[[project]]\nname = "T0"\nurl = "{remote.url}"\n', encoding="utf-8")
    db = tmp_path / "miner.db"
    arguments = ["crawl", "--projects", str(projects), "--cache", str(tmp_path / "cache"),
                 "--db", str(db), "--jobs", "2", "--pypi-index", ""]  # fmt: skip
    landed: list[threading.Thread] = []
    go = threading.Event()  # its project goes on once someone joins it, or the test is done
    real_start, real_join, work = threading.Thread.start, threading.Thread.join, crawling.crawl_project_work

    def start_then_ctrl_c(thread: threading.Thread) -> None:
        real_start(thread)
        if thread.name.startswith("ThreadPoolExecutor") and not landed:
            landed.append(thread)
            signal.raise_signal(signal.SIGINT)

    def join(thread: threading.Thread, timeout: float | None = None) -> None:
        if thread in landed:
            go.set()
        real_join(thread, timeout)

    def waiting_work(*args: object, **kwargs: object) -> crawling.ProjectWork:
        go.wait(STOP)  # a hang detector: past it the crawl ends uninterrupted and the test fails
        return work(*args, **kwargs)

    monkeypatch.setattr(threading.Thread, "start", start_then_ctrl_c)
    monkeypatch.setattr(threading.Thread, "join", join)
    monkeypatch.setattr(crawling, "crawl_project_work", waiting_work)
    try:
        result = CliRunner().invoke(cli, arguments)
        left_running = landed[0].is_alive()
    finally:
        go.set()
        for thread in landed:
            real_join(thread)

    assert not left_running
    assert result.exit_code == 130, result.output
    assert result.output.splitlines()[-1] == INTERRUPTED.format(db=db)
    assert failed_crawls(db) == 0


# -- files end cleanly -------------------------------------------------------------------------

APP = "from flask import make_response\n\n\ndef index():\n    return make_response('hi')\n"


def test_a_failed_fetch_leaves_no_partial_objects_and_says_the_disk_is_full(
    make_repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """git runs out of space mid-fetch (a wrapper that leaves what a killed fetch leaves)."""
    import git as gitpython

    old = make_repo({"app.py": APP}, name="old")
    new = make_repo({"app.py": APP}, name="new")
    projects = tmp_path / "projects.toml"
    projects.write_text(f'[[project]]\nname = "Old"\nurl = "{old.url}"\n', encoding="utf-8")
    arguments = ["crawl", "--projects", str(projects), "--cache", str(tmp_path / "cache"),
                 "--db", str(tmp_path / "miner.db"), "--jobs", "1", "--pypi-index", ""]  # fmt: skip
    assert CliRunner().invoke(cli, arguments).exit_code == 0
    (entry,) = [path for path in (tmp_path / "cache").iterdir() if path.is_dir()]
    old.commit({"more.py": APP})
    projects.write_text(
        f'[[project]]\nname = "Old"\nurl = "{old.url}"\n\n[[project]]\nname = "New"\nurl = "{new.url}"\n',
        encoding="utf-8",
    )
    full = tmp_path / "git-on-a-full-disk"
    full.write_text(
        "#!/bin/sh\n"
        'for arg; do case "$arg" in --git-dir=*) dir="${arg#--git-dir=}";; esac; done\n'
        'case " $* " in *" fetch "*)\n'
        '  mkdir -p "$dir/objects/pack" "$dir/objects/incoming-ab12" "$dir/objects/3f"\n'
        '  echo partial > "$dir/objects/pack/tmp_pack_x1"; echo partial > "$dir/objects/3f/tmp_obj_y"\n'
        '  echo "error: write error: No space left on device" >&2\n'
        '  echo "fatal: index-pack failed" >&2; exit 128;;\n'
        "esac\n"
        f'exec {shutil.which("git")} "$@"\n',
        encoding="utf-8",
    )
    full.chmod(0o755)
    monkeypatch.setattr(gitpython.Git, "GIT_PYTHON_GIT_EXECUTABLE", str(full))

    result = CliRunner().invoke(cli, arguments)

    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if ": FAILED: " in line]
    assert lines == [  # the same error is said once
        "Old: FAILED: the disk is full (free space where --cache points, then crawl again)",
        "New: FAILED: the same error as Old",
    ]
    assert [path for path in (tmp_path / "cache").iterdir() if path.is_dir()] == [entry]
    leftovers = [*entry.glob("objects/pack/tmp_*"), *entry.glob("objects/*/tmp_obj_*"),
                 *entry.glob("objects/incoming-*")]  # fmt: skip
    assert leftovers == []
    with sqlite3.connect(tmp_path / "miner.db") as conn:  # the last good crawl's rows stay
        assert conn.execute("SELECT path FROM files WHERE project = 'Old'").fetchall() == [("app.py",)]
    conn.close()


@pytest.fixture
def rendered(make_repo, tmp_path: Path) -> Path:
    """A crawled database and its rendered page; returns the page."""
    remote = make_repo({"app.py": APP}, name="pages")
    projects = tmp_path / "projects.toml"
    projects.write_text(f'[[project]]\nname = "P"\nurl = "{remote.url}"\n', encoding="utf-8")
    crawled = CliRunner().invoke(cli, ["crawl", "--projects", str(projects), "--cache",
                                       str(tmp_path / "cache"), "--db", str(tmp_path / "miner.db"),
                                       "--jobs", "1"])  # fmt: skip
    assert crawled.exit_code == 0, crawled.output
    result = CliRunner().invoke(cli, ["render", "--db", str(tmp_path / "miner.db"), "--out",
                                      str(tmp_path / "site")])  # fmt: skip
    assert result.exit_code == 0, result.output
    return tmp_path / "site" / "flask" / "flask-helpers-make-response-examples.markdown"


def test_a_symlink_at_a_page_path_is_replaced_not_followed(rendered: Path, tmp_path: Path) -> None:
    page = rendered.read_bytes()
    outside = tmp_path / "outside.txt"
    outside.write_text("not miner's\n", encoding="utf-8")
    rendered.unlink()
    rendered.symlink_to(outside)

    result = CliRunner().invoke(cli, ["render", "--db", str(tmp_path / "miner.db"), "--out",
                                      str(tmp_path / "site")])  # fmt: skip

    assert result.exit_code == 0, result.output
    assert outside.read_text(encoding="utf-8") == "not miner's\n"
    assert not rendered.is_symlink() and rendered.read_bytes() == page


def test_a_full_disk_leaves_every_page_whole(rendered: Path, tmp_path: Path) -> None:
    """A write that fails half-way (the file-size limit: a disk full for this process)."""
    import resource

    page = rendered.read_bytes()
    limit = len(page) // 2

    def small_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes fail with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = subprocess.run(
        [sys.executable, "-m", "miner", "render", "--db", str(tmp_path / "miner.db"), "--out",
         str(tmp_path / "site")],
        capture_output=True, text=True, preexec_fn=small_disk, timeout=DEADLINE,
        cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip

    assert result.returncode == 1, result.stderr
    assert "flask.helpers.make_response: page not written: " in result.stderr
    assert "File too large" in result.stderr and "Traceback" not in result.stderr
    assert rendered.read_bytes() == page  # the old page, whole
    assert not list(rendered.parent.glob(".*.tmp"))  # no temporary file left either

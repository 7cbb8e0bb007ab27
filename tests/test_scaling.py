"""Nothing quadratic: the work per input grows in step with the input (counted, not timed).

Each test runs a generated input at size n and 2n and counts the lines of miner's code it
executes: a linear version doubles them, a quadratic one quadruples them. (The quadratic
versions took 1.1 s at 2,000 uses of one name and 115 s for a 616 kB file of imports.)
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import miner
from miner import excerpt, metadata, outline, rank, sources, store
from miner.crawl import crawl
from miner.model import Project
from miner.targets import discover

N = 1000
MINER = str(Path(miner.__file__).parent)


def imports(n: int) -> tuple[str, list[int]]:
    """A file of n imports of the name: every line is a use."""
    return "from flask import request\n" * n, list(range(1, n + 1))


def calls(n: int) -> tuple[str, list[int]]:
    """One function calling the name on each of its n lines."""
    return "from flask import abort\n\n\ndef f():\n" + "    abort(1)\n" * n, list(range(5, n + 5))


def steps(run: Callable[[], object]) -> int:
    """Lines of miner's code that `run()` executes: a count of work that noise cannot move."""
    count = 0

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return local

    def calls(frame, event, arg):
        return local if frame.f_code.co_filename.startswith(MINER) else None

    sys.settrace(calls)
    try:
        run()
    finally:
        sys.settrace(None)
    return count


def spread(n: int) -> tuple[str, list[int]]:
    """n / 4 uses far enough apart that each gets its own fsp window (51 lines per use)."""
    gap, uses = "x = 1\n" * 50, n // 4
    return "from flask import abort\n" + f"abort(1)\n{gap}" * uses, [2 + 51 * i for i in range(uses)]


def growth(make: Callable[[int], tuple[str, list[int]]], run) -> float:
    """Steps at 2N over steps at N (caches cleared: each size starts cold)."""
    found = []
    for n in (N, 2 * N):
        excerpt._prepare.cache_clear()
        rank._names_of.cache_clear()
        text, lines = make(n)
        syntax = outline.of_text(text)  # made by the scan, not by what is measured
        found.append(steps(lambda text=text, lines=lines, syntax=syntax: run(text, lines, syntax)))
    return found[1] / found[0]


@pytest.mark.parametrize(
    ("style", "make"),
    [("focused", imports), ("focused", calls), ("fsp", imports), ("fsp", spread)],
    ids=["focused-imports", "focused-calls", "fsp-imports", "fsp-spread"],
)
def test_an_excerpt_is_linear_in_the_uses_of_a_file(style, make):
    ratio = growth(make, lambda text, lines, syntax: excerpt.make_excerpt(
        text, lines, "name", "big.py", style, outline=syntax))
    assert ratio < 2.5


@pytest.mark.parametrize("make", [imports, calls], ids=["imports", "calls"])
def test_scoring_a_file_is_linear_in_its_uses(make):
    ratio = growth(make, lambda text, lines, syntax: rank.text_facts(
        text, lines, "flask.helpers.abort", "flask", outline.dumps(syntax)))
    assert ratio < 2.5


def test_placing_an_excerpt_s_names_costs_the_same_in_a_file_of_any_size():
    """self_containedness reads the shown lines' names, not every name of the file."""
    found = []
    for n in (N, 2 * N):
        text = "from flask import abort\n" + "".join(f"x{i} = abort\n" for i in range(n))
        syntax = outline.of_text(text)
        rank._names_of(syntax)  # the names of a file are collected once, then cached
        found.append(steps(lambda syntax=syntax: rank.self_containedness(syntax, [(1, 2)], "flask")))
    assert found[0] == found[1]


def test_a_chain_of_requirement_includes_is_followed_once_per_file(monkeypatch):
    """requirements/r0.txt includes r1.txt, which includes r2.txt ... : each line parsed once."""
    chain = 2000  # followed from every file, as before, it parsed two million lines
    files: dict[str, bytes] = {
        f"requirements/r{i}.txt": f"-r r{i + 1}.txt\npackage{i}==1.0\n".encode()
        for i in range(chain)
    }
    files[f"requirements/r{chain}.txt"] = b"flask>=2.0,<3\n-r r0.txt\n"  # and a cycle back
    parsed = [0]
    original = metadata.Requirement

    def counting(line):
        parsed[0] += 1
        return original(line)

    monkeypatch.setattr(metadata, "Requirement", counting)
    assert metadata.declared_versions(files, "flask") == ">=2.0,<3"
    assert parsed[0] <= 3 * chain


def git_repo(path: Path, files: dict[str, str]) -> Path:
    """A repository with `files` committed in one go (quicker than one index write per file)."""
    for relative, text in files.items():
        (path / relative).parent.mkdir(parents=True, exist_ok=True)
        (path / relative).write_text(text, encoding="utf-8")
    author = ["-c", "user.name=Fixture", "-c", "user.email=fixture@example.org"]
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    subprocess.run(["git", "-C", str(path), "add", "-A"], check=True)
    subprocess.run(["git", *author, "-C", str(path), "commit", "-qm", "initial"], check=True)
    return path


def test_one_blob_under_many_paths_is_read_once(tmp_path, monkeypatch):
    """Identical files (sources and metadata) are read once; metadata files are capped."""
    copies = 300
    files = {f"pkg{i}/views.py": "from flask import abort\nabort(1)\n" for i in range(copies)}
    files |= {f"pkg{i}/requirements.txt": "flask>=2\n" for i in range(copies)}
    repo = git_repo(tmp_path / "repo", files)
    reads: list[str] = []
    original = sources._read_blob

    def counting(runner, checkout, path, sha):
        reads.append(path)
        return original(runner, checkout, path, sha)

    monkeypatch.setattr(sources, "_read_blob", counting)
    db = store.open_db(tmp_path / "miner.db")
    (result,) = crawl(db, [Project("demo", repo.as_uri())], discover("flask"), tmp_path / "cache",
                      jobs=1).results
    assert result.ok and result.uses == 2 * copies
    assert len([path for path in reads if path.endswith(".py")]) == 1
    assert len([path for path in reads if path.endswith(".txt")]) == 1
    assert db.execute("SELECT declared_versions FROM projects").fetchone() == (">=2",)


def test_metadata_files_beyond_the_cap_are_not_read(tmp_path):
    files = {f"d{i:04}/requirements.txt": f"package{i}\n" for i in range(metadata.MAX_FILES + 50)}
    files["setup.py"] = "from setuptools import setup\nsetup(name='x')\n"
    repo = git_repo(tmp_path / "repo", files)
    checkout = sources.fetch_project(Project("demo", repo.as_uri()), tmp_path / "cache")
    read = sources.read_files(checkout, metadata.wants_file, metadata.MAX_FILES)
    assert len(read) == metadata.MAX_FILES and "setup.py" in read  # the shallowest first

#!/usr/bin/env python
"""Time against input size, at 1x, 2x and 4x, for the inputs that used to be quadratic.

    python bench/scaling.py            # every case, base sizes
    python bench/scaling.py --base 2   # base sizes doubled

Cases: one file with many uses of a name (its excerpt and score facts), one blob under many
paths (a whole project crawl), a chain of `-r` requirement includes, and storing one project
into databases of growing size (the cleanup after every project). Linear work doubles from
1x to 2x and again to 4x: the last column is 4 for linear, 16 for quadratic. Each cell is the
fastest of --runs runs (default 3), wall and CPU seconds (CPU is steadier on a shared
machine). `--miner DIR` measures another source tree, e.g. an export of main before a change.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if "--miner" in sys.argv:  # another source tree (e.g. main before a change), for comparison
    sys.path.insert(0, sys.argv[sys.argv.index("--miner") + 1])

from miner import excerpt, metadata, outline, store  # noqa: E402
from miner.crawl import crawl  # noqa: E402
from miner.model import Checkout, FileScan, FileStatus, Project, Resolution, Use, UseKind  # noqa: E402
from miner.targets import discover  # noqa: E402


def timed(
    setup: Callable[[int], Callable[[], object]], size: int, runs: int
) -> tuple[float, float]:
    """Fastest of `runs` runs of the callable `setup(size)` returns: (wall, CPU) seconds."""
    best = (float("inf"), float("inf"))
    for _ in range(runs):
        run = setup(size)
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        best = min(best, (time.perf_counter() - wall, time.process_time() - cpu))
    return best


def many_uses(n: int) -> Callable[[], object]:
    """A file of n imports of one name: its focused excerpt."""
    text = "from flask import request\n" * n
    excerpt._prepare.cache_clear()
    syntax = outline.of_text(text)  # made by the scan, not by what is measured
    return lambda: excerpt.make_excerpt(
        text, range(1, n + 1), "request", "big.py", "focused", outline=syntax
    )


def requirement_chain(n: int) -> Callable[[], object]:
    """requirements/r0.txt includes r1.txt ... includes rn.txt, which names flask."""
    files = {f"requirements/r{i}.txt": f"-r r{i + 1}.txt\npackage{i}==1\n".encode()
             for i in range(n)}
    files[f"requirements/r{n}.txt"] = b"flask>=2\n"
    return lambda: metadata.declared_versions(files, "flask")


def one_blob(n: int) -> Callable[[], object]:
    """A project of n copies of one file (and n copies of one requirements file): a crawl."""
    work = Path(tempfile.mkdtemp(prefix="miner-scaling-"))
    repo = work / "repo"
    for i in range(n):
        (repo / f"p{i}").mkdir(parents=True)
        (repo / f"p{i}" / "views.py").write_text("from flask import abort\nabort(1)\n")
        (repo / f"p{i}" / "requirements.txt").write_text("flask>=2\n")
    author = ["-c", "user.name=b", "-c", "user.email=b@example.org"]
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "x"]):
        subprocess.run(["git", *author, "-C", str(repo), *command], check=True)
    library = discover("flask")
    db = store.open_db(work / "miner.db")
    return lambda: crawl(db, [Project("demo", repo.as_uri())], library, work / "cache", jobs=1)


def storing(n: int) -> Callable[[], object]:
    """Storing one 80-file project, every file changed, into a database of n projects."""
    work = Path(tempfile.mkdtemp(prefix="miner-scaling-"))
    db = store.open_db(work / "miner.db")

    def project_rows(number: int, generation: int = 0) -> tuple[Checkout, list, dict]:
        project = Project(f"p{number}", f"/nowhere/p{number}")
        use = Use("flask.helpers.abort", UseKind.CALL, Resolution.DIRECT, 2, 1, 2, 9, "",
                  "abort", "abort(1)")
        scans = [FileScan(f"f{i}.py", f"{generation}{number:07}{i:032}", FileStatus.SCANNED, 2, None,
                          (use,)) for i in range(80)]
        texts = {scan.blob_sha: "from flask import abort\nabort(1)\n" for scan in scans}
        return Checkout(project, work, "c" * 40, "main", ""), scans, texts

    for number in range(n):
        store.save_crawl(db, *project_rows(number), "t", "t")
    checkout, scans, texts = project_rows(0, generation=1)  # every file changed: old texts go
    return lambda: store.save_crawl(db, checkout, scans, texts, "t", "t")


CASES = [
    ("focused excerpt of one file, uses of one name", "uses", many_uses, 1000),
    ("`-r` include chain, requirements files", "files", requirement_chain, 200),
    ("crawl of one blob under many paths (+ as many requirements files)", "paths", one_blob, 100),
    ("storing one project (80 files) into a corpus of N projects", "projects", storing, 250),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", type=float, default=1.0, help="scale the base sizes")
    parser.add_argument("--miner", help="the miner source tree to measure (default: this one)")
    parser.add_argument("--runs", type=int, default=3, help="runs per cell; the fastest counts")
    args = parser.parse_args()
    print("| case | size 1x | 1x wall (CPU) s | 2x wall (CPU) s | 4x wall (CPU) s | 4x / 1x CPU |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, unit, setup, base in CASES:
        size = int(base * args.base)
        found = [timed(setup, size * factor, args.runs) for factor in (1, 2, 4)]
        cells = " | ".join(f"{wall:.3f} ({cpu:.3f})" for wall, cpu in found)
        growth = found[2][1] / found[0][1] if found[0][1] else float("nan")
        print(f"| {label} | {size} {unit} | {cells} | {growth:.1f} |")


if __name__ == "__main__":
    main()

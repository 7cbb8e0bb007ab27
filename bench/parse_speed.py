#!/usr/bin/env python
"""What the scan costs next to parsing: one table, every step measured in the same run.

    python bench/parse_speed.py                          # the six reference projects
    python bench/parse_speed.py --projects /work/corpus/flask.toml

Rows, on the same files (the .py files at each clone's HEAD, read into memory first):
`ast.parse` only, `libcst.parse_module` only (bytes in), parse plus a bare `CSTVisitor` over
every node, parse plus the outline ranking and pages read (miner/outline.py: one walk, one
code generation, compressed JSON; made for every file here, while the scan makes it only for
files with uses), miner's scan (`--jobs 1` and `--jobs 2`, every target, cross-file rounds
included) and semgrep with one rule per target. Each step runs in its own child process;
wall and CPU seconds (the child and its pool workers) are printed, and CPU as a ratio to
LibCST's parse-only time. The machine may be shared: compare ratios, and CPU over wall.
"""

from __future__ import annotations

import argparse
import ast
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH)]

import libcst as cst  # noqa: E402
import run as bench  # noqa: E402  (bench/run.py: corpus, child scan, semgrep)

from miner import outline  # noqa: E402
from miner.targets import discover  # noqa: E402

STEPS = ("ast", "libcst", "visitor", "outline")


class _Bare(cst.CSTVisitor):
    """Visits every node and does nothing: the floor of any visitor-based scan."""


def child_step(step: str, projects_file: Path) -> None:
    """Parse (and maybe visit) every file; print seconds, CPU and how many failed."""
    every = [f for _c, data in bench.corpus(projects_file).values() for f in data]
    cpu_before, started = bench._cpu(), time.perf_counter()
    failed = sum(not _parse(step, source.data) for source in every)
    seconds, cpu = time.perf_counter() - started, bench._cpu() - cpu_before
    print(json.dumps({"seconds": seconds, "cpu": cpu, "files": len(every), "failed": failed}))


def _parse(step: str, data: bytes) -> bool:
    try:
        if step == "ast":
            ast.parse(data)
        else:
            module = cst.parse_module(data)
            if step == "visitor":
                module.visit(_Bare())
            elif step == "outline":
                outline.stored(lambda: outline.build(module))
    except (SyntaxError, ValueError, RecursionError, MemoryError, cst.ParserSyntaxError):
        return False
    return True


def measure(command: list[str], repeat: int) -> dict:
    """The fastest (by CPU) of `repeat` runs of a child that prints its own JSON timings."""
    runs = []
    for _ in range(repeat):
        result = bench.checked(bench.run(command), " ".join(command[-3:]))
        runs.append(json.loads(result.stdout))
    return min(runs, key=lambda r: r["cpu"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    parser.add_argument("--projects", type=Path, default=bench.DEFAULT_PROJECTS)
    parser.add_argument("--repeat", type=int, default=1, help="runs per step, fastest kept")
    parser.add_argument("--no-semgrep", action="store_true", help="skip the semgrep row")
    args = parser.parse_args()
    if args.args and args.args[0] == "_step":
        child_step(args.args[1], Path(args.args[2]))
        return

    files = bench.corpus(args.projects)
    every = [f for _c, data in files.values() for f in data]
    python, projects = sys.executable, str(args.projects)
    labels = {
        "ast": "`ast.parse` only",
        "libcst": "`libcst.parse_module` only",
        "visitor": "parse + bare `CSTVisitor` over every node",
        "outline": "parse + outline of every file",
    }
    rows = [
        (labels[step], measure([python, __file__, "_step", step, projects], args.repeat))
        for step in STEPS
    ]
    for jobs in (1, 2):
        scan = [python, str(BENCH / "run.py"), "_scan", projects, str(jobs)]
        rows.append((f"miner scan `--jobs {jobs}`", measure(scan, args.repeat)))
    command = None if args.no_semgrep else bench.semgrep_command()
    if command:
        workdir = Path(tempfile.mkdtemp(prefix="miner-parse-bench-"))
        rules = workdir / "rules.yaml"
        bench.semgrep_rules(rules)
        bench.export(files, workdir / "corpus")
        runs = [bench.run_semgrep(command, rules, workdir / "corpus")[0] for _ in range(args.repeat)]
        fastest = bench.best(runs)
        rows.append(
            (f"semgrep, {len(discover('flask').targets)} rules", {
                "seconds": fastest.seconds, "cpu": fastest.cpu, "files": len(every)
            })
        )  # fmt: skip
        shutil.rmtree(workdir, ignore_errors=True)

    parse_cpu = next(r for label, r in rows if label.startswith("`libcst"))["cpu"]
    scan_walls = [r["seconds"] for label, r in rows if label.startswith("miner scan")]
    print(f"{len(files)} projects, {len(every)} files, {sum(len(f.data) for f in every):,} bytes")
    print(f"python {sys.version.split()[0]}, libcst {cst_version()}\n")
    print("| step | wall s | CPU s | CPU x libcst parse |")
    print("|---|---:|---:|---:|")
    for label, result in rows:
        ratio = result["cpu"] / parse_cpu if parse_cpu else 0
        print(f"| {label} | {result['seconds']:.1f} | {result['cpu']:.1f} | {ratio:.2f} |")
    if len(scan_walls) == 2 and scan_walls[1]:
        print(f"\n`--jobs 2` is {scan_walls[0] / scan_walls[1]:.2f}x faster than `--jobs 1` (wall)")


def cst_version() -> str:
    from importlib.metadata import version

    return version("libcst")


if __name__ == "__main__":
    main()

#!/usr/bin/env python
"""Where a cold crawl's CPU goes: one table of stages, from py-spy samples of every process.

    pip install py-spy                                   # a bench tool, not a miner dependency
    python bench/crawl_profile.py --projects /work/corpus/flask.toml [--jobs 1] [--miner TREE]

Runs `miner crawl` (fresh cache and database in a temporary folder) under `py-spy record
--subprocesses`, sorts every sample by the first stage its stack belongs to, and prints each
stage's share of the busy samples of miner's own processes (the main one and the workers;
git's processes are not Python, and threads that only wait are left out). Multiply a share by
the crawl's CPU time for seconds. A loaded machine inflates samples evenly: compare shares.
"""

from __future__ import annotations

import argparse
import collections
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _any(*names: str) -> Callable[[list[str]], bool]:
    return lambda frames: any(name in frames for name in names)


def _scan(*names: str) -> Callable[[list[str]], bool]:
    return lambda frames: "scan_file" in frames and any(name in frames for name in names)


#: (stage, test on a stack's function names, outermost first): the first stage that matches.
STAGES: list[tuple[str, Callable[[list[str]], bool]]] = [
    ("excerpt facts (rank.text_facts)", _any("compute_facts", "_facts_of_file")),
    ("ranking and drift (main)", _any("rank_pages", "detect_drift")),
    ("store writes (main)", _any("store_work")),
    ("scan: cyclic GC after a file", lambda f: "scan_file" in f and f[-1].endswith("__exit__")),
    ("scan: byte precheck", _scan("_precheck")),
    ("scan: LibCST parse", _scan("parse_module")),
    ("scan: positions (one code generation)", _scan("_generate", "Positions.__init__")),
    ("scan: outline", lambda f: "scan_file" in f and any(x.startswith("outline") for x in f)),
    ("scan: resolver walk", lambda f: "scan_file" in f and any(x.startswith("Resolver") for x in f)),
    ("scan: the rest (decode, prefilter, results)", _any("scan_file", "_scan_one")),
    ("reading blobs and metadata files", _any("iter_source_files", "read_files", "_load")),
    ("metadata (license, description)", _any("describe")),
    ("git fetch, history, ls-remote (driving)", _any("fetch_project", "history", "remote_head")),
    ("scan rounds' orchestration", _any("scan_tree")),
    ("reading the database ahead (main)", _any("_prefetched")),
    ("pickling and pipes", _any("dumps", "loads", "send_bytes", "_recv_bytes", "_send_bytes")),
    ("start-up (imports, library targets)", _any("_find_and_load", "discover", "for_library")),
    ("(no Python frame: interpreter, exit)", lambda f: not f),
]
#: Samples of threads that only wait (pool managers, feeders, the parent watch) are not work.
WAITING = ("Condition.wait", "Event.wait", "select", "_exit_with_parent", "_wait_for_tstate_lock")


def stage_of(frames: list[str]) -> str | None:
    if any(wait in frame for frame in frames[-3:] for wait in WAITING):
        return None
    return next((name for name, test in STAGES if test(frames)), "other")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--projects", type=Path, default=ROOT / "bench" / "projects.toml")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--miner", type=Path, default=ROOT, help="the miner source tree to run")
    parser.add_argument("--rate", type=int, default=50, help="samples per second")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="miner-profile-") as work:
        raw = Path(work) / "samples.txt"
        command = [
            "py-spy", "record", "--subprocesses", "-r", str(args.rate), "-f", "raw", "-o", str(raw),
            "--", sys.executable, "-m", "miner", "crawl", "-q", "--projects", str(args.projects),
            "--cache", f"{work}/cache", "--db", f"{work}/miner.db", "--pypi-index", "",
            "--jobs", str(args.jobs),
        ]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(args.miner)}
        subprocess.run(command, check=True, env=env, cwd=args.miner, capture_output=True)
        samples = collections.Counter()
        for line in raw.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            frames = [frame.split(" (")[0] for frame in stack.split(";")]
            frames = [f for f in frames if not f.startswith("process ")]
            stage = stage_of(frames)
            if stage is not None:
                samples[stage] += int(count)
    busy = sum(samples.values())
    print(f"cold crawl, --jobs {args.jobs}, {args.projects}: {busy} busy samples\n")
    print("| stage | share of samples |")
    print("|---|---:|")
    for stage, count in samples.most_common():
        print(f"| {stage} | {100 * count / busy:.1f}% |")


if __name__ == "__main__":
    main()

#!/usr/bin/env python
"""Print miner's precision and recall on the gold set (tests/gold/), per form and per kind.

    python bench/accuracy.py [--library flask]

Each gold file is one form (an import style, a kind of use, a trap); a directory is one
project scanned as a whole. The expected uses are the `# expect:` comments; every other line
must yield nothing. tests/test_gold.py requires 100%; this prints where any shortfall is.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from gold.evaluate import score  # noqa: E402

from miner.scan import ScanContext  # noqa: E402
from miner.targets import discover  # noqa: E402


def ratio(hits: int, total: int) -> str:
    return f"{hits / total:.3f}" if total else "-"


def table(title: str, groups: dict[str, tuple[set, set]]) -> None:
    print(f"\n| {title} | expected | found | correct | precision | recall |")
    print("|---|---:|---:|---:|---:|---:|")
    every_expected: set = set()
    every_found: set = set()
    for name, (expected, found) in groups.items():
        hits = len(expected & found)
        print(
            f"| {name} | {len(expected)} | {len(found)} | {hits} "
            f"| {ratio(hits, len(found))} | {ratio(hits, len(expected))} |"
        )
        every_expected |= expected
        every_found |= found
    hits = len(every_expected & every_found)
    print(
        f"| **all** | {len(every_expected)} | {len(every_found)} | {hits} "
        f"| {ratio(hits, len(every_found))} | {ratio(hits, len(every_expected))} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--library", default="flask")
    args = parser.parse_args()
    scores = score(ScanContext.for_library(discover(args.library)))

    print(f"# miner on the gold set ({len(scores)} files)")
    table("form", {s.form: (set(s.expected), set(s.found)) for s in scores})

    by_kind: dict[str, tuple[set, set]] = defaultdict(lambda: (set(), set()))
    for s in scores:
        for key in s.expected:
            by_kind[key[3]][0].add((s.form, *key))
        for key in s.found:
            by_kind[key[3]][1].add((s.form, *key))
    table("kind", dict(sorted(by_kind.items())))

    for s in scores:
        for key in sorted(s.expected - s.found):
            print(f"missed: {s.form}:{key[1]} {key[2]} {key[3]}")
        for key in sorted(s.found - s.expected):
            print(f"wrong:  {s.form}:{key[1]} {key[2]} {key[3]}")


if __name__ == "__main__":
    main()

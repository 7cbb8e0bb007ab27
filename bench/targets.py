#!/usr/bin/env python
"""Why target discovery reads the library's source with `ast`, not LibCST: parse every module
`miner targets` reads, both ways, side by side in one run, and time the whole discovery.

    python bench/targets.py [--library django]
"""

from __future__ import annotations

import argparse
import ast
import sys
import time
from pathlib import Path

import libcst

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from miner import targets  # noqa: E402


def timed(function, *args) -> float:
    start = time.process_time()
    function(*args)
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--library", default="django")
    args = parser.parse_args()
    package = targets._installed_package(args.library)
    sources = [package.read(path) for path in package.files.values()]
    size = sum(map(len, sources)) / 1e6
    parse_ast = timed(lambda: [ast.parse(source) for source in sources])
    parse_cst = timed(lambda: [libcst.parse_module(source) for source in sources])
    targets._INSTALLED.clear()
    discovery = timed(targets.discover, args.library)
    print(f"# {args.library} {package.version}: {len(sources)} modules, {size:.1f} MB (CPU seconds)")
    print("| step | CPU s | x ast |")
    print("|---|---:|---:|")
    for name, seconds in (("ast.parse, every module", parse_ast),
                          ("libcst.parse_module, every module", parse_cst),
                          ("miner targets (ast), whole discovery", discovery)):  # fmt: skip
        print(f"| {name} | {seconds:.2f} | {seconds / parse_ast:.1f} |")


if __name__ == "__main__":
    main()

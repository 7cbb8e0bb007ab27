#!/usr/bin/env python
"""Set miner's pages beside the reference site's, page by page and case by case.

    python bench/versus.py --reference DIR --site SITE [--library flask] [--pairs]

DIR holds the reference site's example pages for one library (in the fullstackpython.com
repository: ``content/pages/examples/flask``); SITE is a ``miner render`` output folder. A
reference page is matched with miner's page of the same name, a name page or a module page,
directly or through SITE's redirect map (the reference names some pages by their import path:
``flask-request``).

For every matched page the table gives both sides' example counts, the projects both show,
and the median excerpt length. ``--pairs`` lists each project both pages show, with the file
and length on each side: the cases a reader compares head to head. Excerpt lengths count the
lines inside the code fence, markers included, as a reader scrolls them.
"""

from __future__ import annotations

import argparse
import itertools
import re
import statistics
from dataclasses import dataclass
from pathlib import Path

EXAMPLE = re.compile(r"^## Example \d+ from (?P<project>.+)$", re.M)
FILE_LINK = re.compile(r"^\[\*\*(?P<file>[^*]+)\*\*\]\((?P<url>[^)]*)\)", re.M)
FENCE = re.compile(r"^(`{3,})python\n(?P<code>.*?)^\1\s*$", re.M | re.S)


@dataclass(frozen=True)
class Example:
    project: str
    file: str
    lines: int
    highlighted: int
    markers: int


def examples(markdown: str) -> list[Example]:
    """The examples of one page, in page order."""
    found = []
    heads = list(EXAMPLE.finditer(markdown))
    for head, after in itertools.pairwise([*heads, None]):
        body = markdown[head.end() : after.start() if after else len(markdown)]
        link, fence = FILE_LINK.search(body), FENCE.search(body)
        if not link or not fence:
            continue
        code = fence["code"].splitlines()
        found.append(
            Example(
                project=head["project"].strip(),
                file=_unescaped(re.sub(r"\s*/\s*", "/", link["file"])).split("/", 1)[-1],
                lines=len(code),
                highlighted=sum(line.startswith("~~") for line in code),
                markers=sum(line.startswith("## ...") for line in code),
            )
        )
    return found


def _unescaped(text: str) -> str:
    """Link text as Markdown shows it: miner escapes ``_`` and other markup characters."""
    return re.sub(r"\\(.)", r"\1", text)


def redirects(site: Path, library: str) -> dict[str, str]:
    path = site / "redirects" / f"{library}.txt"
    if not path.exists():
        return {}
    pairs = (line.split() for line in path.read_text().splitlines() if line.strip())
    return {old.strip("/"): new.strip("/") for old, new in pairs}


def our_page(site: Path, library: str, reference_slug: str, moved: dict[str, str]) -> Path | None:
    """miner's name page or module page (``modules/LIBRARY/``) for a reference page."""
    name = reference_slug.removesuffix("-examples") + "-examples"
    name = Path(moved.get(f"{name}.html", f"{name}.html")).stem
    found = [site / library / f"{name}.markdown", site / "modules" / library / f"{name}.markdown"]
    return next((path for path in found if path.exists()), None)


def _key(project: str) -> str:
    return re.sub(r"[^a-z0-9]", "", project.lower())


def _median(values: list[int]) -> str:
    return f"{statistics.median(values):.0f}" if values else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, required=True)
    parser.add_argument("--site", type=Path, required=True)
    parser.add_argument("--library", default="flask")
    parser.add_argument("--pairs", action="store_true", help="list each project both pages show")
    args = parser.parse_args()

    moved = redirects(args.site, args.library)
    rows, pairs, unmatched = [], [], []
    theirs_all, ours_all = [], []
    for reference in sorted(args.reference.glob("*.markdown")):
        theirs = examples(reference.read_text())
        if not theirs:
            continue
        page = our_page(args.site, args.library, reference.stem, moved)
        if page is None:
            unmatched.append(reference.stem)
            continue
        ours = examples(page.read_text())
        by_project = {_key(example.project): example for example in ours}
        common = [(t, by_project[_key(t.project)]) for t in theirs if _key(t.project) in by_project]
        pairs += [(reference.stem, t, o) for t, o in common]
        theirs_all += [e.lines for e in theirs]
        ours_all += [e.lines for e in ours]
        rows.append(
            f"| {reference.stem} | {len(theirs)} | {len(ours)} | {len(common)} | "
            f"{sum(t.file == o.file for t, o in common)} | "
            f"{_median([e.lines for e in theirs])} | {_median([e.lines for e in ours])} |"
        )

    print("| reference page | their examples | ours | projects in both | same file | their median lines | ours |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))
    print(
        f"| all {len(rows)} matched pages | {len(theirs_all)} | {len(ours_all)} | {len(pairs)} | "
        f"{sum(t.file == o.file for _, t, o in pairs)} | {_median(theirs_all)} | {_median(ours_all)} |"
    )
    if unmatched:
        print(f"\nno miner page for {len(unmatched)}: {', '.join(unmatched)}")
    if args.pairs:
        print("\n| page | project | their file | lines | our file | lines |")
        print("|---|---|---|---:|---|---:|")
        for page, t, o in pairs:
            print(f"| {page} | {t.project} | {t.file} | {t.lines} | {o.file} | {o.lines} |")


if __name__ == "__main__":
    main()

"""Score the scanner against the gold set: files whose expected uses are trailing comments.

A line ending in `# expect: QUALNAME KIND; QUALNAME KIND` must yield exactly those uses;
every other line must yield none (that is what keeps precision honest). Kind `foreign` marks
another library's name used through the library's module (a foreign_names row, no page):
`# expect: flask.signals.Namespace foreign`. Each file is one
form; a directory under gold/ is one project, scanned as a whole (cross-file re-exports).
Used by tests/test_gold.py (which requires 100%) and bench/accuracy.py (which prints it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from miner.model import SourceFile
from miner.scan import ScanContext, scan_project

GOLD = Path(__file__).parent
EXPECT = re.compile(r"#\s*expect:\s*(.+)$")

Key = tuple[str, int, str, str]  # path, line, qualname, kind


@dataclass(frozen=True)
class FormScore:
    form: str
    expected: frozenset[Key]
    found: frozenset[Key]

    @property
    def true_positives(self) -> int:
        return len(self.expected & self.found)

    @property
    def precision(self) -> float:
        return self.true_positives / len(self.found) if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / len(self.expected) if self.expected else 1.0


def expected_uses(path: str, text: str) -> set[Key]:
    keys: set[Key] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            for item in match.group(1).split(";"):
                qualname, kind = item.split()
                keys.add((path, number, qualname, kind))
    return keys


def project_files(root: Path) -> list[SourceFile]:
    return [
        SourceFile(path.relative_to(root).as_posix(), f"blob-{index}", path.read_bytes())
        for index, path in enumerate(sorted(root.rglob("*.py")))
        if path.name != "evaluate.py" and "__pycache__" not in path.parts
    ]


#: The gold set of each target library: Flask's here, Django's and SQLAlchemy's beside it.
ROOTS = {"flask": GOLD, "django": GOLD.parent / "gold_django", "sqlalchemy": GOLD.parent / "gold_sqlalchemy"}


def score(context: ScanContext, root: Path | None = None) -> list[FormScore]:
    """One score per gold file of the library's gold set, each scanned within its project."""
    root = root or ROOTS[context.library]
    scores = []
    for project in sorted(p for p in root.iterdir() if p.is_dir() and p.name != "__pycache__"):
        files = project_files(project)
        scans = {scan.path: scan for scan in scan_project(files, context)}
        for source in files:
            expected = expected_uses(source.path, source.data.decode("utf-8"))
            scan = scans[source.path]
            found = {(source.path, use.line, use.qualname, use.kind.value) for use in scan.uses}
            found.update((source.path, line, path, "foreign") for line, path, _ in scan.foreign)
            form = f"{project.name}/{source.path}"
            scores.append(FormScore(form, frozenset(expected), frozenset(found)))
    return scores

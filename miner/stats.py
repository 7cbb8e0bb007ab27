"""`miner stats`: what the database holds, project by project, with every reason in full.

The crawl prints one short line per project; the whole of a failure (the url, git's own
words) and of a note is in the crawls table, and this is where a person reads it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

from miner.progress import plural
from miner.resources import resource_dir

#: The same question `miner serve` offers as a canned query.
LAST_CRAWLS = "last_crawls.sql"


def stats_lines(db: sqlite3.Connection, db_path: Path) -> Iterator[str]:
    """A header with the counts, then failures (their stored error in full), then the rest."""
    sql = (resource_dir("queries") / LAST_CRAWLS).read_text(encoding="utf-8")
    cursor = db.execute(sql)
    columns = [column[0] for column in cursor.description]
    rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    if not rows:
        yield f"{db_path}: no crawl yet (run miner crawl)"
        return
    failed = sum(row["status"] != "ok" for row in rows)
    uses = sum(row["uses"] or 0 for row in rows if row["status"] == "ok")
    yield (
        f"{db_path}: {len(rows)} projects, last crawled {max(r['finished_at'] for r in rows)}: "
        f"{len(rows) - failed} ok ({plural(uses, 'use')}), {failed} failed"
    )
    for row in rows:
        if row["status"] != "ok":
            kept = f" (pages keep {row['shown']})" if row["shown"] else ""
            error = (row["error"] or "").removeprefix(f"{row['project']}: ")
            yield f"{row['project']}: FAILED{kept}: {error}"
            continue
        source = "PyPI release" if row["source"] == "pypi" else "git"
        found = f"{plural(row['files'], 'file')}, {plural(row['uses'], 'use')}"
        yield f"{row['project']}: {source} {row['shown']}: {found}"
        if row["note"]:
            yield f"  note: {row['note']}"

"""Incremental ranking: score again only the pages whose inputs changed, reusing text facts.

A candidate's score has costly parts that only its file's text and highlighted lines decide
(rank.TextFacts: the excerpt, the names it reads, a hash of the text) and cheap parts that
depend on the corpus (typicality) or on the project. The costly parts are stored per (blob,
name, lines, rank key) in `excerpt_facts` and computed once, on the worker pool. A crawl
scores again only the pages (names) with a use in a project whose rows changed, and pages
never scored under this ranking code, from stored rows and corpus-wide counts that SQLite
aggregates: a file is read only when its facts are not stored yet.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Collection, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from miner import excerpt, misuse, outline, rank, shapes, store
from miner.model import Use
from miner.resources import resource_dir
from miner.store import Database


@functools.cache
def rank_key() -> str:
    """A hash of the ranking, excerpt, outline, shape and misuse code and of the misuse rules:
    stored facts and rankings are reused only under the same one (a rules edit re-ranks)."""
    digest = hashlib.sha256()
    for module in (rank, excerpt, outline, shapes, misuse):
        digest.update(Path(module.__file__ or "").read_bytes())
    for rules in sorted((resource_dir("data") / "misuse").glob("*.toml")):
        digest.update(rules.name.encode() + b"\0" + rules.read_bytes())
    return digest.hexdigest()[:32]


def lines_key(lines: Iterable[int]) -> str:
    """The highlighted lines of a candidate, as part of its facts' key."""
    return hashlib.sha1(json.dumps(sorted(set(lines))).encode()).hexdigest()[:20]


@dataclass(frozen=True, slots=True)
class FactsJob:
    """One (blob, name) whose text facts are to be computed: picklable, for a worker."""

    blob_sha: str
    qualname: str
    lines: tuple[int, ...]
    text: str
    library: str
    outline: bytes | None = None  #: the file's outline, as stored (see miner.outline)
    shapes: tuple[tuple[int, str], ...] = ()  #: (line, usage shape) of the uses (rank.use_shapes)


def compute_facts(job: FactsJob) -> dict[str, object] | None:
    """The `excerpt_facts` row of one job (runs in a worker process); None when no excerpt
    can show those lines (the candidate is then left out, as it could not be shown)."""
    try:
        facts = rank.text_facts(
            job.text, job.lines, job.qualname, job.library, job.outline, job.shapes
        )
    except ValueError:
        return None
    return facts_row(job.blob_sha, job.qualname, job.lines, facts)


def lines_by_name(uses: Iterable[Use]) -> dict[str, tuple[int, ...]]:
    """name -> the sorted lines of its uses: what each candidate of a file highlights."""
    lines: dict[str, set[int]] = {}
    for use in uses:
        lines.setdefault(use.qualname, set()).add(use.line)
    return {qualname: tuple(sorted(found)) for qualname, found in lines.items()}


def shapes_by_name(uses: Iterable[Use]) -> dict[str, tuple[tuple[int, str], ...]]:
    """name -> the (line, usage shape) of its uses, for its excerpt (see rank.use_shapes).

    The shapes of a blob's uses follow from its text, like their lines: `lines_key` keys both.
    """
    found: dict[str, list[Use]] = {}
    for use in uses:
        found.setdefault(use.qualname, []).append(use)
    return {qualname: rank.use_shapes(of_name) for qualname, of_name in found.items()}


def facts_row(
    blob_sha: str, qualname: str, lines: Iterable[int], facts: rank.TextFacts
) -> dict[str, object]:
    return {
        "blob_sha": blob_sha,
        "qualname": qualname,
        "lines": lines_key(lines),
        "rank_key": rank_key(),
        **asdict(facts),
        "generated": int(facts.generated),
        "dead": json.dumps(facts.dead),
    }


Mapper = Callable[..., Iterable[dict[str, object] | None]]


def rank_pages(
    db: Database, library: str, changed_projects: Collection[str], mapper: Mapper = map
) -> int:
    """Score the candidates of every stale page (see `store.stale_pages`); returns how many.

    Facts missing from the database are computed through `mapper` (a worker pool's map).
    """
    key = rank_key()
    pages = sorted(store.stale_pages(db, changed_projects, key))
    if pages:
        store.forget_other_facts(db, key)
    return sum(
        _rank_batch(db, library, pages[start : start + PAGES_AT_ONCE], key, mapper)
        for start in range(0, len(pages), PAGES_AT_ONCE)
    )


#: Pages scored together: memory holds the uses of this many pages, not of the corpus.
PAGES_AT_ONCE = 40


def _rank_batch(db: Database, library: str, pages: list[str], key: str, mapper: Mapper) -> int:
    """Score the candidates of these pages and store them."""
    inputs = store.scoring_inputs(db, pages)
    wanted = {
        (file.blob_sha, qualname, lines_key(_lines(file, qualname))): (qualname, file)
        for qualname, file in inputs
    }
    known = store.load_facts(db, key, {file.blob_sha for _q, file in inputs})
    missing = [wanted[k] for k in wanted.keys() - known.keys()]
    if missing:
        texts = store.load_texts(db, {file.blob_sha for _q, file in missing})
        jobs = [
            FactsJob(file.blob_sha, qualname, _lines(file, qualname), *texts[file.blob_sha][:1],
                     library, texts[file.blob_sha][1],
                     rank.use_shapes(use for use in file.uses if use.qualname == qualname))
            for qualname, file in missing
        ]
        rows = [row for row in mapper(compute_facts, jobs) if row]
        store.save_facts(db, rows)
        known.update(((r["blob_sha"], r["qualname"], r["lines"]), r) for r in rows)
    files_of: dict[str, list[store.FileCandidate]] = {}
    for qualname, file in inputs:
        files_of.setdefault(qualname, []).append(file)
    usage = {qualname: rank.usage_of(files, qualname) for qualname, files in files_of.items()}
    rows, labels = [], {}
    for qualname, file in inputs:
        row = known.get((file.blob_sha, qualname, lines_key(_lines(file, qualname))))
        if row is None:  # no excerpt can show its lines: it cannot be an example
            continue
        facts = _facts(row)
        score = rank.score_file(file, qualname, usage[qualname], library, facts=facts)
        row = {"qualname": qualname, "project": file.project.name, "path": file.path}
        row.update(asdict(score), shapes=json.dumps(score.shapes), rank_key=key)
        rows.append(row)
        labels[(file.project.name, file.path)] = score.source_label
    store.replace_candidates(db, pages, rows)
    store.save_use_scores(db, labels, rank.SOURCE_KINDS, rank.COMFORTABLE_DEFINITION, pages)
    return len(rows)


def _lines(file: store.FileCandidate, qualname: str) -> tuple[int, ...]:
    return lines_by_name(use for use in file.uses if use.qualname == qualname)[qualname]


def _facts(row: dict[str, object]) -> rank.TextFacts:
    return rank.TextFacts(
        conciseness=float(row["conciseness"]),  # type: ignore[arg-type]
        self_contained=float(row["self_contained"]),  # type: ignore[arg-type]
        excerpt_lines=int(row["excerpt_lines"]),  # type: ignore[call-overload]
        content_hash=str(row["content_hash"]),
        generated=bool(row["generated"]),
        dead=tuple(json.loads(str(row.get("dead") or "[]"))),
    )

"""A crawl pays only for what changed: scores of unchanged files are reused, never recomputed."""

from __future__ import annotations

import shutil

import pytest

from miner import rank, rerank, store
from miner.crawl import crawl
from miner.model import Project
from miner.resources import resource_dir
from miner.targets import discover

VIEWS = (
    "from flask import abort, make_response\n\n\n"
    "def show(item):\n    if item is None:\n        abort(404)\n"
    "    return make_response(item, 200)\n"
)
OTHER = "from flask import abort\n\n\ndef gone():\n    abort(410)\n"


@pytest.fixture(scope="module")
def flask_library():
    return discover("flask")


def candidate_rows(db) -> list[tuple]:
    columns = [c for c in db["candidates"].columns_dict if c != "rank_key"]
    return sorted(tuple(row[c] for c in columns) for row in db["candidates"].rows)


def counting(monkeypatch) -> list[str]:
    """Count the text facts computed (each builds an excerpt)."""
    computed: list[str] = []
    original = rank.text_facts

    def counted(text, lines, qualname, library, outline=None, shapes=()):
        computed.append(qualname)
        return original(text, lines, qualname, library, outline, shapes)

    monkeypatch.setattr(rank, "text_facts", counted)
    return computed


def test_one_changed_file_recomputes_only_its_own_facts_and_scores_as_a_fresh_crawl(
    make_repo, tmp_path, flask_library, monkeypatch
):
    first = make_repo({"shop/views.py": VIEWS, "shop/more.py": OTHER}, name="first")
    second = make_repo({"app/views.py": VIEWS.replace("200", "201")}, name="second")
    projects = [Project("first", first.url, position=0), Project("second", second.url, position=1)]
    db = store.open_db(tmp_path / "miner.db")
    computed = counting(monkeypatch)
    crawl(db, projects, flask_library, tmp_path / "cache", jobs=1)
    assert sorted(computed) == sorted(
        ["flask.helpers.abort", "flask.helpers.make_response"] * 2 + ["flask.helpers.abort"]
    )

    computed.clear()
    crawl(db, projects, flask_library, tmp_path / "cache", jobs=1)
    assert computed == []  # nothing changed: nothing ranked

    computed.clear()
    first.commit({"shop/more.py": OTHER.replace("410", "404")})
    crawl(db, projects, flask_library, tmp_path / "cache", jobs=1)
    assert computed == ["flask.helpers.abort"]  # only the changed file's excerpt

    fresh = store.open_db(tmp_path / "fresh.db")
    crawl(fresh, projects, flask_library, tmp_path / "fresh-cache", jobs=1)
    assert candidate_rows(db) == candidate_rows(fresh)
    query = "SELECT path, line, qualname, score_typicality, source_label FROM uses"
    assert sorted(db.execute(query).fetchall()) == sorted(fresh.execute(query).fetchall())


def test_a_name_a_project_stops_using_leaves_its_page(make_repo, tmp_path, flask_library):
    repo = make_repo({"shop/views.py": VIEWS})
    projects = [Project("demo", repo.url)]
    db = store.open_db(tmp_path / "miner.db")
    crawl(db, projects, flask_library, tmp_path / "cache", jobs=1)
    assert {row["qualname"] for row in db["candidates"].rows} == {
        "flask.helpers.abort", "flask.helpers.make_response"
    }
    repo.commit({"shop/views.py": OTHER})
    crawl(db, projects, flask_library, tmp_path / "cache", jobs=1)
    assert {row["qualname"] for row in db["candidates"].rows} == {"flask.helpers.abort"}
    # The old blob's text and facts went with it; the new blob's are there.
    (blob,) = {row["blob_sha"] for row in db["files"].rows}
    assert {row["blob_sha"] for row in db["sources"].rows} == {blob}
    assert {row["blob_sha"] for row in db["excerpt_facts"].rows} == {blob}


def test_identical_files_share_their_facts(make_repo, tmp_path, flask_library, monkeypatch):
    copies = {f"copy{number}/views.py": VIEWS for number in range(5)}
    repo = make_repo(copies)
    db = store.open_db(tmp_path / "miner.db")
    computed = counting(monkeypatch)
    crawl(db, [Project("demo", repo.url)], flask_library, tmp_path / "cache", jobs=1)
    assert sorted(computed) == ["flask.helpers.abort", "flask.helpers.make_response"]
    assert db["candidates"].count == 10


def test_pages_scored_in_small_batches_score_alike(make_repo, tmp_path, flask_library, monkeypatch):
    """Memory holds a batch of pages at a time; the scores do not depend on the batch size."""
    from miner import rerank

    repo = make_repo({"shop/views.py": VIEWS, "shop/more.py": OTHER})
    projects = [Project("demo", repo.url)]
    whole = store.open_db(tmp_path / "whole.db")
    crawl(whole, projects, flask_library, tmp_path / "cache", jobs=1)
    monkeypatch.setattr(rerank, "PAGES_AT_ONCE", 1)
    batched = store.open_db(tmp_path / "batched.db")
    crawl(batched, projects, flask_library, tmp_path / "cache-2", jobs=1)
    assert candidate_rows(batched) == candidate_rows(whole) != []


def test_an_edit_of_the_misuse_rules_changes_the_rank_key(tmp_path, monkeypatch) -> None:
    """Rules decide what counts as a use: a crawl after an edit re-ranks every page."""
    data = tmp_path / "data"
    shutil.copytree(resource_dir("data"), data)
    monkeypatch.setattr(rerank, "resource_dir", lambda name: data)
    rerank.rank_key.cache_clear()
    try:
        before = rerank.rank_key()
        rules = data / "misuse" / "django.toml"
        rules.write_text(rules.read_text() + "\n# one more rule\n")
        rerank.rank_key.cache_clear()
        assert rerank.rank_key() != before
    finally:
        rerank.rank_key.cache_clear()

"""`miner serve`: Datasette on a local port, with column descriptions and the canned queries."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from test_render import MAKE_RESPONSE, build_db

from miner.resources import resource_dir
from miner.serve import canned_queries, datasette_metadata, query_title
from miner.store import SCHEMA

STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch_json(url: str, deadline: float, server: subprocess.Popen) -> object:
    """GET `url` as JSON, polling while the server starts, until `deadline`."""
    while (found := try_fetch_json(url)) is None:
        if server.poll() is not None:
            pytest.fail(f"miner serve exited with {server.returncode}")
        if time.monotonic() > deadline:
            pytest.fail(f"no answer from {url} in {STARTUP_SECONDS}s")
        time.sleep(0.1)
    return found


def try_fetch_json(url: str) -> object | None:
    """The JSON at `url`, or None while nothing listens there yet."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.load(response)
    except urllib.error.HTTPError:
        raise  # the server answered: an error status is a failure, not a reason to wait
    except (urllib.error.URLError, ConnectionError):
        return None


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    """The render tests' fixture database, saved to a file."""
    path = tmp_path / "miner.db"
    target = sqlite3.connect(path)
    build_db().conn.backup(target)
    target.close()
    return path


def test_serve_answers_a_canned_query_as_json(db_file: Path, tmp_path: Path) -> None:
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "miner", "serve", "--db", str(db_file), "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}/miner"
        deadline = time.monotonic() + STARTUP_SECONDS
        rows = fetch_json(
            f"{base}/uses_by_kind.json?qualname={MAKE_RESPONSE}&_shape=array", deadline, server
        )
        assert rows == [
            {"kind": "call", "uses": 7, "projects": 3},
            {"kind": "import", "uses": 5, "projects": 3},
        ]
        metadata = fetch_json(f"http://127.0.0.1:{port}/-/metadata.json", deadline, server)
        database = metadata["databases"]["miner"]
        assert database["tables"]["uses"]["columns"]["qualname"] == "targets.qualname (canonical)"
        queries = {path.stem for path in resource_dir("queries").glob("*.sql")}
        assert set(database["queries"]) == queries
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)
        log.close()


def test_metadata_describes_every_table_and_column() -> None:
    metadata = datasette_metadata("miner", resource_dir("queries"))
    tables = metadata["databases"]["miner"]["tables"]
    assert set(tables) == set(SCHEMA)
    for name, spec in SCHEMA.items():
        assert tables[name]["description"] == spec.doc
        assert list(tables[name]["columns"]) == list(spec.columns)


def test_every_query_file_is_a_canned_query_titled_by_its_first_comment(tmp_path: Path) -> None:
    (tmp_path / "b_second.sql").write_text("select 2\n", encoding="utf-8")
    (tmp_path / "a_first.sql").write_text(
        "-- How many?\n-- (a second comment)\nselect 1\n", encoding="utf-8"
    )
    (tmp_path / "notes.txt").write_text("not a query", encoding="utf-8")
    assert canned_queries(tmp_path) == {
        "a_first": {"title": "How many?", "sql": "-- How many?\n-- (a second comment)\nselect 1\n"},
        "b_second": {"title": "b_second", "sql": "select 2\n"},
    }
    assert query_title("select 1 -- trailing\n") is None

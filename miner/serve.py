"""Serve stage: the database in Datasette, with column descriptions and the canned queries.

The metadata is generated, never written by hand: table and column descriptions come from
`store.SCHEMA`, and every ``queries/*.sql`` file becomes a canned query named after the file,
titled by its first ``-- `` comment line. Datasette is an optional dependency (the ``serve`` extra).
"""

from __future__ import annotations

import json
import socket
import tempfile
from pathlib import Path
from typing import Any

from miner import DISTRIBUTION
from miner.model import MinerError
from miner.store import SCHEMA


def datasette_metadata(database: str, queries: Path) -> dict[str, Any]:
    """Datasette metadata for the database named `database` (its file's stem)."""
    return {
        "title": "miner",
        "description": "Uses of a library's public names, mined from open source projects.",
        "databases": {
            database: {
                "tables": {
                    table: {
                        "description": spec.doc,
                        "columns": {column: meaning for column, (_, meaning) in spec.columns.items()},
                    }
                    for table, spec in SCHEMA.items()
                },
                "queries": canned_queries(queries),
            }
        },
    }


def canned_queries(queries: Path) -> dict[str, dict[str, str]]:
    """Every .sql file of `queries` as a canned query: stem -> {"title", "sql"}."""
    found = {}
    for path in sorted(queries.glob("*.sql")):
        sql = path.read_text(encoding="utf-8")
        found[path.stem] = {"title": query_title(sql) or path.stem, "sql": sql}
    return found


def query_title(sql: str) -> str | None:
    """The text of the first ``-- `` comment line, if there is one."""
    for line in sql.splitlines():
        if line.startswith("-- "):
            return line[3:].strip()
    return None


def check_port(host: str, port: int) -> None:
    """Refuse, in one line, a port something already listens on (before Datasette starts)."""
    try:
        family, kind, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Datasette does
            probe.bind(address)
    except OSError as error:
        reason = error.strerror or str(error)
        raise MinerError(
            f"cannot listen on {host}:{port}: {reason} (another miner serve?): "
            "stop it or pass another --port"
        ) from None


def serve(db_path: Path, queries: Path, host: str, port: int) -> None:
    """Run Datasette on the database until it is stopped (Ctrl-C)."""
    check_port(host, port)
    try:
        from datasette.cli import cli as datasette
    except ImportError as error:
        raise MinerError(
            f"miner serve needs Datasette: pip install '{DISTRIBUTION}[serve]'"
        ) from error
    metadata = datasette_metadata(db_path.stem, queries)
    with tempfile.TemporaryDirectory(prefix="miner-serve-") as directory:
        metadata_file = Path(directory) / "metadata.json"
        metadata_file.write_text(json.dumps(metadata, indent=2), encoding="utf-8")
        args = ["serve", str(db_path), "--metadata", str(metadata_file)]
        datasette.main(
            [*args, "--host", host, "--port", str(port)],
            prog_name="datasette",
            standalone_mode=False,
        )

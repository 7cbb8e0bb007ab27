"""Worker processes and a Dask cluster store exactly the rows a plain local crawl stores."""

from __future__ import annotations

import pickle
import textwrap

import pytest
from click.testing import CliRunner

from miner import store
from miner.cli import cli
from miner.crawl import KnownState, crawl_project_work
from miner.model import Project
from miner.scan import MemoryCache, ScanContext
from miner.targets import discover

FILES: dict[str, str | bytes] = {
    "pkg/__init__.py": "",
    "pkg/compat.py": "from flask import make_response\n",
    "pkg/views.py": "from .compat import make_response\n\n\ndef v():\n    return make_response()\n",
    "pkg/app.py": textwrap.dedent(
        """\
        import flask
        from flask import abort, request

        app = flask.Flask(__name__)


        @app.route("/")
        def index():
            if not request.args:
                abort(400)
            return flask.jsonify(ok=True)
        """
    ),
    "pkg/big.py": "from flask import g\n" + "".join(f"x{i} = g.get({i})\n" for i in range(400)),
    "pkg/broken.py": "from flask import g\ndef oops(:\n",
    "pkg/plain.py": "import os\n",
}


def rows(db, table):
    columns = [c for c in db[table].columns_dict if c != "id"]
    return sorted(tuple(row[c] for c in columns) for row in db[table].rows)


def crawl_cli(tmp_path, url, db_name, *options):
    projects = tmp_path / "projects.toml"
    projects.write_text(f'[[project]]\nname = "demo"\nurl = "{url}"\n', encoding="utf-8")
    db_path = tmp_path / db_name
    arguments = ["crawl", "--projects", str(projects), "--db", str(db_path), *options]
    result = CliRunner().invoke(cli, arguments, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return store.open_db(db_path), result


def test_two_jobs_store_the_same_rows_as_one_through_the_cli(make_repo, tmp_path):
    repo = make_repo(FILES)
    one, _ = crawl_cli(tmp_path, repo.url, "one.db", "--jobs", "1", "--cache", str(tmp_path / "c1"))
    two, _ = crawl_cli(tmp_path, repo.url, "two.db", "--jobs", "2", "--cache", str(tmp_path / "c2"))
    assert rows(one, "uses")  # not trivially equal
    for table in ("files", "uses", "sources"):
        assert rows(one, table) == rows(two, table), table


def test_the_work_function_and_its_result_cross_process_boundaries(make_repo, tmp_path):
    repo = make_repo(FILES)
    context = ScanContext.for_library(discover("flask"))
    arguments = (Project("demo", repo.url), context, tmp_path / "cache")
    options = {"known": KnownState(), "cache": MemoryCache(), "timeout": 30}
    assert pickle.loads(pickle.dumps((crawl_project_work, arguments, options))) is not None

    work = crawl_project_work(*arguments, **options)

    assert work.error == "" and work.scans and work.texts and work.cache_entries
    assert pickle.loads(pickle.dumps(work)) == work


@pytest.fixture(scope="module")
def dask_address():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


def test_a_dask_crawl_stores_the_same_rows_as_a_local_crawl(make_repo, tmp_path, dask_address):
    repo = make_repo(FILES)
    local, _ = crawl_cli(tmp_path, repo.url, "local.db", "--jobs", "1", "--cache", str(tmp_path))
    on_dask, _ = crawl_cli(
        tmp_path, repo.url, "dask.db", "--dask", dask_address, "--cache", str(tmp_path / "w")
    )
    for table in ("files", "uses", "sources", "scan_cache"):
        assert rows(local, table) == rows(on_dask, table), table

    repo.commit({"pkg/big.py": FILES["pkg/big.py"] + "y = g.get(-1)\n"})  # same exports
    local, _ = crawl_cli(tmp_path, repo.url, "local.db", "--jobs", "1", "--cache", str(tmp_path))
    on_dask, output = crawl_cli(
        tmp_path, repo.url, "dask.db", "--dask", dask_address, "--cache", str(tmp_path / "w")
    )
    assert ": 7 files (6 reused, 1 unparsable), " in output.output  # the worker had the cached scans
    for table in ("files", "uses", "sources"):
        assert rows(local, table) == rows(on_dask, table), table

    _, output = crawl_cli(
        tmp_path, repo.url, "dask.db", "--dask", dask_address, "--cache", str(tmp_path / "w")
    )
    assert "unchanged" in output.output

"""`pip install .` must work outside the checkout: templates, queries and data ship inside."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(out), str(ROOT)],
        check=True,
    )
    return next(out.glob("usage_example_miner-*.whl"))


def test_wheel_carries_templates_queries_and_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for directory in ("templates", "queries", "data"):
        shipped = {name for name in names if name.startswith(f"miner/{directory}/")}
        bundled = {
            f"miner/{directory}/{path.relative_to(ROOT / directory).as_posix()}"
            for path in (ROOT / directory).rglob("*")
            if path.is_file()
        }
        assert bundled and shipped == bundled


def test_installed_package_finds_its_resources_outside_the_checkout(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    found = subprocess.run(
        [sys.executable, "-c",
         "from miner.resources import resource_dir; print(resource_dir('templates'))"],
        cwd=tmp_path, env={"PYTHONPATH": str(site)}, capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert Path(found) == site / "miner" / "templates"

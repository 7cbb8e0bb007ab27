"""The docs are part of the product: every command, option and table is documented, the docs
build without a warning, and the README stays a short front page that points at them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html import escape
from pathlib import Path

import click
import pytest

from miner import DISTRIBUTION
from miner.cli import cli
from miner.store import SCHEMA

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md")))
COMMANDS_PAGE = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
COMMANDS = sorted(cli.commands)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The docs built with `mkdocs build --strict`: any warning (a broken link) fails."""
    out = tmp_path_factory.mktemp("docs")
    env = os.environ | {"PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    assert built.returncode == 0, built.stderr
    return out


def text_of(page: Path) -> str:
    """A built page's text without tags or entities that matter here."""
    text = re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8"))
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").replace("&#39;", "'")


def test_the_built_schema_page_has_every_table_and_column(site):
    page = (site / "schema" / "index.html").read_text(encoding="utf-8")
    for table, spec in SCHEMA.items():
        assert re.search(f'<h2 id="[^"]*"><code>{table}</code>', page), table
        for column, (kind, meaning) in spec.columns.items():
            row = f"<td><code>{column}</code></td>\n<td>{kind.__name__}</td>\n<td>{escape(meaning, quote=False)}"
            assert row in page, f"{table}.{column} is not on the built schema page"


@pytest.mark.parametrize("name", COMMANDS)
def test_the_built_commands_page_has_each_generated_help(site, name):
    page = text_of(site / "commands" / "index.html")
    assert f"$ miner {name} --help\nUsage: miner {name} [OPTIONS]" in page
    for param in cli.commands[name].params:
        for option in getattr(param, "opts", ()):
            if option.startswith("--"):
                assert option in page


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_documented_with_an_example(name):
    command = cli.commands[name]
    assert f"## `miner {name}`" in COMMANDS_PAGE
    assert f"<!-- miner:help {name} -->" in COMMANDS_PAGE
    assert re.search(rf"\$ miner {name}\b", COMMANDS_PAGE), f"no example of `miner {name}`"
    assert command.help and "Example:" in command.help


@pytest.mark.parametrize(
    "name,option",
    [
        (name, option)
        for name in COMMANDS
        for param in cli.commands[name].params
        if isinstance(param, click.Option)
        for option in param.opts
        if option.startswith("--")
    ],
)
def test_every_option_is_explained_in_the_docs(name, option):
    assert f"`{option}" in DOCS, f"miner {name} {option} is not explained in docs/"


def test_the_readme_is_a_short_front_page_pointing_at_the_docs():
    assert len(README.splitlines()) < 60
    assert f"$ pip install {DISTRIBUTION}" in README
    assert "$ miner crawl " in README and "$ miner render " in README
    # the test command CI runs (.ci/run) is the one the README gives
    assert "pip install -e '.[test]' && python -m pytest" in README
    assert "python -m pytest" in (ROOT / ".ci" / "run").read_text()
    for page in sorted((ROOT / "docs").glob("*.md")):
        assert f"(docs/{page.name})" in README, f"the README does not link docs/{page.name}"


def test_the_distribution_name_is_used_wherever_an_install_is_suggested():
    shipped = README + DOCS + "".join(p.read_text() for p in (ROOT / "miner").glob("*.py"))
    assert "'miner[" not in shipped and "pip install miner" not in shipped
    assert f"'{DISTRIBUTION}[serve]'" in DOCS

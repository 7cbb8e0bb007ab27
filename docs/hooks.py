"""MkDocs hook: the parts of the docs that miner itself knows are generated, never copied.

`<!-- miner:help [COMMAND] -->` becomes that command's `--help` output and
`<!-- miner:schema -->` the tables of `miner.store.SCHEMA`, at every docs build.
"""

from __future__ import annotations

import re
from typing import Any

from click.testing import CliRunner

from miner.cli import cli
from miner.store import schema_markdown

HELP = re.compile(r"<!-- miner:help ?([\w-]*) -->")


def on_page_markdown(markdown: str, **_: Any) -> str:
    markdown = markdown.replace("<!-- miner:schema -->", _schema())
    return HELP.sub(lambda match: help_block(match[1]), markdown)


def help_block(command: str) -> str:
    """`miner COMMAND --help` as a console block, from the command itself."""
    args = [command, "--help"] if command else ["--help"]
    result = CliRunner().invoke(cli, args, prog_name="miner", terminal_width=100)
    if result.exit_code != 0:
        raise RuntimeError(f"miner {' '.join(args)} failed: {result.output}")
    return f"```console\n$ miner {' '.join(args)}\n{result.output.rstrip()}\n```"


def _schema() -> str:
    """The schema's tables, one level below the page title."""
    return re.sub(r"(?m)^### ", "## ", schema_markdown())
